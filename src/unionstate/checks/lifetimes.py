"""Lifetimes: what persons and organisations do falls between birth and
death, founding and dissolution (US102)."""

from __future__ import annotations

from collections.abc import Iterator

from unionstate.checks import _examples as ex
from unionstate.checks._context import (
    ONGOING,
    Bounds,
    Context,
    did_not_happen,
    end_bounds,
    found,
    lt,
    parse_opt,
    start_bounds,
)
from unionstate.checks._registry import graded, jsonl, rule, worst
from unionstate.dates import NO, YES
from unionstate.model import Event, Office, Record, Statement, Tenure
from unionstate.report import Finding

_BEGIN = {"person": "birth", "organization": "founded"}
_END = {"person": "death", "organization": "dissolved"}
_BEGIN_VERB = {"person": "was born", "organization": "was founded"}
_END_VERB = {"person": "died", "organization": "was dissolved"}


@rule(
    code="US102",
    name="within-lifetime",
    title="Actors act within their lifetimes",
    bad=jsonl(
        ex.source(),
        ex.person("chernomyrdin", "Viktor Chernomyrdin", death_date="2010-11-03"),
        ex.event("talks-2011", "2011-03-01", participants=[{"actor": "person/chernomyrdin"}]),
    ),
    good=jsonl(
        ex.source(),
        ex.person("chernomyrdin", "Viktor Chernomyrdin", death_date="2010-11-03"),
        ex.event("talks-2009", "2009-03-01", participants=[{"actor": "person/chernomyrdin"}]),
    ),
)
def within_lifetime(ctx: Context) -> Iterator[Finding]:
    """Tenures, events, statements and lifecycle steps fall within the
    lifetimes of the persons (``birth_date``/``death_date``) and organisations
    (``founded``/``dissolved``) involved, where those dates are known.

    Checked: a tenure's start and end against its person and its office's
    organisation (a tenure still open when its holder died, or its
    organisation was dissolved, is a violation); an event's date against its
    participants (events that were cancelled or did not take place are
    skipped); a statement's date against its speaker and medium; a lifecycle
    step's date against the actors in ``by``. Happening on the day of death or
    dissolution is fine. Definitely outside → error, possibly → warning.
    """
    for t in ctx.all(Tenure):
        office = ctx.get(t.office, Office)
        actors = [t.person] if office is None else [t.person, office.organization]
        for actor in actors:
            if t.start is not None:
                yield from _found(
                    _check(
                        ctx,
                        t,
                        "/start",
                        actor,
                        start_bounds(t.start),
                        "tenure.start",
                        t.start,
                        f"the start of {t.id}",
                    )
                )
            yield from _found(
                _check(
                    ctx,
                    t,
                    "/end",
                    actor,
                    end_bounds(t.end),
                    "tenure.end",
                    t.end or "ongoing",
                    f"the end of {t.id}",
                    end_only=True,
                )
            )
    for e in ctx.all(Event):
        if did_not_happen(e) or parse_opt(e.date) is None:
            continue
        when = start_bounds(e.date)
        for i, p in enumerate(e.participants):
            f = _check(ctx, e, f"/participants/{i}/actor", p.actor, when, "event", e.date, e.id)
            if f is not None:
                yield f
    for s in ctx.all(Statement):
        if parse_opt(s.date) is None:
            continue
        for who, ptr in ((s.speaker, "/speaker"), (s.medium, "/medium")):
            if who is not None:
                yield from _found(
                    _check(ctx, s, ptr, who, start_bounds(s.date), "statement", s.date, s.id)
                )
    for a in ctx.with_lifecycle():
        for i, st in enumerate(a.lifecycle):
            if st.date is None or parse_opt(st.date) is None:
                continue
            for j, by in enumerate(st.by):
                yield from _found(
                    _check(
                        ctx,
                        a,
                        f"/lifecycle/{i}/by/{j}",
                        by,
                        start_bounds(st.date),
                        f"lifecycle.{st.stage.value}",
                        st.date,
                        f"the '{st.stage.value}' step of {a.id}",
                    )
                )


def _check(
    ctx: Context,
    rec: Record,
    pointer: str,
    actor: str,
    when: Bounds,
    what: str,
    text: str,
    subject: str,
    *,
    end_only: bool = False,
) -> Finding | None:
    """The finding for ``when`` (a day or the end of a period) outside the
    lifetime of ``actor``, if it is."""
    life = ctx.lifetime_bounds(actor)  # numbers (D42); the record only for the words
    if life is None:
        return None
    _, has_begin, blo, bhi, has_end, elo, ehi = life
    early = NO if not has_begin or end_only else lt(when, (blo, bhi))
    late = NO if not has_end else lt((elo, ehi), when)
    truth = worst(early, late)
    sev = graded(truth)
    if sev is None:
        return None
    texts = ctx.lifetime(actor)
    assert texts is not None
    kind, begin, end = texts
    maybe = "" if truth is YES else "possibly "
    if early is truth:
        key, date, verb, rel = f"{kind}.{_BEGIN[kind]}", begin, _BEGIN_VERB[kind], "before"
    else:
        key, date, verb, rel = f"{kind}.{_END[kind]}", end, _END_VERB[kind], "after"
    assert date is not None
    if when == ONGOING:
        msg = f"{actor} {verb} on {date}, but {subject} is still open (ongoing)."
    else:
        msg = f"{actor} {verb} on {date}, but {subject} ({text}) is {maybe}{rel} that."
    return found("US102", sev, msg, rec, pointer, related=(actor,), dates_={what: text, key: date})


def _found(f: Finding | None) -> Iterator[Finding]:
    if f is not None:
        yield f
