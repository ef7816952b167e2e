"""Checking small files one after another in one process, against the canonical data.

    python benchmarks/bench_repeat_validate.py 20

A notebook or a service that checks many small third-party files keeps one
process: each check builds the index of the canonical data's names and, when
a reference is a name, makes those names' keys. Prints the seconds per check
with the keys remembered between checks (as the library runs) and with them
forgotten before each check (as if each check came first), alternated.
"""

from __future__ import annotations

import contextlib
import io
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

from unionstate import names
from unionstate.cli import main

RECORD = {
    "type": "event",
    "id": "event/bench",
    "kind": "meeting",
    "title": "A meeting",
    "date": "2021-04-16",
    "participants": [{"actor": "Putin"}, {"actor": "Лукашэнка"}],
    "statuses": [{"status": "held", "date": "2021-04-16"}],
    "sources": ["source/belsat-2021-04-16-lukashenka-putin-to-meet"],
}


def check(path: Path) -> float:
    start = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):
        main(["validate", str(path), "--format", "json"])
    return time.perf_counter() - start


def run(n: int) -> None:
    path = Path(tempfile.mkdtemp()) / "theirs.jsonl"
    path.write_text(json.dumps(RECORD, ensure_ascii=False) + "\n", encoding="utf-8")
    check(path)  # the canonical data is loaded once per process
    remembered: list[float] = []
    forgotten: list[float] = []
    for _ in range(n):
        remembered.append(check(path))
        names._spelled.cache_clear()  # the names' keys and first letters
        forgotten.append(check(path))
    for label, xs in (("keys remembered", remembered), ("keys forgotten", forgotten)):
        median = statistics.median(xs)
        print(f"{label}: median {median:.3f} s, min {min(xs):.3f} s, max {max(xs):.3f} s")


if __name__ == "__main__":
    run(int(sys.argv[1]) if len(sys.argv) > 1 else 20)
