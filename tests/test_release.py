"""Releases: layout, a real consumer, determinism, immutability, atomicity,
tampering, archive safety and the version check against the previous release."""

from __future__ import annotations

import argparse
import copy
import gzip
import hashlib
import io
import json
import os
import shutil
import tarfile
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from unionstate import release, strategies
from unionstate.cli import add_release_arguments, cmd_release, cmd_verify
from unionstate.converter import unstructure
from unionstate.dataset import from_raw
from unionstate.diff import Level
from unionstate.export.relational import relational_tables
from unionstate.io import InputError
from unionstate.model import RECORD_TYPES
from unionstate.release import (
    ReleaseError,
    UnsafeArchiveError,
    build_release,
    check_archive,
    extract_archive,
    release_records,
    resolve_created,
    verify,
)
from unionstate.schema import SCHEMA_VERSION, all_schemas

HEADER: dict[str, Any] = {
    "type": "dataset",
    "name": "testdata",
    "title": "A test dataset",
    "version": "1.0.0",
    "as_of": "2025-04-17",
    "license": "CC-BY-4.0",
}
SRC = ["source/test-belsat-2021"]
RECORDS: list[dict[str, Any]] = [
    {
        "type": "source",
        "id": "source/test-belsat-2021",
        "url": "https://belsat.eu/en/news/16-04-2021-lukashenka-putin",
        "title": "Lukashenka, Putin to meet in Moscow next week",
        "publisher": "Belsat",
        "published": "2021-04-16",
        "language": "en",
    },
    {
        "type": "organization",
        "id": "organization/test-state",
        "names": [{"value": "Republic of Belarus", "lang": "en"}],
        "kind": "state",
        "sources": SRC,
    },
    {
        "type": "place",
        "id": "place/test-city",
        "names": [{"value": "Moscow", "lang": "en"}, {"value": "Москва", "lang": "ru"}],
        "kind": "city",
        "sources": SRC,
    },
    {
        "type": "person",
        "id": "person/test-person",
        "names": [
            {"value": "Alyaksandr Lukashenka", "lang": "be-Latn", "preferred": True},
            {"value": "Лукашэнка", "lang": "be"},
        ],
        "sources": SRC,
        "x_note": {"kept": [1, "two"]},
    },
    {
        "type": "office",
        "id": "office/test-president",
        "names": [{"value": "President of Belarus", "lang": "en"}],
        "organization": "organization/test-state",
        "sources": SRC,
    },
    {
        "type": "tenure",
        "id": "tenure/test-person-president",
        "person": "person/test-person",
        "office": "office/test-president",
        "start": "1994-07-20",
        "sources": SRC,
    },
    {
        "type": "event",
        "id": "event/2021-04-22-test-meeting",
        "kind": "meeting",
        "title": 'Talks "in Moscow", 2021',
        "date": "2021-04-22",
        "place": "place/test-city",
        "participants": [{"actor": "person/test-person", "office": "office/test-president"}],
        "statuses": [{"status": "announced", "date": "2021-04-16", "sources": SRC}],
        "subjects": ["oil", "gas, and more"],
        "summary": "Announced by Belsat.\nA second line, with a comma.",
        "sources": SRC,
    },
]


#: The exports every release holds beside the records, the CSVs and the schemas.
EXPORTS = {"popolo.json", "followthemoney.jsonl", "unionstate.sqlite"}
#: The Parquet files: one per table of the SQLite export.
PARQUET = {f"parquet/{t.name}.parquet" for t in relational_tables(RECORDS)}


def write_jsonl(path: Path, header: dict[str, Any] | None, records: list[dict[str, Any]]) -> Path:
    lines = ([header] if header else []) + records
    path.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines), "utf-8")
    return path


@pytest.fixture
def dataset(tmp_path: Path) -> Path:
    return write_jsonl(tmp_path / "data.jsonl", HEADER, RECORDS)


def build(ds: Path, out: Path, version: str = "1.0.0", **kw: Any) -> release.Built:
    kw.setdefault("environ", {})
    return build_release(ds, version, out, **kw)


def tree(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


# -- layout -----------------------------------------------------------------------


def test_layout_and_descriptor(dataset: Path, tmp_path: Path) -> None:
    b = build(dataset, tmp_path / "dist")
    assert b.folder == tmp_path / "dist" / "unionstate-data-1.0.0"
    assert b.archive == tmp_path / "dist" / "unionstate-data-1.0.0.tar.gz"
    assert sorted(p.name for p in (tmp_path / "dist").iterdir()) == [
        "unionstate-data-1.0.0",
        "unionstate-data-1.0.0.tar.gz",
    ]
    files = tree(b.folder)
    expected = {
        "records.jsonl",
        "dataset.json",
        "datapackage.json",
        "CHANGES.md",
        "SHA256SUMS",
        *(f"csv/{t}s.csv" for t in RECORD_TYPES),
        *(f"schemas/{n}.schema.json" for n in all_schemas()),
        *EXPORTS,
        *PARQUET,
    }
    assert set(files) == expected

    lines = files["records.jsonl"].decode().split("\n")[:-1]
    assert json.loads(lines[0])["type"] == "dataset"
    ids = [json.loads(x)["id"] for x in lines[1:]]
    assert ids == sorted(r["id"] for r in RECORDS)
    assert json.loads(files["dataset.json"])["version"] == "1.0.0"

    # SHA256SUMS: the sha256sum format, every file but itself
    sums = files["SHA256SUMS"].decode().splitlines()
    listed = {}
    for line in sums:
        digest, name = line.split("  ", 1)
        listed[name] = digest
    assert set(listed) == expected - {"SHA256SUMS"}
    for name, digest in listed.items():
        assert hashlib.sha256(files[name]).hexdigest() == digest

    pkg = json.loads(files["datapackage.json"])
    assert pkg["name"] == "testdata"
    assert pkg["version"] == "1.0.0"
    assert pkg["created"] == "2025-04-17T00:00:00Z"
    assert pkg["licenses"][0]["name"] == "CC-BY-4.0"
    assert pkg["sources"] == [
        {
            "title": "Belsat: Lukashenka, Putin to meet in Moscow next week",
            "path": "https://belsat.eu/en/news/16-04-2021-lukashenka-putin",
        }
    ]
    assert pkg["unionstate:as_of"] == "2025-04-17"
    assert pkg["unionstate:schema_version"] == SCHEMA_VERSION
    assert pkg["unionstate:records"]["person"] == 1
    paths = [r["path"] for r in pkg["resources"]]
    assert set(paths) == expected - {"SHA256SUMS", "datapackage.json"}
    for res in pkg["resources"]:
        data = files[res["path"]]
        assert res["bytes"] == len(data)
        assert res["hash"] == "sha256:" + hashlib.sha256(data).hexdigest()
        assert res["format"]
        assert res["mediatype"]
    persons = next(r for r in pkg["resources"] if r["name"] == "persons")
    types = {f["name"]: f["type"] for f in persons["schema"]["fields"]}
    assert types["id"] == "string"
    offices = next(r for r in pkg["resources"] if r["name"] == "offices")
    assert {f["name"]: f["type"] for f in offices["schema"]["fields"]}["max_holders"] == "integer"

    assert "first release" in files["CHANGES.md"].decode()
    for name, schema in all_schemas().items():
        assert json.loads(files[f"schemas/{name}.schema.json"]) == schema


def test_csv_flattening(dataset: Path, tmp_path: Path) -> None:
    import csv

    b = build(dataset, tmp_path / "dist")

    def rows(name: str) -> list[dict[str, str]]:
        text = (b.folder / "csv" / name).read_bytes().decode("utf-8")
        assert "\r\n" in text
        return list(csv.DictReader(io.StringIO(text, newline="")))

    (person,) = rows("persons.csv")
    assert next(iter(person)) == "id"
    assert person["sources"] == "source/test-belsat-2021"
    assert json.loads(person["names"])[0]["value"] == "Alyaksandr Lukashenka"
    assert json.loads(person["extensions"]) == {"x_note": {"kept": [1, "two"]}}
    assert person["notes"] == ""
    (event,) = rows("events.csv")
    assert event["summary"] == "Announced by Belsat.\nA second line, with a comma."
    assert event["title"] == 'Talks "in Moscow", 2021'
    assert json.loads(event["subjects"]) == ["oil", "gas, and more"]
    assert event["topics"] == ""
    (office,) = rows("offices.csv")
    assert office["max_holders"] == "1"  # the default, written out
    (tenure,) = rows("tenures.csv")
    assert tenure["acting"] == "false"
    assert rows("agreements.csv") == []  # header only


@given(st.lists(strategies.records(), max_size=4))
def test_csv_cells_round_trip(records: list[Any]) -> None:
    """Whatever the text (commas, quotes, new lines, any script), a CSV reader
    gets back exactly the cells written, and JSON cells parse back."""
    import csv

    for type_name in {r.TYPE for r in records}:
        mine = [unstructure(r) for r in records if type_name == r.TYPE]
        cols = release.columns(type_name)
        text = release.render_csv(type_name, mine).decode("utf-8")
        rows = list(csv.reader(io.StringIO(text, newline="")))
        assert rows[0] == [c.name for c in cols]
        expected = sorted(mine, key=lambda r: r["id"])
        assert len(rows) == len(expected) + 1
        for row, rec in zip(rows[1:], expected, strict=True):
            assert row == [c.render(rec) for c in cols]
            for c, cell in zip(cols, row, strict=True):
                value = release.unescape_cell(cell)
                if c.cell is release.Cell.JSON and cell:
                    want = rec.get(c.name) if c.name != "extensions" else None
                    if want is not None:
                        assert json.loads(value) == want
                if c.cell is release.Cell.IDS:
                    assert value.split(" | ") == list(rec.get(c.name, [])) or cell == ""


def test_a_real_consumer_reads_the_release(
    dataset: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    frictionless = pytest.importorskip("frictionless")
    import socket

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("network access attempted")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    b = build(dataset, tmp_path / "dist")
    report = frictionless.validate(str(b.folder / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    package = frictionless.Package(str(b.folder / "datapackage.json"))
    offices = package.get_resource("offices").read_rows()
    assert offices[0]["max_holders"] == 1
    tenures = package.get_resource("tenures").read_rows()
    assert tenures[0]["acting"] is False
    assert tenures[0]["start"] == "1994-07-20"  # EDTF stays a string
    persons = package.get_resource("persons").read_rows()
    assert persons[0]["id"] == "person/test-person"


def test_release_records_and_reading_a_release(dataset: Path, tmp_path: Path) -> None:
    b = build(dataset, tmp_path / "dist")
    assert release_records(b.folder) == b.folder / "records.jsonl"
    from_archive = release_records(b.archive)
    assert from_archive is not None
    assert from_archive.read_bytes() == (b.folder / "records.jsonl").read_bytes()
    assert release_records(dataset) is None
    assert release_records(tmp_path) is None  # a folder without datapackage.json
    ds = from_raw(release.read_release(b.archive))
    assert "person/test-person" in ds
    assert ds.info.version == "1.0.0"


# -- determinism ---------------------------------------------------------------------


def test_reproducible(dataset: Path, tmp_path: Path) -> None:
    a = build(dataset, tmp_path / "a")
    b = build(dataset, tmp_path / "b")
    assert tree(a.folder) == tree(b.folder)
    assert a.archive.read_bytes() == b.archive.read_bytes()
    # the archive holds the same bytes, with fixed metadata
    with tarfile.open(a.archive) as tar:
        members = tar.getmembers()
        assert [m.name for m in members] == sorted(
            (m.name for m in members), key=lambda n: n.split("/")
        )
        for m in members:
            assert (m.uid, m.gid, m.uname, m.gname) == (0, 0, "", "")
            assert m.mtime == 1744848000  # 2025-04-17T00:00:00Z
            if m.isfile():
                fh = tar.extractfile(m)
                assert fh is not None
                rel = m.name.split("/", 1)[1]
                assert fh.read() == (a.folder / rel).read_bytes()
    raw = a.archive.read_bytes()
    assert raw[:2] == b"\x1f\x8b"
    assert raw[3] & 0x08 == 0  # no file name in the gzip header
    assert raw[4:8] == b"\0\0\0\0"  # gzip mtime 0


def test_created_options(dataset: Path, tmp_path: Path) -> None:
    a = build(dataset, tmp_path / "a", environ={"SOURCE_DATE_EPOCH": "1700000000"})
    b = build(dataset, tmp_path / "b", created="2023-11-14T22:13:20Z")
    assert json.loads((a.folder / "datapackage.json").read_text())["created"] == (
        "2023-11-14T22:13:20Z"
    )
    assert tree(a.folder) == tree(b.folder)
    assert a.archive.read_bytes() == b.archive.read_bytes()


def test_resolve_created() -> None:
    assert (
        resolve_created("2024-01-02", "2025-04-17", {}).isoformat() == "2024-01-02T00:00:00+00:00"
    )
    assert resolve_created(None, "2025-04-17", {"SOURCE_DATE_EPOCH": "0"}).year == 1970
    assert resolve_created(None, "2025-04-17", {}).isoformat() == "2025-04-17T00:00:00+00:00"
    with pytest.raises(ReleaseError):
        resolve_created(None, "2025-04", {})
    with pytest.raises(ReleaseError):
        resolve_created("yesterday", None, {})
    with pytest.raises(ReleaseError):
        resolve_created("2024-01-02T10:00:00", None, {})  # no offset


# -- refusals, immutability, atomicity -------------------------------------------


def test_invalid_dataset_is_refused(tmp_path: Path) -> None:
    bad = copy.deepcopy(RECORDS)
    bad[5]["person"] = "person/nobody"  # a dangling reference
    ds = write_jsonl(tmp_path / "bad.jsonl", HEADER, bad)
    with pytest.raises(ReleaseError) as exc:
        build(ds, tmp_path / "dist")
    assert exc.value.exit_code == 1
    assert exc.value.report is not None
    assert not exc.value.report.ok
    assert not (tmp_path / "dist").exists()


def test_consistency_errors_are_refused(tmp_path: Path) -> None:
    bad = copy.deepcopy(RECORDS)
    bad[5]["start"] = "2030-01-01"
    bad[5]["end"] = "2020-01-01"  # ends before it starts
    ds = write_jsonl(tmp_path / "bad.jsonl", HEADER, bad)
    with pytest.raises(ReleaseError) as exc:
        build(ds, tmp_path / "dist")
    assert exc.value.exit_code == 1
    assert exc.value.report is not None
    assert any(f.code.startswith("US1") for f in exc.value.report.findings)  # a rule's code
    assert not (tmp_path / "dist").exists()


def test_a_release_stands_alone(tmp_path: Path) -> None:
    """A reference to a record of the canonical data only is not enough."""
    from unionstate.dataset import data_dir
    from unionstate.io import read

    persons = [r.data["id"] for r in read(data_dir()).records if r.data["type"] == "person"]
    if not persons:
        pytest.skip("no canonical persons yet")
    recs = copy.deepcopy(RECORDS)
    recs[5]["person"] = persons[0]
    ds = write_jsonl(tmp_path / "third-party.jsonl", HEADER, recs)
    with pytest.raises(ReleaseError) as exc:
        build(ds, tmp_path / "dist")
    assert exc.value.exit_code == 1
    assert not (tmp_path / "dist").exists()


@pytest.mark.parametrize("version", ["1.0", "v1.0.0", "01.0.0", "1.0.0-rc1", ""])
def test_bad_version_is_refused(dataset: Path, tmp_path: Path, version: str) -> None:
    with pytest.raises(ReleaseError):
        build(dataset, tmp_path / "dist", version=version)


def test_never_overwrites(dataset: Path, tmp_path: Path) -> None:
    b = build(dataset, tmp_path / "dist")
    before = tree(b.folder)
    archive = b.archive.read_bytes()
    stat = b.folder.stat().st_mtime_ns
    with pytest.raises(ReleaseError, match="already exists"):
        build(dataset, tmp_path / "dist")
    assert tree(b.folder) == before
    assert b.archive.read_bytes() == archive
    assert b.folder.stat().st_mtime_ns == stat
    # an archive alone (or a folder alone) also blocks the version
    shutil.rmtree(b.folder)
    with pytest.raises(ReleaseError, match="already exists"):
        build(dataset, tmp_path / "dist")
    assert not b.folder.exists()


def _only_visible(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_atomic_when_the_archive_fails(
    dataset: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(path: Path, data: bytes) -> None:
        path.write_bytes(data[:100])  # a half-written archive...
        raise OSError("disk full")  # ...then the failure

    monkeypatch.setattr(release.build, "_write_archive", boom)
    with pytest.raises(OSError, match="disk full"):
        build(dataset, tmp_path / "dist")
    assert _only_visible(tmp_path / "dist") == []  # not even the temporary folder


def test_atomic_when_writing_files_fails(
    dataset: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = release.build._write_files

    def half(stage: Path, files: dict[str, bytes]) -> None:
        real(stage, dict(list(files.items())[:3]))
        raise KeyboardInterrupt

    monkeypatch.setattr(release.build, "_write_files", half)
    with pytest.raises(KeyboardInterrupt):
        build(dataset, tmp_path / "dist")
    assert _only_visible(tmp_path / "dist") == []


def test_atomic_when_the_final_rename_fails(
    dataset: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_rename(src: Any, dst: Any) -> None:
        raise OSError("rename failed")

    monkeypatch.setattr(os, "rename", no_rename)
    with pytest.raises(OSError, match="rename failed"):
        build(dataset, tmp_path / "dist")
    assert _only_visible(tmp_path / "dist") == []  # the linked archive was taken back


def test_an_interrupted_build_leaves_a_hidden_folder_only(
    dataset: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A kill -9 cannot run the cleanup: what it leaves must not look like a release."""
    monkeypatch.setattr(shutil, "rmtree", lambda *a, **k: None)
    monkeypatch.setattr(release.build, "_publish", _raise_interrupt)
    with pytest.raises(KeyboardInterrupt):
        build(dataset, tmp_path / "dist")
    left = _only_visible(tmp_path / "dist")
    assert len(left) == 1
    assert left[0].startswith(".unionstate-data-1.0.0.")
    assert left[0].endswith(".partial")
    assert release_records(tmp_path / "dist") is None


def _raise_interrupt(*args: Any) -> None:
    raise KeyboardInterrupt


# -- the previous release and the version check ---------------------------------------


def _dataset(tmp_path: Path, name: str, records: list[dict[str, Any]], version: str) -> Path:
    return write_jsonl(tmp_path / name, {**HEADER, "version": version}, records)


def test_version_check_against_previous(dataset: Path, tmp_path: Path) -> None:
    first = build(dataset, tmp_path / "dist", version="1.2.0")
    fewer = [r for r in RECORDS if r["id"] != "place/test-city"]
    for r in fewer:
        if r.get("place") == "place/test-city":
            r.pop("place")
    ds2 = _dataset(tmp_path, "v2.jsonl", copy.deepcopy(fewer), "1.3.0")
    with pytest.raises(ReleaseError) as exc:
        build(ds2, tmp_path / "dist", version="1.3.0", previous=first.folder)
    assert "2.0.0" in str(exc.value)
    assert exc.value.exit_code == 2
    assert not (tmp_path / "dist" / "unionstate-data-1.3.0").exists()
    b = build(ds2, tmp_path / "dist", version="2.0.0", previous=first.archive)
    assert b.diff is not None
    assert b.diff.level is Level.MAJOR
    changes = (b.folder / "CHANGES.md").read_text()
    assert "`place/test-city`" in changes
    assert "Removed (1)" in changes
    assert "/place" in changes  # the event lost its place
    pkg = json.loads((b.folder / "datapackage.json").read_text())
    assert pkg["unionstate:previous_version"] == "1.2.0"


def test_version_check_minor_and_patch(dataset: Path, tmp_path: Path) -> None:
    first = build(dataset, tmp_path / "dist", version="1.2.0")
    more = [
        *copy.deepcopy(RECORDS),
        {
            "type": "person",
            "id": "person/putin",
            "names": [{"value": "Vladimir Putin", "lang": "en"}],
            "sources": SRC,
        },
    ]
    ds_more = _dataset(tmp_path, "more.jsonl", more, "1.2.0")
    with pytest.raises(ReleaseError, match=r"1\.3\.0"):
        build(ds_more, tmp_path / "dist", version="1.2.1", previous=first.folder)
    assert build(ds_more, tmp_path / "dist", version="1.3.0", previous=first.folder)

    fixed = copy.deepcopy(RECORDS)
    fixed[6]["title"] = "Talks in Moscow"
    ds_fixed = _dataset(tmp_path, "fixed.jsonl", fixed, "1.2.0")
    with pytest.raises(ReleaseError, match="not greater"):
        build(ds_fixed, tmp_path / "other", version="1.2.0", previous=first.folder)
    b = build(ds_fixed, tmp_path / "dist", version="1.2.1", previous=first.folder)
    assert b.diff is not None
    assert b.diff.level is Level.PATCH
    assert "Talks in Moscow" in (b.folder / "CHANGES.md").read_text()
    # over-stating is allowed
    assert build(ds_fixed, tmp_path / "dist", version="2.0.0", previous=first.folder)


def test_previous_can_be_any_dataset(dataset: Path, tmp_path: Path) -> None:
    b = build(dataset, tmp_path / "dist", version="1.0.1", previous=dataset)
    assert b.diff is not None
    assert b.diff.empty
    assert not b.diff.schemas_compared  # a plain dataset carries no schemas
    unversioned = write_jsonl(tmp_path / "nov.jsonl", {"type": "dataset", "name": "x"}, RECORDS)
    b2 = build(dataset, tmp_path / "dist", version="1.0.2", previous=unversioned)
    assert any("no version" in w for w in b2.warnings)


def test_same_schemas_between_releases_are_not_a_change(dataset: Path, tmp_path: Path) -> None:
    first = build(dataset, tmp_path / "dist", version="1.0.0")
    b = build(dataset, tmp_path / "dist", version="1.0.1", previous=first.folder)
    assert b.diff is not None
    assert b.diff.schemas_compared
    assert b.diff.schema_changes == ()
    assert b.diff.level is Level.NONE


# -- verify ------------------------------------------------------------------------------


@pytest.fixture
def built(dataset: Path, tmp_path: Path) -> release.Built:
    return build(dataset, tmp_path / "dist")


def test_verify_intact(built: release.Built) -> None:
    assert verify(built.folder).ok
    assert verify(built.archive).ok


def _copy(built: release.Built, tmp_path: Path) -> Path:
    target = tmp_path / "copy" / built.folder.name
    shutil.copytree(built.folder, target)
    return target


def test_verify_names_each_tampered_file(built: release.Built, tmp_path: Path) -> None:
    root = _copy(built, tmp_path)
    data = bytearray((root / "csv" / "persons.csv").read_bytes())
    data[-3] ^= 0x01  # one byte
    (root / "csv" / "persons.csv").write_bytes(bytes(data))
    (root / "csv" / "events.csv").unlink()
    (root / "notes.txt").write_text("hello")
    result = verify(root)
    assert not result.ok
    got = {(i.file, i.problem.value) for i in result.issues}
    assert ("csv/persons.csv", "altered") in got
    assert ("csv/events.csv", "missing") in got
    assert ("notes.txt", "added") in got
    assert {i.file for i in result.issues} == {"csv/persons.csv", "csv/events.csv", "notes.txt"}
    text = result.to_text()
    assert "csv/persons.csv" in text
    assert "csv/events.csv" in text
    assert "notes.txt" in text
    assert json.loads(result.to_json())["ok"] is False


def _rewrite_parquet(path: Path, change: bool) -> None:
    """Write a Parquet file again with other bytes (another compression, as
    another polars version would differ), its content changed or not."""
    import polars as pl

    frame = pl.read_parquet(path)
    if change:
        frame = frame.with_columns(pl.col(pl.String).str.replace("Moscow", "Moskva"))
    frame.write_parquet(path, compression="snappy")


def _tamper(path: Path) -> None:
    """Change what a derived file says (the city's name), keeping its form."""
    if path.suffix == ".parquet":
        _rewrite_parquet(path, change=True)
        return
    if path.suffix == ".sqlite":
        import sqlite3

        db = sqlite3.connect(path)
        assert db.execute("UPDATE records SET label = 'Moskva' WHERE label = 'Moscow'").rowcount
        db.commit()
        db.close()
        return
    text = path.read_text(encoding="utf-8")
    assert "Moscow" in text
    path.write_text(text.replace("Moscow", "Moskva"), encoding="utf-8")


def _rewrite_checksums(root: Path, name: str) -> None:
    """Make SHA256SUMS and datapackage.json agree with the file ``name`` again."""
    doc = root / name
    pkg = json.loads((root / "datapackage.json").read_text())
    for res in pkg["resources"]:
        if res["path"] == name:
            res["bytes"] = doc.stat().st_size
            res["hash"] = "sha256:" + hashlib.sha256(doc.read_bytes()).hexdigest()
    (root / "datapackage.json").write_text(json.dumps(pkg, indent=2), encoding="utf-8")
    lines = []
    for p in sorted(q for q in root.rglob("*") if q.is_file() and q.name != "SHA256SUMS"):
        rel = p.relative_to(root).as_posix()
        lines.append(f"{hashlib.sha256(p.read_bytes()).hexdigest()}  {rel}\n")
    (root / "SHA256SUMS").write_text("".join(lines))


@pytest.mark.parametrize("change", [False, True])
def test_verify_reads_parquet_by_content(
    built: release.Built, tmp_path: Path, change: bool
) -> None:
    """A Parquet file written with other bytes but the same table (as another
    polars version writes it) verifies; one whose rows changed does not."""
    root = _copy(built, tmp_path)
    name = "parquet/places.parquet"
    before = (root / name).read_bytes()
    _rewrite_parquet(root / name, change=change)
    assert (root / name).read_bytes() != before
    _rewrite_checksums(root, name)
    result = verify(root)
    want = [(name, "inconsistent")] if change else []
    assert [(i.file, i.problem.value) for i in result.issues] == want


@pytest.mark.parametrize("name", ["dataset.json", *sorted(EXPORTS), "parquet/places.parquet"])
def test_verify_catches_a_rewritten_checksum_list(
    built: release.Built, tmp_path: Path, name: str
) -> None:
    """Tampering that also rewrites SHA256SUMS and datapackage.json shows as an
    inconsistency with records.jsonl."""
    root = _copy(built, tmp_path)
    _tamper(root / name)
    _rewrite_checksums(root, name)
    result = verify(root)
    assert [(i.file, i.problem.value) for i in result.issues] == [(name, "inconsistent")]


def test_verify_checks_the_records(built: release.Built, tmp_path: Path) -> None:
    root = _copy(built, tmp_path)
    recs = root / "records.jsonl"
    recs.write_text(recs.read_text().replace('"person/test-person"', '"person/nobody"', 1))
    result = verify(root)
    got = {(i.file, i.problem.value) for i in result.issues}
    assert ("records.jsonl", "altered") in got
    assert ("records.jsonl", "invalid") in got
    assert result.report is not None
    assert not result.report.ok


def test_verify_datapackage_sizes(built: release.Built, tmp_path: Path) -> None:
    root = _copy(built, tmp_path)
    pkg = json.loads((root / "datapackage.json").read_text())
    pkg["resources"][0]["bytes"] += 1
    (root / "datapackage.json").write_text(json.dumps(pkg))
    got = {(i.file, i.problem.value) for i in verify(root).issues}
    assert ("datapackage.json", "altered") in got  # SHA256SUMS
    assert ("records.jsonl", "altered") in got  # its declared size no longer holds


def test_verify_a_tampered_archive(built: release.Built, tmp_path: Path) -> None:
    root = _copy(built, tmp_path)
    (root / "CHANGES.md").write_text("nothing to see\n")
    tampered = tmp_path / "tampered.tar.gz"
    with tarfile.open(tampered, "w:gz") as tar:
        tar.add(root, arcname=root.name)
    got = {(i.file, i.problem.value) for i in verify(tampered).issues}
    assert got == {("CHANGES.md", "altered")}


def test_verify_exit_codes(
    built: release.Built, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ns = argparse.Namespace
    assert cmd_verify(ns(release=str(built.folder), format="text")) == 0
    assert cmd_verify(ns(release=str(built.archive), format="json")) == 0
    assert json.loads(capsys.readouterr().out.split("\n", 1)[1])["ok"] is True
    root = _copy(built, tmp_path)
    (root / "SHA256SUMS").unlink()
    assert cmd_verify(ns(release=str(root), format="text")) == 1
    assert "SHA256SUMS" in capsys.readouterr().out
    assert cmd_verify(ns(release=str(tmp_path / "nope"), format="text")) == 2
    assert cmd_verify(ns(release=str(tmp_path), format="text")) == 2  # not a release
    junk = tmp_path / "junk.tar.gz"
    junk.write_bytes(b"not gzip")
    assert cmd_verify(ns(release=str(junk), format="text")) == 2


# -- archive safety -------------------------------------------------------------------


def _tar(path: Path, *members: tuple[tarfile.TarInfo, bytes | None]) -> Path:
    with tarfile.open(path, "w:gz") as tar:
        for info, data in members:
            tar.addfile(info, io.BytesIO(data) if data is not None else None)
    return path


def _file(name: str, data: bytes = b"x") -> tuple[tarfile.TarInfo, bytes]:
    ti = tarfile.TarInfo(name)
    ti.size = len(data)
    return ti, data


def _special(name: str, kind: bytes, target: str = "") -> tuple[tarfile.TarInfo, None]:
    ti = tarfile.TarInfo(name)
    ti.type = kind
    ti.linkname = target
    return ti, None


def _huge_declared(path: Path) -> Path:
    """A header that declares 2 GiB, without the data (the stream just ends)."""
    ti = tarfile.TarInfo("unionstate-data-1.0.0/records.jsonl")
    ti.size = 2 << 30
    raw = ti.tobuf(format=tarfile.PAX_FORMAT) + b"\0" * 4096
    path.write_bytes(gzip.compress(raw, mtime=0))
    return path


UNSAFE = {
    "dotdot": lambda p: _tar(p, _file("unionstate-data-1.0.0/../x")),
    "parent-only": lambda p: _tar(p, _file("../x")),
    "absolute": lambda p: _tar(p, _file("/tmp/unionstate-evil")),
    "symlink": lambda p: _tar(
        p, _file("r/datapackage.json"), _special("r/records.jsonl", tarfile.SYMTYPE, "/etc/passwd")
    ),
    "hardlink": lambda p: _tar(p, _special("r/records.jsonl", tarfile.LNKTYPE, "/etc/passwd")),
    "device": lambda p: _tar(p, _special("r/dev", tarfile.CHRTYPE)),
    "fifo": lambda p: _tar(p, _special("r/fifo", tarfile.FIFOTYPE)),
    "duplicate": lambda p: _tar(p, _file("r/a"), _file("r/a")),
    "huge": _huge_declared,
}


@pytest.mark.parametrize("kind", sorted(UNSAFE))
def test_unsafe_archives_are_refused_before_writing(
    kind: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    archive = UNSAFE[kind](tmp_path / f"{kind}.tar.gz")
    with pytest.raises(UnsafeArchiveError):
        check_archive(archive)
    dest = tmp_path / "dest"
    with pytest.raises(UnsafeArchiveError):
        extract_archive(archive, dest)
    assert not dest.exists()
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    with pytest.raises(UnsafeArchiveError):
        release_records(archive)
    with pytest.raises(InputError):
        verify(archive)
    assert list(scratch.iterdir()) == []
    assert not Path("/tmp/unionstate-evil").exists()
    assert not (tmp_path / "x").exists()


def test_size_limit_counts_every_entry(tmp_path: Path) -> None:
    archive = _tar(tmp_path / "a.tar.gz", _file("r/a", b"a" * 600), _file("r/b", b"b" * 600))
    assert check_archive(archive, max_bytes=2000) == ["r/a", "r/b"]
    with pytest.raises(UnsafeArchiveError, match="1000 bytes"):
        check_archive(archive, max_bytes=1000)
    dest = tmp_path / "d"
    with pytest.raises(UnsafeArchiveError):
        extract_archive(archive, dest, max_bytes=1000)
    assert not dest.exists()


def test_default_limit_scales_with_the_archive(tmp_path: Path) -> None:
    archive = _tar(tmp_path / "a.tar.gz", _file("r/a"))
    assert release.archive._limit(archive, None) == release.MIN_EXTRACT_LIMIT
    assert release.MIN_EXTRACT_LIMIT <= release.MAX_EXTRACT_BYTES == 1 << 30


def test_a_non_release_archive_is_not_read(tmp_path: Path) -> None:
    archive = _tar(tmp_path / "a.tar.gz", _file("one/a"), _file("two/b"))
    with pytest.raises(InputError, match="not a release"):
        release_records(archive)


# -- command line ----------------------------------------------------------------------


def _release_args(*argv: str) -> argparse.Namespace:
    p = argparse.ArgumentParser()
    add_release_arguments(p)
    return p.parse_args(argv)


def test_cmd_release(
    dataset: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    out = tmp_path / "dist"
    args = _release_args(str(dataset), "--version", "1.0.0", "--out", str(out))
    assert cmd_release(args) == 0
    printed = capsys.readouterr().out.split()
    assert printed == [
        str(out / "unionstate-data-1.0.0"),
        str(out / "unionstate-data-1.0.0.tar.gz"),
    ]
    assert cmd_release(args) == 2
    assert "already exists" in capsys.readouterr().err
    bad = write_jsonl(tmp_path / "bad.jsonl", HEADER, [*RECORDS, {"type": "person"}])
    assert cmd_release(_release_args(str(bad), "--version", "1.0.1", "--out", str(out))) == 1
    assert cmd_release(_release_args(str(tmp_path / "none"), "--version", "1.0.1")) == 2
    args = _release_args(
        str(dataset), "--version", "1.0.1", "--out", str(out), "--previous", str(out / "x")
    )
    assert cmd_release(args) == 2
    args = _release_args(
        str(dataset),
        "--version",
        "1.0.1",
        "--out",
        str(out),
        "--previous",
        str(out / "unionstate-data-1.0.0.tar.gz"),
        "--created",
        "2025-05-01",
    )
    assert cmd_release(args) == 0
    assert "0 added, 0 removed, 0 changed" in capsys.readouterr().out


def test_release_of_the_canonical_data_if_valid(tmp_path: Path) -> None:
    """The shipped data, when it validates (it is being authored), releases and verifies."""
    from unionstate.dataset import data_dir
    from unionstate.pipeline import validate_path

    if not data_dir().is_dir() or not any(data_dir().iterdir()):
        pytest.skip("no canonical data yet")
    raw, report = validate_path(data_dir())
    if raw.unusable or not report.ok or not raw.records:
        pytest.skip("the canonical data does not validate right now")
    b = build_release(data_dir(), "9.9.9", tmp_path, created="2025-01-01")
    assert verify(b.folder).ok
    assert sorted(os.listdir(tmp_path)) == [b.folder.name, b.archive.name]
