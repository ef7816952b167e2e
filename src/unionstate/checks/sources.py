"""Source rules: no source reports what happened after it was published
(US107); every source is used (US112); no source is newer than the dataset's
``as_of`` (US113); which records rest on weak sources alone (US114)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import polars as pl

from unionstate.checks import _examples as ex
from unionstate.checks._registry import Hit, jsonl, rule
from unionstate.checks.frames import NO, YES, Frames, as_of_span, before, first, span, text
from unionstate.dates import DateRange
from unionstate.report import Severity

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
def source_predates_fact(frames: Frames, as_of: DateRange | None) -> Iterator[Hit]:
    """A source cannot report as done what happened after its ``published``
    date. Checked facts: an event's ``held`` status (on the status's date,
    else the event's), an agreement's or road map's lifecycle step (on its
    date), a tenure's start, a statement (on its date), and a forecast's
    outcome that is ``met`` or ``missed`` (on the outcome's date).
    ``announced``/``scheduled`` statuses are exempt: a source may announce
    what is to come.

    Where the status or step lists its own ``sources``, each of them must
    not be published before the fact. Where it lists none, the record's
    ``sources`` back it, and these may mix announcements with reports, so
    only when *every* one of them was published before the fact is it a
    violation (sources without a ``published`` date give the benefit of the
    doubt). An outcome's own ``sources`` are read the same way, since they
    may include what led up to it. Definitely published before → error;
    possibly → warning. The same day is fine.
    """
    published = (
        first(frames["sources"])
        .filter(pl.col("published_lo").is_not_null())
        .select(source="id", pub="published", pub_lo="published_lo", pub_hi="published_hi")
        .lazy()
    )
    truth = before(span("pub"), span("fact"))
    facts = _facts(frames).with_row_index("n")
    lists = (
        frames["lists"]
        .lazy()
        .filter(pl.col("field").is_in(list(_OWN_SOURCES)))
        .select(
            "id",
            "j",
            "value",
            at=text("/{}/{}", pl.col("field").cast(pl.String).replace_strict(_OWN_SOURCES), "i"),
        )
    )
    own = lists.join(facts, left_on=["id", "at"], right_on=["id", "pointer"])
    own = own.join(published, left_on="value", right_on="source")
    own = own.with_columns(truth=truth).filter(pl.col("truth") > NO)
    for r in own.collect(engine="streaming").iter_rows(named=True):
        yield _report(r, f"{r['at']}/sources/{r['j']}", [(r["value"], r["pub"])], r["truth"])
    outcomes = (
        frames["lists"]
        .lazy()
        .filter(pl.col("field") == "forecasts.outcome.sources")
        .select("id", "j", source="value", at=text("/forecasts/{}/outcome", "i"))
    )
    by_record = (
        facts.join(
            pl.concat([lists.select("id", "at"), outcomes.select("id", "at")]).unique(),
            left_on=["id", "pointer"],
            right_on=["id", "at"],
            how="anti",
        )
        .join(frames["cited"].lazy(), on="id")
        .with_columns(own=pl.lit(False))
    )
    by_outcome = (
        facts.join(outcomes, left_on=["id", "pointer"], right_on=["id", "at"])
        .rename({"j": "i"})
        .with_columns(own=pl.lit(True))
    )
    backed = (
        pl.concat([by_record, by_outcome.select(by_record.collect_schema().names())])
        .join(published, on="source", how="left")
        .with_columns(truth=truth)
        .collect(engine="streaming")  # read twice below
        .lazy()
    )
    judged = (
        backed.group_by("n")
        .agg(pl.col("truth").min(), unknown=pl.col("pub_lo").is_null().any())
        .filter(~pl.col("unknown") & (pl.col("truth") > NO))
    )
    rows = backed.drop("truth").join(judged.select("n", "truth"), on="n")
    groups: dict[int, list[dict[str, Any]]] = {}
    for r in rows.collect(engine="streaming").sort("n", "i").iter_rows(named=True):
        groups.setdefault(r["n"], []).append(r)
    for g in groups.values():
        where = g[0]["pointer"] + "/sources" if g[0]["own"] else "/sources"
        yield _report(g[0], where, [(r["source"], r["pub"]) for r in g], g[0]["truth"])


#: The lists of a fact's own sources, and the array the fact is an item of.
_OWN_SOURCES = {"statuses.sources": "statuses", "lifecycle.sources": "lifecycle"}


def _facts(frames: Frames) -> pl.LazyFrame:
    """The dated facts a source may report: ``id``, ``pointer``, ``key`` (what),
    ``text`` and the day bounds ``fact_lo``/``fact_hi`` of its date, and the
    fact's own sources (in ``lists``, where it has any)."""
    events = frames["events"].lazy().select("id", "date", "date_lo", "date_hi")
    own = pl.col("date").is_not_null() & (pl.col("date") != "")
    held = (
        frames["statuses"]
        .lazy()
        .filter(pl.col("status") == "held")
        .join(events, on="id", suffix="_event")
        .select(
            "id",
            pointer=text("/statuses/{}", "i"),
            key=pl.lit("held", dtype=pl.String),
            text=pl.when(own).then("date").otherwise("date_event"),
            fact_lo=pl.when(own).then("date_lo").otherwise("date_lo_event"),
            fact_hi=pl.when(own).then("date_hi").otherwise("date_hi_event"),
        )
    )
    steps = (
        frames["lifecycle"]
        .lazy()
        .filter(pl.col("date").is_not_null())
        .select(
            "id",
            pointer=text("/lifecycle/{}", "i"),
            key=pl.col("stage").cast(pl.String),
            text="date",
            fact_lo="date_lo",
            fact_hi="date_hi",
        )
    )
    starts = (
        frames["tenures"]
        .lazy()
        .filter(pl.col("start").is_not_null())
        .select(
            "id",
            pointer=pl.lit("/start"),
            key=pl.lit("tenure.start", dtype=pl.String),
            text="start",
            fact_lo="start_lo",
            fact_hi="start_hi",
        )
    )
    said = (
        frames["statements"]
        .lazy()
        .select(
            "id",
            pointer=pl.lit("/date"),
            key=pl.lit("statement", dtype=pl.String),
            text="date",
            fact_lo="date_lo",
            fact_hi="date_hi",
        )
    )
    outcomes = (
        frames["forecasts"]
        .lazy()
        .filter(pl.col("status").is_in(["met", "missed"]))
        .select(
            "id",
            pointer=text("/forecasts/{}/outcome", "i"),
            key=text("outcome.{}", pl.col("status").cast(pl.String)),
            text="outcome",
            fact_lo="outcome_lo",
            fact_hi="outcome_hi",
        )
    )
    return pl.concat([held, steps, starts, said, outcomes]).filter(pl.col("fact_lo").is_not_null())


def _report(r: Mapping[str, Any], pointer: str, pubs: list[tuple[str, str]], truth: int) -> Hit:
    cited = ", ".join(f"{sid} (published {when})" for sid, when in pubs)
    how = "before" if truth == YES else "possibly before"
    many = "sources were all published" if len(pubs) > 1 else "source was published"
    dd = {r["key"]: r["text"]}
    dd.update({f"{sid}.published": when for sid, when in pubs})
    return Hit(
        r["id"],
        pointer,
        f"{r['id']} has '{r['key']}' on {r['text']}, but its {many} {how} that ({cited}), "
        "so it cannot report it as done.",
        truth == YES,
        related=tuple(sid for sid, _ in pubs),
        dates=dd,
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
def unused_source(frames: Frames, as_of: DateRange | None) -> Iterator[Hit]:
    """Every source is cited by some record: in a record's ``sources``, a
    name's, claim's, status's, lifecycle step's or outcome's ``sources``, or
    as the original of another source. An unused source is reported as info:
    it may be kept on purpose, but it usually means a citation was lost.
    (Unique ids and resolving references are checked by US020 and US021.)
    """
    cited = frames["refs"]["ref"]  # every id another record names
    for s in frames["sources"].filter(~pl.col("id").is_in(cited.implode())).iter_rows(named=True):
        yield Hit(s["id"], "", f"{s['id']} ({s['url']}) is not cited by any record.")


# --- US113 -------------------------------------------------------------------


@rule(
    code="US113",
    name="source-after-as-of",
    title="No source is published after the dataset's as_of",
    bad=jsonl(ex.header("2021-06-01"), ex.source("report", "2021-09-10"), ex.LUKASHENKA),
    good=jsonl(ex.header("2021-12-31"), ex.source("report", "2021-09-10"), ex.LUKASHENKA),
)
def source_after_as_of(frames: Frames, as_of: DateRange | None) -> Iterator[Hit]:
    """A dataset's ``as_of`` is the last day its data knows of, so none of
    its sources is published after it: definitely after → error, possibly
    (a coarse publication date that straddles ``as_of``) → warning. Sources
    without a publication date, and datasets without ``as_of``, are not
    checked."""
    if as_of is None:
        return
    lo, hi = as_of_span(as_of)
    late = (
        frames["sources"]
        .with_columns(truth=before((pl.lit(lo), pl.lit(hi)), span("published")))
        .filter(pl.col("published_lo").is_not_null() & (pl.col("truth") > NO))
    )
    for s in late.iter_rows(named=True):
        how = "is" if s["truth"] == YES else "may be"
        yield Hit(
            s["id"],
            "/published",
            f"{s['id']} {how} published ({s['published']}) after the dataset's as_of "
            f"({as_of.text}), the last day its data knows of.",
            s["truth"] == YES,
            dates={"source.published": s["published"] or "", "as_of": as_of.text},
        )


# --- US114 -------------------------------------------------------------------


@rule(
    code="US114",
    name="weak-sources-only",
    title="No record rests on weak sources alone",
    severity=Severity.INFO,
    bad=jsonl(
        ex.source("mirror", weak=True),
        ex.person("lukashenka", "A. Lukashenka", sources=["source/mirror"]),
    ),
    good=jsonl(
        ex.source("mirror", weak=True),
        ex.source(),
        ex.person("lukashenka", "A. Lukashenka", sources=["source/mirror", "source/report"]),
    ),
)
def weak_sources_only(frames: Frames, as_of: DateRange | None) -> Iterator[Hit]:
    """A record whose every source (its own ``sources``) is marked ``weak``, an
    aggregator or a mirror, rests on no original: reported as info, so that
    such facts can be listed (``--select US114 --show info``) and an original
    sought. Source records are not checked (their ``sources`` are what they
    rely on), and a cited id that names no source counts as not weak (US021
    reports it)."""
    weak = first(frames["sources"]).filter(pl.col("weak")).select(source="id", weak="weak")
    facts = first(frames["records"]).filter(pl.col("type") != "source").select("id")
    cited = frames["cited"].join(facts, on="id", how="semi", maintain_order="left")
    some = cited.join(weak, on="source", how="semi").select("id")  # cite a weak source
    judged = (
        cited.join(some, on="id", how="semi", maintain_order="left")
        .join(weak, on="source", how="left", maintain_order="left")
        .group_by("id", maintain_order=True)
        .agg(pl.col("weak").fill_null(False).all(), pl.col("source").cast(pl.String))
        .filter(pl.col("weak"))
    )
    for rid, _, cited in judged.iter_rows():
        yield Hit(
            rid,
            "/sources",
            f"{rid} rests only on weak sources ({', '.join(cited)}): aggregators or mirrors; "
            "an original would make it firmer.",
            related=tuple(cited),
        )
