"""Parquet: one file per table of :mod:`.relational` (``persons.parquet``,
``participants.parquet``, ...), written with polars (extra ``parquet``):
typed columns (text, 64-bit integers, booleans), zstd compression, rows in
id order. The same data and the same polars version give the same bytes.
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


__all__ = ["render"]
