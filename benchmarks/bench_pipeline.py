"""Throughput and peak memory of ``unionstate validate`` next to the JSON
parse floor, on realistic synthetic data (benchmarks/generate.py, seeded, 1%
planted rule errors), in one run:

    python benchmarks/bench_pipeline.py                  # 10k and 100k records
    python benchmarks/bench_pipeline.py 10000 100000 1000000   # + 1M: ~20 min
    python benchmarks/bench_pipeline.py 10000 --profile  # + cProfile of one run

For each size the dataset is generated once to a temporary JSON Lines file;
then each step runs in a fresh process:

* ``read lines``: iterate the file's lines (the I/O floor);
* ``json.loads``: parse every line with the stdlib (the parse floor of
  this pipeline);
* ``orjson.loads``: the same with orjson, if it is importable;
* ``schema floor``: orjson's parse (json's without it) and the compiled
  schema check unionstate uses (jsonschema-rs, with its ``edtf`` and ``uri``
  format checks as Python callbacks) of every line, on one process: the
  least a per-record stage built on jsonschema-rs from Python can cost;
* ``schema floor, no formats``: the same without the format checks, what
  it would cost with the formats checked natively;
* ``schema floor -j2``: the schema floor on two processes, measured, not
  computed: the file split at the first line that starts after its middle
  byte, each half parsed and checked by one process (the second forked
  after the validators are built), timed from before the fork until both
  are done. Its memory is the two processes' peak RSS summed (shared pages
  counted twice). No pipeline on jsonschema-rs called from Python, which
  this row does nothing but, can be faster on two processes;
* ``schema floor, no formats -j2``: the same without the format checks;
* ``CLI --no-rules``: ``unionstate validate FILE --standalone --no-rules
  --jobs 1``: names, schema and references, streamed;
* ``CLI --no-rules -j2``: the same on two processes;
* ``CLI all rules``: ``unionstate validate FILE --standalone --jobs 1``:
  names, schema, references and every consistency rule, streamed (each
  record read twice, only ids, names and the rules' columns held);
* ``CLI all rules -j2``: the same on two processes (the default here);
* ``API in memory``: ``validate_path(rules=True, keep_records=True)``, which
  holds every record (run up to 200,000 records only).

The CLI runs get ``--max-rules-bytes`` high enough that the rules always
run. Each row gives records/s, the peak memory and the time as a multiple
of ``json.loads``. Memory: for in-process steps the peak RSS
(``getrusage``); for CLI runs the peak of the summed PSS of the whole process
tree (workers' shared pages counted once, sampled from
``/proc/PID/smaps_rollup`` every 0.1 s for 5 s, then every second, since
sampling costs the measured processes time) and, apart, the main process's
peak RSS. Times
include start-up and first-use costs (imports, compiling the JSON Schemas).
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
    "floor": "schema floor",
    "floor-nofmt": "schema floor, no formats",
    "floor2": "schema floor -j2",
    "floor2-nofmt": "schema floor, no formats -j2",
    "schema": "CLI --no-rules",
    "schema2": "CLI --no-rules -j2",
    "rules": "CLI all rules",
    "rules2": "CLI all rules -j2",
    "memory": "API in memory",
}
#: The width of the steps' names in the output.
W = max(map(len, STEPS.values()))
#: The CLI's arguments of each CLI step.
CLI = {
    "schema": ["--no-rules", "--jobs", "1"],
    "schema2": ["--no-rules", "--jobs", "2"],
    "rules": ["--jobs", "1"],
    "rules2": ["--jobs", "2"],
}
#: Sizes above this skip the in-memory step (about 5 kB a record).
MEMORY_STEP_MAX = 200_000


def _rss_kib() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux


def measure(step: str, path: str) -> dict[str, object]:
    """Run one in-process step on ``path``; its time, peak RSS and result."""
    extra: dict[str, int] = {}
    if step == "lines":
        t = time.perf_counter()
        with open(path, "rb") as f:
            n = sum(1 for _ in f)
    elif step in ("json", "orjson"):
        loads: Callable[[bytes], Any] = json.loads
        if step == "orjson":
            import orjson

            loads = orjson.loads
        t = time.perf_counter()
        n = 0
        with open(path, "rb") as f:
            for line in f:
                loads(line)
                n += 1
    elif step in ("floor", "floor-nofmt"):
        check = _schema_checks(formats=step == "floor")
        try:
            import orjson

            loads = orjson.loads
        except ImportError:
            loads = json.loads
        t = time.perf_counter()
        n = 0
        with open(path, "rb") as f:
            for line in f:
                data = loads(line)
                check[data["type"]](data)
                n += 1
    elif step in ("floor2", "floor2-nofmt"):
        return _floor_two(path, formats=step == "floor2")
    else:
        from unionstate.io.read import Limits
        from unionstate.pipeline import validate_path

        limits = Limits(max_rules_bytes=1 << 62)  # measure the rules, not US009
        t = time.perf_counter()
        raw, report = validate_path(path, standalone=True, limits=limits, keep_records=True)
        n = raw.count
        extra = report.counts()
    seconds = time.perf_counter() - t
    return {"seconds": seconds, "n": n, "pss": _rss_kib(), "main": _rss_kib(), **extra}


def _floor_part(path: str, start: int, end: int, check: dict[str, Callable[[Any], bool]]) -> int:
    """Parse and schema-check the lines that start in ``[start, end)``."""
    try:
        import orjson

        loads: Callable[[bytes], Any] = orjson.loads
    except ImportError:
        loads = json.loads
    n = 0
    with open(path, "rb") as f:
        f.seek(start)
        pos = start
        for line in f:
            if pos >= end:
                break
            pos += len(line)
            data = loads(line)
            check[data["type"]](data)
            n += 1
    return n


def _floor_two(path: str, *, formats: bool) -> dict[str, object]:
    """The schema floor on two processes: this one and a forked one, each
    taking one half of the file (split at a line's start)."""
    check = _schema_checks(formats=formats)
    size = os.path.getsize(path)
    with open(path, "rb") as f:
        f.seek(size // 2)
        f.readline()  # to the start of the next line
        middle = f.tell()
    read_end, write_end = os.pipe()
    t = time.perf_counter()
    pid = os.fork()
    if pid == 0:  # the second process: the second half
        os.close(read_end)
        code = 1
        try:
            n = _floor_part(path, middle, size, check)
            os.write(write_end, json.dumps([n, _rss_kib()]).encode())
            code = 0
        finally:
            os._exit(code)
    os.close(write_end)
    n = _floor_part(path, 0, middle, check)
    with os.fdopen(read_end, "rb") as r:
        other = r.read()
    _, status = os.waitpid(pid, 0)
    seconds = time.perf_counter() - t
    if status != 0 or not other:
        raise RuntimeError(f"schema floor -j2: the second process failed ({status})")
    n2, rss2 = json.loads(other)
    return {"seconds": seconds, "n": n + int(n2), "pss": _rss_kib() + int(rss2), "main": _rss_kib()}


def _schema_checks(*, formats: bool) -> dict[str, Callable[[Any], bool]]:
    """The compiled ``is_valid`` of each record type (and of the header,
    ``"dataset"``), as the pipeline builds them, or without format checks."""
    from unionstate.model import RECORD_TYPES
    from unionstate.schema import _fast, all_schemas

    names = {t: t for t in RECORD_TYPES} | {"dataset": "dataset-info"}
    if formats:
        return {t: _fast(name) for t, name in names.items()}
    import jsonschema_rs

    return {
        t: jsonschema_rs.validator_for(all_schemas()[name], validate_formats=False).is_valid
        for t, name in names.items()
    }


def _tree(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as f:
                    todo.extend(int(c) for c in f.read().split())
        except OSError:
            continue
    return out


def _kib(pid: int, field: str) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def run_cli(step: str, path: Path) -> dict[str, object]:
    """Run ``unionstate validate`` for a CLI step; time, peak tree PSS, peak
    main RSS and the summary counts."""
    exe = Path(sys.executable).with_name("unionstate")
    args = [str(exe), "validate", str(path), "--standalone", "--max-rules-bytes", "1000G"]
    with tempfile.TemporaryFile("w+") as report:  # a pipe would fill up and block
        t = time.perf_counter()
        proc = subprocess.Popen([*args, *CLI[step]], stdout=report, stderr=subprocess.DEVNULL)
        pss = main = 0
        while proc.poll() is None:
            pss = max(pss, sum(_kib(p, "Pss") for p in _tree(proc.pid)))
            main = max(main, _kib(proc.pid, "Rss"))
            # reading smaps_rollup walks the page tables of the measured
            # processes: sample often only at the start, then once a second
            time.sleep(0.1 if time.perf_counter() - t < 5 else 1.0)
        seconds = time.perf_counter() - t
        report.seek(0)
        lines = report.read().strip().splitlines()
        last = next((x for x in reversed(lines) if " records in " in x), lines[-1])
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"{step}: exit {proc.returncode}: {last}")
    # "N records in 1 file(s): E error(s), W warning(s), I info, X excepted"
    words = last.replace(",", "").split()
    counts = {"error": int(words[-8]), "warning": int(words[-6]), "info": int(words[-4])}
    return {"seconds": seconds, "n": int(words[0]), "pss": pss, "main": main, **counts}


def _child(step: str, path: Path) -> dict[str, object]:
    if step in CLI:
        return run_cli(step, path)
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
                if step == "memory" and n > MEMORY_STEP_MAX:
                    continue
                results[n][step] = r = _child(step, path)
                print(f"#   {STEPS[step]:<{W}} {r['seconds']:8.2f} s", flush=True)
            path.unlink()
    _table(sizes, steps, results)


Results = dict[int, dict[str, dict[str, object]]]


def _table(sizes: list[int], steps: list[str], res: Results) -> None:
    cols = "  ".join(f"{f'{n:,} records':^38}" for n in sizes)
    sub = "  ".join(f"{'rec/s':>10} {'peak MiB':>8} {'main MiB':>8} {'x json':>8}" for _ in sizes)
    print()
    print(f"{'step':<{W}}  {cols}")
    print(f"{'':<{W}}  {sub}")
    for step in steps:
        cells = []
        for n in sizes:
            if step not in res[n]:
                cells.append(f"{'(skipped)':>38}")
                continue
            r, floor = res[n][step], res[n]["json"]
            secs = float(r["seconds"])  # type: ignore[arg-type]
            ratio = secs / float(floor["seconds"])  # type: ignore[arg-type]
            cells.append(
                f"{n / secs:>10,.0f} {_mib(r['pss']):>8} {_mib(r['main']):>8} {ratio:>7.1f}x"
            )
        print(f"{STEPS[step]:<{W}}  {'  '.join(cells)}")
    for n in sizes:
        for step in ("rules2", "memory"):
            if step in res[n]:
                c = res[n][step]
                print(
                    f"({n:,}: {STEPS[step]} reported {c.get('error')} errors, "
                    f"{c.get('warning')} warnings, {c.get('info')} info)"
                )


def profile(n: int, seed: int, rate: float, top: int) -> None:
    import cProfile
    import pstats

    from unionstate.pipeline import validate_path

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "profile.jsonl"
        _generate(n, path, seed, rate)
        validate_path(path, standalone=True, keep_records=False)  # warm: schemas compiled
        prof = cProfile.Profile()
        prof.enable()
        validate_path(path, standalone=True, keep_records=False)
        prof.disable()
    stats = pstats.Stats(prof, stream=sys.stdout)
    print(f"\n# cProfile of the CLI's streamed run with rules on {n:,} records (warm)")
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
