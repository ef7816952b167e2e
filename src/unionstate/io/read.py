"""Read datasets from disk into raw records that keep their locations.

The forms:

* a **data directory** (``dataset.json`` for the header, then any number of
  ``.json`` files, each a JSON array of records, and ``.jsonl`` files);
* a **JSON document**: ``{"name": ..., "as_of": ..., "records": [...]}``
  (or a bare array of records);
* **JSON Lines**: one record a line; a line ``{"type": "dataset", ...}`` is the
  header;

and **CSV** (``.csv``, alone or in a data directory): a record type's table or
a meetings sheet, read by :mod:`unionstate.io.csvread`.

Nothing here interprets records beyond JSON: parse errors, bad encodings,
duplicate keys and oversized input become findings with file, line and
column; a file that cannot be read at all is listed in
:attr:`RawDataset.unusable`. JSON Lines are streamed in bounded memory (a line
longer than :attr:`Limits.max_record_bytes` is skipped, not read); a JSON
document is read whole, up to :attr:`Limits.max_document_bytes`.

Records go to a *sink*: by default they are kept in :attr:`RawDataset.records`;
a streaming consumer passes its own and keeps nothing.
"""

from __future__ import annotations

import contextlib
import decimal
import gc
import json
import math
import os
import re
import stat
from collections.abc import Callable, Iterator
from json.decoder import scanstring  # type: ignore[attr-defined]
from pathlib import Path
from typing import IO, Any

import attrs

from unionstate.report import (
    BAD_HEADER,
    DUPLICATE_KEY,
    EMPTY_INPUT,
    INVALID_CSV,
    INVALID_ENCODING,
    INVALID_JSON,
    NOT_A_RECORD,
    SKIPPED_FILE,
    TOO_LARGE,
    CappedFindings,
    Finding,
    finding,
)

HEADER_FILE = "dataset.json"
HEADER_TYPE = "dataset"
_MiB = 1 << 20


class InputError(Exception):
    """Input that cannot be used at all: not found, not readable, a broken
    link. The CLI prints the message on one line and exits 2."""


@attrs.frozen(slots=True)
class Limits:
    """Bounds on untrusted input; see docs/security.md."""

    #: The longest JSON Lines line (one record) read; longer ones are skipped
    #: with a US008 finding, in bounded memory.
    max_record_bytes: int = 16 * _MiB
    #: The largest JSON document (or data-directory file) read whole: its text
    #: is held while its records are read (about three bytes of memory per
    #: byte; docs/security.md).
    max_document_bytes: int = 48 * _MiB
    #: The largest input the consistency rules run on: they hold the records
    #: that are not events or statements and an index of every id (about 1.2
    #: bytes of memory per input byte on two processes, 0.8 on one, measured
    #: at 1M records; docs/performance.md); above it, schema and references
    #: are checked in bounded memory and a US009 warning says so.
    max_rules_bytes: int = 2048 * _MiB


@attrs.frozen(slots=True)
class RawRecord:
    """One record as parsed JSON, with where it came from."""

    data: dict[str, Any]
    file: str
    line: int | None = None


Sink = Callable[[RawRecord], None]


@attrs.define
class RawDataset:
    """What was read: the header, the records in input order (unless a sink
    took them), the findings made while reading, the files read and those
    that could not be used."""

    header: dict[str, Any] | None = None
    header_file: str | None = None
    header_line: int | None = None
    records: list[RawRecord] = attrs.field(factory=list)
    findings: list[Finding] = attrs.field(factory=list)
    files: list[str] = attrs.field(factory=list)
    unusable: list[str] = attrs.field(factory=list)
    count: int = 0


class _DupDict(dict[str, Any]):
    """A parsed object in which a key appeared more than once."""

    __slots__ = ("dups",)
    dups: list[str]


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON (only finite numbers are)")


#: The largest integer a 64-bit float holds exactly.
_EXACT_INT = 2**53


def _finite_float(text: str) -> float:
    """A JSON number with a fraction or exponent, only where a 64-bit float holds it
    exactly: a number that would silently change (``1e-400`` to 0.0, ``0.1000000000000000055``
    to 0.1, ``9007199254740993.0`` to ...992.0) is refused, never altered."""
    value = float(text)
    if math.isinf(value):
        raise ValueError(f"the number {text[:40]} is too large for a 64-bit float")
    exact = decimal.Decimal(text)
    if decimal.Decimal(repr(value)) != exact or (
        value.is_integer() and abs(value) > _EXACT_INT and decimal.Decimal(int(value)) != exact
    ):
        raise ValueError(
            f"the number {text[:40]} cannot be kept exactly (it would become {value!r}); "
            "write it as text or with fewer digits"
        )
    return value


#: A ``\\uD800``-``\\uDFFF`` escape: the one way a JSON text decoded from UTF-8
#: can yield a surrogate code point, which no UTF-8 writer can write back.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


def _unwritable(s: str) -> bool:
    try:
        s.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


#: The deepest nesting of objects and arrays a record may have: every reader and writer
#: of the package (the schema validators, cattrs, the JSON and CSV writers) handles it.
MAX_NESTING = 256


def nesting(value: Any) -> int:
    """How deeply objects and arrays nest in ``value`` (a scalar is 0)."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        v, depth = stack.pop()
        if isinstance(v, dict):
            stack.extend((sub, depth + 1) for sub in v.values())
        elif isinstance(v, list):
            stack.extend((sub, depth + 1) for sub in v)
        else:
            continue
        deepest = max(deepest, depth + 1)
    return deepest


def lone_surrogates(value: Any) -> list[str]:
    """JSON Pointers of every string (key or value) inside ``value`` that holds
    a lone surrogate and so is not text that UTF-8 can carry."""
    found: list[str] = []
    stack: list[tuple[Any, str]] = [(value, "")]
    while stack:
        v, ptr = stack.pop()
        if isinstance(v, str):
            if _unwritable(v):
                found.append(ptr)
        elif isinstance(v, dict):
            for k, sub in v.items():
                if _unwritable(k):
                    found.append(f"{ptr}/{_escape(k)}")
                stack.append((sub, f"{ptr}/{_escape(k)}"))
        elif isinstance(v, list):
            stack.extend((sub, f"{ptr}/{i}") for i, sub in enumerate(v))
    return sorted(found)


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cycle collector paused, and restored as it was after: reading
    and checking records makes millions of small objects, freed by reference
    counting or kept, and the collector would walk them again and again to
    find no cycles (D54, docs/performance.md). What is left behind is
    collected once the collector runs again."""
    running = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if running:
            gc.enable()


class _Parser:
    """A JSON decoder that flags duplicate keys and rejects NaN, Infinity and
    numbers that would silently become infinite."""

    def __init__(self) -> None:
        #: Set by the reader when the text being parsed has a surrogate escape.
        self.maybe_surrogates = False
        #: Set by the reader when the text being parsed may nest deeper than allowed.
        self.maybe_deep = False
        self.flagged: list[_DupDict] = []
        self.decoder = json.JSONDecoder(
            object_pairs_hook=self._pairs,
            parse_constant=_reject_constant,
            parse_float=_finite_float,
        )

    def _pairs(self, pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        d = dict(pairs)
        if len(d) == len(pairs):
            return d
        out = _DupDict(d)
        seen: set[str] = set()
        out.dups = [k for k, _ in pairs if k in seen or seen.add(k)]  # type: ignore[func-returns-value]
        self.flagged.append(out)
        return out

    def scanning(self, text: str) -> None:
        """Note whether ``text``, about to be parsed, may yield lone surrogates or
        values nested deeper than :data:`MAX_NESTING`."""
        self.maybe_surrogates = "\\u" in text and _SURROGATE_ESCAPE.search(text) is not None
        self.maybe_deep = text.count("{") + text.count("[") > MAX_NESTING

    def duplicate_pointers(self, value: Any, skip: str | None = None) -> list[tuple[str, str]]:
        """(pointer, key) of every duplicated key inside ``value``, not looking
        inside the top-level member ``skip``; resets."""
        if not self.flagged:
            return []
        found: list[tuple[str, str]] = []
        stack: list[tuple[Any, str]] = [(value, "")]
        while stack:  # iterative: values may be nested deeply
            v, ptr = stack.pop()
            if isinstance(v, dict):
                if isinstance(v, _DupDict):
                    found.extend((f"{ptr}/{_escape(k)}", k) for k in v.dups)
                stack.extend(
                    (sub, f"{ptr}/{_escape(k)}")
                    for k, sub in v.items()
                    if not (ptr == "" and k == skip)
                )
            elif isinstance(v, list):
                stack.extend((sub, f"{ptr}/{i}") for i, sub in enumerate(v))
        self.flagged.clear()
        return sorted(found)


def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


class _Lines:
    """Line and column of offsets in a text, for offsets met in order."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.line = 1
        self.line_start = 0

    def at(self, offset: int) -> tuple[int, int]:
        if offset < self.pos:
            self.pos, self.line, self.line_start = 0, 1, 0
        n = self.text.count("\n", self.pos, offset)
        if n:
            self.line += n
            self.line_start = self.text.rindex("\n", self.pos, offset) + 1
        self.pos = offset
        return self.line, offset - self.line_start + 1


def _hint(text: str, pos: int) -> str:
    """Why non-standard JSON failed, when we can tell."""
    ch = text[pos : pos + 1]
    if ch == "/" and text[pos : pos + 2] in ("//", "/*"):
        return " JSON does not allow comments."
    if ch == "'":
        return " JSON strings and keys take double quotes, not single quotes."
    if ch in ("}", "]"):
        before = text[:pos].rstrip()
        if before.endswith(","):
            return " JSON does not allow a trailing comma."
    if ch and ch in "\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c\x0e\x0f":
        return f" A control character (U+{ord(ch):04X}) is not allowed here."
    return ""


def _json_error(
    exc: Exception,
    file: str,
    lines: _Lines | None = None,
    line: int | None = None,
    text: str | None = None,
) -> Finding:
    if isinstance(exc, json.JSONDecodeError):
        if lines is not None:
            ln, col = lines.at(exc.pos)
        else:
            ln, col = (line or 1), exc.colno
        hint = _hint(exc.doc, exc.pos)
        msg = exc.msg
        if "Invalid control character" in msg:
            hint = " Control characters must be escaped inside strings (e.g. \\u0000)."
        return finding(
            INVALID_JSON, f"Not valid JSON: {msg}.{hint}", file=file, line=ln, column=col
        )
    if isinstance(exc, RecursionError):
        msg = "Not usable JSON: nested too deeply (more than about 1,000 levels)."
    else:
        msg = f"Not usable JSON: {exc}."
    return finding(INVALID_JSON, msg, file=file, line=line)


def _skip_ws(text: str, i: int) -> int:
    n = len(text)
    while i < n and text[i] in " \t\r\n":
        i += 1
    return i


def _kind(value: Any) -> str:
    return {
        dict: "an object",
        list: "an array",
        str: "a string",
        bool: "a boolean",
        type(None): "null",
    }.get(type(value), "a number")


def iter_lines(
    f: IO[bytes] | _Window, max_bytes: int, chunk: int = _MiB, first: tuple[int, int] = (1, 0)
) -> Iterator[tuple[int, int, bytes | None, int]]:
    """(line number, byte offset, content, length) of every line of a binary
    stream; content is None for a line longer than ``max_bytes``, which is
    skipped without being kept in memory. The newline is not included.
    ``first`` is the (line number, byte offset) of the stream's first byte,
    for a stream that is a chunk of a larger file."""
    number, offset = first[0] - 1, first[1]
    buf = b""
    skipping = False
    skipped = 0
    while True:
        data = f.read(chunk)
        if not data:
            break
        buf += data
        start = 0
        while True:
            nl = buf.find(b"\n", start)
            if nl < 0:
                break
            number += 1
            if skipping:
                length = skipped + nl - start
                yield number, offset, None, length
                skipping, skipped = False, 0
            else:
                length = nl - start
                yield number, offset, (buf[start:nl] if length <= max_bytes else None), length
            offset += length + 1
            start = nl + 1
        buf = buf[start:]
        if len(buf) > max_bytes:
            skipping = True
            skipped += len(buf)
            buf = b""
    if buf or skipping:
        number += 1
        length = skipped + len(buf)
        yield number, offset, (None if skipping or length > max_bytes else buf), length


class _Reader:
    def __init__(self, out: RawDataset, limits: Limits, sink: Sink | None) -> None:
        self.out = out
        self.limits = limits
        self.sink: Sink = sink if sink is not None else out.records.append
        self.parser = _Parser()

    def add(self, value: Any, file: str, line: int | None) -> None:
        rid = value.get("id") if isinstance(value, dict) else None
        record_id = rid if isinstance(rid, str) and not _unwritable(rid) else None
        self._duplicates(self.parser.duplicate_pointers(value), file, line, record_id)
        unwritable = lone_surrogates(value) if self.parser.maybe_surrogates else []
        for ptr in unwritable:
            self.out.findings.append(
                finding(
                    INVALID_ENCODING,
                    "This string holds a lone surrogate (a \\uD800-\\uDFFF escape "
                    "without its pair): it is not text, and no UTF-8 file can hold it.",
                    file=file,
                    line=line,
                    pointer=ptr,
                    record_id=record_id,
                )
            )
        if unwritable:  # not text: set aside, never handed to a later stage or writer
            return
        if self.parser.maybe_deep and (depth := nesting(value)) > MAX_NESTING:
            self.out.findings.append(
                finding(
                    INVALID_JSON,
                    f"Objects and arrays nest {depth} levels deep here, over the limit of "
                    f"{MAX_NESTING}; the record is not read.",
                    file=file,
                    line=line,
                    record_id=record_id,
                )
            )
            return
        if not isinstance(value, dict):
            self.out.findings.append(
                finding(
                    NOT_A_RECORD,
                    f"Expected a JSON object (a record), found {_kind(value)}.",
                    file=file,
                    line=line,
                )
            )
            return
        if value.get("type") == HEADER_TYPE:
            self.set_header(value, file, line)
            return
        self.out.count += 1
        self.sink(RawRecord(value, file, line))

    def _duplicates(
        self,
        dups: list[tuple[str, str]],
        file: str,
        line: int | None,
        record_id: str | None = None,
    ) -> None:
        for ptr, key in dups:
            why = f"The key {key!r} appears more than once in one object; keep exactly one."
            if ptr == "/records":
                why += " Only the last 'records' array would be read: the others are not checked."
            self.out.findings.append(
                finding(DUPLICATE_KEY, why, file=file, line=line, pointer=ptr, record_id=record_id)
            )

    def set_header(self, value: dict[str, Any], file: str, line: int | None) -> None:
        if self.out.header is not None:
            self.out.findings.append(
                finding(
                    BAD_HEADER,
                    f"A second dataset header; the first is in {self.out.header_file}.",
                    file=file,
                    line=line,
                )
            )
            return
        self.out.header, self.out.header_file, self.out.header_line = value, file, line

    # -- the forms -------------------------------------------------------
    def jsonl(self, f: IO[bytes] | _Window, file: str, first: tuple[int, int] = (1, 0)) -> None:
        limit = self.limits.max_record_bytes
        for number, start, raw, length in iter_lines(f, limit, first=first):
            if raw is None:
                self.out.findings.append(
                    finding(
                        TOO_LARGE,
                        f"The line is {length:,} bytes long, over the limit of "
                        f"{limit:,} (--max-record-bytes); it was not read.",
                        file=file,
                        line=number,
                    )
                )
                continue
            if not raw.strip(b" \t\r\n"):  # JSON's white space only: \f or \v are not
                continue
            if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
                self.out.findings.append(
                    finding(
                        INVALID_ENCODING,
                        "The file starts with a UTF-8 byte-order mark; save it "
                        "as UTF-8 without BOM.",
                        file=file,
                        line=1,
                    )
                )
                raw = raw[3:]
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                if number == 1 and raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
                    self.out.findings.append(
                        finding(
                            INVALID_ENCODING,
                            "The file is UTF-16; convert it to UTF-8.",
                            file=file,
                            line=1,
                        )
                    )
                    self.out.unusable.append(file)
                    return
                self.out.findings.append(
                    finding(
                        INVALID_ENCODING,
                        f"Invalid UTF-8 at byte offset {start + exc.start} ({exc.reason}).",
                        file=file,
                        line=number,
                        column=exc.start + 1,
                    )
                )
                continue
            self.parser.scanning(text)
            try:
                value = self.parser.decoder.decode(text)
            except (ValueError, RecursionError) as exc:
                self.parser.flagged.clear()
                self.out.findings.append(_json_error(exc, file, line=number))
                continue
            self.add(value, file, number)

    def document(self, text: str | None, file: str, header_only: bool = False) -> None:
        """A whole document, decoded (None: it could not be, a finding says why)."""
        if text is None:
            self.out.unusable.append(file)
            return
        lines = _Lines(text)
        self.parser.scanning(text)
        i = _skip_ws(text, 0)
        if i == len(text):
            self.out.findings.append(finding(EMPTY_INPUT, "The file is empty.", file=file))
            self.out.unusable.append(file)
            return
        try:
            if header_only and text[i] != "{":
                why = f"{HEADER_FILE} must be one JSON object (the dataset header)."
            elif text[i] == "[":
                self._array(text, i, file, lines)
                return
            elif text[i] == "{":
                self._object(text, i, file, lines, header_only)
                return
            else:
                value, _ = self.parser.decoder.raw_decode(text, i)
                why = f"Expected a JSON object or array, found {_kind(value)}."
            self.out.findings.append(finding(NOT_A_RECORD, why, file=file, line=lines.at(i)[0]))
            self.out.unusable.append(file)
        except (ValueError, RecursionError) as exc:
            self.parser.flagged.clear()
            self.out.findings.append(_json_error(exc, file, lines))
            self.out.unusable.append(file)

    def _array(self, text: str, i: int, file: str, lines: _Lines, top: bool = True) -> int:
        """Parse ``[record, ...]`` at ``i``, adding each record with its line."""
        dec = self.parser.decoder
        i = _skip_ws(text, i + 1)
        if i < len(text) and text[i] == "]":
            i += 1
        else:
            while True:
                line = lines.at(i)[0]
                value, i = dec.raw_decode(text, i)
                self.add(value, file, line)
                i = _skip_ws(text, i)
                if i < len(text) and text[i] == ",":
                    i = _skip_ws(text, i + 1)
                    continue
                if i < len(text) and text[i] == "]":
                    i += 1
                    break
                raise json.JSONDecodeError("Expecting ',' delimiter or ']'", text, i)
        if top:
            self._end(text, i)
        return i

    def _object(self, text: str, i: int, file: str, lines: _Lines, header_only: bool) -> None:
        """A document ``{..., "records": [...]}``, a header, or one record."""
        start_line = lines.at(i)[0]
        if not header_only and '"records"' in text:
            try:
                scanned = self._members(text, i)
            except (ValueError, RecursionError):  # reported by the whole parse below
                self.parser.flagged.clear()
            else:
                if any(key == "records" for key, _, _ in scanned[0]):
                    self._document(text, scanned, file, lines, start_line)
                    return
        # Parse the whole object once for the header fields; "records" is
        # parsed again item by item so that each record keeps its line.
        value, end = self.parser.decoder.raw_decode(text, i)
        self._end(text, end)
        if header_only and isinstance(value, dict):
            # the duplicates are found before the header is copied into a plain dict
            self._duplicates(self.parser.duplicate_pointers(value), file, start_line)
            value = {"type": HEADER_TYPE, **value}
        if not isinstance(value, dict) or "records" not in value or header_only:
            self.add(value, file, start_line)
            return
        # every key of the document itself; the records are checked one by one below
        self._duplicates(self.parser.duplicate_pointers(value, skip="records"), file, start_line)
        self.parser.flagged.clear()
        header = {k: v for k, v in value.items() if k != "records"}
        header.setdefault("type", HEADER_TYPE)
        self.set_header(header, file, start_line)
        records = value["records"]
        del value
        if not isinstance(records, list):
            self.out.findings.append(
                finding(
                    NOT_A_RECORD,
                    f"'records' must be an array, found {_kind(records)}.",
                    file=file,
                    line=start_line,
                    pointer="/records",
                )
            )
            return
        pos = _find_records_array(text, i, self.parser.decoder)
        if pos is not None:
            self._array(text, pos, file, lines, top=False)

    def _members(self, text: str, i: int) -> tuple[list[tuple[str, Any, int]], int]:
        """(key, value, offset of the value) of each member of the object at
        ``i``, and the offset after it. A ``records`` array is parsed a record
        at a time and let go (its value is None), so that the document's
        records are never all held at once; each other value's duplicate
        keys are found here (its value is then a ``(value, duplicates)``
        pair). Raises ``ValueError`` for anything that is not plain JSON."""
        dec = self.parser.decoder
        members: list[tuple[str, Any, int]] = []
        i = _skip_ws(text, i + 1)
        if text[i : i + 1] == "}":
            return members, i + 1
        while True:
            if text[i : i + 1] != '"':
                raise ValueError("a key expected")
            key, i = scanstring(text, i + 1)
            i = _skip_ws(text, i)
            if text[i : i + 1] != ":":
                raise ValueError("':' expected")
            at = i = _skip_ws(text, i + 1)
            if key == "records" and text[i : i + 1] == "[":
                i = self._skip_array(text, i)
                members.append((key, None, at))
            else:
                value, i = dec.raw_decode(text, i)
                members.append((key, (value, self.parser.duplicate_pointers(value)), at))
            i = _skip_ws(text, i)
            if text[i : i + 1] == ",":
                i = _skip_ws(text, i + 1)
            elif text[i : i + 1] == "}":
                return members, i + 1
            else:
                raise ValueError("',' or '}' expected")

    def _skip_array(self, text: str, i: int) -> int:
        """The offset after the array at ``i``, parsed an item at a time."""
        dec = self.parser.decoder
        i = _skip_ws(text, i + 1)
        if text[i : i + 1] == "]":
            return i + 1
        while True:
            _, i = dec.raw_decode(text, i)
            self.parser.flagged.clear()  # the records' own are found when they are read
            i = _skip_ws(text, i)
            if text[i : i + 1] == ",":
                i = _skip_ws(text, i + 1)
            elif text[i : i + 1] == "]":
                return i + 1
            else:
                raise ValueError("',' or ']' expected")

    def _document(
        self,
        text: str,
        scanned: tuple[list[tuple[str, Any, int]], int],
        file: str,
        lines: _Lines,
        start_line: int,
    ) -> None:
        """The document whose members :meth:`_members` found: its header,
        then its records read one by one (the last ``records`` member, as a
        parse of the whole would keep)."""
        members, end = scanned
        self._end(text, end)
        last = {key: n for n, (key, _, _) in enumerate(members)}
        seen: set[str] = set()
        dups: list[tuple[str, str]] = []
        for n, (key, parsed, _) in enumerate(members):
            if key in seen:
                dups.append((f"/{_escape(key)}", key))
            seen.add(key)
            if parsed is not None and last[key] == n and key != "records":
                dups.extend((f"/{_escape(key)}{ptr}", k) for ptr, k in parsed[1])
        self._duplicates(sorted(dups), file, start_line)
        header = {key: members[n][1][0] for key, n in last.items() if key != "records"}
        header.setdefault("type", HEADER_TYPE)
        self.set_header(header, file, start_line)
        _, records, at = members[last["records"]]
        if records is not None:
            self.out.findings.append(
                finding(
                    NOT_A_RECORD,
                    f"'records' must be an array, found {_kind(records[0])}.",
                    file=file,
                    line=start_line,
                    pointer="/records",
                )
            )
            return
        self._array(text, at, file, lines, top=False)

    def _end(self, text: str, i: int) -> None:
        j = _skip_ws(text, i)
        if j != len(text):
            raise json.JSONDecodeError("Extra data after the JSON value", text, j)


def _decode(data: bytes, file: str, findings: list[Finding]) -> str | None:
    """UTF-8 text of a whole document, or None with a finding."""
    if data.startswith(b"\xef\xbb\xbf"):
        findings.append(
            finding(
                INVALID_ENCODING,
                "The file starts with a UTF-8 byte-order mark; save it as UTF-8 without BOM.",
                file=file,
                line=1,
            )
        )
        return None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        findings.append(
            finding(INVALID_ENCODING, "The file is UTF-16; convert it to UTF-8.", file=file, line=1)
        )
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        findings.append(
            finding(
                INVALID_ENCODING,
                f"Invalid UTF-8 at byte offset {exc.start} ({exc.reason}).",
                file=file,
                line=line,
            )
        )
        return None


def _find_records_array(text: str, i: int, decoder: json.JSONDecoder) -> int | None:
    """Offset of the ``[`` of the top-level ``records`` member of the object at ``i``."""
    i = _skip_ws(text, i + 1)
    found = None
    while i < len(text) and text[i] == '"':
        key, i = scanstring(text, i + 1)
        i = _skip_ws(text, i)
        i = _skip_ws(text, i + 1)  # past ':'
        if key == "records":
            found = i  # the last one wins, as in the parsed value
        _, i = decoder.raw_decode(text, i)
        i = _skip_ws(text, i)
        if i < len(text) and text[i] == ",":
            i = _skip_ws(text, i + 1)
    return found


def _open(path: Path) -> IO[bytes]:
    try:
        return path.open("rb")
    except FileNotFoundError:
        if path.is_symlink():
            raise InputError(f"{path}: a broken symbolic link") from None
        raise InputError(f"{path}: no such file or directory") from None
    except PermissionError:
        raise InputError(f"{path}: permission denied") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror})") from None


def _display(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root.parent))
    except ValueError:
        return str(path)


_JSONL = (".jsonl", ".ndjson")
_CSV = ".csv"


def _read_file(p: Path, shown: str, reader: _Reader, header_only: bool = False) -> None:
    with _open(p) as f:
        reader.out.files.append(shown)
        try:
            if p.suffix.lower() in _JSONL:
                reader.jsonl(f, shown)
                return
            limit = reader.limits.max_document_bytes
            # read(n) would set n bytes aside first: ask for what the file holds
            data = f.read(min(os.fstat(f.fileno()).st_size, limit) + 1)
        except OSError as exc:
            raise InputError(f"{p}: cannot be read ({exc.strerror})") from None
    if len(data) > limit:
        reader.out.findings.append(
            finding(
                TOO_LARGE,
                f"The document is over the limit of {limit:,} bytes "
                "(--max-document-bytes); convert it to JSON Lines, which is streamed.",
                file=shown,
            )
        )
        reader.out.unusable.append(shown)
        return
    if p.suffix.lower() == _CSV:
        from .csvread import read_table

        read_table(data, shown, reader)
        return
    text = _decode(data, shown, reader.out.findings)
    del data  # the text alone is held from here on
    reader.document(text, shown, header_only=header_only)


def _read_dir(root: Path, reader: _Reader) -> None:
    if not os.access(root, os.R_OK | os.X_OK):
        raise InputError(f"{root}: permission denied")
    unreadable: list[OSError] = []
    entries = sorted(_walk(root, unreadable.append))
    for exc in unreadable:
        where = Path(exc.filename) if exc.filename else root
        shown = _display(where, root)
        why = exc.strerror or type(exc).__name__
        reader.out.findings.append(
            finding(SKIPPED_FILE, f"A folder that cannot be read ({why}); not read.", file=shown)
        )
        reader.out.unusable.append(shown)
    if not entries and not unreadable:
        raise InputError(f"{root}: an empty directory")
    for p in entries:
        shown = _display(p, root)
        if not _is_regular(p):
            reader.out.findings.append(
                finding(
                    SKIPPED_FILE,
                    "Not a regular file (a FIFO, device, socket or a link to one); not read.",
                    file=shown,
                )
            )
            reader.out.unusable.append(shown)
            continue
        if p.suffix.lower() not in (".json", *_JSONL, _CSV):
            reader.out.findings.append(
                finding(SKIPPED_FILE, "Not a .json, .jsonl or .csv file; not read.", file=shown)
            )
            continue
        try:
            _read_file(p, shown, reader, header_only=p.name == HEADER_FILE)
        except InputError as exc:
            reader.out.findings.append(finding(INVALID_JSON, str(exc), file=shown))
            reader.out.unusable.append(shown)


#: Folders deeper than this below a data directory are not read (a finding says so).
MAX_FOLDER_DEPTH = 32


def _walk(root: Path, onerror: Callable[[OSError], None] | None = None) -> Iterator[Path]:
    """Every file below ``root`` (hidden ones and those in hidden folders left out);
    folders that cannot be listed, or lie deeper than :data:`MAX_FOLDER_DEPTH`, go to
    ``onerror``."""

    def fail(exc: OSError) -> None:
        if onerror is None:
            raise exc
        onerror(exc)

    base = len(root.parts)
    for dirpath, dirnames, filenames in os.walk(root, onerror=fail):
        if len(Path(dirpath).parts) - base >= MAX_FOLDER_DEPTH and dirnames:
            for d in dirnames:
                fail(
                    OSError(
                        0,
                        f"nested more than {MAX_FOLDER_DEPTH} folders deep",
                        str(Path(dirpath) / d),
                    )
                )
            dirnames[:] = []
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in filenames:
            if not name.startswith("."):
                yield Path(dirpath) / name


def usable_path(path: str | os.PathLike[str]) -> None:
    """Raise :class:`InputError` unless ``path`` is a folder, a regular file or does not
    exist (which reading reports): a FIFO, device or socket could block forever."""
    p = Path(path)
    if p.exists() and not p.is_dir() and not _is_regular(p):
        raise InputError(f"{p}: not a regular file (a FIFO, device or socket); not read")


def _is_regular(p: Path) -> bool:
    """A regular file (after links): reading anything else may never end."""
    try:
        return stat.S_ISREG(p.stat().st_mode)
    except OSError:
        return True  # a broken link or a race: reading reports it


def input_bytes(path: str | os.PathLike[str]) -> int:
    """The size of a file, or of the files a data directory holds."""
    p = Path(path)
    try:
        if p.is_dir():
            return sum(f.stat().st_size for f in _walk(p))
        return p.stat().st_size
    except OSError:
        return 0  # the reader reports what it cannot read


def read_jsonl_chunk(
    path: str | os.PathLike[str],
    start: int,
    end: int,
    first_line: int,
    limits: Limits | None = None,
    sink: Sink | None = None,
    shown: str | None = None,
    *,
    max_findings: int | None = None,
) -> RawDataset:
    """Read bytes ``start`` to ``end`` of a JSON Lines file, whose first line
    is line ``first_line``: one chunk of a file split at line boundaries (see
    :mod:`unionstate.chunks`). Locations are those of the whole file."""
    p = Path(path)
    out = RawDataset(findings=CappedFindings(max_findings))
    reader = _Reader(out, limits or Limits(), sink)
    name = shown if shown is not None else str(p)
    with _open(p) as f:
        f.seek(start)
        reader.jsonl(_Window(f, end - start), name, first=(first_line, start))
    return out


class _Window:
    """At most ``size`` bytes of a binary stream, read in pieces (so a chunk
    holding one huge line is still streamed in bounded memory)."""

    def __init__(self, f: IO[bytes], size: int) -> None:
        self.f = f
        self.left = size

    def read(self, n: int = -1) -> bytes:
        if self.left <= 0:
            return b""
        data = self.f.read(self.left if n < 0 else min(n, self.left))
        self.left -= len(data)
        return data


def read(
    path: str | os.PathLike[str],
    limits: Limits | None = None,
    sink: Sink | None = None,
    *,
    max_findings: int | None = None,
) -> RawDataset:
    """Read a data directory, a JSON document, a JSON Lines file or a CSV file.

    Records go to ``sink`` if given (then :attr:`RawDataset.records` stays
    empty), else they are kept. With ``max_findings``, at most that many
    findings of each code are kept in :attr:`RawDataset.findings` (a
    :class:`~unionstate.report.CappedFindings`, which counts the others).
    Raises :class:`InputError` when the path cannot be used at all.
    """
    from unionstate.release import release_records  # late: release imports this module

    rel = release_records(path)
    p = Path(path) if rel is None else rel
    found = CappedFindings(max_findings)
    out = RawDataset(findings=found)
    reader = _Reader(out, limits or Limits(), sink)
    if p.is_dir():
        _read_dir(p, reader)
    else:
        usable_path(p)
        _read_file(p, str(p), reader)
    if (
        not out.count
        and not out.unusable
        and not any(
            found.per_code[c.code]
            for c in (INVALID_JSON, INVALID_ENCODING, NOT_A_RECORD, TOO_LARGE, INVALID_CSV)
        )
    ):
        out.findings.append(finding(EMPTY_INPUT, "No records found.", file=str(p)))
        out.unusable.append(str(p))
    return out
