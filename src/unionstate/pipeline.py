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

**One road, whatever the size.** With ``keep_records=False`` (the CLI),
:func:`validate_path` reads the input twice, a part at a time (a JSON Lines
file in chunks on ``jobs`` processes, anything else whole; see
:mod:`unionstate.chunks`): ids and names first; then names resolved, schema
and references checked, and the records turned into the columns the rules
read. The rules then run once, over the columns of all parts (and of the
canonical data). With ``keep_records=True`` the records are read once and
kept; the rules run the same way over their columns.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from unionstate.converter import unstructure
from unionstate.dataset import Dataset, data_dir, load
from unionstate.io.read import Limits, RawDataset, RawRecord, input_bytes, read, usable_path
from unionstate.report import (
    BAD_HEADER,
    EMPTY_INPUT,
    RULES_SKIPPED,
    RULES_TOO_LARGE,
    CappedFindings,
    Finding,
    Report,
    Severity,
    _sort_key,
    finding,
)
from unionstate.resolve import NAME_AMBIGUOUS, NAME_UNKNOWN, SHADOWED, NameIndex, resolve_record
from unionstate.validate import check_header, duplicate_id, validate_raw

if TYPE_CHECKING:  # the rules and polars are imported when first used
    from unionstate.checks import Frames

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


@functools.cache
def canonical_frames() -> Frames:
    """The columns of the canonical dataset, built once per process."""
    from unionstate.checks import Frames

    return Frames.of(unstructure(r) for r in canonical().records)


def _is_canonical(path: str | os.PathLike[str], raw_header: Mapping[str, object] | None) -> bool:
    try:
        if Path(path).resolve() == data_dir().resolve():
            return True
    except OSError:
        return False
    return bool(raw_header and raw_header.get("name") == "unionstate")


def _against(
    path: str | os.PathLike[str], header: Mapping[str, object] | None, standalone: bool
) -> Dataset | None:
    """The canonical data a dataset is checked against, or none."""
    return None if standalone or _is_canonical(path, header) else canonical()


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


@attrs.frozen
class RuleOptions:
    """What the consistency rules are asked to do: the as-of day and the
    rules selected and ignored (codes, code prefixes or names)."""

    as_of: str | None = None
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()


def _rules(
    frames: Frames,
    header: Mapping[str, Any] | None,
    against: Dataset | None,
    options: RuleOptions,
    where: Callable[[Iterable[str]], Mapping[str, tuple[str, int | None]]],
) -> list[Finding]:
    """The rule findings of a dataset's columns (checked together with
    ``against``, the canonical data, when given), located by file and line
    (``where``: the locations of those of these ids that are the dataset's);
    those about canonical records only are left out."""
    from unionstate.checks import Frames, as_of_day, run, select_rules

    as_of = options.as_of
    if as_of is None:
        as_of = (header or {}).get("as_of")
    if against is not None:
        frames = Frames.concat([frames, canonical_frames().without(frames.ids())])
        if as_of is None:
            as_of = against.info.as_of
    found = run(frames, as_of_day(as_of), select_rules(options.select, options.ignore))
    at = where({i for f in found for i in (f.record_id, *f.related) if i})
    out = []
    for f in found:
        if f.record_id not in at and not any(r in at for r in f.related):
            continue  # about canonical records only: not the user's concern
        file, line = at.get(f.record_id or "", (None, None))
        out.append(attrs.evolve(f, file=file, line=line))
    return out


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
    line.

    Raises ``ValueError`` for a ``select``/``ignore`` pattern that names no rule.
    """
    from unionstate.checks import Frames, select_rules

    options = RuleOptions(as_of, tuple(select), tuple(ignore))
    select_rules(options.select, options.ignore)  # the patterns checked first
    errors = sum(1 for f in prior if f.severity is Severity.ERROR)
    if raw.unusable or errors:
        return [_rules_skipped(errors)]
    where: dict[str, tuple[str, int | None]] = {}
    for r in raw.records:
        where.setdefault(str(r.data.get("id")), (r.file, r.line))
    frames = Frames.of(r.data for r in raw.records)

    def located(ids: Iterable[str]) -> dict[str, tuple[str, int | None]]:
        return {i: where[i] for i in ids if i in where}

    return _rules(frames, raw.header, against, options, located)


def _shadow_findings(ids: Iterable[str], against: Dataset | None) -> list[Finding]:
    if against is None:
        return []
    mine = set(ids)
    shadowed = sorted(r.id for r in against.records if r.id in mine)
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


def _rules_skipped(errors: int) -> Finding:
    why = f"{errors} error(s)" if errors else "unreadable input"
    return finding(
        RULES_SKIPPED, f"Consistency rules were not run because of {why} above; fix those first."
    )


#: ``mapper(func, tasks, tables, done)``: ``[func(t) for t in tasks]`` in
#: order, with ``tables`` available to ``func`` (see unionstate.chunks).
Mapper = Callable[[Callable[[Any], Any], list[Any], Any, Callable[[int, Any], None]], list[Any]]


def validate_chunks(
    path: str | os.PathLike[str],
    parts: list[Any],
    mapper: Mapper,
    *,
    limits: Limits | None = None,
    max_findings: int | None = MAX_FINDINGS,
    standalone: bool = False,
    progress: Progress = no_progress,
    rules: RuleOptions | None = None,
) -> tuple[RawDataset, Report]:
    """Validate a dataset (names, schema, references, and the consistency
    rules when ``rules`` is given) as ``parts`` (chunks of one JSON Lines
    file, or the whole path), with ``mapper`` running the per-part functions
    of :mod:`unionstate.chunks`: in this process, on a process pool
    (``--jobs``) or on a cluster such as Dask (docs/performance.md)."""
    import polars as pl

    from unionstate.checks import Frames
    from unionstate.chunks import Checked, Index, Tables, check_task, index_task

    shown = str(path)
    tasks = [(part, limits, shown, rules is not None, max_findings) for part in parts]
    raw = RawDataset()
    out = CappedFindings(max_findings)
    ids: list[pl.DataFrame] = []
    index = NameIndex()  # the names, added as each part's arrive
    counts: list[int] = []

    def indexed(_: int, ix: Index) -> None:
        """Merge a part's index as it arrives, in order."""
        part = ix.raw
        counts.append(part.count)
        raw.count += part.count
        raw.files.extend(f for f in part.files if f not in raw.files)
        progress("indexing", raw.count)
        if part.header is not None:
            if raw.header is None:
                raw.header, raw.header_file, raw.header_line = (
                    part.header,
                    part.header_file,
                    part.header_line,
                )
            else:
                out.append(
                    finding(
                        BAD_HEADER,
                        f"A second dataset header; the first is in {raw.header_file}.",
                        file=part.header_file,
                        line=part.header_line,
                    )
                )
        raw.unusable.extend(part.unusable)
        out.merge(part.findings)
        ids.append(ix.ids)
        index.add(ix.names)

    progress("indexing", 0)  # at once: the first part takes a while to come back
    mapper(index_task, tasks, None, indexed)
    if not raw.files:
        raw.files.append(shown)
    every = pl.concat(ids) if ids else pl.DataFrame(schema={"id": pl.String})
    first = every.unique("id", keep="first", maintain_order=True)
    again = every.filter(~every["id"].is_first_distinct()).join(first, on="id", suffix="_first")
    for rid, file, line, file1, line1 in again.iter_rows():
        out.append(duplicate_id(RawRecord({"id": rid}, file, line or None), (file1, line1 or None)))
    del every, again, ids[:]
    if (
        not raw.count
        and not raw.unusable
        and not any(out.per_code[c] for c in ("US001", "US002", "US004", "US008"))
    ):
        out.append(finding(EMPTY_INPUT, "No records found.", file=shown))
        raw.unusable.append(shown)
    against = _against(path, raw.header, standalone)
    if against is not None:
        index.add_records(against.records)
    out.extend(check_header(raw))
    if against is not None:
        theirs = pl.Series([r.id for r in against.records], dtype=pl.String)
        out.extend(
            _shadow_findings(first.filter(pl.col("id").is_in(theirs.implode()))["id"], against)
        )
    known = first["id"]
    if against is not None:
        known = pl.concat([known, canonical_frames().ids().cast(pl.String)])
    tables = Tables(known.unique().sort(), index)
    frames: list[Frames] = []
    complete = [True]
    checked = [0]

    def done(k: int, result: Checked) -> None:
        checked[0] += counts[k - 1]
        progress("checking", checked[0])
        out.merge(result.findings)
        if result.frames is None:
            complete[0] = False
        else:
            frames.append(result.frames)

    if not raw.unusable:
        progress("checking", 0)
        mapper(check_task, tasks, tables, done)
    if rules is not None:
        progress("rules", raw.count)
        if not raw.unusable and not out.errors and complete[0]:

            def where(wanted: Iterable[str]) -> dict[str, tuple[str, int | None]]:
                rows = first.filter(pl.col("id").is_in(list(wanted)))
                return {i: (file, line or None) for i, file, line in rows.iter_rows()}

            out.extend(_rules(Frames.concat(frames), raw.header, against, rules, where))
        else:
            out.append(_rules_skipped(out.errors))
    kept = tuple(sorted(out, key=_sort_key))
    return raw, Report(kept, raw.count, tuple(raw.files), dict(sorted(out.dropped.items())))


def _splittable(p: Path) -> bool:
    """A JSON Lines file that can be read in chunks: a UTF-16 file is unusable
    as a whole, so it is left to the reader that says so."""
    if p.suffix.lower() not in (".jsonl", ".ndjson"):
        return False
    try:
        with p.open("rb") as f:
            return f.read(2) not in (b"\xff\xfe", b"\xfe\xff")
    except OSError:
        return False  # the reader reports it


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
    is false) the consistency rules, against the canonical data unless
    ``standalone``; keep at most ``max_findings`` findings of each code
    (None: all), counting the rest.

    ``keep_records=True`` (the default) holds every record and returns them in
    ``raw.records``. ``keep_records=False`` (what the CLI does) reads the
    input twice, a part at a time, on ``jobs`` processes for a JSON Lines
    file, and holds only the ids, the names and the columns the rules read;
    ``raw.records`` is then empty. The findings are the same either way."""
    usable_path(path)
    options = RuleOptions(as_of, tuple(select), tuple(ignore)) if rules else None
    if options is not None:
        from unionstate.checks import select_rules

        select_rules(options.select, options.ignore)  # a bad pattern: a usage error, first
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
            keep_records=False,
        )
        note = finding(
            RULES_TOO_LARGE,
            f"Consistency rules were not run: the input is "
            f"{size:,} bytes, over --max-rules-bytes ({limit:,}); they hold the "
            "columns of every record in memory. Schema and references were "
            "checked. Raise the limit to run them.",
        )
        return raw, attrs.evolve(
            report, findings=tuple(sorted((*report.findings, note), key=_sort_key))
        )
    if options is None or not keep_records:
        from unionstate.chunks import parts_for, plan, process_mapper

        p = Path(path)
        parts: list[Any] = [str(path)]
        if jobs > 1 and _splittable(p):
            parts = list(plan(path, parts_for(size, jobs)))
        return validate_chunks(
            path,
            parts,
            process_mapper(jobs),
            limits=limits,
            max_findings=max_findings,
            standalone=standalone,
            progress=progress,
            rules=options,
        )
    progress("reading", 0)
    raw = read(path, limits)
    against = _against(path, raw.header, standalone)
    known = frozenset(r.id for r in against.records) if against else frozenset()
    index = NameIndex.build(raw.records, against)
    findings = validate_raw(
        raw,
        known,
        resolve=lambda rec, refs: resolve_record(rec, index, refs),
        progress=lambda n: progress("checking", n),
    )
    findings += _shadow_findings((str(r.data.get("id")) for r in raw.records), against)
    findings = _drop_shadowed_schema(findings)
    if options is not None:
        progress("rules", raw.count)
        findings += run_rules(
            raw, findings, against=against, as_of=as_of, select=select, ignore=ignore
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
