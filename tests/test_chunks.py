"""The per-record stages over chunks: splitting at line boundaries, and a run
on several processes that reports exactly what one process reports."""

from __future__ import annotations

import functools
import itertools
import logging
import os
import time
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from _generator import load_generator
from unionstate import chunks
from unionstate.chunks import Chunk, plan
from unionstate.io.read import collector_paused
from unionstate.pipeline import validate_path
from unionstate.report import Report

HOSTILE = Path(__file__).parent / "hostile"


def _as_tuples(report: Report) -> list[tuple[object, ...]]:
    return [
        (f.code, f.severity, f.file, f.line, f.record_id, f.pointer, f.message)
        for f in report.findings
    ]


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(st.binary(max_size=30).map(lambda b: b.replace(b"\n", b"")), max_size=40),
    st.integers(1, 9),
    st.integers(1, 50),
    st.booleans(),
)
def test_plan_covers_the_file_at_line_boundaries(
    tmp_path: Path, lines: list[bytes], parts: int, min_bytes: int, trailing: bool
) -> None:
    data = b"\n".join(lines) + (b"\n" if trailing and lines else b"")
    p = tmp_path / "f.jsonl"
    p.write_bytes(data)
    got = plan(p, parts, min_bytes=min_bytes)
    assert got[0].start == 0
    assert got[-1].end == len(data)
    assert all(a.end == b.start for a, b in itertools.pairwise(got))
    for c in got:
        assert c.start < c.end or len(data) == 0
        assert c.start == 0 or data[c.start - 1 : c.start] == b"\n"
        assert c.first_line == data[: c.start].count(b"\n") + 1
    assert len(got) <= max(1, parts)


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(chunks, "MIN_CHUNK_BYTES", 2_000)


@pytest.mark.parametrize("kinds", [("schema",), ("none",)])
def test_two_processes_report_what_one_reports(
    tmp_path: Path, small_chunks: None, kinds: tuple[str, ...]
) -> None:
    gen = load_generator()
    records, planted = gen.generate(3_000, seed=7, error_rate=0.01, kinds=kinds)
    path = tmp_path / "g.jsonl"
    gen.write_jsonl(records, path, gen.header(), bad_lines=planted)
    assert len(plan(path, 8)) > 2
    _, one = validate_path(path, rules=False, standalone=True, jobs=1, keep_records=False)
    raw, two = validate_path(path, rules=False, standalone=True, jobs=2, keep_records=False)
    assert _as_tuples(two) == _as_tuples(one)
    assert (two.records, two.files, dict(two.suppressed)) == (
        one.records,
        one.files,
        dict(one.suppressed),
    )
    assert raw.header is not None
    if kinds == ("schema",):
        assert {f.code for f in one.findings} >= {"US001", "US010", "US020", "US021"}


def test_one_process_reads_in_chunks_and_reports_what_the_whole_file_gives(
    tmp_path: Path, small_chunks: None
) -> None:
    """``--jobs 1`` reads a JSON Lines file a chunk at a time, as two
    processes do, and its findings, rules included, are those of the whole
    file read at once (``keep_records=True``)."""
    gen = load_generator()
    records, planted = gen.generate(3_000, seed=11, error_rate=0.01, kinds=("rules", "schema"))
    path = tmp_path / "g.jsonl"
    gen.write_jsonl(records, path, gen.header(), bad_lines=planted)
    seen: list[str] = []
    real = chunks.index_part

    def index_part(part: Any, *args: Any, **kwargs: Any) -> Any:
        seen.append(type(part).__name__)
        return real(part, *args, **kwargs)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(chunks, "index_part", index_part)
        _, chunked = validate_path(path, standalone=True, jobs=1, keep_records=False)
    _, whole = validate_path(path, standalone=True, keep_records=True)
    assert len(seen) > 2
    assert set(seen) == {"Chunk"}
    assert _as_tuples(chunked) == _as_tuples(whole)
    assert {f.code for f in whole.findings} >= {"US010", "US104", "US109"}


@pytest.mark.parametrize("name", sorted(p.name for p in HOSTILE.glob("*.jsonl")))
def test_hostile_json_lines_in_chunks(
    name: str, tmp_path: Path, small_chunks: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(chunks, "MIN_CHUNK_BYTES", 1)
    path = HOSTILE / name
    one = validate_path(path, rules=False, jobs=1, keep_records=False)[1]
    two = validate_path(path, rules=False, jobs=3, keep_records=False)[1]
    assert _as_tuples(two) == _as_tuples(one)


def test_a_chunk_is_read_in_bounded_pieces(tmp_path: Path) -> None:
    """A chunk holding one huge line still respects --max-record-bytes."""
    from unionstate.io.read import Limits

    p = tmp_path / "f.jsonl"
    p.write_bytes(b'{"a": "' + b"x" * 3_000_000 + b'"}\n{"type": "alien"}\n')
    found = chunks.index_part(
        Chunk(str(p), 0, p.stat().st_size, 1), Limits(max_record_bytes=1_000_000)
    )
    assert [f.code for f in found.raw.findings] == ["US008"]
    assert found.raw.count == 1


def _square_where(x: int) -> tuple[int, int]:
    return x * x, os.getpid()


@pytest.mark.parametrize("jobs", [1, 2, 3])
def test_run_map_uses_this_process_too_and_delivers_in_order(jobs: int) -> None:
    """The main process takes tasks as well (jobs - 1 workers); the results
    and the ``done`` calls come in task order whoever ran them; a result
    handed to ``done`` is not kept."""
    seen: list[tuple[int, tuple[int, int]]] = []
    out = chunks.run_map(_square_where, range(23), jobs, done=lambda n, r: seen.append((n, r)))
    assert out == [None] * 23
    assert [(n, r[0]) for n, r in seen] == [(n + 1, n * n) for n in range(23)]
    assert [r[0] for r in chunks.run_map(_square_where, range(23), jobs)] == [
        x * x for x in range(23)
    ]
    pids = {r[1] for _, r in seen}
    assert os.getpid() in pids, "this process ran tasks too"
    assert (len(pids) > 1) is (jobs > 1), "and the workers ran the rest"


def _fail_on_seven(x: int) -> int:
    if x == 7:
        raise ValueError("seven")
    return x


@pytest.mark.parametrize("jobs", [1, 2])
def test_run_map_raises_what_a_task_raises(jobs: int) -> None:
    with pytest.raises(ValueError, match="seven"):
        chunks.run_map(_fail_on_seven, range(12), jobs)


def test_a_large_file_is_cut_into_chunks_of_about_8_mib() -> None:
    """Four chunks a process at least; a large file in chunks of about
    TARGET_CHUNK_BYTES, so that no process waits long for another's last
    chunk and a chunk's working memory stays small."""
    mib = 1 << 20
    assert chunks.TARGET_CHUNK_BYTES == 8 << 20
    assert chunks.parts_for(10 * mib, 2) == 8
    assert chunks.parts_for(64 * mib, 2) == 8
    assert chunks.parts_for(64 * mib + 1, 2) == 9
    assert chunks.parts_for(591 * mib, 2) == 74
    assert chunks.parts_for(591 * mib, 32) == 128
    # one process waits for no other: chunks of about 32 MiB
    assert chunks.ONE_PROCESS_CHUNK_BYTES == 32 << 20
    assert chunks.parts_for(10 * mib, 1) == 4
    assert chunks.parts_for(591 * mib, 1) == 19


def _busy_here(main: int, marks: str, x: int) -> int:
    """In process ``main``: busy until the other eleven tasks are done (a
    minute at most). In a worker: done at once, leaving a mark."""
    if os.getpid() == main:
        deadline = time.monotonic() + 60.0
        while len(os.listdir(marks)) < 11 and time.monotonic() < deadline:
            time.sleep(0.05)
    else:
        with open(os.path.join(marks, str(x)), "w"):
            pass
    return os.getpid()


def test_run_map_feeds_the_workers_while_this_process_is_busy(tmp_path: Path) -> None:
    """A worker takes its next task when it finishes one, not when this
    process comes back from a task of its own: while this process is busy
    with one task, the worker runs the other 11 (before, it ran two, then
    waited). This process waits for the worker's marks rather than a fixed
    time, so a slow start of the worker on a loaded machine does not count."""
    marks = tmp_path / "marks"
    marks.mkdir()
    out = chunks.run_map(functools.partial(_busy_here, os.getpid(), str(marks)), range(12), 2)
    assert out.count(os.getpid()) == 1


class _InlinePool:
    """A stand-in for the process pool whose tasks are done when submitted."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        pass

    def __enter__(self) -> _InlinePool:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def submit(self, fn: Any, *args: Any) -> Future[Any]:
        f: Future[Any] = Future()
        f.set_result(fn(*args))
        return f


def test_run_map_copes_with_tasks_done_as_soon_as_submitted(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A task can finish before its callback is attached (the callback then
    runs at once): the next tasks are handed out in a loop, not by nested
    callbacks that would overflow the stack on many small tasks."""
    monkeypatch.setattr(chunks, "ProcessPoolExecutor", _InlinePool)
    with caplog.at_level(logging.ERROR, logger="concurrent.futures"):
        out = chunks.run_map(_square_where, range(3000), 2)
    assert [r[0] for r in out] == [x * x for x in range(3000)]
    assert not caplog.records, caplog.records[:1]


def _logged_fail(main: int, log: str, x: int) -> int:
    with open(log, "a") as f:
        f.write(f"{x}\n")
    if os.getpid() == main:
        raise ValueError("here")
    time.sleep(0.05)
    return x


def test_run_map_stops_feeding_the_workers_after_an_error(tmp_path: Path) -> None:
    """When a task fails, the workers get no new task: the run ends soon,
    not after every remaining task."""
    fail = functools.partial(_logged_fail, os.getpid(), str(tmp_path / "log"))
    with pytest.raises(ValueError, match="here"):
        chunks.run_map(fail, range(200), 2)
    ran = (tmp_path / "log").read_text().split()
    assert len(ran) < 20


def test_a_chunked_run_shows_each_stage_at_once(tmp_path: Path) -> None:
    """With --jobs the first chunk comes back only when done: the progress
    display learns of each stage as it starts, then counts up in order."""
    records, planted = load_generator().generate(300, seed=5, error_rate=0.0, kinds=("rules",))
    path = tmp_path / "d.jsonl"
    load_generator().write_jsonl(records, path, bad_lines=planted)
    seen: list[tuple[str, int]] = []
    validate_path(
        path,
        standalone=True,
        keep_records=False,
        jobs=2,
        progress=lambda stage, n: seen.append((stage, n)),
    )
    assert seen[0] == ("indexing", 0)
    stages = [s for s, _ in seen]
    assert stages.index("checking") > stages.index("indexing")
    assert ("checking", 0) in seen
    for stage in ("indexing", "checking"):
        counts = [n for s, n in seen if s == stage]
        assert counts == sorted(counts)


def _pipe_size(pool: Any) -> int:
    import fcntl

    return int(fcntl.fcntl(pool._result_queue._reader.fileno(), fcntl.F_GETPIPE_SZ))


@pytest.mark.parametrize("running", [True, False])
def test_reading_a_part_leaves_the_cycle_collector_as_it_found_it(
    tmp_path: Path, running: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The collector is paused while a part is read (the records are freed by
    reference counting), and is as the caller left it afterwards, even when
    what runs inside fails: running again, or still off."""
    import gc

    from unionstate import pipeline

    during: list[bool] = []  # the collector's state whenever a file is read

    def watched(read: Any) -> Any:
        def reading(*args: Any, **kw: Any) -> Any:
            during.append(gc.isenabled())
            return read(*args, **kw)

        return reading

    monkeypatch.setattr(chunks, "read", watched(chunks.read))
    monkeypatch.setattr(pipeline, "read", watched(pipeline.read))
    p = tmp_path / "d.json"
    p.write_text('[{"type": "person", "id": "person/a"}]', encoding="utf-8")
    was = gc.isenabled()
    try:
        gc.enable() if running else gc.disable()
        assert chunks.index_part(str(p)).ids["id"].to_list() == ["person/a"]
        assert gc.isenabled() is running
        raw, _ = validate_path(str(p), standalone=True)  # held in memory, rules run
        assert [r.data["id"] for r in raw.records] == ["person/a"]
        assert gc.isenabled() is running
        assert during == [False, False]  # index_part, then the run in memory
        inside: list[bool] = []

        def failing_stage() -> None:
            with collector_paused():
                inside.append(gc.isenabled())
                raise RuntimeError("a stage that fails")

        with pytest.raises(RuntimeError):
            failing_stage()
        assert inside == [False]
        assert gc.isenabled() is running
    finally:
        gc.enable() if was else gc.disable()
