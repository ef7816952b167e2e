"""The consistency rules over a dataset too large to hold at once.

:class:`ShardedCheck` holds the small records whole (sources, places,
organisations, persons, offices, tenures, agreements, road maps: about 15% of
a typical dataset) and takes the events and statements (the
:data:`~unionstate.checks._context.BULK` types) a shard at a time, each shard
checked against the small records through :meth:`Context.shard
<unionstate.checks._context.Context.shard>` and then dropped. The two rules
that compare bulk records with each other keep compact values across shards:
US109 (one place at a time) the in-person attendances, US112 (unused source)
the set of cited sources. Exceptions are applied at the end, so an exception
on a record of another shard still marks a finding excepted.

The findings are those of :func:`unionstate.checks.check` on the whole
dataset, finding for finding (``tests/test_sharded.py``)::

    sc = ShardedCheck(small_records, info)
    for shard in shards_of_events_and_statements:
        sc.add(shard)
    findings = sc.finish()
"""

from __future__ import annotations

import pickle
import tempfile
from collections.abc import Iterable, Mapping
from typing import IO, Any

import attrs

from unionstate.checks import excepted, order, select_rules
from unionstate.checks._context import BULK, BULK_TYPES, Context
from unionstate.checks.events import Presence, clashes, collect_presence
from unionstate.checks.sources import cited_sources, uncited
from unionstate.converter import structure_valid
from unionstate.dataset import Dataset
from unionstate.idindex import IdIndex
from unionstate.model import DatasetInfo, Event, Record, Source
from unionstate.references import Ref
from unionstate.report import Finding

#: Rules that compare bulk records with each other, run by :meth:`ShardedCheck.finish`.
ACROSS_SHARDS = ("US109", "US112")

#: Events and statements checked at a time by :class:`ShardBuffer` (D35:
#: 2,500 rather than 10,000 holds a quarter of the shard, which a forked
#: worker allocates in pages it shares with its parent, for no loss of speed).
SHARD_SIZE = 2_500


@attrs.frozen
class Partial:
    """What some shards found, to be merged into the whole check."""

    findings: list[Finding]
    exceptions: dict[str, dict[str, str]]
    presence: Presence
    part_of: dict[str, str | None]
    cited: set[str]


class ShardedCheck:
    """The rules over ``base`` (the records that are not events or
    statements) plus the shards given to :meth:`add`."""

    def __init__(
        self,
        base: Iterable[Record],
        info: DatasetInfo,
        *,
        as_of: str | None = None,
        select: Iterable[str] = (),
        ignore: Iterable[str] = (),
        ids: IdIndex | None = None,
    ) -> None:
        """``ids``, when given, is the sealed index of every id of the input:
        US109 then holds the events' ids as positions in it (D38)."""
        records = tuple(base)
        bulk = sorted({type(r).__name__ for r in records if isinstance(r, BULK)})
        if bulk:
            raise TypeError(f"events and statements go in shards, not in the base: {bulk}")
        rules = select_rules(select, ignore)
        self._codes = {r.code for r in rules}
        self._rules = [r for r in rules if r.code not in ACROSS_SHARDS]
        self._base = Context.build(Dataset(info, records), as_of)
        self._exceptions: dict[str, dict[str, str]] = {
            k: dict(v) for k, v in self._base.exceptions.items()
        }
        self._findings: list[Finding] = []
        self._ids = ids
        self._presence = Presence(ids)
        self._part_of: dict[str, str | None] = {}
        self._cited = cited_sources(records) if "US112" in self._codes else set()
        self._spill: _Spill | None = None
        for r in self._rules:
            self._findings.extend(r.func(self._base))

    def add(self, records: Iterable[Record], *, cited: Iterable[str] | None = None) -> None:
        """Check a shard of events and statements (``TypeError`` for any
        other type); the records are not kept. ``cited``, when the caller
        has it already, is the set of sources the shard cites (for US112)."""
        shard = tuple(records)
        ctx = self._base.shard(shard)
        for r in self._rules:
            self._findings.extend(r.func(ctx))
        for rec in shard:
            for e in rec.exceptions:
                self._exceptions.setdefault(rec.id, {}).setdefault(e.rule, e.reason)
        if "US109" in self._codes:
            collect_presence(ctx, self._presence)
            self._part_of.update((e.id, e.part_of) for e in ctx.all(Event) if e.part_of is not None)
        if "US112" in self._codes:
            self._cited.update(cited_sources(shard) if cited is None else cited)

    def branch(self) -> ShardedCheck:
        """A check over the same small records with nothing found yet, for
        a worker's shards (its :meth:`take` goes back to :meth:`merge`)."""
        new = object.__new__(ShardedCheck)
        new._codes, new._rules, new._base = self._codes, self._rules, self._base
        new._findings, new._exceptions, new._part_of, new._cited = [], {}, {}, set()
        new._ids = self._ids
        new._presence = Presence(self._ids)
        new._spill = None
        return new

    def take(self) -> Partial:
        r"""What the shards added so far have found, handed over and
        forgotten: a worker process checks its shards and sends this back,
        to be :meth:`merge`\ d into the check that holds the base."""
        part = Partial(self._findings, self._exceptions, self._presence, self._part_of, self._cited)
        self._findings, self._exceptions, self._part_of, self._cited = [], {}, {}, set()
        self._presence = Presence(self._ids)
        return part

    def merge(self, part: Partial) -> None:
        """Add what another copy of this check found (see :meth:`take`).

        The part's findings, attendances and ``part_of`` links are only
        needed by :meth:`finish`, so they wait in a temporary file until then
        (D40): while the workers run, this process holds only the exceptions
        and the cited sources. Where no temporary file can be written they
        are held here instead."""
        for rid, reasons in part.exceptions.items():
            mine = self._exceptions.setdefault(rid, {})
            for code, reason in reasons.items():
                mine.setdefault(code, reason)
        self._cited.update(part.cited)
        held = (part.findings, part.presence, part.part_of)
        if self._spill is None:
            self._spill = _Spill()
        if not self._spill.put(held):
            self._merge_held(*held)

    def _merge_held(
        self, findings: list[Finding], presence: Presence, part_of: dict[str, str | None]
    ) -> None:
        self._findings.extend(findings)
        self._presence.merge(presence)
        self._part_of.update(part_of)

    def close(self) -> None:
        """Drop the merged parts still waiting in the temporary file, unread:
        for a run that does not :meth:`finish` (an error in the data, after
        which the rules are not run, or an interruption)."""
        if self._spill is not None:
            self._spill.close()
            self._spill = None

    def finish(self) -> list[Finding]:
        """Every finding, exceptions applied, in :func:`unionstate.checks.check`'s order."""
        if self._spill is not None:
            for held in self._spill.drain():
                self._merge_held(*held)
            self._spill = None
        out = list(self._findings)
        if "US109" in self._codes:
            out.extend(clashes(self._presence, self._part_of, self._base.label))
        if "US112" in self._codes:
            out.extend(uncited(self._base.all(Source), self._cited))
        out = [excepted(self._exceptions, f) for f in out]
        out.sort(key=order)
        return out


class _Spill:
    """Merged parts waiting for :meth:`ShardedCheck.finish` in an unnamed
    temporary file (deleted by the system when closed, readable by no other
    user), pickled one after another, read back in the order they came.
    :meth:`put` answers False when the part could not be written (no
    temporary directory, a full disk), and for every part after that: the
    caller holds those itself. :meth:`drain` reads back the parts written
    whole (a part written in half, if any, lies after them)."""

    def __init__(self) -> None:
        self.file: IO[bytes] | None = None
        self.count = 0
        self.broken = False

    def put(self, held: tuple[Any, ...]) -> bool:
        if self.broken:
            return False
        try:
            if self.file is None:
                # closed by drain() or close(), at the end of the run
                self.file = tempfile.TemporaryFile(prefix="unionstate-")  # noqa: SIM115
            pickle.dump(held, self.file, protocol=pickle.HIGHEST_PROTOCOL)
        except OSError:
            self.broken = True
            return False
        self.count += 1
        return True

    def drain(self) -> Iterable[tuple[Any, ...]]:
        """Every part written, in order; the file is closed at the end."""
        if self.file is None:
            return
        try:
            self.file.flush()
            self.file.seek(0)
            for _ in range(self.count):
                yield pickle.load(self.file)
        finally:
            self.close()

    def close(self) -> None:
        if self.file is not None:
            self.file.close()
        self.file = None
        self.count = 0


class ShardBuffer:
    """Records arriving one at a time, checked :data:`SHARD_SIZE` at a time
    by ``check``; :meth:`stop` (on the first error of the data: the rules
    are then not run) drops everything."""

    def __init__(self, check: ShardedCheck | None) -> None:
        self.check = check
        self.shard: list[Record] = []
        self.cited: set[str] = set()

    @property
    def dead(self) -> bool:
        return self.check is None

    def stop(self) -> None:
        self.check = None
        self.shard = []
        self.cited = set()

    def offer(self, data: Mapping[str, Any], refs: list[Ref], *, failed: bool) -> None:
        """Take one record that pass 2 has just checked (``data`` with names
        resolved, its ``refs``): stop for good when the data has ``failed``
        (an error so far), else add it if it is an event or a statement."""
        if self.check is None:
            return
        if failed:
            self.stop()
        elif data.get("type") in BULK_TYPES:
            self.add(structure_valid(data), refs)

    def add(self, record: Record, refs: Iterable[tuple[str, str, tuple[str, ...]]]) -> None:
        """Add an event or statement with its references (``refs_of``, names
        resolved), from which the sources it cites are taken."""
        if self.check is None:
            return
        self.shard.append(record)
        self.cited.update(r for _, r, targets in refs if "source" in targets and r != record.id)
        if len(self.shard) >= SHARD_SIZE:
            self.flush()

    def flush(self) -> None:
        if self.check is not None and self.shard:
            self.check.add(self.shard, cited=self.cited)
        self.shard = []
        self.cited = set()
