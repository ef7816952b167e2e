"""CSV tables, one per record type: the columns of each type, how a value is
written in a cell, the Table Schema of each table, and the rendering.

The release (``csv/``) and ``unionstate export --to csv`` (and ``convert``)
write the same bytes. A text cell that a spreadsheet would run as a formula
(one starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return) is
written with a ``'`` before it, as OWASP advises against CSV injection; so is
one whose ``'`` s are followed by a trigger (``'=x`` → ``''=x``), so a reader
recovers every value exactly by removing one ``'`` from a cell that starts
with ``'`` s and then a trigger (:func:`unescape_cell`); other text, a leading
``'`` included, is written as it is. Integer and boolean cells are never
prefixed.
"""

from __future__ import annotations

import csv
import enum
import io
import json
import re
import typing
from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from unionstate.model import EXTENSION_PREFIX, RECORD_TYPES
from unionstate.schema import all_schemas
from unionstate.schema.generate import _strip_optional, field_order, hints

#: Separator of the ids in a CSV cell of an id list (ids have no spaces).
ID_SEPARATOR = " | "

#: First characters that make a spreadsheet read a cell as a formula
#: (OWASP, "CSV Injection"), and the quote that marks an escaped cell.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
ESCAPE = "'"


_ESCAPED = re.compile("'*[" + re.escape("".join(FORMULA_TRIGGERS)) + "]")


def escape_cell(text: str) -> str:
    """``text`` safe to open in a spreadsheet: prefixed with ``'`` when it
    starts with a formula trigger, after any number of ``'``; else unchanged
    (``'a plan'`` stays as it is, ``'=x`` becomes ``''=x``)."""
    return ESCAPE + text if _ESCAPED.match(text) else text


def unescape_cell(text: str) -> str:
    """The value of a text cell written by :func:`escape_cell`: one ``'``
    removed when ``'`` s and then a formula trigger begin it."""
    return text[1:] if text.startswith(ESCAPE) and _ESCAPED.match(text) else text


class Cell(enum.StrEnum):
    """How a field is written in a CSV cell."""

    TEXT = "text"  # the string as is (also enums, dates, URLs, single ids)
    INTEGER = "integer"  # decimal digits
    BOOLEAN = "boolean"  # true / false
    IDS = "ids"  # a list of record ids joined by " | "
    JSON = "json"  # compact JSON (objects, lists of objects, free-text lists)


_TABLE_TYPE = {
    Cell.TEXT: "string",
    Cell.INTEGER: "integer",
    Cell.BOOLEAN: "boolean",
    Cell.IDS: "string",
    Cell.JSON: "string",
}
_CELL_NOTE = {
    Cell.TEXT: "",
    Cell.INTEGER: "",
    Cell.BOOLEAN: "",
    Cell.IDS: " Record ids joined by ' | '; empty when none.",
    Cell.JSON: " Compact JSON; empty when absent or empty.",
}


@attrs.frozen(slots=True)
class Column:
    """One CSV column of a record type."""

    name: str
    cell: Cell
    description: str
    required: bool = False
    default: bool | int | None = None
    enum: tuple[str, ...] = ()
    minimum: int | None = None
    ref: tuple[str, ...] = ()

    def value(self, record: Mapping[str, Any]) -> str | int | bool | None:
        """The field's value as one scalar: ``None`` when absent or empty,
        a bool, an int, or text (ids joined, JSON compact); never escaped."""
        if self.name == "extensions":
            ext = {k: record[k] for k in sorted(record) if k.startswith(EXTENSION_PREFIX)}
            return _compact(ext) if ext else None
        value = record.get(self.name, self.default)
        if value is None:
            return None
        if self.cell is Cell.BOOLEAN:
            return bool(value)
        if self.cell is Cell.INTEGER:
            return int(value)
        if self.cell is Cell.IDS:
            return ID_SEPARATOR.join(value) if value else None
        if self.cell is Cell.JSON:
            return _compact(value) if value not in ([], {}, ()) else None
        return str(value)

    def render(self, record: Mapping[str, Any]) -> str:
        """The CSV cell: :meth:`value` written out, text escaped."""
        value = self.value(record)
        if value is None:
            return ""
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int):
            return str(value)
        return escape_cell(value)

    def descriptor(self) -> dict[str, Any]:
        """The Table Schema field."""
        out: dict[str, Any] = {
            "name": self.name,
            "type": _TABLE_TYPE[self.cell],
            "description": (self.description + _CELL_NOTE[self.cell]).strip(),
            "unionstate:cell": self.cell.value,
        }
        if self.cell is Cell.BOOLEAN:
            out["trueValues"] = ["true"]
            out["falseValues"] = ["false"]
        constraints: dict[str, Any] = {}
        if self.required:
            constraints["required"] = True
        if self.name == "id":
            constraints["unique"] = True
        if self.enum:
            constraints["enum"] = list(self.enum)
        if self.minimum is not None:
            constraints["minimum"] = self.minimum
        if constraints:
            out["constraints"] = constraints
        return out


def _compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def columns(type_name: str) -> list[Column]:
    """The CSV columns of a record type: its fields in canonical order, then
    ``extensions`` (every ``x_`` key, as one JSON object)."""
    cls = RECORD_TYPES[type_name]
    th = hints(cls)
    fields = {f.name: f for f in attrs.fields(cls)}
    schema = all_schemas()[type_name]
    required = set(schema.get("required", []))
    out = []
    for name in field_order(cls):
        f = fields[name]
        meta = f.metadata
        tp, _ = _strip_optional(th[name])
        default: bool | int | None = None
        values: tuple[str, ...] = ()
        if typing.get_origin(tp) is tuple:
            item = typing.get_args(tp)[0]
            cell = Cell.IDS if item is str and "ref" in meta else Cell.JSON
        elif tp is bool:
            cell = Cell.BOOLEAN
            default = f.default if isinstance(f.default, bool) else None
        elif tp is int:
            cell = Cell.INTEGER
            default = f.default if isinstance(f.default, int) else None
        elif isinstance(tp, type) and issubclass(tp, enum.Enum):
            cell = Cell.TEXT
            values = tuple(str(m.value) for m in tp)
        elif tp is str:
            cell = Cell.TEXT
        else:
            cell = Cell.JSON
        out.append(
            Column(
                name=name,
                cell=cell,
                description=str(meta.get("description", "")),
                required=name in required,
                default=default,
                enum=values,
                minimum=meta.get("minimum"),
                ref=tuple(meta.get("ref", ())),
            )
        )
    out.append(
        Column(
            "extensions",
            Cell.JSON,
            "Third-party fields (keys starting with 'x_') as one JSON object.",
        )
    )
    return out


def table_name(type_name: str) -> str:
    """The CSV resource name of a record type: ``person`` → ``persons``."""
    return f"{type_name}s"


def render_csv(type_name: str, records: Iterable[Mapping[str, Any]]) -> bytes:
    """One CSV table (RFC 4180: comma, ``"`` quoting where needed, CRLF,
    UTF-8 without BOM, a header row) of canonical records of one type, by id."""
    cols = columns(type_name)
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    w.writerow([c.name for c in cols])
    for r in sorted(records, key=lambda r: str(r.get("id", ""))):
        w.writerow([c.render(r) for c in cols])
    return buf.getvalue().encode("utf-8")


def table_schema(type_name: str) -> dict[str, Any]:
    """The Table Schema of a record type's CSV."""
    cols = columns(type_name)
    out: dict[str, Any] = {
        "fields": [c.descriptor() for c in cols],
        "missingValues": [""],
        "primaryKey": ["id"],
    }
    fks = [
        {"fields": [c.name], "reference": {"resource": table_name(c.ref[0]), "fields": ["id"]}}
        for c in cols
        if c.cell is Cell.TEXT and len(c.ref) == 1
    ]
    if fks:
        out["foreignKeys"] = fks
    return out


def resource(file_name: str) -> dict[str, Any]:
    """What ``datapackage.json`` says of a table (``persons.csv``): its
    name, type, description, dialect and Table Schema."""
    stem = file_name.removesuffix(".csv")
    type_name = stem.removesuffix("s")
    return {
        "name": stem,
        "type": "table",
        "description": f"One row per {type_name} record, flattened.",
        "dialect": {"delimiter": ",", "quoteChar": '"', "doubleQuote": True, "header": True},
        "schema": table_schema(type_name),
    }


def render_tables(records: Iterable[Mapping[str, Any]]) -> dict[str, bytes]:
    """Every record type's table, by file name (``persons.csv``, ...); types
    without records get a header-only table."""
    by_type: dict[str, list[Mapping[str, Any]]] = {t: [] for t in RECORD_TYPES}
    for r in records:
        by_type.setdefault(str(r.get("type")), []).append(r)
    return {f"{table_name(t)}.csv": render_csv(t, by_type[t]) for t in RECORD_TYPES}


__all__ = [
    "ESCAPE",
    "FORMULA_TRIGGERS",
    "ID_SEPARATOR",
    "Cell",
    "Column",
    "columns",
    "escape_cell",
    "render_csv",
    "render_tables",
    "resource",
    "table_name",
    "table_schema",
    "unescape_cell",
]
