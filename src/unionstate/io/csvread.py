"""Read CSV files: a record type's table, or a one-sheet list of meetings.

Two kinds of CSV are read, told apart by the header row:

* **a record type's table**, in the columns the release's ``csv/`` tables and
  ``convert --to csv`` write (:mod:`unionstate.export.tables`): a header with
  ``id``; the type is the one the file is named after (``events.csv``,
  ``my-events.csv``), else the one type whose columns hold the header's. A cell
  is read back as the writer wrote it: empty is absent, text with the formula
  escape undone (:func:`~unionstate.export.tables.unescape_cell`), ids split at
  ``|``, integers and ``true``/``false`` (any case) as such, nested values as
  compact JSON, ``extensions`` as one JSON object of ``x_`` keys; a column
  ``x_...`` holds one more third-party field as text. So CSV → records → CSV
  gives the same bytes;
* **a meetings sheet**: no ``id`` column, and at least ``date`` and ``title``
  (any case), with ``place``, ``participants`` (``Putin (President of Russia);
  Lukashenko``: names with an optional office in parentheses, separated by
  ``;``), ``source`` (URLs, or source ids), ``kind`` (default ``meeting``),
  ``status`` (default ``held``, on the date), ``summary`` and ``notes``. Each
  row is an event whose id is made from its date and title
  (``event/2021-04-16-talks-in-minsk``); names stay as written, for
  :mod:`unionstate.resolve` to turn into ids; each distinct URL is one source
  record (``source/kremlin-ru-<hash>``, titled by its URL, published by its
  host, language ``und``) unless the sheet already cites it.

A file is UTF-8 (a byte-order mark, as spreadsheets write, is allowed), comma-,
semicolon- or tab-separated (the header's first separator decides), read whole
up to :attr:`~unionstate.io.read.Limits.max_document_bytes`, each cell at most
:attr:`~unionstate.io.read.Limits.max_record_bytes`. What cannot be read is a
finding (US013, or US001 for a JSON cell) with the row's line, the column's
number and a message naming the column (``column H (participants)``); a row
with such a cell is not read. A file whose header is neither kind, or that is
not CSV at all, is unusable.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from anyascii import anyascii

from unionstate.dates import is_valid as is_edtf
from unionstate.export.tables import Cell, Column, table_name, unescape_cell
from unionstate.export.tables import columns as _columns
from unionstate.model import EXTENSION_PREFIX, RECORD_TYPES
from unionstate.report import (
    EMPTY_INPUT,
    INVALID_CSV,
    INVALID_ENCODING,
    INVALID_JSON,
    Code,
    Finding,
    finding,
)

from .read import MAX_NESTING, _decode, _Reader

#: The columns of a meetings sheet (header names are read in any case).
MEETING_COLUMNS = (
    "date",
    "title",
    "place",
    "participants",
    "source",
    "kind",
    "status",
    "summary",
    "notes",
)
#: A meetings row's kind and status when its cells are empty.
DEFAULT_KIND = "meeting"
DEFAULT_STATUS = "held"
#: The language of a source made from a URL: BCP 47 "undetermined".
UNKNOWN_LANGUAGE = "und"

_BOM = "\ufeff"
_SEPARATORS = (",", ";", "\t")
_INTEGER = re.compile(r"-?[0-9]+")
_PARTICIPANT = re.compile(r"(?P<name>[^()]*?)\s*(?:\((?P<office>[^()]*)\))?")
_NOT_SLUG = re.compile(r"[^a-z0-9]+")
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)?")
_SLUG_CHARS = 60


@functools.cache
def columns(type_name: str) -> tuple[Column, ...]:
    """The columns of a record type's table (:func:`unionstate.export.tables.columns`)."""
    return tuple(_columns(type_name))


class _CellError(Exception):
    """A cell that cannot be read: why, and (once known) where."""

    def __init__(self, why: str, code: Code = INVALID_CSV, column: int | None = None) -> None:
        super().__init__(why)
        self.why = why
        self.code = code
        self.column = column

    def at(self, column: int, name: str) -> _CellError:
        """The same error, placed in a column."""
        return _CellError(
            f"{_where(column, name)}: {self.why}; the row is not read.",
            self.code,
            column,
        )


def letter(index: int) -> str:
    """The spreadsheet name of column ``index`` (0 → ``A``, 26 → ``AA``)."""
    out = ""
    n = index + 1
    while n:
        n, r = divmod(n - 1, 26)
        out = chr(ord("A") + r) + out
    return out


def _where(index: int, name: str) -> str:
    return f"Column {letter(index)} ({name})"


def slug(text: str) -> str:
    """``text`` as an id slug: ASCII (any script transliterated), lower case,
    runs of other characters as one ``-``, at most about 60 characters."""
    s = _NOT_SLUG.sub("-", anyascii(text).lower()).strip("-")
    if len(s) > _SLUG_CHARS:
        s = s[:_SLUG_CHARS].rsplit("-", 1)[0] or s[:_SLUG_CHARS]
    return s


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:10]


def event_id(date: str, title: str) -> str:
    """The id of a meetings sheet's row: its date and title as a slug, or a hash
    of them when they have no letters or digits."""
    s = "-".join(p for p in (slug(date), slug(title)) if p)
    return f"event/{s or _digest(date, title)}"


def _host(url: str) -> str | None:
    """The host of ``url``; ``None`` when it has none or cannot be split (a
    malformed address, such as ``https://[x/``, which the schema reports)."""
    try:
        return urlsplit(url).hostname
    except ValueError:
        return None


def source_id(url: str) -> str:
    """The id of the source made from ``url``: its host and a hash of the URL."""
    host = slug(_host(url) or "") or "page"
    return f"source/{host}-{_digest(url)}"


def read_table(data: bytes, file: str, reader: _Reader) -> None:
    """Read one CSV file's records into ``reader`` (see the module)."""
    out = reader.out
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    found: list[Finding] = []
    text = _decode(data, file, found)
    if text is None:
        for f in found:
            if f.message.startswith("Invalid UTF-8"):
                f = finding(
                    INVALID_ENCODING,
                    f"{f.message} Save the sheet as CSV in UTF-8 ('CSV UTF-8').",
                    file=file,
                    line=f.line,
                )
            out.findings.append(f)
        out.unusable.append(file)
        return
    if not text.strip():
        out.findings.append(finding(EMPTY_INPUT, "The file is empty.", file=file))
        out.unusable.append(file)
        return
    if text.lstrip()[:1] in ("{", "["):
        out.findings.append(
            finding(
                INVALID_CSV,
                "The file holds JSON, not CSV: name it .json, or .jsonl for JSON Lines.",
                file=file,
                line=1,
            )
        )
        out.unusable.append(file)
        return
    old = csv.field_size_limit()
    csv.field_size_limit(reader.limits.max_record_bytes)
    try:
        _Sheet(text, file, reader).read()
    finally:
        csv.field_size_limit(old)


class _Sheet:
    """One CSV file being read."""

    def __init__(self, text: str, file: str, reader: _Reader) -> None:
        self.text = text
        self.file = file
        self.reader = reader
        first = text.split("\n", 1)[0]
        self.separator = next((s for s in _SEPARATORS if s in first), ",")
        #: Whether a JSON cell of the row being read may hold a lone surrogate
        #: (a \\u escape) or nest too deeply: then the reader looks.
        self.surrogates = self.deep = False

    def fail(
        self, message: str, line: int | None, column: int | None = None, code: Code = INVALID_CSV
    ) -> None:
        self.reader.out.findings.append(
            finding(
                code,
                message,
                file=self.file,
                line=line,
                column=None if column is None else column + 1,
            )
        )

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        """(line of its first line, cells) of each row; a CSV error is a finding
        and ends the file, which is then unusable."""
        parsed = csv.reader(_lines(self.text), delimiter=self.separator, strict=True)
        line = 1
        while True:
            try:
                row = next(parsed)
            except StopIteration:
                return
            except csv.Error as exc:
                self.fail(
                    f"Not readable as CSV at line {parsed.line_num}: {exc}. The rest of the "
                    "file is not read; a spreadsheet's 'Save as CSV' writes what is read here.",
                    parsed.line_num,
                )
                self.reader.out.unusable.append(self.file)
                return
            yield line, row
            line = parsed.line_num + 1

    def read(self) -> None:
        rows = self.rows()
        first = next(rows, None)
        if first is None:
            return
        header = [h.removeprefix(_BOM).strip() for h in first[1]]
        seen: dict[str, int] = {}
        for i, h in enumerate(header):
            if not h:
                continue
            if h.lower() in seen:
                self.fail(
                    f"The header names {h!r} twice (columns {letter(seen[h.lower()])} and "
                    f"{letter(i)}); the file is not read.",
                    1,
                    i,
                )
                self.reader.out.unusable.append(self.file)
                return
            seen[h.lower()] = i
        kind = self._kind(header)
        if kind is None:
            self.reader.out.unusable.append(self.file)
            return
        unnamed = [i for i, h in enumerate(header) if not h]
        for line, cells in rows:
            if not any(c.strip() for c in cells):
                continue
            if len(cells) != len(header):
                self.fail(
                    f"The row has {len(cells)} cells, the header {len(header)}; "
                    "the row is not read.",
                    line,
                )
                continue
            self.surrogates = self.deep = False
            try:
                for i in unnamed:
                    if cells[i].strip():
                        raise _CellError("a value in a column the header gives no name").at(
                            i, "no name"
                        )
                for rec in kind.records(cells):
                    self._add(rec, line)
            except _CellError as exc:
                self.fail(exc.why, line, exc.column, exc.code)

    def _add(self, rec: dict[str, Any], line: int) -> None:
        parser = self.reader.parser
        parser.maybe_surrogates, parser.maybe_deep = self.surrogates, self.deep
        self.reader.add(rec, self.file, line)

    def _kind(self, header: list[str]) -> _Table | _Meetings | None:
        lower = [h.lower() for h in header]
        if "id" not in lower and {"date", "title"} <= set(lower):
            return _Meetings(self, header)
        type_name = self._type_of(header)
        if type_name is None:
            return None
        return _Table(self, type_name, header)

    def _type_of(self, header: list[str]) -> str | None:
        words = [w for w in re.split(r"[^a-z]+", Path(self.file).stem.lower()) if w]
        named = [t for t in RECORD_TYPES if words and words[-1] in (t, table_name(t))]
        if named and "id" in header:
            return named[0]
        plain = {h for h in header if not h.startswith(EXTENSION_PREFIX)}
        fits = [t for t in RECORD_TYPES if plain <= {c.name for c in columns(t)}]
        if "id" in header and len(fits) == 1:
            return fits[0]
        tables = ", ".join(f"{table_name(t)}.csv" for t in RECORD_TYPES)
        why = (
            f"it may be the table of several record types: name the file after its type ({tables})"
            if "id" in header and fits
            else "it has no 'id' column, or columns no record type has"
        )
        self.fail(
            f"The header ({', '.join(header)[:200]}) is not one unionstate reads: {why}. A CSV "
            "is either a record type's table, in the columns 'convert --to csv' writes, or a "
            "meetings sheet with the columns date, title, place, participants, source.",
            1,
        )
        return None


class _Table:
    """A record type's table, as :mod:`unionstate.export.tables` writes it."""

    def __init__(self, sheet: _Sheet, type_name: str, header: list[str]) -> None:
        self.sheet = sheet
        self.type_name = type_name
        known = {c.name: c for c in columns(type_name)}
        self.columns: list[Column | str | None] = []
        for i, h in enumerate(header):
            if not h:
                self.columns.append(None)
            elif h in known:
                self.columns.append(known[h])
            elif h.startswith(EXTENSION_PREFIX):
                self.columns.append(h)
            else:
                self.columns.append(None)
                sheet.fail(
                    f"{_where(i, h)} is not a column of the {table_name(type_name)} table "
                    f"(its columns: {', '.join(known)}; third-party ones start with "
                    f"{EXTENSION_PREFIX!r}); its cells are not read.",
                    1,
                    i,
                )

    def records(self, cells: list[str]) -> list[dict[str, Any]]:
        rec: dict[str, Any] = {"type": self.type_name}
        extra: dict[str, Any] = {}
        for i, (col, cell) in enumerate(zip(self.columns, cells, strict=True)):
            if col is None or cell == "":
                continue
            try:
                if isinstance(col, str):
                    extra[col] = unescape_cell(cell)
                elif col.name == "extensions":
                    ext = self._extensions(cell)
                    both = sorted(ext.keys() & extra.keys())
                    if both:
                        raise _CellError(f"{both[0]!r} is also a column of its own")
                    extra.update(ext)
                else:
                    rec[col.name] = self._value(col, cell)
            except _CellError as exc:
                raise exc.at(i, col if isinstance(col, str) else col.name) from None
        for key in sorted(extra):
            rec[key] = extra[key]
        return [rec]

    def _json(self, cell: str) -> Any:
        parser, sheet = self.sheet.reader.parser, self.sheet
        text = unescape_cell(cell)
        parser.scanning(text)
        sheet.surrogates |= parser.maybe_surrogates
        # the record holds the cell's value: one level more than the cell's text
        sheet.deep |= text.count("{") + text.count("[") >= MAX_NESTING
        try:
            return parser.decoder.decode(text)
        except (ValueError, RecursionError) as exc:
            parser.flagged.clear()
            msg = getattr(exc, "msg", None) or str(exc) or "nested too deeply"
            raise _CellError(f"not valid JSON ({msg})", INVALID_JSON) from None

    def _extensions(self, cell: str) -> dict[str, Any]:
        value = self._json(cell)
        if not isinstance(value, dict):
            raise _CellError("extensions must be a JSON object of 'x_' keys")
        bad = [k for k in value if not k.startswith(EXTENSION_PREFIX)]
        if bad:
            raise _CellError(f"the key {bad[0]!r} does not start with {EXTENSION_PREFIX!r}")
        return value

    def _value(self, col: Column, cell: str) -> Any:
        """A cell's value; one that is not of its column's kind is kept as text,
        for the schema to name."""
        if col.cell is Cell.INTEGER:
            if _INTEGER.fullmatch(cell.strip()):
                try:
                    return int(cell)
                except ValueError:  # more digits than Python reads
                    raise _CellError("a number with too many digits") from None
            return cell
        if col.cell is Cell.BOOLEAN:
            return {"true": True, "false": False}.get(cell.strip().lower(), cell)
        if col.cell is Cell.IDS:
            return [part.strip() for part in unescape_cell(cell).split("|")]
        if col.cell is Cell.JSON:
            return self._json(cell)
        return unescape_cell(cell)


class _Meetings:
    """A one-sheet list of meetings: one event a row."""

    def __init__(self, sheet: _Sheet, header: list[str]) -> None:
        self.sheet = sheet
        self.names = header
        self.header = [h.lower() for h in header]
        self.cited: set[str] = set()
        for i, h in enumerate(self.header):
            if h and h not in MEETING_COLUMNS and not h.startswith(EXTENSION_PREFIX):
                sheet.fail(
                    f"{_where(i, header[i])} is not a column of a meetings sheet (its columns: "
                    f"{', '.join(MEETING_COLUMNS)}; third-party ones start with "
                    f"{EXTENSION_PREFIX!r}); its cells are not read.",
                    1,
                    i,
                )

    def records(self, cells: list[str]) -> list[dict[str, Any]]:
        row = {h: c.strip() for h, c in zip(self.header, cells, strict=True)}
        date, title = row.get("date", ""), row.get("title", "")
        event: dict[str, Any] = {"type": "event", "id": event_id(date, title)}
        event["kind"] = _word(row.get("kind", "")) or DEFAULT_KIND
        for key in ("title", "date", "place"):
            if row.get(key):
                event[key] = row[key]
        if row.get("participants"):
            event["participants"] = self._participants(row["participants"])
        status = _word(row.get("status", "")) or DEFAULT_STATUS
        event["statuses"] = [
            {"status": status, "date": date}
            if status == "held" and is_edtf(date)  # a bad date is reported once, at /date
            else {"status": status}
        ]
        out: list[dict[str, Any]] = []
        sources = row.get("source", "").replace("|", " ").split()
        if sources:
            event["sources"] = [self._source(s, out) for s in sources]
        for key in ("summary", "notes"):
            if row.get(key):
                event[key] = row[key]
        for h in self.header:
            if h.startswith(EXTENSION_PREFIX) and row[h]:
                event[h] = row[h]
        out.append(event)
        return out

    def _participants(self, cell: str) -> list[dict[str, str]]:
        i = self.header.index("participants")
        out = []
        for part in re.split(r"[;\n]", cell):
            part = part.strip()
            if not part:
                continue
            m = _PARTICIPANT.fullmatch(part)
            if m is None or not m["name"]:
                raise _CellError(
                    f"{part!r} is not 'Name' or 'Name (Office)' (participants are separated by ';')"
                ).at(i, self.names[i])
            p = {"actor": m["name"]}
            if m["office"] and m["office"].strip():
                p["office"] = m["office"].strip()
            out.append(p)
        return out

    def _source(self, text: str, out: list[dict[str, Any]]) -> str:
        """The id a ``source`` cell's item stands for; a new URL adds its record to ``out``."""
        if not text.lower().startswith(("http://", "https://")):
            return text
        sid = source_id(text)
        if sid not in self.cited:
            self.cited.add(sid)
            host = _host(text) or text
            out.append(
                {
                    "type": "source",
                    "id": sid,
                    "url": text,
                    "title": text,
                    "publisher": host,
                    "language": UNKNOWN_LANGUAGE,
                }
            )
        return sid


def _lines(text: str) -> Iterator[str]:
    """The lines of ``text`` with their ends (CRLF, LF or CR), one at a time: what
    a file opened with ``newline=""`` gives, without a copy of the whole text."""
    for m in _LINE.finditer(text):
        if m.end() > m.start():
            yield m.group()


def _word(text: str) -> str:
    """A kind or status as written in a sheet (``Phone call``) as the model's value."""
    return "_".join(text.lower().split())
