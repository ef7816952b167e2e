"""The one road the data takes: bytes → records with locations → names
resolved → schema and reference findings → records → rule findings → one
report.

Each stage hands the next a plain value. Rules run only on a dataset whose
records passed the schema and whose references resolve; otherwise a finding
(US007) says they were not run, so no silence passes for success.

**Against the canonical data.** Unless ``standalone``, a dataset is checked
together with the canonical dataset shipped in the package: its references
may name canonical records (by id, or by a name as written, see
:mod:`unionstate.resolve`), and the consistency rules run across both, so a
third-party meeting is checked against our tenures. Only findings that
concern the third party's records are reported. Validating the canonical
data itself is always standalone.

**Streaming.** With ``keep_records=False`` (the CLI), :func:`validate_path`
reads the input twice: ids, names and the small records (all but events and
statements) first; then names resolved, schema and references, with the
events and statements handed to the rules a shard at a time
(:mod:`unionstate.checks.sharded`). It keeps only the indexes, the small
records, what the cross-shard rules need and at most ``max_findings``
findings of each code. Without rules only the indexes are kept.
"""

from __future__ import annotations

import functools
import gc
import os
import sys
from collections import Counter
from collections.abc import Callable, Container, Iterable, Iterator
from pathlib import Path
from typing import Any, TypeVar, cast

import attrs

from unionstate.checks._context import BULK, BULK_TYPES
from unionstate.checks.sharded import ShardBuffer, ShardedCheck
from unionstate.converter import structure_valid
from unionstate.dataset import Dataset, data_dir, from_raw, load
from unionstate.idindex import IdIndex
from unionstate.io.read import Limits, RawDataset, RawRecord, input_bytes, read, usable_path
from unionstate.model import DatasetInfo, Record
from unionstate.report import (
    BAD_HEADER,
    EMPTY_INPUT,
    RULES_SKIPPED,
    RULES_TOO_LARGE,
    Finding,
    Report,
    Severity,
    _sort_key,
    finding,
)
from unionstate.resolve import NAME_AMBIGUOUS, NAME_UNKNOWN, SHADOWED, NameIndex, resolve_record
from unionstate.validate import (
    check_header,
    check_record,
    duplicate_id,
    validate_raw,
)

#: Called as ``progress(stage, records_done)`` while a long run goes on.
Progress = Callable[[str, int], None]


def no_progress(stage: str, done: int) -> None:
    """A :data:`Progress` that shows nothing."""
    return None


#: Findings kept per code by default; the rest are counted (Report.suppressed).
MAX_FINDINGS = 1000
#: Codes a name finding (US031, US032) makes redundant at the same place.
_SHADOWED_BY_NAME = ("US010", "US021")


@functools.cache
def canonical() -> Dataset:
    """The shipped canonical dataset, loaded once per process."""
    return load()


def _is_canonical(path: str | os.PathLike[str], raw_header: dict[str, object] | None) -> bool:
    try:
        if Path(path).resolve() == data_dir().resolve():
            return True
    except OSError:
        return False
    return bool(raw_header and raw_header.get("name") == "unionstate")


@attrs.frozen
class _Context:
    """The canonical data a third-party dataset is checked against (or none)."""

    data: Dataset | None

    @property
    def ids(self) -> frozenset[str]:
        return frozenset(r.id for r in self.data.records) if self.data else frozenset()


def _drop_shadowed_schema(findings: list[Finding]) -> list[Finding]:
    """A name that could not be resolved is reported once (US031/US032), not
    again as a malformed id or an unresolved reference."""
    names = {
        (f.file, f.line, f.pointer)
        for f in findings
        if f.code in (NAME_UNKNOWN.code, NAME_AMBIGUOUS.code)
    }
    return [
        f
        for f in findings
        if f.code not in _SHADOWED_BY_NAME or (f.file, f.line, f.pointer) not in names
    ]


def run_rules(
    raw: RawDataset,
    prior: list[Finding],
    *,
    against: Dataset | None = None,
    as_of: str | None = None,
    select: Iterable[str] = (),
    ignore: Iterable[str] = (),
) -> list[Finding]:
    """Consistency findings of a raw dataset held in memory (checked together
    with ``against``, the canonical data, when given), located by file and
    line. (Large files stream instead: see :func:`validate_path`.)

    Raises ``ValueError`` for a ``select``/``ignore`` pattern that names no rule.
    """
    from unionstate.checks import check, select_rules

    select_rules(select, ignore)  # validate the patterns before anything else
    errors = sum(1 for f in prior if f.severity is Severity.ERROR)
    if raw.unusable or errors:
        return [_rules_skipped(errors)]
    where = {str(r.data.get("id")): (r.file, r.line) for r in raw.records}
    theirs = from_raw(raw)
    dataset = theirs
    if against is not None:
        own = {r.id for r in theirs.records}
        merged = (*theirs.records, *(r for r in against.records if r.id not in own))
        dataset = Dataset(theirs.info, merged)
        if as_of is None and theirs.info.as_of is None:
            as_of = against.info.as_of
    return list(_locate(check(dataset, as_of=as_of, select=select, ignore=ignore), where.get))


class _Capped:
    """Findings in stream order, at most ``limit`` of each code kept."""

    def __init__(self, limit: int | None) -> None:
        self.limit = limit
        self.kept: list[Finding] = []
        self.per_code: Counter[str] = Counter()
        self.dropped: Counter[str] = Counter()
        self.errors = 0

    def add(self, f: Finding) -> None:
        self.per_code[f.code] += 1
        if f.severity is Severity.ERROR:
            self.errors += 1
        if self.limit is None or self.per_code[f.code] <= self.limit:
            self.kept.append(f)
        else:
            self.dropped[f"{f.code}/{'excepted' if f.excepted else f.severity.value}"] += 1

    def extend(self, fs: Iterable[Finding]) -> None:
        for f in fs:
            self.add(f)


def _shadow_findings(ids: Container[str], ctx: _Context) -> list[Finding]:
    shadowed = sorted(i for i in ctx.ids if i in ids)
    if not shadowed:
        return []
    shown = ", ".join(shadowed[:5]) + (" ..." if len(shadowed) > 5 else "")
    return [
        finding(
            SHADOWED,
            f"{len(shadowed)} record(s) have the id of a canonical record "
            f"and replace it in this check: {shown}.",
            related=tuple(shadowed),
        )
    ]


@attrs.frozen
class RuleOptions:
    """What the consistency rules are asked to do in a streamed run (see
    :func:`validate_chunks`): the as-of day and the rules selected and
    ignored (codes, code prefixes or names)."""

    as_of: str | None = None
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()


_F = TypeVar("_F", bound=Callable[..., Any])


def _long_lived(func: _F) -> _F:
    """Garbage collection for a long run: while ``func`` runs, the cyclic
    collector runs less often, and ``gc.freeze()`` calls inside it move what
    is alive so far (the id index, the small records) out of its reach, so
    that it stops walking a million objects that live to the end (-15% time
    on 200k records) and forked workers do not copy them by touching them.
    All is undone on return."""

    @functools.wraps(func)
    def run(*args: Any, **kwargs: Any) -> Any:
        threshold = gc.get_threshold()
        gc.set_threshold(50_000, *threshold[1:])
        try:
            return func(*args, **kwargs)
        finally:
            gc.unfreeze()
            gc.set_threshold(*threshold)

    return cast(_F, run)


@_long_lived
def _stream(
    path: str | os.PathLike[str],
    limits: Limits | None,
    max_findings: int | None,
    standalone: bool,
    progress: Progress,
    rules: RuleOptions | None = None,
) -> tuple[RawDataset, Report]:
    """Validate in two streamed passes; with ``rules``, run the consistency
    rules too, holding only the small records (see
    :class:`unionstate.checks.sharded.ShardBuffer`)."""
    from unionstate.chunks import check_one, settle

    out = _Capped(max_findings)
    files: list[str] = []
    ids = IdIndex()  # id -> file number << 40 | line (0: none)
    index = NameIndex()  # the names, added as the records are read
    small: list[RawRecord | Record] = []  # with rules: records not events or statements

    def first_pass(rec: RawRecord) -> None:
        if len(ids) % 10_000 == 0:
            progress("indexing", len(ids))
        is_small = rec.data.get("type") not in BULK_TYPES
        if rules is not None and is_small:
            small.append(settle(rec))  # first: its id is then the shared copy
        rid = rec.data.get("id")
        if isinstance(rid, str):
            if not files or files[-1] != rec.file:
                files.append(rec.file)
            ids.add(rid, (len(files) - 1) << 40 | (rec.line or 0))
            if is_small:
                ids.hot.add(rid)
        index.add((rec,))

    def at(code: int) -> tuple[str, int | None]:
        return files[code >> 40], (code & (1 << 40) - 1) or None

    raw = read(path, limits, sink=first_pass)
    for dup in ids.seal():
        file, line = at(dup.where)
        out.add(duplicate_id(RawRecord({"id": dup.id}, file, line), at(dup.first)))
    ctx = _Context(None if standalone or _is_canonical(path, raw.header) else canonical())
    if ctx.data is not None:
        index.add_records(ctx.data.records)
    known = ctx.ids

    out.extend(raw.findings)
    out.extend(check_header(raw))
    out.extend(_shadow_findings(ids, ctx))
    sharded = ShardBuffer(None)
    if rules is not None and not raw.unusable and not out.errors:
        sharded = ShardBuffer(_small_records(small, index, raw, ids, ctx, rules))
    small.clear()
    gc.freeze()  # the indexes and the small records live to the end

    done = [0]

    def is_known(i: str) -> bool:
        return i in ids or i in known

    def second_pass(rec: RawRecord) -> None:
        done[0] += 1
        if done[0] % 10_000 == 0:
            progress("checking", done[0])
        found, refs = check_one(rec, index, is_known)
        out.extend(_drop_shadowed_schema(found))
        sharded.offer(rec.data, refs, failed=out.errors > 0)

    if not raw.unusable:
        read(path, limits, sink=second_pass)
    if rules is not None:
        progress("rules", raw.count)
        if sharded.check is not None:
            sharded.flush()

            def where(rid: str) -> tuple[str, int | None] | None:
                code = ids.get(rid)
                return None if code is None else at(code)

            out.extend(_locate(sharded.check.finish(), where))
        else:
            out.add(_rules_skipped(out.errors))
    kept = tuple(sorted(out.kept, key=_sort_key))
    report = Report(kept, raw.count, tuple(raw.files), dict(sorted(out.dropped.items())))
    return raw, report


def _locate(
    findings: Iterable[Finding], where: Callable[[str], tuple[str, int | None] | None]
) -> Iterator[Finding]:
    """Rule findings with the file and line of their record (``where(id)``,
    None for an id not in the dataset); those about canonical records only
    (no record of the dataset's involved) are left out."""
    for f in findings:
        at = where(f.record_id) if f.record_id is not None else None
        if at is None and not any(where(r) is not None for r in f.related):
            continue  # about canonical records only: not the user's concern
        file, line = at if at is not None else (None, None)
        yield attrs.evolve(f, file=file, line=line)


def _rules_skipped(errors: int) -> Finding:
    why = f"{errors} error(s)" if errors else "unreadable input"
    return finding(
        RULES_SKIPPED, f"Consistency rules were not run because of {why} above; fix those first."
    )


def _small_records(
    small: list[RawRecord | Record],
    index: NameIndex,
    raw: RawDataset,
    ids: Container[str],
    ctx: _Context,
    rules: RuleOptions,
) -> ShardedCheck | None:
    """The rules over the small records of the first pass (names resolved,
    structured) and the canonical data's records that the dataset does not
    shadow, the canonical events and statements given as a first shard; None
    when one of the small records fails the schema (pass 2 reports it)."""
    base: list[Record] = []
    for k, rec in enumerate(small):
        if isinstance(rec, RawRecord):
            resolve_record(rec, index)
            if check_record(rec):
                return None
            rec = structure_valid(rec.data)
        base.append(rec)
        small[k] = rec  # the raw form is freed as we go
    small.clear()
    header = {k: v for k, v in (raw.header or {}).items() if k != "type"}
    info = DatasetInfo(**header) if header else DatasetInfo(name="unnamed")
    as_of = rules.as_of
    theirs: list[Record] = []
    if ctx.data is not None:
        for r in ctx.data.records:
            if r.id not in ids:
                (theirs if isinstance(r, BULK) else base).append(r)
        if as_of is None and info.as_of is None:
            as_of = ctx.data.info.as_of
    check = ShardedCheck(
        base,
        info,
        as_of=as_of,
        select=rules.select,
        ignore=rules.ignore,
        ids=ids if isinstance(ids, IdIndex) else None,
    )
    if theirs:
        check.add(theirs)
    return check


#: ``mapper(func, tasks, tables, done)``: ``[func(t) for t in tasks]`` in
#: order, with ``tables`` available to ``func`` (see unionstate.chunks).
Mapper = Callable[[Callable[[Any], Any], list[Any], Any, Callable[[int, Any], None]], list[Any]]


@_long_lived
def validate_chunks(
    path: str | os.PathLike[str],
    chunks: list[Any],
    mapper: Mapper,
    *,
    limits: Limits | None = None,
    max_findings: int | None = MAX_FINDINGS,
    standalone: bool = False,
    progress: Progress = no_progress,
    rules: RuleOptions | None = None,
) -> tuple[RawDataset, Report]:
    """Validate one JSON Lines file (names, schema, references, and the
    consistency rules when ``rules`` is given) as chunks, with ``mapper``
    running the per-chunk functions of :mod:`unionstate.chunks`: a process
    pool (``--jobs``) or a cluster such as Dask (docs/performance.md). The
    findings are those of a single-process run."""
    from unionstate.chunks import (
        Checked,
        Index,
        Tables,
        check_task,
        index_task,
        share_record_strings,
        share_strings,
    )

    shown = str(path)
    tasks = [(c, limits, shown, rules is not None) for c in chunks]
    raw = RawDataset(files=[shown])
    out = _Capped(max_findings)
    first = IdIndex()  # id -> line (0: none)
    index = NameIndex()  # the names, added as each chunk's arrive
    small: list[RawRecord | Record] = []
    counts: list[int] = []

    def indexed(_: int, ix: Index) -> None:
        """Merge a chunk's index as it arrives, in order, and empty it."""
        part = ix.raw
        counts.append(part.count)
        raw.count += part.count
        progress("indexing", raw.count)
        if part.header is not None:
            if raw.header is None:
                raw.header, raw.header_file, raw.header_line = (
                    part.header,
                    part.header_file,
                    part.header_line,
                )
            else:
                out.add(
                    finding(
                        BAD_HEADER,
                        f"A second dataset header; the first is in {raw.header_file}.",
                        file=part.header_file,
                        line=part.header_line,
                    )
                )
        raw.unusable.extend(part.unusable)
        out.extend(part.findings)
        for rid, line in zip(ix.ids, ix.lines, strict=True):
            first.add(rid, line)
        first.hot.update(sys.intern(rid) for rid in ix.hot)  # shared with the records
        index.add(ix.names)
        for rec in ix.small:  # from another process: its strings are its own
            if isinstance(rec, RawRecord):
                share_strings(rec.data)
            else:
                share_record_strings(rec)
        small.extend(ix.small)
        for held in (ix.ids, ix.hot, ix.names, ix.small, part.findings):
            held.clear()
        del ix.lines[:]

    progress("indexing", 0)  # at once: the first chunk takes a while to come back
    mapper(index_task, tasks, None, indexed)
    for dup in first.seal():
        again = RawRecord({"id": dup.id}, shown, dup.where or None)
        out.add(duplicate_id(again, (shown, dup.first or None)))
    if (
        not raw.count
        and not raw.unusable
        and not any(f.code in ("US001", "US002", "US004", "US008") for f in out.kept)
    ):
        out.add(finding(EMPTY_INPUT, "No records found.", file=shown))
        raw.unusable.append(shown)
    ctx = _Context(None if standalone or _is_canonical(path, raw.header) else canonical())
    if ctx.data is not None:
        index.add_records(ctx.data.records)
    out.extend(check_header(raw))
    out.extend(_shadow_findings(first, ctx))
    check: ShardedCheck | None = None
    if rules is not None and not raw.unusable and not out.errors:
        check = _small_records(small, index, raw, first, ctx, rules)
    small.clear()
    tables = Tables(first, ctx.ids, index, check)
    gc.freeze()  # live to the end; forked workers share them untouched
    complete = [True]
    checked = [0]

    def done(k: int, result: Checked) -> None:
        """Take a chunk's findings and merge its rules' part as it arrives."""
        checked[0] += counts[k - 1]
        progress("checking", checked[0])
        out.extend(_drop_shadowed_schema(result.findings))
        result.findings.clear()
        if result.rules is None:
            complete[0] = False
        elif check is not None:
            check.merge(result.rules)
        object.__setattr__(result, "rules", None)

    try:
        if not raw.unusable:
            progress("checking", 0)
            mapper(check_task, tasks, tables, done)
        if rules is not None:
            progress("rules", raw.count)
            if check is not None and not out.errors and complete[0]:

                def where(rid: str) -> tuple[str, int | None] | None:
                    line = first.get(rid)
                    return None if line is None else (shown, line or None)

                out.extend(_locate(check.finish(), where))
            else:
                out.add(_rules_skipped(out.errors))
    finally:
        if check is not None:
            check.close()  # what waits for finish() is not needed (D40)
    kept = tuple(sorted(out.kept, key=_sort_key))
    return raw, Report(kept, raw.count, tuple(raw.files), dict(sorted(out.dropped.items())))


def _splittable(p: Path) -> bool:
    """A JSON Lines file that can be read in chunks: a UTF-16 file is unusable
    as a whole, so it is left to the single-process reader that says so."""
    try:
        with p.open("rb") as f:
            return f.read(2) not in (b"\xff\xfe", b"\xfe\xff")
    except OSError:
        return False  # the single-process reader reports it


def validate_path(
    path: str | os.PathLike[str],
    *,
    rules: bool = True,
    standalone: bool = False,
    as_of: str | None = None,
    select: Iterable[str] = (),
    ignore: Iterable[str] = (),
    limits: Limits | None = None,
    max_findings: int | None = MAX_FINDINGS,
    progress: Progress = no_progress,
    jobs: int = 1,
    keep_records: bool = True,
) -> tuple[RawDataset, Report]:
    """Read a dataset and run names, schema, references and (unless ``rules``
    is false) the consistency rules in one pass, against the canonical data
    unless ``standalone``; keep at most ``max_findings`` findings of each code
    (None: all), counting the rest.

    ``keep_records=True`` (the default) holds every record and returns them in
    ``raw.records``. ``keep_records=False`` (what the CLI does) streams: the
    file is read twice, only the small records and the indexes are held, and
    the rules take events and statements a shard at a time, on ``jobs``
    processes for a JSON Lines file (D23-D25); ``raw.records`` is then empty.
    The findings are the same either way (tested)."""
    usable_path(path)
    size = input_bytes(path)
    limit = (limits or Limits()).max_rules_bytes
    if rules and size > limit:
        raw, report = validate_path(
            path,
            rules=False,
            standalone=standalone,
            limits=limits,
            max_findings=max_findings,
            progress=progress,
            jobs=jobs,
        )
        note = finding(
            RULES_TOO_LARGE,
            f"Consistency rules were not run: the input is "
            f"{size:,} bytes, over --max-rules-bytes ({limit:,}); they hold the "
            "records that are not events or statements and every id in memory "
            "(about 1.2 bytes per input byte). Schema and references were "
            "checked. Raise the limit to run them.",
        )
        return raw, attrs.evolve(
            report, findings=tuple(sorted((*report.findings, note), key=_sort_key))
        )
    if not rules or not keep_records:
        options: RuleOptions | None = None
        if rules:
            from unionstate.checks import select_rules

            select, ignore = tuple(select), tuple(ignore)
            select_rules(select, ignore)  # a bad pattern is a usage error, raised first
            options = RuleOptions(as_of, select, ignore)
        p = Path(path)
        if jobs > 1 and p.suffix.lower() in (".jsonl", ".ndjson") and _splittable(p):
            from unionstate.chunks import parts_for, plan, process_mapper

            return validate_chunks(
                path,
                plan(path, parts_for(size, jobs)),
                process_mapper(jobs),
                limits=limits,
                max_findings=max_findings,
                standalone=standalone,
                progress=progress,
                rules=options,
            )
        return _stream(path, limits, max_findings, standalone, progress, options)
    progress("reading", 0)
    raw = read(path, limits)
    ctx = _Context(None if standalone or _is_canonical(path, raw.header) else canonical())
    index = NameIndex.build(raw.records, ctx.data)
    findings = validate_raw(
        raw,
        ctx.ids,
        resolve=lambda rec, refs: resolve_record(rec, index, refs),
        progress=lambda n: progress("checking", n),
    )
    findings += _shadow_findings({str(r.data.get("id")) for r in raw.records}, ctx)
    findings = _drop_shadowed_schema(findings)
    progress("rules", raw.count)
    findings += run_rules(
        raw,
        findings,
        against=ctx.data,
        as_of=as_of,
        select=select,
        ignore=ignore,
    )
    return raw, Report.of(findings, records=raw.count, files=raw.files, max_per_code=max_findings)


def check(
    dataset: Dataset,
    *,
    as_of: str | None = None,
    select: Iterable[str] = (),
    ignore: Iterable[str] = (),
) -> Report:
    """The consistency report of a dataset already loaded (ours or anyone's),
    on its own."""
    from unionstate.checks import check as run_checks

    findings = run_checks(dataset, as_of=as_of, select=select, ignore=ignore)
    return Report.of(findings, records=len(dataset.records))
