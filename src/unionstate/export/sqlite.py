"""An SQLite database of the dataset that opens in Datasette, the ``sqlite3``
shell or any SQL tool as it is.

* the tables of :mod:`.relational` (one per record type, the nested tables,
  ``records`` and ``labels``), with their primary keys, a foreign key for
  each reference to one table, and an index on every reference, date and
  kind column;
* ``labels_fts``, a full-text index (FTS5, diacritics ignored) of every name
  and title, which Datasette finds for ``labels`` (``?_search=``);
* views for common questions: ``office_holders`` (who held which office
  from when to when) and ``event_participants`` (who took part in which
  event, in which office, with the event's current status).

The file is built in a single transaction with a fixed page size, so the
same data gives the same bytes with the same SQLite library; the header
records the library's version, so :func:`dump` is what a release's copy is
checked against.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from .relational import NESTED, Kind, Table, relational_tables

Record = Mapping[str, Any]

_SQL_TYPE = {Kind.TEXT: "TEXT", Kind.INTEGER: "INTEGER", Kind.BOOLEAN: "INTEGER"}

VIEWS = {
    "office_holders": """
SELECT t.id AS tenure_id, t.office AS office_id, ro.label AS office,
       o.organization AS organization_id, rg.label AS organization,
       t.person AS person_id, rp.label AS person,
       t.start, t."end", t.acting, t.start_reason, t.end_reason
FROM tenures t
JOIN offices o ON o.id = t.office
JOIN records ro ON ro.id = t.office
JOIN records rp ON rp.id = t.person
LEFT JOIN records rg ON rg.id = o.organization
ORDER BY t.office, t.start, t.id""",
    "event_participants": """
SELECT e.id AS event_id, e.date, e.title, e.kind, e.status, e.place AS place_id,
       rl.label AS place, p.position, p.actor AS actor_id, ra.label AS actor,
       p.office AS office_id, ro.label AS office, p.role
FROM events e
JOIN participants p ON p.event_id = e.id
JOIN records ra ON ra.id = p.actor
LEFT JOIN records ro ON ro.id = p.office
LEFT JOIN records rl ON rl.id = e.place
ORDER BY e.date, e.id, p.position""",
}

_SHADOW = "labels_fts_"
PAGE_SIZE = 4096


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _create(table: Table) -> str:
    defs = []
    for f in table.fields:
        d = f"{_q(f.name)} {_SQL_TYPE[f.kind]}"
        if f.required:
            d += " NOT NULL"
        if f.ref is not None:
            d += f" REFERENCES {f.ref}(id)"
        defs.append(d)
    if table.key:
        defs.append(f"PRIMARY KEY ({', '.join(_q(k) for k in table.key)})")
    return f"CREATE TABLE {table.name} (\n  " + ",\n  ".join(defs) + "\n)"


def _fill(db: sqlite3.Connection, records: Sequence[Record]) -> None:
    tables = relational_tables(records)
    for table in tables:
        db.execute(_create(table))
    for table in tables:
        marks = ", ".join("?" * len(table.fields))
        db.executemany(f"INSERT INTO {table.name} VALUES ({marks})", table.rows)
    db.execute(
        """CREATE VIRTUAL TABLE labels_fts USING fts5(text, content="labels", """
        """content_rowid="rowid", tokenize='unicode61 remove_diacritics 2')"""
    )
    db.execute("INSERT INTO labels_fts (labels_fts) VALUES ('rebuild')")
    for table in tables:
        for f in table.fields:
            indexed = f.ref is not None or f.name in ("date", "start", "end", "kind", "type")
            if indexed and f.name not in table.key[:1]:
                db.execute(f"CREATE INDEX {table.name}_{f.name} ON {table.name} ({_q(f.name)})")
    for name, sql in VIEWS.items():
        db.execute(f"CREATE VIEW {name} AS{sql}")


def render(header: Mapping[str, Any] | None, records: Sequence[Record]) -> dict[str, bytes]:
    """``unionstate.sqlite``."""
    with tempfile.TemporaryDirectory(prefix="unionstate-sqlite-") as tmp:
        path = Path(tmp) / "unionstate.sqlite"
        db = sqlite3.connect(path, isolation_level=None)
        try:
            db.execute(f"PRAGMA page_size = {PAGE_SIZE}")
            db.execute("PRAGMA journal_mode = OFF")
            db.execute("BEGIN")
            _fill(db, records)
            db.execute("COMMIT")
            db.execute("VACUUM")
        finally:
            db.close()
        return {"unionstate.sqlite": path.read_bytes()}


def dump(data: bytes) -> bytes:
    """The content of an SQLite file (schema and rows, the full-text index's
    own tables left out) as text that does not depend on the library's
    version; an unreadable file gives its bytes."""
    fd, name = tempfile.mkstemp(prefix="unionstate-sqlite-", suffix=".sqlite")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        db = sqlite3.connect(f"file:{name}?mode=ro", uri=True)
        try:
            db.execute("PRAGMA trusted_schema = OFF")
            lines = []
            schema = db.execute(
                "SELECT type, name, sql FROM sqlite_master ORDER BY type, name"
            ).fetchall()
            for kind, tname, sql in schema:
                if str(tname).startswith(_SHADOW):
                    continue
                lines.append(f"{kind} {tname}: {sql}")
                if kind == "table" and not str(sql).upper().startswith("CREATE VIRTUAL"):
                    for row in db.execute(f"SELECT * FROM {_q(tname)} ORDER BY rowid"):
                        lines.append(repr(row))
            return "\n".join(lines).encode("utf-8")
        finally:
            db.close()
    except sqlite3.DatabaseError:
        return b"unreadable:" + data
    finally:
        with contextlib.suppress(OSError):
            os.unlink(name)


__all__ = ["NESTED", "PAGE_SIZE", "VIEWS", "dump", "render"]
