"""What the rules would hold if their tables stayed on disk:

    python benchmarks/bench_on_disk.py FILE.jsonl [RUNS]

Builds the rules' tables of every record of FILE (``checks.frames.Builder``,
names not resolved) and writes them to Parquet files in a temporary folder.
Then, each in a fresh process and ``RUNS`` times (default 2), alternated:

* ``rules``: every rule over the tables read into memory, as the engine runs
  them (the process's peak, and the tables' resident size before the rules);
* two of the heaviest joins, written once for polars' lazy engine over the
  Parquet files and once as SQL for DuckDB (when it is installed) with a
  memory limit: who was in two places on one day (the core of US109: the
  in-person attendances of short held events joined to themselves on
  person and day) and which held statuses cite a source published before
  them (the core of US107: statuses, citations and sources).

Each prints its result, seconds and peak resident MiB (``VmHWM``). The joins
are simplified (places, not cities; the record's sources, not a status's
own), so their counts are not the rules' findings; the two engines' counts
must agree with each other.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import tempfile
from pathlib import Path

from unionstate.checks.frames import SCHEMAS

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_column_weight import MEMORY, frames_of  # the tables, the peak

_RULES = (
    MEMORY
    + """
import sys, time
import polars as pl
from unionstate.checks import run, select_rules
from unionstate.checks.frames import SCHEMAS, Frames
folder = sys.argv[1]
frames = Frames({n: pl.read_parquet(f"{folder}/{n}.parquet") for n in SCHEMAS})
tables = rss()
t = time.perf_counter()
found = run(frames, None, select_rules())
print(f"rules: {len(found)} findings, {time.perf_counter() - t:.2f} s, "
      f"tables {tables} MiB resident, peak {peak()} MiB")
"""
)

_NEG, _POS = -(10**8), 10**8
_SHORT_HELD = (
    "held AND coalesce(final, '') NOT IN ('cancelled', 'did_not_take_place') "
    f"AND date_hi - date_lo < 3 AND date_lo > {_NEG} AND date_hi < {_POS} AND place IS NOT NULL"
)

_DUCKDB = (
    MEMORY
    + f"""
import sys, time
import duckdb
folder, limit, which = sys.argv[1:4]
t = time.perf_counter()
con = duckdb.connect(config={{"memory_limit": limit, "threads": 2,
                              "temp_directory": folder + "/spill"}})
for n in ("events", "participants", "statuses", "cited", "sources"):
    con.execute(f"CREATE VIEW {{n}} AS SELECT * FROM read_parquet('{{folder}}/{{n}}.parquet')")
one_day = '''
WITH ev AS (SELECT id, date_lo AS lo, date_hi AS hi, place, attendance FROM events
            WHERE {_SHORT_HELD}),
seen AS (SELECT p.id, p.actor, ev.lo, ev.hi, ev.place FROM participants p JOIN ev USING (id)
         WHERE coalesce(p.attendance, ev.attendance, 'in_person') = 'in_person'
           AND p.actor LIKE 'person/%')
SELECT count(*) FROM seen a JOIN seen b
  ON a.actor = b.actor AND b.lo BETWEEN a.lo AND a.hi AND a.id < b.id AND a.place <> b.place'''
early = '''
SELECT count(*) FROM statuses st JOIN cited c ON c.id = st.id JOIN sources s ON s.id = c.source
 WHERE st.status = 'held' AND s.published_hi < st.date_lo'''
[(n,)] = con.execute(one_day if which == "one-day" else early).fetchall()
took = time.perf_counter() - t
print(f"duckdb {{which}} ({{limit}}): {{n}}, {{took:.2f}} s, peak {{peak()}} MiB")
"""
)

_POLARS = (
    MEMORY
    + f"""
import sys, time
import polars as pl
folder, which = sys.argv[1:3]
t = time.perf_counter()
def scan(n):
    return pl.scan_parquet(f"{{folder}}/{{n}}.parquet")
if which == "one-day":
    ev = (scan("events").sql("SELECT * FROM self WHERE {_SHORT_HELD}")
          .select("id", "place", lo="date_lo", hi="date_hi", attended="attendance"))
    text = pl.String
    present = pl.coalesce(pl.col("attendance").cast(text), pl.col("attended").cast(text),
                          pl.lit("in_person"))
    seen = (scan("participants").join(ev, on="id")
            .filter((present == "in_person")
                    & pl.col("actor").cast(text).str.starts_with("person/"))
            .select("id", "actor", "lo", "hi", "place"))
    days = seen.with_columns(day=pl.int_ranges("lo", pl.col("hi") + 1)).explode("day")
    pairs = seen.join(days, left_on=["actor", "lo"], right_on=["actor", "day"], suffix="_a")
    n = (pairs.filter((pl.col("id_a").cast(text) < pl.col("id").cast(text))
                      & (pl.col("place") != pl.col("place_a")))
         .select(pl.len()).collect().item())
else:
    sources = scan("sources").select(source="id", pub_hi="published_hi")
    n = (scan("statuses").filter(pl.col("status") == "held")
         .join(scan("cited"), on="id").join(sources, on="source")
         .filter(pl.col("pub_hi") < pl.col("date_lo")).select(pl.len()).collect().item())
print(f"polars {{which}}: {{n}}, {{time.perf_counter() - t:.2f}} s, peak {{peak()}} MiB")
"""
)


def write(path: str, folder: Path) -> None:
    """The rules' tables of ``path``, one Parquet file each."""
    for name, table in frames_of(path).tables.items():
        table.write_parquet(folder / f"{name}.parquet")
    size = sum(p.stat().st_size for p in folder.glob("*.parquet")) >> 20
    print(f"tables written: {size} MiB of Parquet")


def fresh(code: str, *args: str) -> None:
    """Run ``code`` in a fresh interpreter and print what it prints."""
    out = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, check=True
    )
    print(out.stdout.strip())


def main() -> None:
    path = sys.argv[1]
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 2
    has_duckdb = importlib.util.find_spec("duckdb") is not None
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "spill").mkdir()
        write(path, folder)
        assert {p.stem for p in folder.glob("*.parquet")} == set(SCHEMAS)
        for _ in range(runs):
            fresh(_RULES, tmp)
            for which in ("one-day", "early-source"):
                fresh(_POLARS, tmp, which)
                if has_duckdb:
                    for limit in ("256MB", "128MB"):
                        fresh(_DUCKDB, tmp, limit, which)


if __name__ == "__main__":
    main()
