"""Lifetimes: what persons and organisations do falls between birth and
death, founding and dissolution (US102)."""

from __future__ import annotations

from collections.abc import Iterator

import polars as pl

from unionstate import dates
from unionstate.checks import _examples as ex
from unionstate.checks._registry import Hit, jsonl, rule
from unionstate.checks.frames import NO, YES, Frames, before, end_span, start_span
from unionstate.dates import DateRange

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
def within_lifetime(frames: Frames, as_of: DateRange | None) -> Iterator[Hit]:
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
    lives = frames["lives"].unique("id", keep="first")
    acts = _acts(frames).join(lives, left_on="actor", right_on="id", suffix="_life")
    when = (pl.col("lo"), pl.col("hi"))
    early = (
        pl.when(pl.col("begin").is_null() | pl.col("end_only"))
        .then(NO)
        .otherwise(before(when, start_span("begin")))
    )
    late = pl.when(pl.col("end").is_null()).then(NO).otherwise(before(end_span("end"), when))
    bad = (
        acts.with_columns(early=early, late=late)
        .with_columns(truth=pl.max_horizontal("early", "late"))
        .filter(pl.col("truth") > NO)
    )
    for r in bad.iter_rows(named=True):
        kind, definite = r["kind"], r["truth"] == YES
        if r["early"] == r["truth"]:
            key, date, verb, rel = f"{kind}.{_BEGIN[kind]}", r["begin"], _BEGIN_VERB[kind], "before"
        else:
            key, date, verb, rel = f"{kind}.{_END[kind]}", r["end"], _END_VERB[kind], "after"
        if r["lo"] == r["hi"] == dates.POS and r["what"] == "tenure.end":
            msg = f"{r['actor']} {verb} on {date}, but {r['subject']} is still open (ongoing)."
        else:
            maybe = "" if definite else "possibly "
            msg = (
                f"{r['actor']} {verb} on {date}, but {r['subject']} ({r['text']}) "
                f"is {maybe}{rel} that."
            )
        yield Hit(
            r["id"],
            r["pointer"],
            msg,
            definite,
            related=(r["actor"],),
            dates={r["what"]: r["text"], key: date},
        )


def _acts(frames: Frames) -> pl.DataFrame:
    """What actors did, when: ``id``, ``pointer``, ``actor``, the day bounds
    ``lo``/``hi``, ``what`` and ``text`` (the date's key and text),
    ``subject`` (words for a message) and ``end_only`` (the end of a period:
    only its end is compared with the lifetime)."""
    offices = frames["offices"].unique("id", keep="first").select(office="id", org="organization")
    tenures = frames["tenures"].join(offices, on="office", how="left")
    (slo, shi), (elo, ehi) = start_span("start"), end_span("end")
    parts = []
    for actor in ("person", "org"):
        who = tenures.filter(pl.col(actor).is_not_null())
        parts.append(
            who.filter(pl.col("start").is_not_null()).select(
                "id",
                pointer=pl.lit("/start"),
                actor=actor,
                lo=slo,
                hi=shi,
                what=pl.lit("tenure.start"),
                text="start",
                subject=pl.format("the start of {}", "id"),
                end_only=pl.lit(False),
            )
        )
        parts.append(
            who.select(
                "id",
                pointer=pl.lit("/end"),
                actor=actor,
                lo=elo,
                hi=ehi,
                what=pl.lit("tenure.end"),
                text=pl.col("end").fill_null("ongoing"),
                subject=pl.format("the end of {}", "id"),
                end_only=pl.lit(True),
            )
        )
    events = frames["events"].filter(
        ~pl.col("final").is_in(["cancelled", "did_not_take_place"]).fill_null(False)
        & pl.col("date_lo").is_not_null()
    )
    parts.append(
        frames["participants"]
        .join(events.select("id", "date", "date_lo", "date_hi"), on="id")
        .select(
            "id",
            pointer=pl.format("/participants/{}/actor", "i"),
            actor="actor",
            lo="date_lo",
            hi="date_hi",
            what=pl.lit("event"),
            text="date",
            subject="id",
            end_only=pl.lit(False),
        )
    )
    statements = frames["statements"].filter(pl.col("date_lo").is_not_null())
    for field in ("speaker", "medium"):
        parts.append(
            statements.filter(pl.col(field).is_not_null()).select(
                "id",
                pointer=pl.lit(f"/{field}"),
                actor=field,
                lo="date_lo",
                hi="date_hi",
                what=pl.lit("statement"),
                text="date",
                subject="id",
                end_only=pl.lit(False),
            )
        )
    steps = frames["lifecycle"].filter(pl.col("date_lo").is_not_null())
    signers = frames["lists"].filter(pl.col("field") == "lifecycle.by")
    parts.append(
        steps.join(signers, on=["id", "i"]).select(
            "id",
            pointer=pl.format("/lifecycle/{}/by/{}", "i", "j"),
            actor="value",
            lo="date_lo",
            hi="date_hi",
            what=pl.format("lifecycle.{}", "stage"),
            text="date",
            subject=pl.format("the '{}' step of {}", "stage", "id"),
            end_only=pl.lit(False),
        )
    )
    return pl.concat(parts)
