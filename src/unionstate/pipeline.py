"""The one road the data takes: bytes → records with locations → schema and
reference findings → records → rule findings → one report.

Each stage hands the next a plain value. Rules run only on a dataset whose
records passed the schema and whose references resolve; otherwise a finding
(US007) says they were not run, so no silence passes for success.
"""

from __future__ import annotations

import os
from collections.abc import Iterable

import attrs

from unionstate.dataset import Dataset, from_raw
from unionstate.io.read import RawDataset, read
from unionstate.report import RULES_SKIPPED, Finding, Report, Severity, finding
from unionstate.validate import validate_raw


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


def validate_path(
    path: str | os.PathLike[str],
    *,
    rules: bool = True,
    as_of: str | None = None,
    select: Iterable[str] = (),
    ignore: Iterable[str] = (),
) -> tuple[RawDataset, Report]:
    """Read a dataset and run schema, references and (unless ``rules`` is
    false) the consistency rules in one pass."""
    raw = read(path)
    findings = validate_raw(raw)
    if rules:
        findings += run_rules(raw, findings, as_of=as_of, select=select, ignore=ignore)
    return raw, Report.of(findings, records=len(raw.records), files=raw.files)


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
