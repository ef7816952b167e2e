"""Where a streamed run's memory goes, stage by stage and rule by rule:

    python benchmarks/bench_stage_memory.py FILE.jsonl [JOBS]

Runs ``validate_path(FILE, keep_records=False)`` with every rule
(standalone, the rules' size limit lifted) on JOBS processes (default 2),
sampling every 50 ms the resident size (RSS) of this process and of the
whole process tree (its workers included; shared pages counted twice), and
prints the peak of each stage: pass 1 (``indexing``), pass 2
(``checking``), the set-up of the rules (``rules``: the columns joined,
records set aside) and each rule in turn. Generate a file with
``benchmarks/generate.py``.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from typing import Any

from bench_phases import streamed

from unionstate.checks import _registry

MiB = 1 << 20


def rss(pid: int) -> int:
    """The resident size of process ``pid`` in bytes (0 once it is gone)."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def descendants(pid: int) -> list[int]:
    """Every process below ``pid``."""
    found: list[int] = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children", encoding="ascii") as f:
                found += [int(x) for x in f.read().split()]
    except OSError:
        pass
    return found + [d for k in found for d in descendants(k)]


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    path, jobs = argv[0], int(argv[1]) if len(argv) > 1 else 2
    stage = ["start"]
    peaks: dict[str, tuple[int, int]] = {}
    stop = threading.Event()

    def sample() -> None:
        me = os.getpid()
        while not stop.is_set():
            main_rss = rss(me)
            tree = main_rss + sum(rss(k) for k in descendants(me))
            a, b = peaks.get(stage[0], (0, 0))
            peaks[stage[0]] = (max(a, main_rss), max(b, tree))
            time.sleep(0.05)

    findings = _registry.Rule.findings

    def tracked(self: _registry.Rule, *args: Any) -> Any:
        stage[0] = f"rule {self.code}"
        return findings(self, *args)

    _registry.Rule.findings = tracked  # type: ignore[method-assign,assignment]
    t0 = time.perf_counter()

    def progress(name: str, done: int) -> None:
        stage[0] = name

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    report = streamed(path, jobs, progress)
    stage[0] = "after"
    time.sleep(0.2)
    stop.set()
    sampler.join()
    c = report.counts()
    print(
        f"{time.perf_counter() - t0:.1f} s; {c['error']} errors, {c['warning']} warnings, "
        f"{c['info']} info"
    )
    print("| stage | main process, peak MiB | tree, peak MiB |\n|---|---:|---:|")
    for name, (a, b) in peaks.items():
        print(f"| {name} | {a // MiB:,} | {b // MiB:,} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
