"""Tenure rules: a tenure's own dates (US101), one holder at a time (US103),
and acting in an office one holds (US104)."""

from __future__ import annotations

import heapq
from collections.abc import Iterator

from unionstate import dates
from unionstate.checks import _examples as ex
from unionstate.checks._context import (
    Bounds,
    Context,
    end_bounds,
    found,
    lt,
    parse_opt,
    show,
    start_bounds,
)
from unionstate.checks._registry import both, graded, jsonl, rule
from unionstate.dates import MAYBE, YES, DateRange
from unionstate.model import Event, Office, Record, Statement, Tenure
from unionstate.report import Finding, Severity

_PM = "office/prime-minister-of-russia"


@rule(
    code="US101",
    name="tenure-start-before-end",
    title="A tenure starts no later than it ends",
    bad=jsonl(
        ex.source(),
        ex.RUSSIA_GOV,
        ex.PM_RUSSIA,
        ex.MEDVEDEV,
        ex.tenure("medvedev-pm", "person/medvedev", _PM, start="2020-01-16", end="2012-05-08"),
    ),
    good=jsonl(
        ex.source(),
        ex.RUSSIA_GOV,
        ex.PM_RUSSIA,
        ex.MEDVEDEV,
        ex.tenure("medvedev-pm", "person/medvedev", _PM, start="2012-05-08", end="2020-01-16"),
    ),
)
def tenure_start_before_end(ctx: Context) -> Iterator[Finding]:
    """A tenure's ``end`` is not before its ``start``.

    Only a definite reversal is reported (error). The two dates belong to one
    record, which asserts their order, so coarse dates that merely might be
    reversed (``start: 2019``, ``end: 2019-03``) are consistent and pass.
    """
    for t in ctx.all(Tenure):
        if t.start is None or t.end is None:
            continue
        s, e = start_bounds(t.start), end_bounds(t.end)
        if lt(e, s) is YES:
            yield found(
                "US101",
                Severity.ERROR,
                f"{t.id} ({t.person} as {ctx.label(t.office)}) ends on "
                f"{t.end}, before it starts on {t.start}.",
                t,
                "/end",
                related=(t.person, t.office),
                dates_={"tenure.start": t.start, "tenure.end": t.end},
            )


# --- US103 -------------------------------------------------------------------


def _pm_tenure(slug: str, who: str, start: str, end: str | None = None, **kw: object) -> ex.Raw:
    fields: dict[str, object] = {"start": start, **kw}
    if end is not None:
        fields["end"] = end
    return ex.tenure(slug, who, _PM, **fields)


_CAST = (ex.source(), ex.RUSSIA_GOV, ex.PM_RUSSIA, ex.MEDVEDEV, ex.MISHUSTIN)


@rule(
    code="US103",
    name="one-holder-at-a-time",
    title="An office for one holder has no overlapping tenures",
    bad=jsonl(
        *_CAST,
        _pm_tenure("medvedev-pm", "person/medvedev", "2012-05-08", "2020-02-01"),
        _pm_tenure("mishustin-pm", "person/mishustin", "2020-01-16"),
    ),
    good=jsonl(
        *_CAST,
        _pm_tenure("medvedev-pm", "person/medvedev", "2012-05-08", "2020-01-16"),
        _pm_tenure("mishustin-pm", "person/mishustin", "2020-01-16"),
    ),
)
def one_holder_at_a_time(ctx: Context) -> Iterator[Finding]:
    """Two tenures of an office with ``max_holders: 1`` do not overlap, unless
    one of them is ``acting``.

    A single shared boundary day is not an overlap: when one tenure ends on
    the day the next starts (a successor appointed the day the predecessor
    leaves), both are consistent. Formally, tenures A and B conflict when B
    starts strictly before A ends *and* A starts strictly before B ends;
    definitely → error, possibly (coarse or unknown dates) → warning. An
    absent ``start`` is unknown; an absent ``end`` means still in office.
    The finding is on the tenure that starts later. Offices with
    ``max_holders`` above 1 are not checked.

    Tenures are swept in start order keeping only those that may still be
    running, so the work is n log n plus the pairs reported.
    """
    for office_id, tenures in ctx.tenures_by_office.items():
        office = ctx.get(office_id, Office)
        if office is None or office.max_holders != 1:
            continue
        active: list[tuple[int, int, Bounds, Bounds, Tenure]] = []  # heap on end.hi
        for n, b in enumerate(tenures):
            if b.acting:
                continue
            sb, eb = start_bounds(b.start), end_bounds(b.end)
            while active and active[0][0] <= sb[0]:
                heapq.heappop(active)
            for _, _, sa, ea, a in sorted(active, key=lambda x: x[1]):
                truth = both(lt(sb, ea), lt(sa, eb))
                sev = graded(truth)
                if sev is None:
                    continue
                how = "overlaps" if truth is YES else "may overlap"
                yield found(
                    "US103",
                    sev,
                    f"{b.id} ({b.person}, {show(sb)} to {show(eb)}) {how} {a.id} "
                    f"({a.person}, {show(sa)} to {show(ea)}), but {ctx.label(office_id)} has "
                    "one holder at a time.",
                    b,
                    "/start",
                    related=(a.id, office_id, b.person, a.person),
                    dates_={
                        "tenure.start": b.start or "unknown",
                        "tenure.end": b.end or "ongoing",
                        "other.start": a.start or "unknown",
                        "other.end": a.end or "ongoing",
                    },
                )
            heapq.heappush(active, (eb[1], n, sb, eb, b))


# --- US104 -------------------------------------------------------------------

_EVENT_AT = "event/talks-2021-04-16"


@rule(
    code="US104",
    name="holds-office",
    title="An actor named in an office holds it on that date",
    bad=jsonl(
        *_CAST,
        _pm_tenure("medvedev-pm", "person/medvedev", "2012-05-08", "2020-01-16"),
        ex.event(
            "talks-2021-04-16",
            "2021-04-16",
            participants=[{"actor": "person/medvedev", "office": _PM}],
        ),
    ),
    good=jsonl(
        *_CAST,
        _pm_tenure("mishustin-pm", "person/mishustin", "2020-01-16"),
        ex.event(
            "talks-2021-04-16",
            "2021-04-16",
            participants=[{"actor": "person/mishustin", "office": _PM}],
        ),
    ),
)
def holds_office(ctx: Context) -> Iterator[Finding]:
    """A person named in an office, as an event participant
    (``participants[].office``) or as a statement's speaker (``office``),
    holds that office on the event's or statement's date: some tenure of
    that person in that office covers the date.

    Definitely covered → fine; possibly covered (coarse dates) → warning;
    certainly not covered, or no tenure at all → error. As in
    ``Dataset.holder_of``, a tenure without ``start`` is taken to cover
    every day up to its end, and one without ``end`` is ongoing
    (``dates.within``). Organisations acting in an office are not checked.
    Lifecycle signatories (``lifecycle[].by``) carry no office, so they are
    checked only through the participants of the step's event.
    """
    for e in ctx.all(Event):
        d = parse_opt(e.date)
        if d is None:
            continue
        for i, p in enumerate(e.participants):
            if p.office is not None:
                yield from _holds(
                    ctx, e, f"/participants/{i}/office", p.actor, p.office, d, "event", e.date
                )
    for s in ctx.all(Statement):
        d = parse_opt(s.date)
        if s.office is not None and d is not None:
            yield from _holds(ctx, s, "/office", s.speaker, s.office, d, "statement", s.date)


def _holds(
    ctx: Context,
    rec: Record,
    pointer: str,
    actor: str,
    office: str,
    d: DateRange,
    what: str,
    text: str,
) -> Iterator[Finding]:
    # the tenures are read as numbers (ctx.facts, D42), the records only to
    # word a finding
    if not ctx.is_person(actor):
        return
    maybe: int | None = None
    nearest: tuple[int, int] | None = None
    lo, hi = d.lo or 0, d.hi or 0
    rows = ctx.facts.holders.get((actor, office))
    for k, (slo, shi, elo, ehi, first, last) in enumerate(rows):
        truth = dates.within_days(d, slo, shi, elo, ehi)
        if truth is YES:
            return
        if truth is MAYBE and maybe is None:
            maybe = k
        g = max(first - hi, lo - last, 0)
        if nearest is None or g < nearest[0]:
            nearest = (g, k)
    sev = Severity.WARNING if maybe is not None else Severity.ERROR
    at = maybe if maybe is not None else (None if nearest is None else nearest[1])
    named = f"{actor} is named {ctx.label(office)} at {rec.id} on {text}"
    dd = {what: text}
    related: tuple[str, ...] = (actor, office)
    if at is None:
        msg = f"{named}, but has no tenure of that office."
    else:
        shown = ctx.tenures_by_holder[(actor, office)][at]
        span = f"{shown.start or 'unknown'} to {shown.end or 'ongoing'}"
        dd["tenure.start"] = shown.start or "unknown"
        dd["tenure.end"] = shown.end or "ongoing"
        related = (*related, shown.id)
        if maybe is not None:
            msg = (
                f"{named}, and the dates are too coarse to tell whether the tenure "
                f"{shown.id} ({span}) covers it."
            )
        elif shown.end is not None and rows[at][5] < lo:
            msg = f"{named}, but the tenure {shown.id} ended on {shown.end}."
        else:
            msg = f"{named}, but the tenure {shown.id} ({span}) does not cover it."
    yield found("US104", sev, msg, rec, pointer, related=related, dates_=dd)
