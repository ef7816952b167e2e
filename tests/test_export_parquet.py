"""The Parquet export (extra ``parquet``): one typed file per table, read
back by polars with the same rows as the SQLite export's tables."""

from __future__ import annotations

from pathlib import Path

import pytest

from unionstate.cli import main
from unionstate.dataset import data_dir
from unionstate.export.relational import Kind, relational_tables
from unionstate.io import read

pl = pytest.importorskip("polars", reason="the 'parquet' extra (polars) is not installed")


def test_every_table_reads_back(tmp_path: Path) -> None:
    out = tmp_path / "parquet"
    assert main(["export", "--to", "parquet", "--out", str(out)]) == 0
    raw = read(data_dir())
    tables = relational_tables([r.data for r in raw.records])
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{t.name}.parquet" for t in tables)
    want_type = {Kind.TEXT: pl.String, Kind.INTEGER: pl.Int64, Kind.BOOLEAN: pl.Boolean}
    for table in tables:
        frame = pl.read_parquet(out / f"{table.name}.parquet")
        assert frame.columns == [f.name for f in table.fields]
        assert [frame.schema[f.name] for f in table.fields] == [
            want_type[f.kind] for f in table.fields
        ]
        assert frame.rows() == list(table.rows)


def test_holders_of_an_office_in_polars(tmp_path: Path) -> None:
    out = tmp_path / "parquet"
    assert main(["export", "--to", "parquet", "--out", str(out)]) == 0
    tenures = pl.read_parquet(out / "tenures.parquet")
    pm = tenures.filter(
        (pl.col("office") == "office/prime-minister-of-russia") & (pl.col("start") <= "2021-04-16")
    ).filter(pl.col("end").is_null() | (pl.col("end") >= "2021-04-16"))
    assert pm["person"].to_list() == ["person/mishustin"]
