"""The per-record stages as pure functions over chunks of JSON Lines, so they
run on every core (``unionstate validate --jobs N``) or on a cluster.

A large JSON Lines file is split at line boundaries into :class:`Chunk`s.
Validation then takes two passes, each a map over chunks:

1. :func:`index_chunk`: parse each line, keep the id, line and names of each
   record, and the reading findings (bad JSON, encodings, duplicate keys,
   oversized lines);
2. after the indexes are merged into small :class:`Tables` (every id, the
   canonical ids, the name index), :func:`check_chunk`: parse again, resolve
   names, check the schema and the references.

Both functions read only their chunk and their arguments and return plain
values, so the same code runs in a process pool here and, for instance, as
Dask tasks over a partitioned dataset with the tables broadcast
(docs/performance.md). The result is the same as a single-process run,
finding for finding (tested).
"""

from __future__ import annotations

import os
import sys
import threading
from array import array
from collections.abc import Callable, Container, Iterable
from concurrent.futures import Future, ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import attrs

from unionstate.checks._context import BULK_TYPES
from unionstate.checks.sharded import Partial, ShardBuffer, ShardedCheck
from unionstate.converter import structure_valid
from unionstate.io.read import Limits, RawDataset, RawRecord, read_jsonl_chunk
from unionstate.model import RECORD_TYPES, Record
from unionstate.references import Ref, refs_of
from unionstate.report import Finding, Severity
from unionstate.resolve import NameIndex, has_names, resolve_record
from unionstate.validate import check_record, reference_findings

_MiB = 1 << 20


@attrs.frozen
class Chunk:
    """Bytes ``start``..``end`` of a JSON Lines file; ``first_line`` is the
    number of its first line in the whole file."""

    path: str
    start: int
    end: int
    first_line: int


#: The smallest chunk worth a process of its own.
MIN_CHUNK_BYTES = 4 * _MiB

#: The size of chunk :func:`parts_for` aims at: small enough that no process
#: waits long for the last chunks of the others, and that a chunk's working
#: memory stays small, whatever the size of the file.
TARGET_CHUNK_BYTES = 8 * _MiB


def parts_for(size: int, jobs: int) -> int:
    """How many chunks to split ``size`` bytes into for ``jobs`` processes:
    at least four per process, and more for a large file so that each is
    about :data:`TARGET_CHUNK_BYTES`."""
    return max(4 * jobs, -(-size // TARGET_CHUNK_BYTES))


def plan(path: str | os.PathLike[str], parts: int, min_bytes: int | None = None) -> list[Chunk]:
    """Split a JSON Lines file into about ``parts`` chunks of at least
    ``min_bytes`` (default :data:`MIN_CHUNK_BYTES`) each, at line boundaries."""
    if min_bytes is None:
        min_bytes = MIN_CHUNK_BYTES
    p = Path(path)
    size = p.stat().st_size
    parts = max(1, min(parts, size // min_bytes or 1))
    cuts = [0]
    with p.open("rb") as f:
        for k in range(1, parts):
            f.seek(max(size * k // parts, cuts[-1]))
            f.readline()  # to the end of the line the cut fell in
            pos = f.tell()
            if pos >= size:
                break
            if pos > cuts[-1]:
                cuts.append(pos)
        cuts.append(size)
        # line numbers of the cuts: count the newlines before each
        firsts = [1]
        f.seek(0)
        done, lines = 0, 0
        for cut in cuts[1:-1]:
            while done < cut:
                block = f.read(min(_MiB, cut - done))
                lines += block.count(b"\n")
                done += len(block)
            firsts.append(lines + 1)
    return [Chunk(str(p), a, b, n) for a, b, n in zip(cuts, cuts[1:], firsts, strict=False)]


@attrs.frozen
class Index:
    """What pass 1 keeps of one chunk."""

    ids: list[str]  # the ids, in order
    lines: array[int]  # the line of each id (0: none); the file is the chunk's
    hot: list[str]  # the ids of the records that are not events or statements
    names: list[RawRecord]  # type, id and names of records that have names
    raw: RawDataset  # header, count and reading findings (no records)
    #: With ``small=True``: the records that are not events or statements,
    #: which the consistency rules hold whole (see :func:`settle`).
    small: list[RawRecord | Record] = attrs.field(factory=list)


def index_chunk(
    chunk: Chunk, limits: Limits | None = None, shown: str | None = None, small: bool = False
) -> Index:
    """Pass 1 over one chunk: ids, names and the reading findings (and the
    small records, with ``small``)."""
    ids: list[str] = []
    lines = array("q")
    hot: list[str] = []
    names: list[RawRecord] = []
    kept: list[RawRecord | Record] = []

    def keep(rec: RawRecord) -> None:
        is_small = rec.data.get("type") not in BULK_TYPES
        if small and is_small:
            kept.append(settle(rec))  # first: its id is then the shared copy
        rid = rec.data.get("id")
        if isinstance(rid, str):
            ids.append(rid)
            lines.append(rec.line or 0)
            if is_small:
                hot.append(rid)
        if isinstance(rec.data.get("names"), list):
            slim = {k: rec.data.get(k) for k in ("type", "id", "names")}
            names.append(RawRecord(slim, rec.file, rec.line))

    raw = read_jsonl_chunk(
        chunk.path, chunk.start, chunk.end, chunk.first_line, limits, keep, shown
    )
    return Index(ids, lines, hot, names, raw, kept)


def settle(rec: RawRecord) -> RawRecord | Record:
    """A small record for the rules, structured now when it can be (its
    references are all ids, so no name needs resolving, and it passes the
    schema), so that its raw form is not held as well; else as it is, to be
    resolved and checked once the names are known."""
    t = rec.data.get("type")
    if not isinstance(t, str) or t not in RECORD_TYPES:
        return rec
    share_strings(rec.data)
    if has_names(refs_of(t, rec.data)) or check_record(rec):
        return rec
    return structure_valid(rec.data)


#: Strings up to this length in the small records are shared (interned).
SHARED_MAX = 64


def share_strings(value: Any) -> Any:
    """``value`` (JSON) with every string of up to :data:`SHARED_MAX`
    characters replaced, in place, by one shared copy (``sys.intern``).
    The small records, held to the end of a run, repeat the same ids,
    dates and codes many times: this holds each once (-37% of their memory
    on 150,000 of them)."""
    if type(value) is str:
        return _share(value)
    if isinstance(value, dict):
        items: Iterable[tuple[Any, Any]] = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return value
    for k, v in items:  # values replaced in place; no key is added or removed
        if type(v) is str:
            value[k] = _share(v)
        elif isinstance(v, (dict, list)):
            share_strings(v)
    return value


def _share(s: str) -> str:
    return sys.intern(s) if len(s) <= SHARED_MAX else s


def share_record_strings(obj: Any) -> Any:
    """:func:`share_strings` for a structured record (in place, before it is
    used: a record that came from another process by pickle holds its own
    copies)."""
    cls = type(obj)
    for name in _slots(cls):
        v = getattr(obj, name)
        t = type(v)
        if t is str:
            object.__setattr__(obj, name, _share(v))
        elif t is tuple:
            if v:
                object.__setattr__(obj, name, tuple([_share_item(x) for x in v]))
        elif attrs.has(t):
            share_record_strings(v)
        elif t is dict and v:
            share_strings(v)
    return obj


def _share_item(x: Any) -> Any:
    if type(x) is str:
        return _share(x)
    return share_record_strings(x) if attrs.has(type(x)) else x


def _slots(cls: type[Any]) -> tuple[str, ...]:
    names = _SLOTS.get(cls)
    if names is None:
        names = _SLOTS[cls] = tuple(f.name for f in attrs.fields(cls))
    return names


_SLOTS: dict[type[Any], tuple[str, ...]] = {}


@attrs.frozen
class Tables:
    """The small tables every chunk of pass 2 needs: the dataset's ids, the
    canonical ids, the name index and, when the rules run, the check that
    holds the small records."""

    ids: Container[str]
    known: Container[str]
    names: NameIndex
    rules: ShardedCheck | None = None


@attrs.frozen
class Checked:
    """What pass 2 found in one chunk: the findings of names, schema and
    references, and what the rules found in its events and statements
    (``None`` without rules, or when the chunk holds an error, after which
    the rules do not run)."""

    findings: list[Finding]
    rules: Partial | None = None


def check_one(
    rec: RawRecord, names: NameIndex, is_known: Callable[[str], bool]
) -> tuple[list[Finding], list[Ref]]:
    """Pass 2 for one record: names resolved (in place), schema and
    references checked. Its findings, and its references (ids once resolved),
    found once for all of these."""
    t = rec.data.get("type")
    refs = refs_of(t, rec.data) if isinstance(t, str) and t in RECORD_TYPES else []
    found = resolve_record(rec, names, refs)
    found += check_record(rec)
    found += reference_findings(rec, is_known, refs)
    return found, refs


def check_chunk(
    chunk: Chunk, tables: Tables, limits: Limits | None = None, shown: str | None = None
) -> Checked:
    """Pass 2 over one chunk: names resolved, schema and references checked,
    and the rules run over its events and statements."""
    out: list[Finding] = []
    ids, known = tables.ids, tables.known
    buffer = ShardBuffer(None if tables.rules is None else tables.rules.branch())

    def is_known(i: str) -> bool:
        return i in ids or i in known

    def check(rec: RawRecord) -> None:
        found, refs = check_one(rec, tables.names, is_known)
        out.extend(found)
        buffer.offer(rec.data, refs, failed=any(f.severity is Severity.ERROR for f in found))

    read_jsonl_chunk(chunk.path, chunk.start, chunk.end, chunk.first_line, limits, check, shown)
    buffer.flush()
    return Checked(out, None if buffer.check is None else buffer.check.take())


# -- running on every core ------------------------------------------------------

_TABLES: Tables | None = None


def _init(tables: Tables | None) -> None:
    global _TABLES
    _TABLES = tables


Task = tuple[Chunk, Limits | None, str | None, bool]


def index_task(task: Task, tables: Tables | None = None) -> Index:
    """Pass 1 of one task (chunk, limits, file name shown, keep the small records)."""
    return index_chunk(*task)


def check_task(task: Task, tables: Tables | None = None) -> Checked:
    """Pass 2 of one task, with ``tables`` (or those installed in this
    worker process by the pool's initializer)."""
    tables = tables if tables is not None else _TABLES
    assert tables is not None
    return check_chunk(task[0], tables, task[1], task[2])


def process_mapper(jobs: int) -> Callable[..., list[Any]]:
    """A mapper for :func:`unionstate.pipeline.validate_chunks` on ``jobs``
    local processes; the tables reach each worker once, by its initializer."""

    def mapper(
        func: Callable[[Task], Any],
        tasks: list[Task],
        tables: Tables | None,
        done: Callable[[int, Any], None],
    ) -> list[Any]:
        return run_map(func, tasks, jobs, tables, done)

    return mapper


def default_jobs() -> int:
    """Every core this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def run_map(
    func: Callable[[Any], Any],
    items: Iterable[Any],
    jobs: int,
    tables: Tables | None = None,
    done: Callable[[int, Any], None] | None = None,
) -> list[Any]:
    """``[func(x) for x in items]``, in order, on ``jobs`` processes: this
    one and ``jobs - 1`` workers forked from it (so the tables are shared,
    not copied, and no process sits idle waiting). ``done(n, result)`` is
    called in order, in this thread, as results arrive."""
    work = list(items)
    results: list[Any] = [None] * len(work)
    delivered = 0

    def deliver(ready: Callable[[int], bool]) -> None:
        nonlocal delivered
        while delivered < len(work) and ready(delivered):
            delivered += 1
            if done is not None:
                done(delivered, results[delivered - 1])

    _init(tables)
    try:
        if jobs <= 1 or len(work) <= 1:
            for k, x in enumerate(work):
                results[k] = func(x)
                if done is not None:
                    done(k + 1, results[k])
            return results
        ctx = get_context("fork") if "fork" in _methods() else get_context()
        with ProcessPoolExecutor(
            jobs - 1, mp_context=ctx, initializer=_init, initargs=(tables,)
        ) as pool:
            _widen_results_pipe(pool)
            futures: dict[int, Future[Any]] = {}
            lock = threading.Lock()
            stop = threading.Event()  # on an error: no more items for the workers
            taken = 0

            def take_locked() -> int | None:
                nonlocal taken
                if taken >= len(work):
                    return None
                taken += 1
                return taken - 1

            def take() -> int | None:
                with lock:
                    return take_locked()

            def refill(last: Future[Any] | None = None) -> None:
                """Give the workers the next item: called when one of
                theirs is done (by the pool's thread), so that they never
                wait for this process to finish an item of its own."""
                if last is not None and (last.cancelled() or last.exception() is not None):
                    return
                while not stop.is_set():
                    with lock:  # taken and futures change together: see collect
                        k = take_locked()
                        if k is None:
                            return
                        try:
                            f = futures[k] = pool.submit(func, work[k])
                        except RuntimeError:  # the pool is broken or shutting down
                            return
                    if not f.done():
                        f.add_done_callback(refill)
                        return
                    # done already (rare): the next one now, in this loop, not by
                    # a callback that add_done_callback would run at once, nested
                    if f.cancelled() or f.exception() is not None:
                        return

            def collect(n: int) -> bool:
                with lock:
                    if n >= taken:
                        return False
                    f = futures.get(n)
                if f is not None:  # a worker's; else this process's, already there
                    if not f.done():
                        return False
                    results[n] = f.result()
                    with lock:
                        del futures[n]
                return True

            try:
                for _ in range(2 * (jobs - 1)):  # two each: one running, one waiting
                    refill()
                while (mine := take()) is not None:
                    results[mine] = func(work[mine])
                    deliver(collect)
                for n in range(delivered, len(work)):
                    with lock:
                        pending = futures.get(n)
                    if pending is not None:
                        pending.result()
                    deliver(collect)
            except BaseException:
                stop.set()
                for f in list(futures.values()):
                    f.cancel()
                raise
            return results
    finally:
        _init(None)


#: The size asked for the pipe that brings the workers' results back, the
#: most an unprivileged process may ask on Linux by default. A result of
#: pass 1 over a chunk of events is about 0.5 MiB.
RESULTS_PIPE_BYTES = 1 << 20


def _widen_results_pipe(pool: ProcessPoolExecutor) -> None:
    """Let a worker write a whole result and go on to its next chunk (D34).
    With the default 64 KiB pipe it waits, its result half sent, until this
    process reads the rest, and each read waits for this process's busy main
    thread to let go of the GIL. Where that cannot be done (not Linux, a pool
    without this queue, a lower limit), the pipe stays as it is."""
    try:
        import fcntl

        reader = pool._result_queue._reader  # type: ignore[attr-defined]
        fcntl.fcntl(reader.fileno(), fcntl.F_SETPIPE_SZ, RESULTS_PIPE_BYTES)
    except (AttributeError, ImportError, OSError):
        pass


def _methods() -> list[str]:
    import multiprocessing

    return multiprocessing.get_all_start_methods()


def dask_mapper(scheduler: str | None = None) -> Callable[..., list[Any]]:
    """A mapper for :func:`unionstate.pipeline.validate_chunks` on Dask: each
    chunk is a task, and the small tables are one shared (broadcast) value.
    ``scheduler`` is Dask's (``"threads"``, ``"processes"``, ``"sync"``, or
    None for the current default, e.g. a ``distributed.Client``). Needs the
    optional ``dask`` extra (``pip install 'unionstate[dask]'``)."""

    def mapper(
        func: Callable[..., Any],
        tasks: list[Task],
        tables: Tables | None,
        done: Callable[[int, Any], None],
    ) -> list[Any]:
        import importlib

        dask: Any = importlib.import_module("dask")  # optional; untyped use is enough
        shared = dask.delayed(tables, pure=True) if tables is not None else None
        parts = [dask.delayed(func, pure=True)(task, shared) for task in tasks]
        results = list(dask.compute(*parts, scheduler=scheduler))
        for n, r in enumerate(results, 1):
            done(n, r)
        return results

    return mapper
