"""Tenure rules: a tenure's own dates (US101), one holder at a time (US103),
and acting in an office one holds (US104)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import polars as pl

from unionstate import dates
from unionstate.checks import _examples as ex
from unionstate.checks._registry import Hit, jsonl, rule
from unionstate.checks.frames import (
    MAYBE,
    NO,
    YES,
    Frames,
    before,
    end_span,
    persons,
    show,
    span,
    start_span,
    within,
)
from unionstate.dates import DateRange

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
def tenure_start_before_end(frames: Frames, as_of: DateRange | None) -> Iterator[Hit]:
    """A tenure's ``end`` is not before its ``start``.

    Only a definite reversal is reported (error). The two dates belong to one
    record, which asserts their order, so coarse dates that merely might be
    reversed (``start: 2019``, ``end: 2019-03``) are consistent and pass.
    """
    (slo, _), (_, ehi) = span("start"), span("end")
    bad = frames["tenures"].filter(ehi < slo)
    labels = frames.labels(bad["office"])
    for t in bad.iter_rows(named=True):
        yield Hit(
            t["id"],
            "/end",
            f"{t['id']} ({t['person']} as {labels[t['office']]}) ends on "
            f"{t['end']}, before it starts on {t['start']}.",
            related=(t["person"], t["office"]),
            dates={"tenure.start": t["start"], "tenure.end": t["end"]},
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
def one_holder_at_a_time(frames: Frames, as_of: DateRange | None) -> Iterator[Hit]:
    """Two tenures of an office with ``max_holders: 1`` do not overlap, unless
    one of them is ``acting``.

    A single shared boundary day is not an overlap: when one tenure ends on
    the day the next starts (a successor appointed the day the predecessor
    leaves), both are consistent. Formally, tenures A and B conflict when B
    starts strictly before A ends *and* A starts strictly before B ends;
    definitely → error, possibly (coarse or unknown dates) → warning. An
    absent ``start`` is unknown; an absent ``end`` means still in office.
    The finding is on the tenure that starts later (by earliest start, then
    id). Offices with ``max_holders`` above 1 are not checked.
    """
    single = frames["offices"].unique("id", keep="first").filter(pl.col("max_holders") == 1)
    (slo, shi), (elo, ehi) = start_span("start"), end_span("end")
    ts = (
        frames["tenures"]
        .filter(~pl.col("acting") & pl.col("office").is_in(single["id"].implode()))
        .select("id", "person", "office", "start", "end", s_lo=slo, s_hi=shi, e_lo=elo, e_hi=ehi)
    )
    a, b = "_a", ""  # a listed before b, by earliest start then id
    pairs = ts.join(ts, on="office", suffix=a).filter(
        (pl.col("s_lo_a") < pl.col("s_lo"))
        | ((pl.col("s_lo_a") == pl.col("s_lo")) & (pl.col("id_a") < pl.col("id")))
    )
    truth = pl.min_horizontal(
        before(span("s", b), span("e", a)), before(span("s", a), span("e", b))
    )
    bad = pairs.with_columns(truth=truth).filter(pl.col("truth") > NO)
    labels = frames.labels(bad["office"])
    for r in bad.iter_rows(named=True):
        how = "overlaps" if r["truth"] == YES else "may overlap"
        b_span = f"{show(r['s_lo'], r['s_hi'])} to {show(r['e_lo'], r['e_hi'])}"
        a_span = f"{show(r['s_lo_a'], r['s_hi_a'])} to {show(r['e_lo_a'], r['e_hi_a'])}"
        yield Hit(
            r["id"],
            "/start",
            f"{r['id']} ({r['person']}, {b_span}) {how} {r['id_a']} ({r['person_a']}, {a_span}), "
            f"but {labels[r['office']]} has one holder at a time.",
            r["truth"] == YES,
            related=(r["id_a"], r["office"], r["person"], r["person_a"]),
            dates={
                "tenure.start": r["start"] or "unknown",
                "tenure.end": r["end"] or "ongoing",
                "other.start": r["start_a"] or "unknown",
                "other.end": r["end_a"] or "ongoing",
            },
        )


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
def holds_office(frames: Frames, as_of: DateRange | None) -> Iterator[Hit]:
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
    checked only through the participants of the step's event. Checked
    together with the canonical data, a date after its as-of day is at most
    possibly wrong: the canonical tenures are unknown beyond that day.
    """
    dated = ["date", "date_lo", "date_hi"]
    office = pl.col("office").is_not_null()
    named = pl.concat(
        [
            frames["participants"]
            .lazy()
            .filter(office)
            .join(frames["events"].lazy().select("id", *dated), on="id")
            .select("id", "actor", "office", *dated, "i", what=pl.lit("event")),
            frames["statements"]
            .lazy()
            .filter(office)
            .select(
                "id",
                pl.col("speaker").alias("actor"),
                "office",
                *dated,
                i=pl.lit(None, pl.Int32),
                what=pl.lit("statement"),
            ),
        ]
    ).filter(
        pl.col("date_lo").is_not_null() & pl.col("actor").is_in(persons(frames)["id"].implode())
    )
    truth = within(span("date"), pl.col("p_slo"), pl.col("p_shi"), pl.col("p_elo"), pl.col("p_ehi"))
    pairs = (
        named.with_row_index("n")
        .join(
            _periods(frames).lazy(),
            left_on=["actor", "office"],
            right_on=["person", "office"],
            how="left",
        )
        .with_columns(truth=pl.when(pl.col("tenure").is_null()).then(NO).otherwise(truth))
    )
    if frames.horizon is not None:  # the reference data does not reach later days
        late = pl.col("date_lo") > frames.horizon
        pairs = pairs.with_columns(
            truth=pl.when(late).then(pl.max_horizontal("truth", pl.lit(MAYBE))).otherwise("truth"),
            late=late,
        )
    else:
        pairs = pairs.with_columns(late=pl.lit(False))
    uncovered = pairs.group_by("n").agg(pl.col("truth").max()).filter(pl.col("truth") < YES)
    bad = (
        pairs.join(uncovered.select("n"), on="n", how="semi")
        .collect(engine="streaming")
        .sort("n", "first", "tenure", nulls_last=True)
    )
    labels = frames.labels(bad["office"])
    groups: dict[int, list[dict[str, Any]]] = {}
    for row in bad.iter_rows(named=True):
        groups.setdefault(row["n"], []).append(row)
    for rows in groups.values():
        yield _holds(rows, labels[rows[0]["office"]])


def _periods(frames: Frames) -> pl.DataFrame:
    """Each tenure as :func:`dates.within` reads a period (``p_*``: an
    absent or unknown start since forever, an absent end ongoing) and its
    earliest start and latest end (``first``, ``last``), in the order of
    earliest start, then id."""
    (slo, shi), (elo, ehi) = span("start"), span("end")
    first = slo.fill_null(dates.NEG)
    return (
        frames["tenures"]
        .select(
            "person",
            "office",
            "start",
            "end",
            tenure="id",
            p_slo=first,
            p_shi=shi.fill_null(dates.NEG),
            p_elo=elo.fill_null(dates.POS),
            p_ehi=ehi.fill_null(dates.POS),
            first=first,
            last=ehi.fill_null(dates.POS),
        )
        .sort("first", "tenure", maintain_order=True)
    )


def _holds(rows: list[dict[str, Any]], office: str) -> Hit:
    """The finding for a person named in an office (``rows``: the
    participation with each tenure of theirs in it, if any, and whether it
    covers the day) when none surely does."""
    r = rows[0]
    lo = r["date_lo"]
    hi = 0 if r["date_hi"] == dates.POS else r["date_hi"]
    maybe = max(t["truth"] for t in rows) == MAYBE
    if maybe and r["late"]:
        return Hit(
            r["id"],
            "/office" if r["i"] is None else f"/participants/{r['i']}/office",
            f"{r['actor']} is named {office} at {r['id']} on {r['date']}, after the last day "
            "the canonical data knows of: it cannot tell who held the office then.",
            False,
            related=(r["actor"], r["office"]),
            dates={r["what"]: r["date"]},
        )
    shown = None
    if maybe:
        shown = next(t for t in rows if t["truth"] == MAYBE)
    elif r["tenure"] is not None:
        shown = min(rows, key=lambda t: max(t["first"] - hi, lo - t["last"], 0))
    named = f"{r['actor']} is named {office} at {r['id']} on {r['date']}"
    dd = {r["what"]: r["date"]}
    related: tuple[str, ...] = (r["actor"], r["office"])
    if shown is None:
        msg = f"{named}, but has no tenure of that office."
    else:
        span_ = f"{shown['start'] or 'unknown'} to {shown['end'] or 'ongoing'}"
        dd["tenure.start"] = shown["start"] or "unknown"
        dd["tenure.end"] = shown["end"] or "ongoing"
        related = (*related, shown["tenure"])
        if maybe:
            msg = (
                f"{named}, and the dates are too coarse to tell whether the tenure "
                f"{shown['tenure']} ({span_}) covers it."
            )
        elif shown["end"] is not None and shown["last"] < lo:
            msg = f"{named}, but the tenure {shown['tenure']} ended on {shown['end']}."
        else:
            msg = f"{named}, but the tenure {shown['tenure']} ({span_}) does not cover it."
    pointer = "/office" if r["i"] is None else f"/participants/{r['i']}/office"
    return Hit(r["id"], pointer, msg, not maybe, related=related, dates=dd)
