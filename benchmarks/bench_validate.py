"""Throughput of `unionstate validate` (read + schema + references) on synthetic
JSON Lines, next to the JSON parse floor, measured in one run.

    python benchmarks/bench_validate.py 10000 50000

Prints records/s for: reading lines, json.loads per line (the parse floor with the
stdlib), and the full validation. Seeded and deterministic.
"""

from __future__ import annotations

import json
import random
import sys
import tempfile
import time
from pathlib import Path

from unionstate.io import read
from unionstate.validate import validate_raw


def make(n: int, path: Path, seed: int = 1) -> None:
    rnd = random.Random(seed)
    persons = [f"person/p{i}" for i in range(max(1, n // 100))]
    with path.open("w", encoding="utf-8") as f:
        f.write(json.dumps({"type": "dataset", "name": "bench", "as_of": "2025-01-01"}) + "\n")
        f.write(
            json.dumps(
                {
                    "type": "source",
                    "id": "source/s",
                    "url": "https://example.org/s",
                    "title": "S",
                    "publisher": "P",
                    "language": "en",
                }
            )
            + "\n"
        )
        for p in persons:
            f.write(
                json.dumps(
                    {
                        "type": "person",
                        "id": p,
                        "sources": ["source/s"],
                        "names": [{"value": p.upper(), "lang": "en"}],
                    }
                )
                + "\n"
            )
        for i in range(n - len(persons) - 1):
            day = f"{rnd.randint(1996, 2024)}-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d}"
            f.write(
                json.dumps(
                    {
                        "type": "event",
                        "id": f"event/e{i}",
                        "kind": "meeting",
                        "title": f"Meeting {i}",
                        "date": day,
                        "statuses": [{"status": "held", "date": day}],
                        "participants": [
                            {"actor": rnd.choice(persons)},
                            {"actor": rnd.choice(persons)},
                        ],
                        "sources": ["source/s"],
                    }
                )
                + "\n"
            )


def bench(n: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.jsonl"
        make(n, path)
        t = time.perf_counter()
        with path.open("rb") as f:
            lines = f.readlines()
        t_read = time.perf_counter() - t
        t = time.perf_counter()
        for line in lines:
            json.loads(line)
        t_parse = time.perf_counter() - t
        t = time.perf_counter()
        raw = read(path)
        findings = validate_raw(raw)
        t_all = time.perf_counter() - t
        assert not findings, findings[:3]
        print(
            f"{n:>9,} records | read lines {n / t_read:>12,.0f}/s | json.loads "
            f"{n / t_parse:>10,.0f}/s | validate {n / t_all:>8,.0f}/s "
            f"({t_all / t_parse:.0f}x the parse floor)"
        )


if __name__ == "__main__":
    for arg in sys.argv[1:] or ["2000", "10000"]:
        bench(int(arg))
