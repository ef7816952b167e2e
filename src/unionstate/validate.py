"""Schema and reference validation of raw records: every problem, with its
location, never only the first.

The per-record stage (:func:`check_record`) is a pure function of one parsed
record; the whole-dataset stage (:func:`validate_raw`) uses an index of
ids built in one pass.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

import jsonschema

from unionstate import dates
from unionstate.io.read import RawDataset, RawRecord
from unionstate.model import EXTENSION_PREFIX, RECORD_TYPES
from unionstate.references import Ref, refs_of
from unionstate.report import (
    BAD_HEADER,
    DUPLICATE_ID,
    NOT_A_RECORD,
    SCHEMA,
    UNRESOLVED_REF,
    Code,
    Finding,
    finding,
)
from unionstate.schema import fast_is_valid, iter_errors


def _pointer(path: Iterable[Any]) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path)


def _message(err: jsonschema.ValidationError) -> str:
    """A plain sentence for a schema error."""
    v = err.validator
    inst = err.instance
    if v == "required":
        missing = err.message.split("'")[1] if "'" in err.message else err.message
        return f"Missing required field '{missing}'."
    if v == "additionalProperties" and isinstance(inst, dict):
        schema = err.schema if isinstance(err.schema, dict) else {}
        allowed = set(schema.get("properties", {}))
        extra = sorted(k for k in inst if k not in allowed and not k.startswith(EXTENSION_PREFIX))
        names = ", ".join(repr(k) for k in extra)
        return f"Unknown field(s) {names}; third-party fields must start with '{EXTENSION_PREFIX}'."
    if v == "format" and err.validator_value == "edtf" and isinstance(inst, str):
        try:
            dates.parse(inst)
        except dates.EDTFError as exc:
            return f"{exc}."
    if v == "format" and err.validator_value == "uri":
        return f"{inst!r} is not an absolute http(s) URL."
    if v == "pattern" and isinstance(inst, str):
        pattern = str(err.validator_value)
        if pattern.startswith("^") and "/" in pattern and "[a-z0-9]+(?:" in pattern:
            kinds = pattern[1:].split("/")[0].strip("(?:)").replace("|", " or ")
            first = kinds.split()[0]
            return f"{inst!r} is not an id of a {kinds} record (expected '{first}/<slug>')."
        if pattern == dates.EDTF_PATTERN:
            try:
                dates.parse(inst)
            except dates.EDTFError as exc:
                return f"{exc}."
    if v == "const" and err.path and list(err.path)[-1] == "type":
        return f"'type' must be {err.validator_value!r}."
    if v == "minItems":
        return f"Needs at least {err.validator_value} item(s)."
    if v == "minLength":
        return "Must not be empty."
    msg = str(err.message)
    return msg[0].upper() + msg[1:] + ("" if msg.endswith(".") else ".")


def _schema_findings(name: str, data: Any, code: Code, **where: Any) -> Iterator[Finding]:
    seen: set[tuple[str, str]] = set()
    for err in iter_errors(name, data):
        ptr, msg = _pointer(err.absolute_path), _message(err)
        if (ptr, msg) not in seen:  # a bad date fails both 'pattern' and 'format'
            seen.add((ptr, msg))
            yield finding(code, msg, pointer=ptr, **where)


def check_record(rec: RawRecord) -> list[Finding]:
    """Schema findings of one raw record (pure)."""
    data = rec.data
    rid = data.get("id") if isinstance(data.get("id"), str) else None
    t = data.get("type")
    where: dict[str, Any] = {"file": rec.file, "line": rec.line, "record_id": rid}
    if not isinstance(t, str) or t not in RECORD_TYPES:
        known = ", ".join(RECORD_TYPES)
        shown = "no 'type'" if t is None else f"type {t!r}"
        return [
            finding(
                NOT_A_RECORD,
                f"A record with {shown}; expected one of: {known}.",
                pointer="/type",
                **where,
            )
        ]
    if fast_is_valid(t, data):
        return []
    found = list(_schema_findings(t, data, SCHEMA, **where))
    if not found:  # the explaining validator must never let through what the deciding one refused
        found.append(finding(SCHEMA, "Does not match the record's JSON Schema.", **where))
    return found


def check_header(raw: RawDataset) -> list[Finding]:
    """Schema findings of the dataset header, if there is one."""
    if raw.header is None:
        return []
    return list(
        _schema_findings(
            "dataset-info", raw.header, BAD_HEADER, file=raw.header_file, line=raw.header_line
        )
    )


def duplicate_id(rec: RawRecord, first: RawRecord | tuple[str, int | None]) -> Finding:
    """The finding for a record whose id was already used at ``first``."""
    rid = str(rec.data.get("id"))
    file, line = (first.file, first.line) if isinstance(first, RawRecord) else first
    return finding(
        DUPLICATE_ID,
        f"The id {rid!r} is also used at {file}:{line or '?'}.",
        file=rec.file,
        line=rec.line,
        record_id=rid,
        pointer="/id",
        related=(rid,),
    )


def reference_findings(
    rec: RawRecord, is_known: Callable[[str], bool], refs: list[Ref] | None = None
) -> list[Finding]:
    """Findings for the references of one record (``refs``, when the caller
    has them already) that name no known id."""
    t = rec.data.get("type")
    if not isinstance(t, str) or t not in RECORD_TYPES:
        return []
    rid = rec.data.get("id") if isinstance(rec.data.get("id"), str) else None
    out = []
    for ptr, ref, targets in refs if refs is not None else refs_of(t, rec.data):
        if not is_known(ref):
            kind = " or ".join(targets)
            out.append(
                finding(
                    UNRESOLVED_REF,
                    f"{ref!r} names no {kind} record in the dataset.",
                    file=rec.file,
                    line=rec.line,
                    record_id=rid,
                    pointer=ptr,
                    related=(ref,),
                )
            )
    return out


def validate_raw(
    raw: RawDataset,
    known_ids: frozenset[str] = frozenset(),
    *,
    resolve: Callable[[RawRecord, list[Ref]], list[Finding]] | None = None,
    progress: Callable[[int], None] | None = None,
) -> list[Finding]:
    """Every reading, schema and reference finding of a raw dataset.

    References may also name ``known_ids`` (e.g. the canonical dataset).
    ``resolve(record, refs)``, when given, rewrites names to ids first (see
    :mod:`unionstate.resolve`); each record's references are found once and
    shared by both steps. ``progress(n)`` is called every 10,000 records.
    """
    findings = list(raw.findings)
    findings.extend(check_header(raw))
    first: dict[str, tuple[str, int | None]] = {}
    all_refs: list[list[Ref]] = []
    for n, rec in enumerate(raw.records, 1):
        if progress is not None and n % 10_000 == 0:
            progress(n)
        t = rec.data.get("type")
        refs = refs_of(t, rec.data) if isinstance(t, str) and t in RECORD_TYPES else []
        all_refs.append(refs)
        if resolve is not None:
            findings.extend(resolve(rec, refs))
        findings.extend(check_record(rec))
        rid = rec.data.get("id")
        if isinstance(rid, str):
            if rid in first:
                findings.append(duplicate_id(rec, first[rid]))
            else:
                first[rid] = (rec.file, rec.line)

    def is_known(ref: str) -> bool:
        return ref in first or ref in known_ids

    for rec, refs in zip(raw.records, all_refs, strict=True):
        findings.extend(reference_findings(rec, is_known, refs))
    return findings
