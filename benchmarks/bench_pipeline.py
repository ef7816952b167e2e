"""Throughput and peak memory of the validation pipeline next to the JSON
parse floor, on realistic synthetic data (benchmarks/generate.py, seeded, 1%
planted rule errors), in one run:

    python benchmarks/bench_pipeline.py                  # 10k and 100k records
    python benchmarks/bench_pipeline.py 10000 100000 1000000   # ~1M: minutes, GBs
    python benchmarks/bench_pipeline.py 10000 --profile  # + cProfile of one run

For each size the dataset is generated once to a temporary JSON Lines file;
then each step runs in a fresh interpreter (so peak RSS, from
``getrusage(RUSAGE_SELF).ru_maxrss``, never carries over from an earlier
step), after its imports and before its work is timed:

* ``read lines``: iterate the file's lines (the I/O floor);
* ``json.loads``: parse every line with the stdlib (the parse floor);
* ``orjson.loads``: the same with orjson, if it is importable;
* ``validate, no rules``: ``validate_path(rules=False, standalone=True)``:
  names, schema and references, streamed;
* ``the same, --jobs 2``: the per-record stages on two processes;
* ``validate + rules``: ``validate_path(rules=True, standalone=True)``: the
  same on records kept in memory, then the consistency rules.

Each row gives records/s, the RSS when the step started (interpreter and
imports) and its peak, and the time as a multiple of ``json.loads``. Times
include first-use costs inside the step (compiling the JSON Schemas).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent

STEPS = {
    "lines": "read lines",
    "json": "json.loads",
    "orjson": "orjson.loads",
    "schema": "validate, no rules",
    "jobs2": "  the same, --jobs 2",
    "rules": "validate + rules",
}


def _rss_kib() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux


def measure(step: str, path: str) -> dict[str, object]:
    """Run one step on ``path`` in this process; its time, RSS and result."""
    extra: dict[str, int] = {}
    if step == "lines":
        start_rss, t = _rss_kib(), time.perf_counter()
        with open(path, "rb") as f:
            n = sum(1 for _ in f)
    elif step in ("json", "orjson"):
        loads: Callable[[bytes], Any] = json.loads
        if step == "orjson":
            import orjson

            loads = orjson.loads
        start_rss, t = _rss_kib(), time.perf_counter()
        n = 0
        with open(path, "rb") as f:
            for line in f:
                loads(line)
                n += 1
    else:
        from unionstate.io.read import Limits
        from unionstate.pipeline import validate_path

        # the rules run whatever the size: measure them, not the US009 fallback
        limits = Limits(max_rules_bytes=1 << 62)
        jobs = 2 if step == "jobs2" else 1
        start_rss, t = _rss_kib(), time.perf_counter()
        raw, report = validate_path(
            path, rules=step == "rules", standalone=True, limits=limits, jobs=jobs
        )
        n = raw.count
        extra = report.counts()
    seconds = time.perf_counter() - t
    return {"seconds": seconds, "n": n, "rss0": start_rss, "rss": _rss_kib(), **extra}


def _child(step: str, path: Path) -> dict[str, object]:
    out = subprocess.run(
        [sys.executable, __file__, "--measure", step, str(path)],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout)  # type: ignore[no-any-return]


def _have_orjson() -> bool:
    try:
        import orjson  # noqa: F401
    except ImportError:
        return False
    return True


def _generate(n: int, path: Path, seed: int, rate: float) -> tuple[float, int]:
    sys.path.insert(0, str(HERE))
    from generate import generate, write_jsonl

    t = time.perf_counter()
    records, planted = generate(n, seed=seed, error_rate=rate, kinds=("rules",))
    write_jsonl(records, path, bad_lines=planted)
    return time.perf_counter() - t, len(planted)


def _generate_apart(n: int, path: Path, seed: int, rate: float) -> tuple[float, int]:
    """Generate in a child process: ``ru_maxrss`` survives ``exec``, so a
    parent that grew while generating would lend its peak to every later
    child."""
    args = [sys.executable, __file__, "--generate", str(n), str(path)]
    args += ["--seed", str(seed), "--error-rate", str(rate)]
    out = subprocess.run(args, check=True, capture_output=True, text=True)
    secs, planted = json.loads(out.stdout)
    return float(secs), int(planted)


def _mib(kib: object) -> str:
    return f"{int(kib) / 1024:,.0f}"  # type: ignore[call-overload]


def bench(sizes: list[int], seed: int, rate: float) -> None:
    steps = [s for s in STEPS if s != "orjson" or _have_orjson()]
    results: Results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            path = Path(tmp) / f"synthetic-{n}.jsonl"
            gen_s, planted = _generate_apart(n, path, seed, rate)
            mb = path.stat().st_size / 1e6
            print(
                f"# {n:,} records, {mb:,.1f} MB, {planted} planted rule errors "
                f"(generated in {gen_s:.1f} s)",
                flush=True,
            )
            results[n] = {}
            for step in steps:
                results[n][step] = r = _child(step, path)
                print(f"#   {STEPS[step]:<20} {r['seconds']:8.2f} s", flush=True)
            path.unlink()
    _table(sizes, steps, results)


Results = dict[int, dict[str, dict[str, object]]]


def _table(sizes: list[int], steps: list[str], res: Results) -> None:
    cols = "  ".join(f"{f'{n:,} records':^40}" for n in sizes)
    sub = "  ".join(f"{'rec/s':>11} {'RSS0 MiB':>8} {'peak MiB':>8} {'x json':>8}" for _ in sizes)
    print()
    print(f"{'':<20}  {cols}")
    print(f"{'step':<20}  {sub}")
    for step in steps:
        cells = []
        for n in sizes:
            r, floor = res[n][step], res[n]["json"]
            secs = float(r["seconds"])  # type: ignore[arg-type]
            ratio = secs / float(floor["seconds"])  # type: ignore[arg-type]
            cells.append(
                f"{n / secs:>11,.0f} {_mib(r['rss0']):>8} {_mib(r['rss']):>8} {ratio:>7.1f}x"
            )
        print(f"{STEPS[step]:<20}  {'  '.join(cells)}")
    for n in sizes:
        c = res[n]["rules"]
        print(
            f"({n:,}: validate + rules reported {c.get('error')} errors, "
            f"{c.get('warning')} warnings, {c.get('info')} info)"
        )


def profile(n: int, seed: int, rate: float, top: int) -> None:
    import cProfile
    import pstats

    from unionstate.pipeline import validate_path

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "profile.jsonl"
        _generate(n, path, seed, rate)
        validate_path(path, rules=True, standalone=True)  # warm: schemas compiled
        prof = cProfile.Profile()
        prof.enable()
        validate_path(path, rules=True, standalone=True)
        prof.disable()
    stats = pstats.Stats(prof, stream=sys.stdout)
    print(f"\n# cProfile of validate_path(rules=True) on {n:,} records (warm)")
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("sizes", nargs="*", type=int, default=[10_000, 100_000])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--error-rate", type=float, default=0.01)
    ap.add_argument("--profile", action="store_true", help="also profile the first size")
    ap.add_argument("--top", type=int, default=15, help="functions shown by --profile")
    ap.add_argument("--measure", nargs=2, metavar=("STEP", "PATH"), help=argparse.SUPPRESS)
    ap.add_argument("--generate", nargs=2, metavar=("N", "PATH"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.measure:
        print(json.dumps(measure(*args.measure)))
        return 0
    if args.generate:
        n, path = args.generate
        print(json.dumps(_generate(int(n), Path(path), args.seed, args.error_rate)))
        return 0
    bench(args.sizes, args.seed, args.error_rate)
    if args.profile:
        profile(args.sizes[0], args.seed, args.error_rate, args.top)
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    sys.exit(main())
