"""The SQLite export: tables, nested tables, foreign keys, full-text search
and views, queried with ``sqlite3``; and opened by Datasette's own test
client when the ``datasette`` package is installed."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from unionstate.cli import main
from unionstate.export.sqlite import NESTED, VIEWS, dump
from unionstate.model import RECORD_TYPES


@pytest.fixture(scope="module")
def db_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sqlite") / "unionstate.sqlite"
    assert main(["export", "--to", "sqlite", "--out", str(out)]) == 0
    return out


@pytest.fixture
def db(db_path: Path) -> Iterator[sqlite3.Connection]:
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    yield conn
    conn.close()


def test_tables_views_and_integrity(db: sqlite3.Connection) -> None:
    names = {n for (n,) in db.execute("SELECT name FROM sqlite_master")}
    assert {f"{t}s" for t in RECORD_TYPES} <= names
    assert set(NESTED) <= names
    assert set(VIEWS) <= names
    assert {"records", "labels", "labels_fts"} <= names
    assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    fks = db.execute("SELECT * FROM pragma_foreign_key_list('tenures')").fetchall()
    assert {(fk[2], fk[3]) for fk in fks} >= {("persons", "person"), ("offices", "office")}
    indexes = {n for (n,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert {"tenures_person", "tenures_office", "participants_actor"} <= indexes
    n = db.execute("SELECT count(*) FROM records").fetchone()[0]
    assert n == sum(db.execute(f"SELECT count(*) FROM {t}s").fetchone()[0] for t in RECORD_TYPES)


def test_who_held_an_office_on_a_day(db: sqlite3.Connection) -> None:
    rows = db.execute(
        "SELECT person FROM office_holders WHERE office_id = 'office/prime-minister-of-russia' "
        "AND start <= '2021-04-16' AND (\"end\" IS NULL OR \"end\" >= '2021-04-16')"
    ).fetchall()
    assert rows == [("Mikhail Mishustin",)]


def test_events_with_participants(db: sqlite3.Connection) -> None:
    rows = db.execute(
        "SELECT DISTINCT event_id, status FROM event_participants WHERE actor_id = ? ORDER BY date",
        ("person/lukashenka",),
    ).fetchall()
    assert rows
    assert {s for _, s in rows} <= {
        "announced",
        "scheduled",
        "held",
        "postponed",
        "cancelled",
        "did_not_take_place",
    }
    # meetings of A and B: events where both took part
    both = db.execute(
        "SELECT event_id FROM participants WHERE actor = 'person/lukashenka' "
        "INTERSECT SELECT event_id FROM participants WHERE actor = 'person/putin'"
    ).fetchall()
    assert both


def test_full_text_search_ignores_diacritics(db: sqlite3.Connection) -> None:
    def search(q: str) -> set[str]:
        return {
            rid
            for (rid,) in db.execute(
                "SELECT l.record_id FROM labels_fts f JOIN labels l ON l.rowid = f.rowid "
                "WHERE labels_fts MATCH ?",
                (q,),
            )
        }

    assert "person/lukashenka" in search("lukasenka")  # 'Lukašenka'
    assert "person/lukashenka" in search("Лукашенко")
    assert "office/prime-minister-of-russia" in search('"prime minister"')


def test_nested_tables_keep_order(db: sqlite3.Connection) -> None:
    rows = db.execute(
        "SELECT position, status FROM statuses WHERE event_id = "
        "(SELECT event_id FROM statuses GROUP BY event_id HAVING count(*) > 1 LIMIT 1) "
        "ORDER BY position"
    ).fetchall()
    assert [p for p, _ in rows] == list(range(len(rows)))
    cites = db.execute("SELECT count(*) FROM citations WHERE record_id = 'person/borodin'")
    assert cites.fetchone()[0] >= 1


def test_dump_sees_content_not_bytes(db_path: Path, tmp_path: Path) -> None:
    data = db_path.read_bytes()
    assert dump(data) == dump(data)
    copy = tmp_path / "copy.sqlite"
    copy.write_bytes(data)
    conn = sqlite3.connect(copy)
    conn.execute("UPDATE persons SET notes = 'tampered' WHERE id = 'person/borodin'")
    conn.commit()
    conn.close()
    assert dump(copy.read_bytes()) != dump(data)
    assert dump(b"not a database") != dump(data)


def test_datasette_opens_it(db_path: Path) -> None:
    pytest.importorskip("datasette", reason="datasette is not installed")
    from datasette.app import Datasette

    async def go() -> None:
        ds = Datasette([str(db_path)], immutables=[])
        r = await ds.client.get("/unionstate/office_holders.json?_shape=array&_size=max")
        assert r.status_code == 200, r.text
        assert any(row["person_id"] == "person/mishustin" for row in r.json())
        r = await ds.client.get("/unionstate/labels.json?_search=lukasenka&_shape=array")
        assert r.status_code == 200, r.text
        assert "person/lukashenka" in {row["record_id"] for row in r.json()}
        r = await ds.client.get("/unionstate/events.json?_shape=array&status=held&_size=5")
        assert r.status_code == 200
        assert r.json()

    asyncio.run(go())
