"""Parquet: one file per table of :mod:`.relational` (``persons.parquet``,
``participants.parquet``, ...), written with polars: typed columns (text,
64-bit integers, booleans), zstd compression, rows in id order. The same data
and the same polars version give the same bytes; the file also records the
writer's version, so a release compares its Parquet files by :func:`content`.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import Any

from .relational import Kind, relational_tables

Record = Mapping[str, Any]


def render(header: Mapping[str, Any] | None, records: Sequence[Record]) -> dict[str, bytes]:
    """``<table>.parquet`` for every table."""
    import polars as pl

    dtype = {Kind.TEXT: pl.String, Kind.INTEGER: pl.Int64, Kind.BOOLEAN: pl.Boolean}
    out: dict[str, bytes] = {}
    for table in relational_tables(records):
        schema = {f.name: dtype[f.kind] for f in table.fields}
        frame = pl.DataFrame(list(table.rows), schema=schema, orient="row")
        buf = io.BytesIO()
        frame.write_parquet(buf, compression="zstd", statistics=True)
        out[f"{table.name}.parquet"] = buf.getvalue()
    return out


def content(data: bytes) -> bytes:
    """A Parquet file's columns, their types and rows as JSON: what two files
    written by different polars versions from the same table share."""
    import json

    import polars as pl

    frame = pl.read_parquet(io.BytesIO(data))
    doc = {
        "schema": [[name, str(dtype)] for name, dtype in frame.schema.items()],
        "rows": frame.rows(),
    }
    return json.dumps(doc, ensure_ascii=False).encode("utf-8")


__all__ = ["content", "render"]
