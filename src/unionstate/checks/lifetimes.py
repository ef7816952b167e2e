"""Lifetimes: what persons and organisations do falls between birth and
death, founding and dissolution (US102)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import polars as pl

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
    dissolution is fine. An organisation whose founding (or dissolution) is
    not known takes that of the nearest organisation it is part of
    (``parent``): a body cannot meet before the one it belongs to exists.
    Definitely outside → error, possibly → warning.
    """
    acts = _acts(frames).join(_lives(frames), left_on="actor", right_on="id", suffix="_life")
    when = (pl.col("lo"), pl.col("hi"))
    early = (
        pl.when(pl.col("begin").is_null() | (pl.col("act") == _END_OF_TENURE))
        .then(NO)
        .otherwise(before(when, start_span("begin")))
    )
    late = pl.when(pl.col("end").is_null()).then(NO).otherwise(before(end_span("end"), when))
    bad = (
        acts.with_columns(early=early, late=late)
        .with_columns(truth=pl.max_horizontal("early", "late"))
        .filter(pl.col("truth") > NO)
        .collect(engine="streaming")
    )
    for r in bad.iter_rows(named=True):
        kind, definite = r["kind"], r["truth"] == YES
        if r["early"] == r["truth"]:
            key, date, verb, rel = f"{kind}.{_BEGIN[kind]}", r["begin"], _BEGIN_VERB[kind], "before"
            via = r["begin_via"]
        else:
            key, date, verb, rel = f"{kind}.{_END[kind]}", r["end"], _END_VERB[kind], "after"
            via = r["end_via"]
        pointer, what, text, subject = _words(r)
        who = r["actor"] if via is None else f"{r['actor']} is part of {via}, which"
        if r["act"] == _END_OF_TENURE and r["text"] is None:
            msg = f"{who} {verb} on {date}, but {subject} is still open (ongoing)."
        else:
            maybe = "" if definite else "possibly "
            msg = f"{who} {verb} on {date}, but {subject} ({text}) is {maybe}{rel} that."
        related = (r["actor"],) if via is None else (r["actor"], via)
        yield Hit(r["id"], pointer, msg, definite, related=related, dates={what: text, key: date})


#: How far up the ``parent`` chain an organisation's lifetime is looked for.
_MAX_DEPTH = 16


def _lives(frames: Frames) -> pl.LazyFrame:
    """Each actor's lifetime: its own ``begin`` and ``end``, and for an
    organisation whose own is unknown, the nearest parent organisation's
    (a body does not exist before, or after, the one it is part of);
    ``begin_via``/``end_via`` name that parent (null: its own)."""
    own = frames["lives"].unique("id", keep="first")
    parents = frames["parts"].unique("id", keep="first").select("id", up="parent")
    chain = [own.select("id", at="id", depth=pl.lit(0, pl.Int32))]
    level = parents.select("id", at="up", depth=pl.lit(1, pl.Int32))
    for _ in range(_MAX_DEPTH):
        if level.is_empty():
            break
        chain.append(level)
        level = level.join(parents, left_on="at", right_on="id").select(
            "id", at="up", depth=pl.col("depth") + 1
        )
    ups = pl.concat(chain).unique(["id", "at"], keep="first")
    sides = []
    for side in ("begin", "end"):
        cols = [side, f"{side}_lo", f"{side}_hi"]
        known = own.filter(pl.col(side).is_not_null()).select(pl.col("id").alias("at"), *cols)
        nearest = (
            ups.join(known, on="at")
            .sort("id", "depth")
            .unique("id", keep="first", maintain_order=True)
            .select(
                "id",
                *cols,
                **{f"{side}_via": pl.when(pl.col("depth") > 0).then("at").cast(pl.String)},
            )
        )
        sides.append(nearest)
    kinds = own.select("id", "kind")
    lives = sides[0].join(sides[1], on="id", how="full", coalesce=True)
    return (
        lives.join(kinds, on="id", how="left")
        .with_columns(kind=pl.col("kind").fill_null("organization"))
        .lazy()
    )


# What an actor did (the ``act`` column of :func:`_acts`).
_START_OF_TENURE, _END_OF_TENURE, _EVENT, _SPEAKER, _MEDIUM, _STEP = range(6)


def _words(r: dict[str, Any]) -> tuple[str, str, str, str]:
    """The pointer, the date's key and text, and the words for what an actor
    did (a row of :func:`_acts`)."""
    act, rid, text = r["act"], r["id"], r["text"]
    if act == _START_OF_TENURE:
        return "/start", "tenure.start", text, f"the start of {rid}"
    if act == _END_OF_TENURE:
        return "/end", "tenure.end", text or "ongoing", f"the end of {rid}"
    if act == _EVENT:
        return f"/participants/{r['i']}/actor", "event", text, rid
    if act in (_SPEAKER, _MEDIUM):
        return "/speaker" if act == _SPEAKER else "/medium", "statement", text, rid
    stage = r["stage"]
    return (
        f"/lifecycle/{r['i']}/by/{r['j']}",
        f"lifecycle.{stage}",
        text,
        (f"the '{stage}' step of {rid}"),
    )


def _acts(frames: Frames) -> pl.LazyFrame:
    """What actors did, when: ``id``, ``actor``, ``act`` (what they did: a
    tenure's start or end, an event, a statement as speaker or medium, a
    lifecycle step), the day bounds ``lo``/``hi`` and the date's ``text``,
    and where in the record (``i``, ``j``, ``stage``)."""
    offices = frames["offices"].unique("id", keep="first").select(office="id", org="organization")
    tenures = frames["tenures"].lazy().join(offices.lazy(), on="office", how="left")
    (slo, shi), (elo, ehi) = start_span("start"), end_span("end")
    nothing = {"i": pl.lit(None, pl.Int32), "j": pl.lit(None, pl.Int32)}
    nothing["stage"] = pl.lit(None, pl.Categorical)
    parts = []
    for actor in ("person", "org"):
        who = tenures.filter(pl.col(actor).is_not_null())
        started = who.filter(pl.col("start").is_not_null())
        parts.append(_act(started, actor, _START_OF_TENURE, slo, shi, "start", nothing))
        parts.append(_act(who, actor, _END_OF_TENURE, elo, ehi, "end", nothing))
    events = (
        frames["events"]
        .lazy()
        .filter(
            ~pl.col("final").is_in(["cancelled", "did_not_take_place"]).fill_null(False)
            & pl.col("date_lo").is_not_null()
        )
    )
    seen = frames["participants"].lazy().join(events.select("id", *_DATE), on="id")
    parts.append(_act(seen, "actor", _EVENT, *_DAYS, "date", {**nothing, "i": pl.col("i")}))
    statements = frames["statements"].lazy().filter(pl.col("date_lo").is_not_null())
    for field, act in (("speaker", _SPEAKER), ("medium", _MEDIUM)):
        said = statements.filter(pl.col(field).is_not_null())
        parts.append(_act(said, field, act, *_DAYS, "date", nothing))
    steps = frames["lifecycle"].lazy().filter(pl.col("date_lo").is_not_null())
    signers = frames["lists"].lazy().filter(pl.col("field") == "lifecycle.by")
    where = {"i": pl.col("i"), "j": pl.col("j"), "stage": pl.col("stage")}
    parts.append(_act(steps.join(signers, on=["id", "i"]), "value", _STEP, *_DAYS, "date", where))
    return pl.concat(parts)


_DATE = ("date", "date_lo", "date_hi")
_DAYS = (pl.col("date_lo"), pl.col("date_hi"))


def _act(
    table: pl.LazyFrame,
    actor: str,
    act: int,
    lo: pl.Expr,
    hi: pl.Expr,
    text: str,
    where: dict[str, pl.Expr],
) -> pl.LazyFrame:
    return table.select(
        "id", actor=actor, act=pl.lit(act, pl.Int8), lo=lo, hi=hi, text=text, **where
    )
