"""An SQLite database of the dataset that opens in Datasette, the ``sqlite3``
shell or any SQL tool as it is.

* one table per record type (``persons``, ``events``, ...), the columns of
  the CSV tables (:mod:`.tables`) with values as they are (booleans 0/1,
  lists of ids joined by `` | ``, nested values as JSON text), ``id`` the
  primary key, and a foreign key for each reference to one record type;
* nested tables, joinable by id: ``names``, ``citations`` (the sources of
  every record), ``participants``, ``statuses``, ``lifecycle`` and
  ``forecasts``, each with its position in the list;
* ``labels`` (one row per name or title of a record) with the full-text
  index ``labels_fts`` (FTS5, diacritics ignored), and ``records`` (every
  id, its type and display label);
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
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from unionstate.model import RECORD_TYPES

from .labels import by_type, current_status, label
from .tables import Cell, Column, columns, table_name

Record = Mapping[str, Any]

_SQL_TYPE = {
    Cell.TEXT: "TEXT",
    Cell.INTEGER: "INTEGER",
    Cell.BOOLEAN: "INTEGER",
    Cell.IDS: "TEXT",
    Cell.JSON: "TEXT",
}

#: The nested tables: name → (columns with SQL types and constraints, comment).
NESTED: dict[str, tuple[tuple[tuple[str, str], ...], str]] = {
    "names": (
        (
            ("record_id", "TEXT NOT NULL REFERENCES records(id)"),
            ("position", "INTEGER NOT NULL"),
            ("value", "TEXT NOT NULL"),
            ("lang", "TEXT NOT NULL"),
            ("preferred", "INTEGER NOT NULL"),
            ("sources", "TEXT"),
        ),
        "every name of persons, organizations, offices and places",
    ),
    "citations": (
        (
            ("record_id", "TEXT NOT NULL REFERENCES records(id)"),
            ("position", "INTEGER NOT NULL"),
            ("source_id", "TEXT NOT NULL REFERENCES sources(id)"),
        ),
        "the sources of every record",
    ),
    "participants": (
        (
            ("event_id", "TEXT NOT NULL REFERENCES events(id)"),
            ("position", "INTEGER NOT NULL"),
            ("actor", "TEXT NOT NULL REFERENCES records(id)"),
            ("office", "TEXT REFERENCES offices(id)"),
            ("role", "TEXT"),
            ("attendance", "TEXT"),
        ),
        "who took part in each event",
    ),
    "statuses": (
        (
            ("event_id", "TEXT NOT NULL REFERENCES events(id)"),
            ("position", "INTEGER NOT NULL"),
            ("status", "TEXT NOT NULL"),
            ("date", "TEXT"),
            ("sources", "TEXT"),
            ("note", "TEXT"),
        ),
        "each event's status history, oldest first",
    ),
    "lifecycle": (
        (
            ("record_id", "TEXT NOT NULL REFERENCES records(id)"),
            ("position", "INTEGER NOT NULL"),
            ("stage", "TEXT NOT NULL"),
            ("date", "TEXT"),
            ("event", "TEXT REFERENCES events(id)"),
            ("by", "TEXT"),
            ("sources", "TEXT"),
            ("note", "TEXT"),
        ),
        "the stages agreements and road maps reached",
    ),
    "forecasts": (
        (
            ("statement_id", "TEXT NOT NULL REFERENCES statements(id)"),
            ("position", "INTEGER NOT NULL"),
            ("claim", "TEXT NOT NULL"),
            ("deadline", "TEXT NOT NULL"),
            ("about", "TEXT"),
            ("outcome", "TEXT"),
            ("outcome_date", "TEXT"),
            ("outcome_note", "TEXT"),
        ),
        "claims with deadlines in statements, and what became of them",
    ),
}

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


def _record_table(type_name: str, cols: Sequence[Column]) -> str:
    defs = []
    for c in cols:
        d = f"{_q(c.name)} {_SQL_TYPE[c.cell]}"
        if c.name == "id":
            d += " PRIMARY KEY"
        elif c.required:
            d += " NOT NULL"
        if c.cell is Cell.TEXT and len(c.ref) == 1:
            d += f" REFERENCES {table_name(c.ref[0])}(id)"
        defs.append(d)
    if type_name == "event":
        defs.append("status TEXT")  # the current status: the last of the history
    return f"CREATE TABLE {table_name(type_name)} (\n  " + ",\n  ".join(defs) + "\n)"


def _joined(ids: Sequence[str] | None) -> str | None:
    return " | ".join(ids) if ids else None


def _nested_rows(t: str, r: Record) -> Iterator[tuple[str, tuple[Any, ...]]]:
    rid = r["id"]
    for i, n in enumerate(r.get("names", ())):
        yield (
            "names",
            (
                rid,
                i,
                n["value"],
                n["lang"],
                int(bool(n.get("preferred"))),
                _joined(n.get("sources")),
            ),
        )
    for i, s in enumerate(r.get("sources", ()) if t != "source" else ()):
        yield "citations", (rid, i, s)
    for i, p in enumerate(r.get("participants", ())):
        yield (
            "participants",
            (
                rid,
                i,
                p["actor"],
                p.get("office"),
                p.get("role"),
                p.get("attendance"),
            ),
        )
    for i, s in enumerate(r.get("statuses", ())):
        yield (
            "statuses",
            (rid, i, s["status"], s.get("date"), _joined(s.get("sources")), s.get("note")),
        )
    for i, s in enumerate(r.get("lifecycle", ())):
        yield (
            "lifecycle",
            (
                rid,
                i,
                s["stage"],
                s.get("date"),
                s.get("event"),
                _joined(s.get("by")),
                _joined(s.get("sources")),
                s.get("note"),
            ),
        )
    for i, f in enumerate(r.get("forecasts", ())):
        out = f.get("outcome") or {}
        yield (
            "forecasts",
            (
                rid,
                i,
                f["claim"],
                f["deadline"],
                _joined(f.get("about")),
                out.get("status"),
                out.get("date"),
                out.get("note"),
            ),
        )


def _labels(t: str, r: Record) -> list[str]:
    texts = [str(n["value"]) for n in r.get("names", ())]
    if "title" in r:
        texts.append(str(r["title"]))
    return texts


def _fill(db: sqlite3.Connection, records: Sequence[Record]) -> None:
    db.execute(
        "CREATE TABLE records (id TEXT PRIMARY KEY, type TEXT NOT NULL, label TEXT NOT NULL)"
    )
    db.execute(
        "CREATE TABLE labels (record_id TEXT NOT NULL REFERENCES records(id), "
        "type TEXT NOT NULL, text TEXT NOT NULL)"
    )
    groups = by_type(records)
    cols = {t: columns(t) for t in RECORD_TYPES}
    for t in RECORD_TYPES:
        db.execute(_record_table(t, cols[t]))
    for name, (defs, _) in NESTED.items():
        body = ",\n  ".join(f"{_q(col)} {decl}" for col, decl in defs)
        db.execute(f"CREATE TABLE {name} (\n  {body},\n  PRIMARY KEY ({defs[0][0]}, position)\n)")
    for t in RECORD_TYPES:
        for r in groups.get(t, []):
            db.execute("INSERT INTO records VALUES (?, ?, ?)", (r["id"], t, label(r)))
    for t in RECORD_TYPES:
        rows = groups.get(t, [])
        names = [_q(c.name) for c in cols[t]]
        values = [[c.value(r) for c in cols[t]] for r in rows]
        if t == "event":
            names.append("status")
            for v, r in zip(values, rows, strict=True):
                v.append(current_status(r))
        marks = ", ".join("?" * len(names))
        db.executemany(f"INSERT INTO {table_name(t)} ({', '.join(names)}) VALUES ({marks})", values)
        for r in rows:
            for table, row in _nested_rows(t, r):
                db.execute(f"INSERT INTO {table} VALUES ({', '.join('?' * len(row))})", row)
            db.executemany(
                "INSERT INTO labels VALUES (?, ?, ?)", [(r["id"], t, x) for x in _labels(t, r)]
            )
    db.execute(
        """CREATE VIRTUAL TABLE labels_fts USING fts5(text, content="labels", """
        """content_rowid="rowid", tokenize='unicode61 remove_diacritics 2')"""
    )
    db.execute("INSERT INTO labels_fts (labels_fts) VALUES ('rebuild')")
    for t in RECORD_TYPES:
        for c in cols[t]:
            if c.cell is Cell.TEXT and (c.ref or c.name in ("date", "start", "end", "kind")):
                table = table_name(t)
                db.execute(f"CREATE INDEX {table}_{c.name} ON {table} ({_q(c.name)})")
    for name, (defs, _) in NESTED.items():
        for col, decl in defs[2:]:
            if "REFERENCES" in decl:
                db.execute(f"CREATE INDEX {name}_{col} ON {name} ({_q(col)})")
    db.execute("CREATE INDEX labels_record_id ON labels (record_id)")
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
