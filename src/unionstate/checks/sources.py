"""Source rules: no source reports what happened after it was published
(US107); every source is used (US112); no source is newer than the dataset's
``as_of`` (US113)."""

from __future__ import annotations

from collections.abc import Container, Iterable, Iterator
from typing import Any

from unionstate.checks import _examples as ex
from unionstate.checks._context import (
    Bounds,
    Context,
    bounds,
    found,
    lt,
    parse_opt,
)
from unionstate.checks._registry import graded, jsonl, rule
from unionstate.dates import YES, Truth, before
from unionstate.model import Event, EventStatus, Record, Source, Tenure
from unionstate.references import ref_paths
from unionstate.report import Finding, Severity

# --- US107 -------------------------------------------------------------------

_TALKS = "talks-2021-09-09"


@rule(
    code="US107",
    name="source-predates-fact",
    title="No source reports as done what happened after it was published",
    bad=jsonl(
        ex.source("announcement", "2021-09-01"),
        ex.event(
            _TALKS,
            "2021-09-09",
            ex.status("scheduled", "2021-09-01", sources=["source/announcement"]),
            ex.status("held", sources=["source/announcement"]),
            sources=["source/announcement"],
        ),
    ),
    good=jsonl(
        ex.source("announcement", "2021-09-01"),
        ex.source("report", "2021-09-09"),
        ex.event(
            _TALKS,
            "2021-09-09",
            ex.status("scheduled", "2021-09-01", sources=["source/announcement"]),
            ex.status("held", sources=["source/report"]),
            sources=["source/announcement", "source/report"],
        ),
    ),
)
def source_predates_fact(ctx: Context) -> Iterator[Finding]:
    """A source cannot report as done what happened after its ``published``
    date. Checked facts: an event's ``held`` status (on the status's date,
    else the event's), an agreement's or road map's lifecycle step (on its
    date), and a tenure's start. ``announced``/``scheduled`` statuses are
    exempt: a source may announce what is to come.

    Where the status or step lists its own ``sources``, each of them must
    not be published before the fact. Where it lists none, the record's
    ``sources`` back it, and these may mix announcements with reports, so
    only when *every* one of them was published before the fact is it a
    violation (sources without a ``published`` date give the benefit of the
    doubt). Definitely published before → error; possibly → warning. The
    same day is fine.
    """
    for rec, ptr, key, text, own in _facts(ctx):
        fact = parse_opt(text)
        if fact is None:
            continue
        f = bounds(fact)
        if own:
            for j, sid in enumerate(own):
                pub = _published(ctx, sid)
                if pub is None:
                    continue
                truth = lt(pub[1], f)
                yield from _report(ctx, rec, f"{ptr}/sources/{j}", key, text, [pub], truth)
        else:
            pubs = [_published(ctx, sid) for sid in rec.sources]
            if not pubs or any(p is None for p in pubs):
                continue
            known = [p for p in pubs if p is not None]
            truth = min((lt(p[1], f) for p in known), key=lambda t: t.value)
            yield from _report(ctx, rec, "/sources", key, text, known, truth)


def _facts(ctx: Context) -> Iterator[tuple[Record, str, str, str, tuple[str, ...]]]:
    """(record, pointer of the fact, what, its date, its own sources)."""
    for e in ctx.all(Event):
        for i, st in enumerate(e.statuses):
            if st.status is EventStatus.HELD:
                yield e, f"/statuses/{i}", "held", st.date or e.date, st.sources
    for a in ctx.with_lifecycle():
        for i, step in enumerate(a.lifecycle):
            if step.date is not None:
                yield a, f"/lifecycle/{i}", step.stage.value, step.date, step.sources
    for t in ctx.all(Tenure):
        if t.start is not None:
            yield t, "/start", "tenure.start", t.start, ()


def _published(ctx: Context, sid: str) -> tuple[str, Bounds] | None:
    b = ctx.published(sid)  # numbers (D42); the source only for the words
    return None if b is None else (sid, b)


def _report(
    ctx: Context,
    rec: Record,
    ptr: str,
    key: str,
    text: str,
    found_pubs: list[tuple[str, Bounds]],
    truth: Truth,
) -> Iterator[Finding]:
    sev = graded(truth)
    if sev is None:
        return
    pubs = [(sid, b, ctx.sources[sid].published or "") for sid, b in found_pubs]
    cited = ", ".join(f"{sid} (published {when})" for sid, _, when in pubs)
    how = "before" if truth is YES else "possibly before"
    many = "sources were all published" if len(pubs) > 1 else "source was published"
    dd = {key: text}
    dd.update({f"{sid}.published": when for sid, _, when in pubs})
    yield found(
        "US107",
        sev,
        f"{rec.id} has '{key}' on {text}, but its {many} {how} that ({cited}), "
        "so it cannot report it as done.",
        rec,
        ptr,
        related=[sid for sid, _, _ in pubs],
        dates_=dd,
    )


# --- US112 -------------------------------------------------------------------


@rule(
    code="US112",
    name="unused-source",
    title="Every source is cited",
    severity=Severity.INFO,
    bad=jsonl(ex.source(), ex.source("unused"), ex.LUKASHENKA),
    good=jsonl(ex.source(), ex.LUKASHENKA),
)
def unused_source(ctx: Context) -> Iterator[Finding]:
    """Every source is cited by some record: in a record's ``sources``, a
    name's, claim's, status's, lifecycle step's or outcome's ``sources``, or
    as the original of another source. An unused source is reported as info:
    it may be kept on purpose, but it usually means a citation was lost.
    (Unique ids and resolving references are checked by US020 and US021.)
    """
    yield from uncited(ctx.all(Source), cited_sources(ctx.dataset.records))


def cited_sources(records: Iterable[Record]) -> set[str]:
    """The ids of the sources these records cite (a source citing itself
    as its original does not count)."""
    used: set[str] = set()
    for r in records:
        used.update(sid for sid in _source_refs(r) if sid != r.id)
    return used


def uncited(sources: Iterable[Source], used: Container[str]) -> Iterator[Finding]:
    """US112 findings for the ``sources`` not in ``used``."""
    for s in sources:
        if s.id not in used:
            yield found(
                "US112", Severity.INFO, f"{s.id} ({s.url}) is not cited by any record.", s, ""
            )


def _source_paths(type_name: str) -> tuple[tuple[str, ...], ...]:
    """Paths (field names, ``*`` for items) of every field holding source ids."""
    return tuple(path for path, targets in ref_paths(type_name) if "source" in targets)


def _source_refs(record: Record) -> Iterator[str]:
    for path in _source_paths(record.TYPE):
        yield from _follow(record, path)


def _follow(value: Any, path: tuple[str, ...]) -> Iterator[str]:
    if not path:
        if isinstance(value, str):
            yield value
        return
    head, rest = path[0], path[1:]
    if head == "*":
        if isinstance(value, tuple):
            for item in value:
                yield from _follow(item, rest)
    elif value is not None:
        yield from _follow(getattr(value, head, None), rest)


# --- US113 -------------------------------------------------------------------


@rule(
    code="US113",
    name="source-after-as-of",
    title="No source is published after the dataset's as_of",
    bad=jsonl(ex.header("2021-06-01"), ex.source("report", "2021-09-10"), ex.LUKASHENKA),
    good=jsonl(ex.header("2021-12-31"), ex.source("report", "2021-09-10"), ex.LUKASHENKA),
)
def source_after_as_of(ctx: Context) -> Iterator[Finding]:
    """A dataset's ``as_of`` is the last day its data knows of, so none of
    its sources is published after it: definitely after → error, possibly
    (a coarse publication date that straddles ``as_of``) → warning. Sources
    without a publication date, and datasets without ``as_of``, are not
    checked."""
    if ctx.as_of is None:
        return
    for s in ctx.all(Source):
        published = parse_opt(s.published)
        if published is None:
            continue
        sev = graded(before(ctx.as_of, published))
        if sev is not None:
            how = "is" if sev is Severity.ERROR else "may be"
            yield found(
                "US113",
                sev,
                f"{s.id} {how} published ({s.published}) after the dataset's as_of "
                f"({ctx.as_of.text}), the last day its data knows of.",
                s,
                "/published",
                dates_={"source.published": s.published or "", "as_of": ctx.as_of.text},
            )
