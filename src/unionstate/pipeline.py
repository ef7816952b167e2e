"""The one road the data takes: bytes → records with locations → names
resolved → schema and reference findings → records → rule findings → one
report.

Each stage hands the next a plain value, and every finding comes in one
pass: a record that fails the schema or names what does not exist is set
aside, with every record that refers to it, and the consistency rules run
over the rest; each record set aside gets a finding (US007) saying why the
rules did not check it, so no silence passes for success.

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
from unionstate.dataset import Dataset, DatasetError, data_dir, load
from unionstate.io.read import (
    InputError,
    Limits,
    RawDataset,
    RawRecord,
    collector_paused,
    input_bytes,
    read,
    usable_path,
)
from unionstate.report import (
    BAD_HEADER,
    BEYOND_CANONICAL,
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
    import polars as pl

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
    """The shipped canonical dataset, loaded once per process.

    Raises :class:`InputError` when it cannot be used (a damaged
    installation, or a checkout whose ``data/`` is being rewritten): a file
    cannot then be checked against it, and the command exits 2, not 3."""
    try:
        return load()
    except DatasetError as exc:
        c = exc.report.counts()
        why = ", ".join(exc.unusable) + " unreadable" if exc.unusable else f"{c['error']} error(s)"
    except InputError as exc:
        why = str(exc)
    raise InputError(
        f"the canonical data shipped with unionstate cannot be used ({why}), so nothing can be "
        "checked against it; check the file alone with --standalone, or reinstall unionstate"
    )


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
    path: str | os.PathLike[str],
    header: Mapping[str, object] | None,
    standalone: bool,
    reference: Dataset | None = None,
) -> Dataset | None:
    """The data a dataset is checked against: ``reference`` when given, else
    the canonical data, or none (``standalone``, or the canonical data itself)."""
    if reference is not None:
        return reference
    return None if standalone or _is_canonical(path, header) else canonical()


def _frames_of(against: Dataset) -> Frames:
    """The columns of the data checked against (built once for the canonical)."""
    if against is canonical():
        return canonical_frames()
    from unionstate.checks import Frames

    return Frames.of(unstructure(r) for r in against.records)


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


def _as_of(options: RuleOptions, header: Mapping[str, Any] | None) -> Any:
    """The as-of day the rules use: the option, else the header's (when it is
    a date; a bad one is reported by the header check). A dataset checked
    against the canonical data does not take the canonical as-of day: what
    lies beyond that day is reported apart (US040)."""
    from unionstate.checks import as_of_day

    if options.as_of is not None:
        return as_of_day(options.as_of)
    try:
        return as_of_day((header or {}).get("as_of"))
    except ValueError:
        return None


def set_aside(frames: Frames, failed: pl.Series) -> tuple[Frames, pl.DataFrame]:
    """The records the rules can check, and those set aside: the ``failed``
    ones (with an error of their own) and, again and again, every record
    that refers to one set aside, since a rule would read it through that
    reference. A tenure set aside also sets aside the records that name its
    office, since a rule would look for that tenure to tell whether the
    office was held. The second value has columns ``id`` and ``because``
    (what it names that was set aside; null for a record that failed itself)."""
    import polars as pl

    refs = frames["refs"]  # ids as categories: a text copy would be ten times larger
    text = pl.col("id", "because").cast(pl.String)
    offices_of = refs.filter(
        pl.col("id").cat.starts_with("tenure/") & pl.col("ref").cat.starts_with("office/")
    )
    aside = pl.DataFrame(
        {"id": failed.cast(pl.String).unique(maintain_order=True)},
    ).with_columns(because=pl.lit(None, pl.String))
    frontier = aside["id"]
    while frontier.len():
        offices = offices_of.filter(pl.col("id").is_in(frontier.implode()))["ref"]
        named = pl.concat([frontier, offices.cast(pl.String)])
        hit = (
            refs.filter(
                pl.col("ref").is_in(named.implode()) & ~pl.col("id").is_in(aside["id"].implode())
            )
            .unique("id", keep="first", maintain_order=True)
            .rename({"ref": "because"})
            .select(text)
        )
        aside = pl.concat([aside, hit])
        frontier = hit["id"]
    return frames.without(aside["id"], keep=("refs",)), aside


def _rules(
    parts: list[Frames],
    failed: pl.Series,
    header: Mapping[str, Any] | None,
    against: Dataset | None,
    options: RuleOptions,
    where: Callable[[Iterable[str]], Mapping[str, tuple[str, int | None]]],
) -> list[Finding]:
    """The rule findings of a dataset's columns, given as ``parts`` (emptied
    here, so that the columns are held only once), checked together with
    ``against``, the canonical data, when given; located by file and line
    (``where``: the locations of those of these ids that are the dataset's);
    those about canonical records only are left out. The records of
    ``failed`` and those that depend on them are set aside, one finding
    (US007) each."""
    import polars as pl

    from unionstate.checks import Frames, as_of_day, run, select_rules
    from unionstate.checks.frames import as_of_span

    frames = Frames.concat(parts)
    parts.clear()
    mine = frames.ids()
    frames, aside = set_aside(frames, failed)
    beyond: list[Finding] = []
    if against is not None and against.info.as_of:
        as_of = against.info.as_of
        known = as_of_day(as_of)
        assert known is not None
        day = as_of_span(known)[1]
        beyond = _beyond(frames, as_of, day)
        theirs = _frames_of(against).without(pl.concat([mine.cast(pl.String), aside["id"]]))
        frames = attrs.evolve(Frames.concat([frames, theirs.until(as_of, day)]), horizon=day)
    found = run(frames, _as_of(options, header), select_rules(options.select, options.ignore))
    found += beyond
    at = where({i for f in found for i in (f.record_id, *f.related) if i} | set(aside["id"]))
    out = []
    for f in found:
        if f.record_id not in at and not any(r in at for r in f.related):
            continue  # about canonical records only: not the user's concern
        file, line = at.get(f.record_id or "", (None, None))
        out.append(attrs.evolve(f, file=file, line=line))
    failed_ids = set(failed.cast(pl.String))
    aside_ids = set(aside["id"])
    for rid, because in aside.iter_rows():
        if rid not in at:
            continue
        file, line = at[rid]
        if because is None:
            why = "it has errors"
        elif because in failed_ids:
            why = f"it refers to {because}, which has errors"
        elif because in aside_ids:
            why = f"it refers to {because}, which the rules could not check either"
        else:
            why = f"it names {because}, a tenure of which the rules could not check"
        out.append(
            finding(
                RULES_SKIPPED,
                f"The consistency rules did not check this record: {why}.",
                file=file,
                line=line,
                record_id=rid,
                related=() if because is None else (because,),
            )
        )
    return out


def _beyond(frames: Frames, as_of: str, day: int) -> list[Finding]:
    """US040 for each record whose date (an event's, a statement's, a
    tenure's start) is surely after ``day``, the canonical as-of day."""
    import polars as pl

    dated = [
        frames["events"].select("id", when="date", lo="date_lo"),
        frames["statements"].select("id", when="date", lo="date_lo"),
        frames["tenures"].select("id", when="start", lo="start_lo"),
    ]
    late = pl.concat(dated).filter(pl.col("lo") > day)
    return [
        finding(
            BEYOND_CANONICAL,
            f"{rid} is dated {when}, after the canonical data's as-of day {as_of}: "
            "the canonical data does not reach its date, so its offices' holders then "
            "are not known to it.",
            record_id=rid,
        )
        for rid, when, _ in late.iter_rows()
    ]


def _failed(findings: Iterable[Finding]) -> list[str]:
    """The records that have an error of their own."""
    return [f.record_id for f in findings if f.severity is Severity.ERROR and f.record_id]


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
    line. Records with errors in ``prior`` (the findings of names, schema and
    references), and those that depend on them, are set aside, one finding
    (US007) each; every rule runs over the rest.

    Raises ``ValueError`` for a ``select``/``ignore`` pattern that names no rule.
    """
    import polars as pl

    from unionstate.checks import select_rules
    from unionstate.checks.frames import Builder

    options = RuleOptions(as_of, tuple(select), tuple(ignore))
    select_rules(options.select, options.ignore)  # the patterns checked first
    failed = set(_failed(prior))
    where: dict[str, tuple[str, int | None]] = {}
    rows = Builder()
    for r in raw.records:
        where.setdefault(str(r.data.get("id")), (r.file, r.line))
        if r.data.get("id") in failed:
            rows.add_refs(r.data)
        else:
            rows.add(r.data)
    frames = rows.build()

    def located(ids: Iterable[str]) -> dict[str, tuple[str, int | None]]:
        return {i: where[i] for i in ids if i in where}

    return _rules(
        [frames], pl.Series(sorted(failed), dtype=pl.String), raw.header, against, options, located
    )


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
    reference: Dataset | None = None,
) -> tuple[RawDataset, Report]:
    """Validate a dataset (names, schema, references, and the consistency
    rules when ``rules`` is given) as ``parts`` (chunks of one JSON Lines
    file, or the whole path), with ``mapper`` running the per-part functions
    of :mod:`unionstate.chunks`: in this process, on a process pool
    (``--jobs``) or on a cluster such as Dask (docs/performance.md)."""
    import polars as pl

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
    once = every["id"].is_first_distinct()
    first = every.filter(once)
    again = every.filter(~once).join(first, on="id", suffix="_first")
    for rid, file, line, file1, line1 in again.iter_rows():
        out.append(duplicate_id(RawRecord({"id": rid}, file, line or None), (file1, line1 or None)))
    del every, once, again, ids[:]
    if (
        not raw.count
        and not raw.unusable
        and not any(out.per_code[c] for c in ("US001", "US002", "US004", "US008"))
    ):
        out.append(finding(EMPTY_INPUT, "No records found.", file=shown))
        raw.unusable.append(shown)
    against = _against(path, raw.header, standalone, reference)
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
        known = pl.concat([known, pl.Series([r.id for r in against.records], dtype=pl.String)])
    tables = Tables(known.unique().sort(), index)
    frames: list[Frames] = []
    checked = [0]

    def done(k: int, result: Checked) -> None:
        checked[0] += counts[k - 1]
        progress("checking", checked[0])
        out.merge(result.findings)
        if result.frames is not None:
            frames.append(result.frames)

    progress("checking", 0)
    mapper(check_task, tasks, tables, done)
    # the rules need neither the ids nor the names: let them go
    del tables, known
    index = NameIndex()
    if rules is not None:
        progress("rules", raw.count)

        def where(wanted: Iterable[str]) -> dict[str, tuple[str, int | None]]:
            rows = first.filter(pl.col("id").is_in(list(wanted)))
            return {i: (file, line or None) for i, file, line in rows.iter_rows()}

        failed = pl.Series(out.failed, dtype=pl.String)
        out.extend(_rules(frames, failed, raw.header, against, rules, where))
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
    reference: Dataset | None = None,
) -> tuple[RawDataset, Report]:
    """Read a dataset and run names, schema, references and (unless ``rules``
    is false) the consistency rules, against the canonical data unless
    ``standalone`` (or against ``reference``, when given); keep at most
    ``max_findings`` findings of each code (None: all), counting the rest.
    The names of the records held (``raw.records``) are resolved to ids.

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
            reference=reference,
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
    if not keep_records:
        from unionstate.chunks import parts_for, plan, process_mapper

        p = Path(path)
        parts: list[Any] = [str(path)]
        if _splittable(p):
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
            reference=reference,
        )
    progress("reading", 0)
    with collector_paused():
        raw = read(path, limits)
        against = _against(path, raw.header, standalone, reference)
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
