"""Compiled readers of JSON Lines against the schema floor and the rules'
columns as the engine builds them:

    python benchmarks/bench_readers.py FILE.jsonl [RUNS]

Each step runs in a fresh process, the steps alternated, ``RUNS`` times
(default 2); each prints its seconds, microseconds a record and the process's
peak MiB:

- ``floor``: every line parsed by orjson and checked by the pipeline's
  compiled jsonschema-rs validators, formats included (one process);
- ``exact``: the package's own reader of JSON Lines (the exact decoder of D8
  with its reading rules: duplicated keys, inexact numbers, lines over the
  size bound), each record then checked by ``validate.check_record`` (the same
  compiled validators): the part of a run that a one-pass design, whatever
  builds its columns, still does per record in Python (the cycle collector
  paused as the command pauses it while it reads);
- ``columns``: every line parsed by orjson and turned into the rules' tables
  by ``checks.frames.Frames.of`` (names not resolved, the cycle collector
  paused as the command pauses it while it reads);
- ``polars``: ``polars.read_ndjson`` of the whole file, its columns inferred;
- ``duckdb-1`` / ``duckdb-2``: DuckDB's ``read_json`` of the whole file into
  an in-memory table, every field typed as the first 100,000 lines show it
  with dates kept as text, on one thread / two;
- ``duckdb-disk``: the same without the long texts (titles, summaries,
  quotes, names), into a table on disk with ``memory_limit`` 256 MB, on two
  threads.

DuckDB is not a dependency of unionstate: its steps run only where it is
installed. Generate a file with ``benchmarks/generate.py``.
"""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
import tempfile
import time
from typing import Any

STEPS: tuple[str, ...] = (
    "floor",
    "exact",
    "columns",
    "polars",
    "duckdb-1",
    "duckdb-2",
    "duckdb-disk",
)

#: Fields whose long text the rules never read.
_TEXTS = {"title", "summary", "quote", "description", "date_text", "names", "topics", "subjects"}


def peak_mib() -> int:
    """This process's peak resident size in MiB."""
    with open("/proc/self/status") as f:
        line = next(x for x in f if x.startswith("VmHWM:"))
    return int(line.split()[1]) >> 10


def in_fresh_process(script: str, step: str, path: str) -> dict[str, Any]:
    """The JSON that ``script --step STEP PATH`` prints, run in a fresh process."""
    out = subprocess.run(
        [sys.executable, script, "--step", step, path], capture_output=True, text=True, check=True
    )
    result: dict[str, Any] = json.loads(out.stdout)
    return result


def _duckdb_columns(con: Any, path: str, *, texts: bool) -> str:
    """``read_json``'s ``columns`` argument: each field as DuckDB infers it
    from the first lines, dates as text (an EDTF date is not an SQL date)."""
    rows = con.execute(
        f"DESCRIBE SELECT * FROM read_json('{path}', format='newline_delimited', "
        "sample_size=100000)"
    ).fetchall()
    cols = {
        name: kind.replace("DATE", "VARCHAR")
        for name, kind, *_ in rows
        if texts or name not in _TEXTS
    }
    return "{" + ", ".join(f"'{k}': '{v}'" for k, v in cols.items()) + "}"


def step(name: str, path: str) -> dict[str, object]:
    """Run one step on ``path`` in this process."""
    import orjson

    n = 0
    if name == "floor":  # bench_pipeline's own step, timed there
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        from bench_pipeline import measure

        floor = measure("floor", path)
        seconds = float(floor["seconds"])  # type: ignore[arg-type]
        return {"step": name, "n": floor["n"], "seconds": round(seconds, 2), "peak": peak_mib()}
    if name == "exact":
        from unionstate.io.read import RawRecord, read_jsonl_chunk
        from unionstate.validate import check_record

        checked = 0

        def sink(rec: RawRecord) -> None:
            nonlocal checked
            check_record(rec)
            checked += 1

        gc.disable()
        t = time.perf_counter()
        read_jsonl_chunk(path, 0, os.path.getsize(path), 1, sink=sink)
        n = checked
    elif name == "columns":
        from unionstate.checks.frames import Frames

        gc.disable()
        t = time.perf_counter()
        with open(path, "rb") as f:
            frames = Frames.of(d for d in map(orjson.loads, f) if isinstance(d, dict))
        n = frames["records"].height
    elif name == "polars":
        import polars as pl

        t = time.perf_counter()
        n = pl.read_ndjson(path, infer_schema_length=None).height
    else:
        import duckdb

        disk = name == "duckdb-disk"
        folder = tempfile.mkdtemp()
        con = duckdb.connect(os.path.join(folder, "t.db") if disk else ":memory:")
        con.execute(f"SET threads={1 if name == 'duckdb-1' else 2}")
        if disk:
            con.execute("SET memory_limit='256MB'")
            con.execute("SET preserve_insertion_order=false")
        columns = _duckdb_columns(con, path, texts=not disk)
        t = time.perf_counter()
        con.execute(
            "CREATE TABLE r AS SELECT * FROM "
            f"read_json('{path}', format='newline_delimited', columns={columns})"
        )
        n = con.execute("SELECT count(*) FROM r").fetchone()[0]  # type: ignore[index]
    seconds = time.perf_counter() - t
    return {"step": name, "n": n, "seconds": round(seconds, 2), "peak": peak_mib()}


def main(argv: list[str]) -> int:
    if len(argv) >= 3 and argv[0] == "--step":
        print(json.dumps(step(argv[1], argv[2])))
        return 0
    if not argv:
        print(__doc__)
        return 2
    path, runs = argv[0], int(argv[1]) if len(argv) > 1 else 2
    try:
        import duckdb  # noqa: F401

        steps = STEPS
    except ImportError:
        steps = tuple(s for s in STEPS if not s.startswith("duckdb"))
        print("DuckDB is not installed: its steps are skipped")
    for run in range(runs):
        for name in steps:
            r = in_fresh_process(__file__, name, path)
            us = 1e6 * float(r["seconds"]) / max(int(r["n"]), 1)
            print(
                f"run {run + 1} {name:12} {r['n']:>9} records {r['seconds']:>7} s "
                f"{us:6.1f} us a record, peak {r['peak']} MiB",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
