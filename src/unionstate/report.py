"""Findings, the codes they carry, and reports with their text and JSON forms.

A :class:`Finding` is a value a user can act on: a stable code, a severity,
where (file, line, record id, JSON Pointer) and a plain sentence. Locations are
structured fields, never pasted into the message.
"""

from __future__ import annotations

import enum
import json
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

import attrs


class Severity(enum.StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"error": 2, "warning": 1, "info": 0}[self.value]


def _escape_char(m: re.Match[str]) -> str:
    c = m.group()
    return {"\n": "\\n", "\r": "\\r", "\t": "\\t"}.get(c) or f"\\u{ord(c):04x}"


#: What a terminal may act on or a reader may be misled by: C0 and C1 controls,
#: DEL, line and paragraph separators, bidirectional overrides, lone surrogates.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def shown(text: str) -> str:
    """``text`` safe to print on a terminal: control characters escaped
    (``\\n``, ``\\u001b``), everything else as it is."""
    return _UNSAFE.sub(_escape_char, text)


@attrs.frozen(slots=True)
class Code:
    """A stable finding code with its name, default severity and meaning."""

    code: str
    name: str
    severity: Severity
    title: str
    description: str

    @property
    def docs(self) -> str:
        """Where the code is documented, relative to the project root."""
        page = "rules" if self.code.startswith("US1") else "codes"
        return f"docs/{page}.md#{self.code.lower()}"


#: Every code that is not a consistency rule. Rules register theirs in
#: :mod:`unionstate.checks`.
CODES: dict[str, Code] = {}


def _code(code: str, name: str, severity: Severity, title: str, description: str) -> Code:
    c = Code(code, name, severity, title, description)
    CODES[code] = c
    return c


E = Severity.ERROR
W = Severity.WARNING
I = Severity.INFO  # noqa: E741

INVALID_JSON = _code(
    "US001",
    "invalid-json",
    E,
    "Not valid JSON",
    "A document or a JSON Lines line could not be parsed as JSON.",
)
INVALID_ENCODING = _code(
    "US002",
    "invalid-encoding",
    E,
    "Not UTF-8",
    "The bytes are not valid UTF-8 (or carry a byte-order mark).",
)
DUPLICATE_KEY = _code(
    "US003",
    "duplicate-key",
    E,
    "Duplicate key",
    "An object has the same key twice; JSON parsers keep one value "
    "silently, so the file is ambiguous.",
)
NOT_A_RECORD = _code(
    "US004",
    "not-a-record",
    E,
    "Not a record",
    "A line or array item is not a JSON object with a known 'type'.",
)
SKIPPED_FILE = _code(
    "US005",
    "skipped-file",
    W,
    "File skipped",
    "A file in a data directory is not .json, .jsonl or .csv and was not read.",
)
EMPTY_INPUT = _code(
    "US006", "empty-input", E, "Empty input", "A file or directory holds no records."
)
INVALID_CSV = _code(
    "US013",
    "invalid-csv",
    E,
    "Not a readable CSV table",
    "A CSV file is not a table unionstate reads (a record type's table or a meetings "
    "sheet), or one of its rows or cells cannot be read: the message names the row and "
    "the column.",
)
RULES_SKIPPED = _code(
    "US007",
    "rules-skipped",
    W,
    "Record not checked by the consistency rules",
    "The consistency rules need schema-valid records whose references "
    "resolve. A record with an error of its own is set aside, with every "
    "record that refers to one set aside; the rules check all the others, "
    "and this finding names each record they did not check, and why.",
)
BEYOND_CANONICAL = _code(
    "US040",
    "beyond-canonical",
    W,
    "Dated after the canonical data",
    "A third-party record is dated after the canonical data's as-of day, the last day "
    "it knows of. Checked against it, the canonical tenures are unknown beyond that day: "
    "whether someone held an office then is at most 'possibly' wrong, never 'violated'.",
)
RULES_TOO_LARGE = _code(
    "US009",
    "rules-too-large",
    W,
    "Consistency rules not run on a large input",
    "The consistency rules hold the records that are not events or statements and every id "
    "in memory; the input is over --max-rules-bytes, so only reading, names, schema and "
    "references were checked, in bounded memory.",
)
TOO_LARGE = _code(
    "US008",
    "too-large",
    E,
    "Input too large",
    "A JSON Lines line or a JSON document is over the configured size limit "
    "(--max-record-bytes, --max-document-bytes); it was not read.",
)
SCHEMA = _code(
    "US010",
    "schema",
    E,
    "Schema violation",
    "A record does not conform to the JSON Schema of its type.",
)
BAD_HEADER = _code(
    "US011",
    "dataset-header",
    E,
    "Invalid dataset header",
    "The dataset header (name, version, as_of, licence) does not conform "
    "to its schema, or appears twice.",
)
UNUSED_EXCEPTION = _code(
    "US012",
    "unused-exception",
    I,
    "Exception that excuses nothing",
    "A record excepts itself from a rule that ran and found nothing on it, repeats an "
    "exception it already has, or names a rule by something other than its code. Such an "
    "exception would excuse, unseen, a finding that a later change brings (or, misnamed, "
    "excuses nothing it was meant to): remove or correct it.",
)
DUPLICATE_ID = _code("US020", "duplicate-id", E, "Duplicate id", "Two records have the same id.")
UNRESOLVED_REF = _code(
    "US021",
    "unresolved-reference",
    E,
    "Unresolved reference",
    "A field names a record id that is not in the dataset.",
)


@attrs.frozen(slots=True, kw_only=True)
class Finding:
    """One problem (or note) found in a dataset."""

    code: str
    severity: Severity
    message: str
    file: str | None = None
    line: int | None = None
    column: int | None = None
    record_id: str | None = None
    pointer: str | None = None
    related: tuple[str, ...] = ()
    dates: Mapping[str, str] = attrs.field(factory=dict, hash=False)
    excepted: str | None = None

    @property
    def name(self) -> str:
        c = CODES.get(self.code)
        return c.name if c else self.code

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping; absent fields are left out."""
        out: dict[str, Any] = {
            "code": self.code,
            "name": self.name,
            "severity": self.severity.value,
            "message": self.message,
        }
        for key in ("file", "line", "column", "record_id", "pointer", "excepted"):
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        if self.related:
            out["related"] = list(self.related)
        if self.dates:
            out["dates"] = dict(self.dates)
        c = CODES.get(self.code)
        if c is not None:
            out["docs"] = c.docs
        return out

    def where(self) -> str:
        """``file:line`` (or the parts known)."""
        parts = [p for p in (self.file, self.line) if p is not None]
        return ":".join(str(p) for p in parts)


def finding(code: Code, message: str, **where: Any) -> Finding:
    """A finding with the code's default severity."""
    return Finding(code=code.code, severity=code.severity, message=message, **where)


def _sort_key(f: Finding) -> tuple[Any, ...]:
    return (f.file is None, f.file or "", f.line or 0, f.record_id or "", f.pointer or "", f.code)


def _suppressed_key(f: Finding) -> str:
    """How :attr:`Report.suppressed` counts a finding: code and severity."""
    return f"{f.code}/{'excepted' if f.excepted else f.severity.value}"


class CappedFindings(list[Finding]):
    """Findings in arrival order, at most ``limit`` of each code kept (None: all);
    the others are only counted, as :attr:`Report.suppressed` counts them, so
    memory is bounded by the limit, not by the input."""

    def __init__(self, limit: int | None = None) -> None:
        super().__init__()
        self.limit = limit
        #: Findings of each code, kept or not.
        self.per_code: Counter[str] = Counter()
        #: Findings counted but not kept, as in :attr:`Report.suppressed`.
        self.dropped: Counter[str] = Counter()
        #: Errors, kept or not.
        self.errors = 0
        #: The records with an error, kept or not (the rules set them aside).
        self.failed: list[str] = []

    def append(self, f: Finding) -> None:
        self.per_code[f.code] += 1
        if f.severity is Severity.ERROR:
            self.errors += 1
            if f.record_id:
                self.failed.append(f.record_id)
        if self.limit is None or self.per_code[f.code] <= self.limit:
            super().append(f)
        else:
            self.dropped[_suppressed_key(f)] += 1

    def extend(self, fs: Iterable[Finding]) -> None:
        for f in fs:
            self.append(f)

    def merge(self, fs: Iterable[Finding]) -> None:
        """Add findings that came later, with those another capped list only
        counted (one part's of a larger input)."""
        self.extend(fs)
        if isinstance(fs, CappedFindings):
            kept = {f.record_id for f in fs if f.severity is Severity.ERROR and f.record_id}
            self.failed.extend(r for r in fs.failed if r not in kept)
            for key, n in fs.dropped.items():
                code, severity = key.split("/")
                self.per_code[code] += n
                self.dropped[key] += n
                if severity == Severity.ERROR.value:
                    self.errors += n

    def __reduce__(self) -> tuple[Any, ...]:
        state = (self.limit, list(self), self.per_code, self.dropped, self.errors, self.failed)
        return _capped, state


def _capped(
    limit: int | None,
    kept: list[Finding],
    per_code: Counter[str],
    dropped: Counter[str],
    errors: int,
    failed: list[str],
) -> CappedFindings:
    out = CappedFindings(limit)
    list.extend(out, kept)
    out.per_code, out.dropped, out.errors, out.failed = per_code, dropped, errors, failed
    return out


@attrs.frozen(slots=True)
class Report:
    """All findings of one run, sorted by place."""

    findings: tuple[Finding, ...]
    records: int = 0
    files: tuple[str, ...] = ()
    #: Findings counted but not kept, by code and severity ("US010/error"),
    #: when more than ``max_per_code`` of one code were found.
    suppressed: Mapping[str, int] = attrs.field(factory=dict, hash=False)

    @classmethod
    def of(
        cls,
        findings: Iterable[Finding],
        records: int = 0,
        files: Iterable[str] = (),
        max_per_code: int | None = None,
    ) -> Report:
        """A report of ``findings``, keeping at most ``max_per_code`` of each
        code (the first by place); the others are counted in ``suppressed``."""
        ordered = sorted(findings, key=_sort_key)
        if max_per_code is None:
            return cls(tuple(ordered), records, tuple(files))
        kept = CappedFindings(max_per_code)
        kept.extend(ordered)
        return cls(tuple(kept), records, tuple(files), dict(sorted(kept.dropped.items())))

    def counts(self) -> dict[str, int]:
        """Findings by severity (excepted ones apart), suppressed ones included."""
        c = Counter("excepted" if f.excepted else f.severity.value for f in self.findings)
        for key, n in self.suppressed.items():
            c[key.split("/")[1]] += n
        return {k: c.get(k, 0) for k in ("error", "warning", "info", "excepted")}

    def fails(self, fail_on: Severity = Severity.ERROR) -> bool:
        """Whether any finding that is not excepted is at least ``fail_on``."""
        for key in self.suppressed:
            sev = key.split("/")[1]
            if sev != "excepted" and Severity(sev).rank >= fail_on.rank:
                return True
        return any(not f.excepted and f.severity.rank >= fail_on.rank for f in self.findings)

    def without(self, codes: Iterable[str]) -> Report:
        """This report with the findings of ``codes`` left out, counted nowhere."""
        gone = set(codes)
        return attrs.evolve(
            self,
            findings=tuple(f for f in self.findings if f.code not in gone),
            suppressed={k: n for k, n in self.suppressed.items() if k.split("/")[0] not in gone},
        )

    @property
    def ok(self) -> bool:
        """No error."""
        return not self.fails(Severity.ERROR)

    def to_json(self) -> str:
        """The stable JSON form (documented in docs/cli.md)."""
        doc = {
            "ok": self.ok,
            "records": self.records,
            "files": list(self.files),
            "counts": self.counts(),
            "suppressed": dict(self.suppressed),
            "findings": [f.to_dict() for f in self.findings],
        }
        text = json.dumps(doc, ensure_ascii=False, indent=2)
        # a lone surrogate (from the input) is written as its JSON escape, not raw
        return text.encode("utf-8", "backslashreplace").decode("utf-8")

    def to_text(self, show: Severity = Severity.INFO) -> str:
        """A report for people, grouped by file and record, showing the findings of
        severity ``show`` and above (all are counted in the summary, and a last line
        says how many were not shown). Every string that comes from the input (file
        names, ids, pointers, messages, reasons) is shown with its control characters
        escaped: none reaches the terminal raw."""
        lines: list[str] = []
        group: tuple[str | None, str | None] | None = None
        hidden = 0
        for f in self.findings:
            if f.severity.rank < show.rank:
                hidden += 1
                continue
            key = (f.file, f.record_id)
            if key != group:
                group = key
                head = shown(f.record_id) if f.record_id else "(no record)"
                if f.file:
                    head = f"{shown(f.file)}: {head}"
                lines.append(head)
            loc = []
            if f.line is not None:
                loc.append(f"line {f.line}")
            if f.pointer:
                loc.append(shown(f.pointer))
            sev = f"{f.severity.value} (excepted)" if f.excepted else f.severity.value
            where = f" at {', '.join(loc)}" if loc else ""
            lines.append(f"  {sev} {f.code} {f.name}{where}: {shown(f.message)}")
            if f.excepted:
                lines.append(f"    exception: {shown(f.excepted)}")
        return "\n".join([*lines, *self._closing(show, hidden)])

    def to_github(self, show: Severity = Severity.WARNING) -> str:
        """The findings as GitHub Actions annotations: a workflow command a finding of
        severity ``show`` and above (``::error``, ``::warning``, ``::notice``), pinned to
        its file and line, titled by its code and name; excepted findings are left out.
        The summary of :meth:`to_text` follows. Input strings are escaped as in
        :meth:`to_text`, and as GitHub requires (``%``, and in properties ``:`` and
        ``,``), so no finding can end its line or issue a command of its own."""
        lines: list[str] = []
        hidden = 0
        for f in self.findings:
            if f.excepted:  # excused on purpose: counted in the summary, not annotated
                continue
            if f.severity.rank < show.rank:
                hidden += 1
                continue
            where = {"file": f.file, "line": f.line, "col": f.column}
            props = [f"{k}={_github(str(v), True)}" for k, v in where.items() if v is not None]
            props.append(f"title={_github(f'{f.code} {f.name}', True)}")
            about = " ".join(x for x in (f.record_id, f.pointer) if x)
            text = f"{about}: {f.message}" if about else f.message
            lines.append(f"::{_ANNOTATION[f.severity]} {','.join(props)}::{_github(text)}")
        return "\n".join([*lines, *self._closing(show, hidden)])

    def _closing(self, show: Severity, hidden: int) -> list[str]:
        """The lines that end a report: what ``--max-findings`` left out, the counts,
        and how many findings below ``show`` were not listed."""
        lines = []
        for bucket, n in self.suppressed.items():
            code, level = bucket.split("/")
            lines.append(f"... and {n:,} more {level} {code} finding(s) not shown (--max-findings)")
        c = self.counts()
        lines.append(
            f"{self.records} records in {len(self.files)} file(s): "
            f"{c['error']} error(s), {c['warning']} warning(s), {c['info']} info, "
            f"{c['excepted']} excepted"
        )
        if hidden:
            lines.append(
                f"({hidden} finding(s) below {show.value} not shown; --show info shows them)"
            )
        return lines


#: The workflow command of each severity in a GitHub Actions log.
_ANNOTATION = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def _github(text: str, prop: bool = False) -> str:
    """``text`` as the data (or, with ``prop``, a property) of a GitHub workflow command."""
    text = shown(text).replace("%", "%25")
    return text.replace(":", "%3A").replace(",", "%2C") if prop else text
