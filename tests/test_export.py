"""Exports: the writer registry behind ``convert``, ``export`` and releases;
every format deterministic, CSVs safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from unionstate.cli import main
from unionstate.dataset import data_dir
from unionstate.export import WRITERS, Writer, release_writers
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
