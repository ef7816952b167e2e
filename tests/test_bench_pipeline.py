"""The benchmark's two-process schema floor reads every line exactly once,
wherever the middle of the file falls (not a timed test: it checks what the
benchmark counts, not how fast)."""

from __future__ import annotations

import json
from pathlib import Path
from types import ModuleType

import pytest

from _generator import load_benchmark, load_generator


def _bench() -> ModuleType:
    return load_benchmark("bench_pipeline")


def _lines(n: int) -> list[bytes]:
    records, _ = load_generator().generate(n, seed=3, error_rate=0.0, kinds=("rules",))
    return [json.dumps(r).encode() + b"\n" for r in records]


@pytest.mark.parametrize("shape", ["generated", "middle-at-a-line-start", "one-line"])
@pytest.mark.parametrize("formats", [True, False])
def test_floor_on_two_processes_counts_every_line_once(
    tmp_path: Path, shape: str, formats: bool
) -> None:
    lines = _lines(200)
    if shape == "middle-at-a-line-start":
        # two lines of the same length: the middle byte is the second's first
        lines = [lines[1], lines[1]]
    elif shape == "one-line":
        lines = lines[1:2]
    path = tmp_path / "f.jsonl"
    path.write_bytes(b"".join(lines))
    if shape == "middle-at-a-line-start":
        assert path.stat().st_size // 2 == len(lines[0])
    bench = _bench()
    two = bench._floor_two(str(path), formats=formats)
    assert two["n"] == len(lines)
    one = bench.measure("floor" if formats else "floor-nofmt", str(path))
    assert one["n"] == len(lines)


def test_floor_on_two_processes_fails_loudly_when_the_second_fails(tmp_path: Path) -> None:
    lines = _lines(200)
    lines[-1] = b'{"type": "no-such-type"}\n'  # a KeyError in the second process only
    path = tmp_path / "f.jsonl"
    path.write_bytes(b"".join(lines))
    with pytest.raises(RuntimeError, match="the second process failed"):
        _bench()._floor_two(str(path), formats=True)
