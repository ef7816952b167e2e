"""The dataset as relational tables, shared by the SQLite and Parquet exports.

* one table per record type (``persons``, ``events``, ...) with the columns
  of the CSV tables (:mod:`.tables`) as plain values (booleans, integers,
  lists of ids joined by `` | ``, nested values as compact JSON); ``events``
  also has ``status``, the last of its history;
* nested tables, one row per list item with its ``position``, joinable by
  id: ``names``, ``citations`` (the sources of every record),
  ``participants``, ``statuses``, ``lifecycle`` and ``forecasts``;
* ``records`` (every id, its type and display label) and ``labels`` (one row
  per name or title, for full-text search).

Rows are in id order, then list order: the tables are a pure function of
the records.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import attrs

from unionstate.model import RECORD_TYPES

from .labels import by_type, current_status, label
from .tables import ID_SEPARATOR, Cell, columns, table_name

Record = Mapping[str, Any]


class Kind(enum.StrEnum):
    """The type of a column's values."""

    TEXT = "text"
    INTEGER = "integer"
    BOOLEAN = "boolean"


@attrs.frozen(slots=True)
class Field:
    """One column: its name, kind, whether it is always set, and the table
    whose ``id`` it references."""

    name: str
    kind: Kind = Kind.TEXT
    required: bool = False
    ref: str | None = None


@attrs.frozen(slots=True)
class Table:
    """One table: its columns, primary key (empty: none), rows and meaning."""

    name: str
    fields: tuple[Field, ...]
    key: tuple[str, ...]
    description: str
    rows: tuple[tuple[Any, ...], ...] = ()


def _nested(owner: str, owner_ref: str, *fields: Field) -> tuple[Field, ...]:
    return (
        Field(owner, required=True, ref=owner_ref),
        Field("position", Kind.INTEGER, required=True),
        *fields,
    )


#: The nested tables (without rows): their columns, key and meaning.
NESTED: dict[str, Table] = {
    t.name: t
    for t in (
        Table(
            "names",
            _nested(
                "record_id",
                "records",
                Field("value", required=True),
                Field("lang", required=True),
                Field("preferred", Kind.BOOLEAN, required=True),
                Field("sources"),
            ),
            ("record_id", "position"),
            "Every name of persons, organizations, offices and places.",
        ),
        Table(
            "citations",
            _nested("record_id", "records", Field("source_id", required=True, ref="sources")),
            ("record_id", "position"),
            "The sources of every record.",
        ),
        Table(
            "participants",
            _nested(
                "event_id",
                "events",
                Field("actor", required=True, ref="records"),
                Field("office", ref="offices"),
                Field("role"),
                Field("attendance"),
            ),
            ("event_id", "position"),
            "Who took part in each event, in which office.",
        ),
        Table(
            "statuses",
            _nested(
                "event_id",
                "events",
                Field("status", required=True),
                Field("date"),
                Field("sources"),
                Field("note"),
            ),
            ("event_id", "position"),
            "Each event's status history, oldest first.",
        ),
        Table(
            "lifecycle",
            _nested(
                "record_id",
                "records",
                Field("stage", required=True),
                Field("date"),
                Field("event", ref="events"),
                Field("by"),
                Field("sources"),
                Field("note"),
            ),
            ("record_id", "position"),
            "The stages agreements and road maps reached.",
        ),
        Table(
            "forecasts",
            _nested(
                "statement_id",
                "statements",
                Field("claim", required=True),
                Field("deadline", required=True),
                Field("about"),
                Field("outcome"),
                Field("outcome_date"),
                Field("outcome_note"),
            ),
            ("statement_id", "position"),
            "Claims with deadlines in statements, and what became of them.",
        ),
    )
}

RECORDS = Table(
    "records",
    (Field("id", required=True), Field("type", required=True), Field("label", required=True)),
    ("id",),
    "Every record's id, type and display label.",
)
LABELS = Table(
    "labels",
    (
        Field("record_id", required=True, ref="records"),
        Field("type", required=True),
        Field("text", required=True),
    ),
    (),
    "Every name and title of a record, for full-text search.",
)

_KIND = {Cell.INTEGER: Kind.INTEGER, Cell.BOOLEAN: Kind.BOOLEAN}


def record_fields(type_name: str) -> tuple[Field, ...]:
    """The columns of a record type's table."""
    out = [
        Field(
            c.name,
            _KIND.get(c.cell, Kind.TEXT),
            required=c.required,
            ref=table_name(c.ref[0]) if c.cell is Cell.TEXT and len(c.ref) == 1 else None,
        )
        for c in columns(type_name)
    ]
    if type_name == "event":
        out.append(Field("status"))
    return tuple(out)


def _joined(ids: Sequence[str] | None) -> str | None:
    return ID_SEPARATOR.join(ids) if ids else None


def _nested_rows(type_name: str, r: Record) -> Iterator[tuple[str, tuple[Any, ...]]]:
    rid = r["id"]
    row: tuple[Any, ...]
    for i, n in enumerate(r.get("names", ())):
        row = (n["value"], n["lang"], bool(n.get("preferred")), _joined(n.get("sources")))
        yield "names", (rid, i, *row)
    for i, s in enumerate(r.get("sources", ()) if type_name != "source" else ()):
        yield "citations", (rid, i, s)
    for i, p in enumerate(r.get("participants", ())):
        row = (p["actor"], p.get("office"), p.get("role"), p.get("attendance"))
        yield "participants", (rid, i, *row)
    for i, s in enumerate(r.get("statuses", ())):
        row = (s["status"], s.get("date"), _joined(s.get("sources")), s.get("note"))
        yield "statuses", (rid, i, *row)
    for i, s in enumerate(r.get("lifecycle", ())):
        row = (s["stage"], s.get("date"), s.get("event"), _joined(s.get("by")))
        yield "lifecycle", (rid, i, *row, _joined(s.get("sources")), s.get("note"))
    for i, f in enumerate(r.get("forecasts", ())):
        out = f.get("outcome") or {}
        row = (f["claim"], f["deadline"], _joined(f.get("about")), out.get("status"))
        yield "forecasts", (rid, i, *row, out.get("date"), out.get("note"))


def relational_tables(records: Sequence[Record]) -> list[Table]:
    """Every table with its rows: ``records``, one per record type, the
    nested tables, ``labels``."""
    groups = by_type(records)
    index: list[tuple[Any, ...]] = []
    labels: list[tuple[Any, ...]] = []
    nested: dict[str, list[tuple[Any, ...]]] = {name: [] for name in NESTED}
    own: list[Table] = []
    for t in RECORD_TYPES:
        cols = columns(t)
        rows = []
        for r in groups.get(t, []):
            index.append((r["id"], t, label(r)))
            values = tuple(c.value(r) for c in cols)
            rows.append((*values, current_status(r)) if t == "event" else values)
            for name, row in _nested_rows(t, r):
                nested[name].append(row)
            texts = [str(n["value"]) for n in r.get("names", ())]
            texts += [str(r["title"])] if "title" in r else []
            labels += [(r["id"], t, x) for x in texts]
        own.append(
            Table(
                table_name(t),
                record_fields(t),
                ("id",),
                f"One row per {t} record.",
                tuple(rows),
            )
        )
    return [
        attrs.evolve(RECORDS, rows=tuple(index)),
        *own,
        *(attrs.evolve(table, rows=tuple(nested[name])) for name, table in NESTED.items()),
        attrs.evolve(LABELS, rows=tuple(labels)),
    ]


__all__ = [
    "LABELS",
    "NESTED",
    "RECORDS",
    "Field",
    "Kind",
    "Table",
    "record_fields",
    "relational_tables",
]
