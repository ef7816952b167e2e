"""Event rules: statuses against the dataset's ``as_of`` (US105) and one
place at a time (US109)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

import polars as pl

from unionstate import dates
from unionstate.checks import _examples as ex
from unionstate.checks._registry import Hit, jsonl, rule
from unionstate.checks.frames import NO, YES, Frames, as_of_span, before, persons, text
from unionstate.checks.places import place_tree
from unionstate.dates import DateRange
from unionstate.report import Severity

# --- US105 -------------------------------------------------------------------


@rule(
    code="US105",
    name="status-as-of",
    title="Event statuses fit the dataset's as-of day",
    bad=jsonl(
        ex.header("2021-06-01"),
        ex.source(),
        ex.event(
            "summit-2021-09", "2021-09-09", ex.status("scheduled", "2021-05-20"), ex.status("held")
        ),
    ),
    good=jsonl(
        ex.header("2021-06-01"),
        ex.source("announcement", "2021-05-20"),
        ex.event(
            "summit-2021-09",
            "2021-09-09",
            ex.status("scheduled", "2021-05-20"),
            sources=["source/announcement"],
        ),
    ),
)
def status_as_of(frames: Frames, as_of: DateRange | None) -> Iterator[Hit]:
    """With an ``as_of`` day (the dataset header's, or ``check(as_of=...)``):

    * a ``held`` status is not dated after ``as_of`` (its own ``date``, else the
      event's): definitely after → error, possibly → warning;
    * an event whose last status is ``scheduled`` or ``announced`` and whose
      date has definitely passed by ``as_of`` is *stale* (warning): it needs a
      resolving status (held, postponed, cancelled, did not take place).

    Without ``as_of`` nothing is checked.
    """
    if as_of is None:
        return
    lo, hi = as_of_span(as_of)
    day = (pl.lit(lo), pl.lit(hi))
    events = frames["events"]
    own = pl.col("date").is_not_null() & (pl.col("date") != "")
    # lazy: polars 2.1's eager engine returned one row of `truth` for two when
    # every held status of the table was one event's, undated (a single-row join)
    held = (
        frames["statuses"]
        .lazy()
        .filter(pl.col("status") == "held")
        .join(events.lazy().select("id", "date", "date_lo", "date_hi"), on="id", suffix="_event")
        .select(
            "id",
            text=pl.when(own).then("date").otherwise("date_event"),
            pointer=pl.when(own).then(text("/statuses/{}/date", "i")).otherwise(pl.lit("/date")),
            lo=pl.when(own).then("date_lo").otherwise("date_lo_event"),
            hi=pl.when(own).then("date_hi").otherwise("date_hi_event"),
        )
        .filter(pl.col("lo").is_not_null())
        .with_columns(truth=before(day, (pl.col("lo"), pl.col("hi"))))
        .filter(pl.col("truth") > NO)
        .collect()
    )
    for r in held.iter_rows(named=True):
        how = "after" if r["truth"] == YES else "possibly after"
        yield Hit(
            r["id"],
            r["pointer"],
            f"{r['id']} is marked held on {r['text']}, {how} the dataset's as-of day {as_of}.",
            r["truth"] == YES,
            dates={"held": r["text"], "as_of": str(as_of)},
        )
    stale = events.filter(
        pl.col("final").is_in(["announced", "scheduled"]) & (pl.col("date_hi") < lo)
    )
    for e in stale.iter_rows(named=True):
        yield Hit(
            e["id"],
            f"/statuses/{e['statuses'] - 1}/status",
            f"{e['id']} is still {e['final']} for {e['date']}, which had "
            f"passed by the as-of day {as_of}; add what became of it (held, "
            "postponed, cancelled or did not take place).",
            dates={"event": e["date"], "as_of": str(as_of)},
            severity=Severity.WARNING,
        )


# --- US109 -------------------------------------------------------------------

#: Events whose date spans more days than this are not compared (a visit
#: dated '2021-09' would clash with everything that month).
MAX_SPAN_DAYS = 3

_CITIES = (
    ex.source(),
    ex.LUKASHENKA,
    ex.place("belarus", "Belarus", "country"),
    ex.place("russia", "Russia", "country"),
    ex.place("minsk", "Minsk", "city", parent="place/belarus"),
    ex.place("sochi", "Sochi", "city", parent="place/russia"),
    ex.place("bocharov-ruchey", "Bocharov Ruchey", "venue", parent="place/sochi"),
)
_LUKASHENKA = [{"actor": "person/lukashenka"}]


@rule(
    code="US109",
    name="one-place-at-a-time",
    title="Nobody is in two cities on one day",
    bad=jsonl(
        *_CITIES,
        ex.event(
            "talks-sochi", "2021-09-09", place="place/bocharov-ruchey", participants=_LUKASHENKA
        ),
        ex.event("forum-minsk", "2021-09-09", place="place/minsk", participants=_LUKASHENKA),
    ),
    good=jsonl(
        *_CITIES,
        ex.event(
            "talks-sochi", "2021-09-09", place="place/bocharov-ruchey", participants=_LUKASHENKA
        ),
        ex.event(
            "forum-minsk",
            "2021-09-09",
            place="place/minsk",
            attendance="in_person",
            participants=[{"actor": "person/lukashenka", "attendance": "videoconference"}],
        ),
    ),
)
def one_place_at_a_time(frames: Frames, as_of: DateRange | None) -> Iterator[Hit]:
    """A person is not physically present at two held events in different
    cities on the same day.

    Compared: events with a ``held`` status that were not later cancelled,
    attended in person (the participant's ``attendance``, else the event's,
    is ``in_person`` or not given), whose place lies in a city (the nearest
    ``city`` among the place and its ancestors), and whose date spans at most
    three days (a day, a day with ``~``/``?``, or a short interval): coarser
    dates would make every pair in a month or year "possibly" clash, which
    is noise. Events one of which is ``part_of`` the other are not compared.
    Both on the same exact day → error; overlapping day ranges → warning. The
    finding is on the later event (by date, then id).
    """
    _, city_of = place_tree(frames)
    cities = pl.DataFrame(
        [(p, c) for p, c in city_of.items() if c is not None],
        schema={"place": pl.Categorical, "city": pl.Categorical},
        orient="row",
    )
    events = (
        frames["events"]
        .lazy()
        .filter(
            pl.col("held")
            & ~pl.col("final").is_in(["cancelled", "did_not_take_place"])
            & (pl.col("date_lo") > dates.NEG)
            & (pl.col("date_hi") < dates.POS)
            & (pl.col("date_hi") - pl.col("date_lo") < MAX_SPAN_DAYS)
        )
        .join(cities.lazy(), on="place")
        .select("id", "date", "city", lo="date_lo", hi="date_hi", attended="attendance")
    )
    present = pl.col("attendance").fill_null(pl.col("attended"))
    seen = (
        frames["participants"]
        .lazy()
        .join(events, on="id")
        .filter(
            (present.is_null() | (present == "in_person"))
            & pl.col("actor").is_in(persons(frames)["id"].implode())
        )
        .select("id", "i", "actor", "lo", "hi", "date", "city")
    )
    # a is listed before b (by first day, event id, participant) and b's
    # first day falls in a's days: the two may be on one day
    days = seen.with_columns(day=pl.int_ranges("lo", pl.col("hi") + 1)).explode("day")
    joined = seen.join(days, left_on=["actor", "lo"], right_on=["actor", "day"], suffix="_a")
    pairs = joined.filter(
        (pl.col("city") != pl.col("city_a"))
        & (pl.col("id") != pl.col("id_a"))
        & (
            (pl.col("lo_a") < pl.col("lo"))
            | (
                (pl.col("lo_a") == pl.col("lo"))
                & (
                    (pl.col("id_a") < pl.col("id"))
                    | ((pl.col("id_a") == pl.col("id")) & (pl.col("i_a") < pl.col("i")))
                )
            )
        )
    ).collect(engine="streaming")
    if not pairs.height:
        return
    nested = _part_of(frames)
    labels = frames.labels([*pairs["city"], *pairs["city_a"]])
    for r in pairs.iter_rows(named=True):
        a, b = r["id_a"], r["id"]
        if _nested(nested, a, b):
            continue
        same = r["lo_a"] == r["hi_a"] == r["lo"] == r["hi"]
        how = "the same day" if same else "possibly the same day"
        yield Hit(
            b,
            f"/participants/{r['i']}/actor",
            f"{r['actor']} is present in person at {b} in {labels[r['city']]} on "
            f"{r['date']} and at {a} in {labels[r['city_a']]} on {r['date_a']}, {how}.",
            same,
            related=(a, r["actor"], r["city"], r["city_a"]),
            dates={"event": r["date"], "other.event": r["date_a"]},
        )


def _part_of(frames: Frames) -> dict[str, str]:
    """Each event that is part of another, and that one."""
    parts = frames["events"].filter(pl.col("part_of").is_not_null())
    return dict(parts.unique("id", keep="first").select("id", "part_of").iter_rows())


def _ancestors(part_of: Mapping[str, str], event_id: str) -> set[str]:
    out: set[str] = set()
    parent = part_of.get(event_id)
    while parent is not None and parent not in out:
        out.add(parent)
        parent = part_of.get(parent)
    return out


def _nested(part_of: Mapping[str, str], a: str, b: str) -> bool:
    if part_of.get(a) is None and part_of.get(b) is None:
        return False
    return a in _ancestors(part_of, b) or b in _ancestors(part_of, a)
