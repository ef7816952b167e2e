"""Where a streamed run's time goes, phase by phase, from the progress calls:

    python benchmarks/bench_phases.py FILE.jsonl [JOBS] [RUNS]

Prints, for each run of ``validate_path(FILE, keep_records=False)`` with every
rule (standalone, the rules' size limit lifted): pass 1 (ids, names), the
set-up between the passes (duplicates, the tables for pass 2; one process),
pass 2 (names, schema, references, the records' columns), the rules (one
process) and the total, in seconds, and the counts found. Generate a
file with ``benchmarks/generate.py``.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable

from unionstate.io.read import Limits
from unionstate.pipeline import validate_path
from unionstate.report import Report


def streamed(path: str, jobs: int, progress: Callable[[str, int], None]) -> Report:
    """The report of ``validate_path(path, keep_records=False)`` with every rule
    (standalone, the rules' size limit lifted) on ``jobs`` processes."""
    _, report = validate_path(
        path,
        standalone=True,
        jobs=jobs,
        keep_records=False,
        limits=Limits(max_rules_bytes=1 << 62),
        progress=progress,
    )
    return report


def run(path: str, jobs: int) -> str:
    t0 = time.perf_counter()
    first: dict[str, float] = {}
    last: dict[str, float] = {}

    def progress(stage: str, done: int) -> None:
        t = time.perf_counter() - t0
        first.setdefault(stage, t)
        last[stage] = t

    report = streamed(path, jobs, progress)
    end = time.perf_counter() - t0
    c = report.counts()
    return (
        f"pass 1 {last['indexing']:.1f} s, set-up {first['checking'] - last['indexing']:.1f} s, "
        f"pass 2 {last['checking'] - first['checking']:.1f} s, "
        f"finish {end - last['checking']:.1f} s, total {end:.1f} s; "
        f"{c['error']} errors, {c['warning']} warnings, {c['info']} info"
    )


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    path = argv[0]
    jobs = int(argv[1]) if len(argv) > 1 else 2
    for _ in range(int(argv[2]) if len(argv) > 2 else 1):
        print(run(path, jobs), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
