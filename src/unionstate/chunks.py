r"""The per-record stages as pure functions over parts of the input, so they
run on every core (``unionstate validate --jobs N``) or on a cluster.

A large JSON Lines file is split at line boundaries into :class:`Chunk`\s;
any other input (a JSON document, a data directory, a file that cannot be
split) is one part, its path. Validation then takes two passes, each a map
over the parts:

1. :func:`index_part`: parse each record, keep its id, file and line and its
   names, and the reading findings (bad JSON, encodings, duplicate keys,
   oversized lines);
2. once the ids and names of all parts are merged into :class:`Tables`,
   :func:`check_part`: parse again, resolve names, check the schema and the
   references, and turn the valid records into the columns the consistency
   rules read (:mod:`unionstate.checks.frames`).

Both functions read only their part and their arguments and return plain
values, so the same code runs in a process pool here and, for instance, as
Dask tasks with the tables broadcast (docs/performance.md).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path
from typing import IO, Any

import attrs
import polars as pl

from unionstate.checks.frames import Builder, Frames
from unionstate.io.read import (
    Limits,
    RawDataset,
    RawRecord,
    Sink,
    collector_paused,
    read,
    read_jsonl_chunk,
)
from unionstate.model import RECORD_TYPES
from unionstate.references import Ref, refs_of
from unionstate.report import UNRESOLVED_REF, CappedFindings, Finding, Severity, finding
from unionstate.resolve import NameIndex, resolve_record
from unionstate.validate import check_record

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

#: The size of chunk for one process, which waits for no other: larger, so
#: that joining the chunks' columns costs less, and still small beside the
#: columns of a large file (docs/performance.md, D58).
ONE_PROCESS_CHUNK_BYTES = 32 * _MiB


def parts_for(size: int, jobs: int) -> int:
    """How many chunks to split ``size`` bytes into for ``jobs`` processes:
    at least four per process, and more for a large file so that each is
    about :data:`TARGET_CHUNK_BYTES` (:data:`ONE_PROCESS_CHUNK_BYTES` for
    one process)."""
    target = ONE_PROCESS_CHUNK_BYTES if jobs <= 1 else TARGET_CHUNK_BYTES
    return max(4 * jobs, -(-size // target))


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
            pos = _next_line(f, max(size * k // parts, cuts[-1]))
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


def _next_line(f: IO[bytes], pos: int) -> int:
    """The offset after the first newline at or after ``pos`` (or the end),
    found a block at a time: the line may be longer than memory."""
    f.seek(pos)
    while block := f.read(_MiB):
        nl = block.find(b"\n")
        if nl >= 0:
            return pos + nl + 1
        pos += len(block)
    return pos


Part = Chunk | str

#: The columns of the ids of a part: each record's id, file and line (0: none).
ID_SCHEMA = {"id": pl.String, "file": pl.Categorical, "line": pl.Int64}


def _read(
    part: Part, limits: Limits | None, shown: str | None, sink: Sink, max_findings: int | None
) -> RawDataset:
    with collector_paused():
        if isinstance(part, Chunk):
            return read_jsonl_chunk(
                part.path,
                part.start,
                part.end,
                part.first_line,
                limits,
                sink,
                shown,
                max_findings=max_findings,
            )
        return read(part, limits, sink=sink, max_findings=max_findings)


@attrs.frozen
class Index:
    """What pass 1 keeps of one part."""

    ids: pl.DataFrame  # id, file, line of each record that has an id, in order
    names: list[RawRecord]  # type, id and names of records that have names
    raw: RawDataset  # header, count, files and reading findings (no records)


def index_part(
    part: Part,
    limits: Limits | None = None,
    shown: str | None = None,
    max_findings: int | None = None,
) -> Index:
    """Pass 1 over one part: ids, names and the reading findings (at most
    ``max_findings`` of each code kept, the others counted)."""
    ids: list[tuple[str, str, int]] = []
    names: list[RawRecord] = []

    def keep(rec: RawRecord) -> None:
        rid = rec.data.get("id")
        if isinstance(rid, str):
            ids.append((rid, rec.file, rec.line or 0))
        if isinstance(rec.data.get("names"), list):
            slim = {k: rec.data.get(k) for k in ("type", "id", "names")}
            names.append(RawRecord(slim, rec.file, rec.line))

    raw = _read(part, limits, shown, keep, max_findings)
    return Index(pl.DataFrame(ids, schema=ID_SCHEMA, orient="row"), names, raw)


@attrs.frozen
class Tables:
    """What every part of pass 2 needs: the ids that references may name (the
    dataset's and the canonical ones, sorted) and the name index."""

    known: pl.Series
    names: NameIndex


@attrs.frozen
class Checked:
    """What pass 2 found in one part: the findings of names, schema and
    references, and (with rules) the columns of its records that passed the
    schema; the rules set aside those with other errors (see
    :func:`unionstate.pipeline.set_aside`)."""

    findings: list[Finding]  # a CappedFindings from check_part
    frames: Frames | None = None


def check_part(
    part: Part,
    tables: Tables,
    limits: Limits | None = None,
    shown: str | None = None,
    rules: bool = False,
    max_findings: int | None = None,
) -> Checked:
    """Pass 2 over one part: names resolved, schema and references checked,
    and (with ``rules``) the columns of its records built (only what a record
    with an error refers to); at most ``max_findings`` findings of each code
    kept, the others counted."""
    out = CappedFindings(max_findings)
    refs: list[tuple[RawRecord, Ref]] = []  # checked a batch at a time
    rows = Builder() if rules else None

    def check(rec: RawRecord) -> None:
        t = rec.data.get("type")
        found: list[Finding] = []
        mine: list[Ref] | None = None
        if isinstance(t, str) and t in RECORD_TYPES:
            mine = refs_of(t, rec.data)
            found = resolve_record(rec, tables.names, mine)
            named = {f.pointer for f in found if f.code in ("US031", "US032")}
            refs.extend((rec, r) for r in mine if r[0] not in named)
            if len(refs) > 20_000:
                out.extend(_unresolved(refs, tables.known))
        found += check_record(rec)
        out.extend(f for f in found if not (f.code == "US010" and _names_at(found, f)))
        if rows is None:
            return
        if any(f.severity is Severity.ERROR for f in found):
            rows.add_refs(rec.data, mine)  # set aside; what it cites is still cited
        else:
            rows.add(rec.data, mine)

    _read(part, limits, shown, check, 0)  # pass 1 has reported what reading finds
    out.extend(_unresolved(refs, tables.known))
    return Checked(out, None if rows is None else rows.build())


def _names_at(found: list[Finding], f: Finding) -> bool:
    """A name that could not be resolved is reported once (US031/US032), not
    again as a malformed id."""
    return any(g.code in ("US031", "US032") and g.pointer == f.pointer for g in found)


def _unresolved(refs: list[tuple[RawRecord, Ref]], known: pl.Series) -> list[Finding]:
    """US021 for the references that name no known id (``known``: sorted),
    in order; ``refs`` is emptied."""
    values = pl.Series([ref for _, (_, ref, _) in refs], dtype=pl.String)
    if known.len():
        at = known.search_sorted(values).clip(upper_bound=known.len() - 1)
        found = (known.gather(at) == values).to_list()
    else:
        found = [False] * len(refs)
    out = []
    for (rec, (ptr, ref, targets)), ok in zip(refs, found, strict=True):
        if not ok:
            rid = rec.data.get("id")
            out.append(
                finding(
                    UNRESOLVED_REF,
                    f"{ref!r} names no {' or '.join(targets)} record in the dataset.",
                    file=rec.file,
                    line=rec.line,
                    record_id=rid if isinstance(rid, str) else None,
                    pointer=ptr,
                    related=(ref,),
                )
            )
    refs.clear()
    return out


# -- running on every core ------------------------------------------------------

_TABLES: Tables | None = None


def _init(tables: Tables | None) -> None:
    global _TABLES
    _TABLES = tables


#: (part, limits, file name shown, with rules, findings kept of each code)
Task = tuple[Part, Limits | None, str | None, bool, int | None]


def index_task(task: Task, tables: Tables | None = None) -> Index:
    """Pass 1 of one task."""
    return index_part(task[0], task[1], task[2], task[4])


def check_task(task: Task, tables: Tables | None = None) -> Checked:
    """Pass 2 of one task, with ``tables`` (or those installed in this
    worker process by the pool's initializer)."""
    tables = tables if tables is not None else _TABLES
    assert tables is not None
    return check_part(task[0], tables, task[1], task[2], task[3], task[4])


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
    one and ``jobs - 1`` workers, each given the tables once (no process
    sits idle waiting). The workers start from a fresh process, not a fork
    of this one: a fork would copy polars' thread pool with its locks held.
    With ``done``, each result is handed to ``done(n, result)`` in order, in
    this thread, as results arrive, and not kept: the list returned then
    holds ``None`` for each (a part's results are let go once used)."""
    work = list(items)
    results: list[Any] = [None] * len(work)
    delivered = 0

    def deliver(ready: Callable[[int], bool]) -> None:
        nonlocal delivered
        while delivered < len(work) and ready(delivered):
            delivered += 1
            if done is not None:
                done(delivered, results[delivered - 1])
                results[delivered - 1] = None

    _init(tables)
    try:
        if jobs <= 1 or len(work) <= 1:
            for k, x in enumerate(work):
                if done is None:
                    results[k] = func(x)
                else:
                    done(k + 1, func(x))
            return results
        ctx = get_context("forkserver" if "forkserver" in _methods() else "spawn")
        with ProcessPoolExecutor(
            jobs - 1, mp_context=ctx, initializer=_init, initargs=(tables,)
        ) as pool:
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
