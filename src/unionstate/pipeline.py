"""The one road the data takes: bytes → records with locations → schema and
reference findings → records → rule findings → one report.

Each stage hands the next a plain value. Rules run only on a dataset whose
records passed the schema and whose references resolve; otherwise a finding
(US007) says they were not run, so no silence passes for success.

Without rules, :func:`validate_path` streams: it reads the input twice (ids
first, then schema and references) and keeps only the ids and at most
``max_findings`` findings of each code, so memory does not grow with the
number of records beyond the id index.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable

import attrs

from unionstate.dataset import Dataset, from_raw
from unionstate.io.read import Limits, RawDataset, RawRecord, read
from unionstate.report import RULES_SKIPPED, Finding, Report, Severity, _sort_key, finding
from unionstate.validate import check_header, check_record, duplicate_id, reference_findings

#: Findings kept per code by default; the rest are counted (Report.suppressed).
MAX_FINDINGS = 1000


def run_rules(
    raw: RawDataset,
    prior: list[Finding],
    *,
    as_of: str | None = None,
    select: Iterable[str] = (),
    ignore: Iterable[str] = (),
) -> list[Finding]:
    """Consistency findings of a raw dataset, located by file and line.

    Raises ``ValueError`` for a ``select``/``ignore`` pattern that names no rule.
    """
    from unionstate.checks import check, select_rules

    select_rules(select, ignore)  # validate the patterns before anything else
    errors = sum(1 for f in prior if f.severity is Severity.ERROR)
    if raw.unusable or errors:
        why = f"{errors} error(s)" if errors else "unreadable input"
        return [
            finding(
                RULES_SKIPPED,
                f"Consistency rules were not run because of {why} above; fix those first.",
            )
        ]
    dataset = from_raw(raw)
    where = {str(r.data.get("id")): (r.file, r.line) for r in raw.records}
    out = []
    for f in check(dataset, as_of=as_of, select=select, ignore=ignore):
        file, line = where.get(f.record_id or "", (None, None))
        out.append(attrs.evolve(f, file=file, line=line))
    return out


class _Capped:
    """Findings in stream order, at most ``limit`` of each code kept."""

    def __init__(self, limit: int | None) -> None:
        self.limit = limit
        self.kept: list[Finding] = []
        self.per_code: Counter[str] = Counter()
        self.dropped: Counter[str] = Counter()

    def add(self, f: Finding) -> None:
        self.per_code[f.code] += 1
        if self.limit is None or self.per_code[f.code] <= self.limit:
            self.kept.append(f)
        else:
            self.dropped[f"{f.code}/{'excepted' if f.excepted else f.severity.value}"] += 1

    def extend(self, fs: Iterable[Finding]) -> None:
        for f in fs:
            self.add(f)


def _stream(
    path: str | os.PathLike[str], limits: Limits | None, max_findings: int | None
) -> tuple[RawDataset, Report]:
    out = _Capped(max_findings)
    files: list[str] = []
    ids: dict[str, tuple[int, int | None]] = {}

    def first_pass(rec: RawRecord) -> None:
        out.extend(check_record(rec))
        rid = rec.data.get("id")
        if isinstance(rid, str):
            if rid in ids:
                fi, line = ids[rid]
                out.add(duplicate_id(rec, (files[fi], line)))
            else:
                if not files or files[-1] != rec.file:
                    files.append(rec.file)
                ids[rid] = (len(files) - 1, rec.line)

    raw = read(path, limits, sink=first_pass)
    out.extend(raw.findings)
    out.extend(check_header(raw))
    if not raw.unusable:
        read(path, limits, sink=lambda rec: out.extend(reference_findings(rec, ids.__contains__)))
    kept = tuple(sorted(out.kept, key=_sort_key))
    report = Report(kept, raw.count, tuple(raw.files), dict(sorted(out.dropped.items())))
    return raw, report


def validate_path(
    path: str | os.PathLike[str],
    *,
    rules: bool = True,
    as_of: str | None = None,
    select: Iterable[str] = (),
    ignore: Iterable[str] = (),
    limits: Limits | None = None,
    max_findings: int | None = MAX_FINDINGS,
) -> tuple[RawDataset, Report]:
    """Read a dataset and run schema, references and (unless ``rules`` is
    false) the consistency rules in one pass; keep at most ``max_findings``
    findings of each code (None: all), counting the rest."""
    if not rules:
        return _stream(path, limits, max_findings)
    raw = read(path, limits)
    from unionstate.validate import validate_raw

    findings = validate_raw(raw)
    findings += run_rules(raw, findings, as_of=as_of, select=select, ignore=ignore)
    return raw, Report.of(findings, records=raw.count, files=raw.files, max_per_code=max_findings)


def check(
    dataset: Dataset,
    *,
    as_of: str | None = None,
    select: Iterable[str] = (),
    ignore: Iterable[str] = (),
) -> Report:
    """The consistency report of a dataset already loaded (ours or anyone's)."""
    from unionstate.checks import check as run_checks

    findings = run_checks(dataset, as_of=as_of, select=select, ignore=ignore)
    return Report.of(findings, records=len(dataset.records))
