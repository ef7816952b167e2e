"""What the rules' input weighs in memory, with and without the text behind
its categories:

    python benchmarks/bench_column_weight.py FILE.jsonl [RUNS]

Builds the rules' tables of every record of FILE (``checks.frames.Builder``,
names not resolved), writes them to Arrow IPC files in a temporary folder,
once as they are and once with every categorical column replaced by its
32-bit codes (the same cells, no text), then reads each set back in a fresh
process, alternating, ``RUNS`` times (default 2), and prints the resident
size before and after reading and the peak. Generate a file with
``benchmarks/generate.py``.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

import polars as pl

from unionstate.checks.frames import SCHEMAS, Frames

#: Python source for a fresh process: its resident and peak MiB (``VmHWM``
#: starts afresh at exec, unlike getrusage's ``ru_maxrss``).
MEMORY = """
def _status(key):
    line = next(x for x in open("/proc/self/status") if x.startswith(key))
    return int(line.split()[1]) >> 10
def rss():
    return _status("VmRSS:")
def peak():
    return _status("VmHWM:")
"""

_READ = (
    MEMORY
    + """
import sys
import polars as pl
before = rss()
tables = [pl.read_ipc(p).rechunk() for p in sys.argv[1:]]
print(before, rss(), peak())
"""
)


def frames_of(path: str) -> Frames:
    """The rules' tables of every record (a JSON object a line) of ``path``."""
    with open(path, "rb") as f:
        return Frames.of(d for d in map(json.loads, f) if isinstance(d, dict))


def write(path: str, folder: Path) -> None:
    """The tables of ``path``, as ``cat_<table>.arrow`` and ``codes_<table>.arrow``."""
    frames = frames_of(path)
    cells = sum(t.estimated_size() for t in frames.tables.values()) >> 20
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss >> 10
    print(f"built: {cells} MiB of cells, this process's peak {peak} MiB")
    for name, table in frames.tables.items():
        table.write_ipc(folder / f"cat_{name}.arrow")
        codes = [pl.col(c).to_physical() for c, t in table.schema.items() if t == pl.Categorical]
        table.with_columns(codes).write_ipc(folder / f"codes_{name}.arrow")


def read(kind: str, folder: Path) -> str:
    """A fresh process's resident MiB before and after reading one set, and its peak."""
    files = [str(folder / f"{kind}_{name}.arrow") for name in SCHEMAS]
    out = subprocess.run(
        [sys.executable, "-c", _READ, *files], capture_output=True, text=True, check=True
    )
    before, after, peak = out.stdout.split()
    return f"{kind:>6}: {before} -> {after} MiB, peak {peak} MiB"


def main() -> None:
    path = sys.argv[1]
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 2
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        write(path, folder)
        for _ in range(runs):
            for kind in ("cat", "codes"):
                print(read(kind, folder))


if __name__ == "__main__":
    main()
