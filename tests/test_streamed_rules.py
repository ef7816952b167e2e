"""The streamed run with rules (``validate_path(keep_records=False)``, what
``unionstate validate`` does) reports exactly what the in-memory run does:
the small records are held once and the events and statements checked a shard
at a time (unionstate.checks.sharded), the file read twice."""

from __future__ import annotations

import gc
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from _generator import load_generator
from unionstate import chunks
from unionstate.checks import sharded
from unionstate.dataset import data_dir
from unionstate.pipeline import validate_path

gen = load_generator()
ROOT = Path(__file__).resolve().parent.parent
HOSTILE = Path(__file__).parent / "hostile"


JOBS = [0]


def both(path: Path, **kw: Any) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The findings of the in-memory and the streamed run (in chunks on
    ``JOBS[0]`` processes when set)."""
    raw_a, a = validate_path(path, max_findings=None, **kw)
    jobs = {"jobs": JOBS[0]} if JOBS[0] else {}
    raw_b, b = validate_path(path, max_findings=None, keep_records=False, **jobs, **kw)
    assert (a.records, a.files) == (b.records, b.files)
    assert raw_a.count == raw_b.count
    assert raw_b.records == []
    return [f.to_dict() for f in a.findings], [f.to_dict() for f in b.findings]


@pytest.fixture(
    params=[(3, 0), (10_000, 0), (3, 2), (10_000, 3)],
    ids=["shards-of-3", "one-shard", "shards-of-3-chunks-on-2", "one-shard-chunks-on-3"],
)
def shard_size(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[int]:
    """Shards of 3 or 10,000 records, in one stream or in chunks of about
    2 kB on several processes (unionstate.chunks)."""
    size, jobs = request.param
    monkeypatch.setattr(sharded, "SHARD_SIZE", size)
    monkeypatch.setattr(chunks, "MIN_CHUNK_BYTES", 2048)
    JOBS[0] = jobs
    yield size
    JOBS[0] = 0


@pytest.mark.parametrize(
    ("seed", "family"), [(21, "rules"), (22, "schema"), (23, "all"), (24, "none")]
)
def test_generated_data(tmp_path: Path, shard_size: int, seed: int, family: str) -> None:
    records, planted = gen.generate(1500, seed=seed, error_rate=0.02, kinds=(family,))
    path = tmp_path / "d.jsonl"
    gen.write_jsonl(records, path, bad_lines=planted)
    memory, streamed = both(path, standalone=True)
    assert streamed == memory
    codes = {f["code"] for f in streamed}
    if family == "rules":
        assert {"US103", "US104", "US109"} <= codes
    if family in ("schema", "all"):
        assert "US007" in codes, "rules skipped after schema errors"


def test_the_canonical_data(shard_size: int) -> None:
    memory, streamed = both(data_dir())
    assert streamed == memory
    assert any(f.get("excepted") for f in streamed)


@pytest.mark.parametrize("name", ["my-meetings.jsonl", "my-meetings-fixed.jsonl", "valid.jsonl"])
def test_third_party_data_against_the_canonical(shard_size: int, name: str) -> None:
    path = ROOT / "docs" / "examples" / name
    memory, streamed = both(path)
    assert streamed == memory
    if name == "my-meetings-fixed.jsonl":  # checked against the canonical tenures
        assert any(f["code"] == "US104" for f in streamed)


@pytest.mark.parametrize(
    "kw",
    [
        {"as_of": "2019-01-01"},
        {"select": ("US104",)},
        {"ignore": ("US1",)},
        {"select": ("US10",), "ignore": ("holds-office",)},
    ],
)
def test_options(tmp_path: Path, shard_size: int, kw: dict[str, Any]) -> None:
    records, planted = gen.generate(1000, seed=25, error_rate=0.02, kinds=("rules",))
    path = tmp_path / "d.jsonl"
    gen.write_jsonl(records, path, bad_lines=planted)
    memory, streamed = both(path, standalone=True, **kw)
    assert streamed == memory


@pytest.mark.parametrize(
    "name", sorted(p.name for p in HOSTILE.iterdir() if p.name != "expected.json")
)
def test_hostile_inputs(name: str, shard_size: int) -> None:
    memory, streamed = both(HOSTILE / name, standalone=True)
    assert streamed == memory


def test_a_bad_pattern_is_refused_before_reading(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="US999"):
        validate_path(tmp_path / "missing.jsonl", select=("US999",), keep_records=False)


@pytest.mark.parametrize("jobs", [1, 2])
def test_garbage_collection_is_left_as_it_was(tmp_path: Path, shard_size: int, jobs: int) -> None:
    """The run freezes long-lived objects and collects less often; both are
    undone when it returns."""
    records, _ = gen.generate(800, seed=26, error_rate=0.0, kinds=("none",))
    path = tmp_path / "d.jsonl"
    gen.write_jsonl(records, path)
    before = gc.get_threshold()
    validate_path(path, standalone=True, keep_records=False, jobs=jobs)
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 10**6),
    n=st.integers(gen.MIN_RECORDS, 500),
    kind=st.sampled_from(["none", "rules", "schema", *gen.ALL_KINDS]),
    size=st.integers(1, 60),
)
def test_any_generated_dataset(seed: int, n: int, kind: str, size: int) -> None:
    """Random seeds, sizes, planted kinds and shard sizes: the streamed run
    reports what the in-memory run does."""
    records, planted = gen.generate(n, seed=seed, error_rate=0.03, kinds=(kind,))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "d.jsonl"
        gen.write_jsonl(records, path, bad_lines=planted)
        old = sharded.SHARD_SIZE
        sharded.SHARD_SIZE = size
        try:
            memory, streamed = both(path, standalone=True)
        finally:
            sharded.SHARD_SIZE = old
    assert streamed == memory


def test_duplicate_ids_across_files_and_chunks(tmp_path: Path, shard_size: int) -> None:
    """The compact id index (unionstate.idindex) reports each repeat of an id
    at its own file and line, naming where the id was first used, as the
    in-memory run does: within a file, across the files of a directory, three
    times over, and across the chunks of one file."""
    person = (
        '{"type":"person","id":"person/%s","names":[{"value":"P","lang":"be"}],'
        '"sources":["source/s"]}\n'
    )
    source = '{"type":"source","id":"source/s","title":"S","publisher":"P","published":"2020"}\n'
    folder = tmp_path / "d"
    folder.mkdir()
    (folder / "a.jsonl").write_text(source + person % "a" + person % "b" + person % "a")
    (folder / "b.jsonl").write_text(person % "b" + person % "c" + person % "a")
    memory, streamed = both(folder, standalone=True)
    assert streamed == memory
    dups = [(f["file"], f["line"], f["message"]) for f in streamed if f["code"] == "US020"]
    assert len(dups) == 3
    assert all("is also used at" in m and "a.jsonl" in m for _, _, m in dups)
    one = tmp_path / "one.jsonl"  # chunks of about 2 kB: repeats land in other chunks
    one.write_text(source + "".join(person % f"p{k % 40}" for k in range(120)))
    memory, streamed = both(one, standalone=True)
    assert streamed == memory
    assert sum(f["code"] == "US020" for f in streamed) == 80
