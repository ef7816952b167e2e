"""Statement rules: forecasts and their outcomes (US111)."""

from __future__ import annotations

from collections.abc import Iterator

import polars as pl

from unionstate import dates
from unionstate.checks import _examples as ex
from unionstate.checks._registry import Hit, jsonl, rule
from unionstate.checks.frames import NO, YES, Frames, as_of_span, before, span
from unionstate.dates import DateRange, format_day
from unionstate.report import Severity


def _forecast(outcome: dict[str, str] | None) -> dict[str, object]:
    out: dict[str, object] = {
        "claim": "All road maps agreed by the end of April 2021.",
        "deadline": "2021-04",
    }
    if outcome is not None:
        out["outcome"] = outcome
    return out


_CAST = (ex.header("2021-12-31"), ex.source(), ex.LUKASHENKA)


@rule(
    code="US111",
    name="forecast-outcome",
    title="Forecasts past their deadline have a consistent outcome",
    bad=jsonl(
        *_CAST,
        ex.statement(
            "roadmaps-by-april",
            "person/lukashenka",
            "2021-03-01",
            "All road maps will be agreed by the end of April.",
            forecasts=[_forecast({"status": "met", "date": "2021-09-10"})],
        ),
    ),
    good=jsonl(
        *_CAST,
        ex.statement(
            "roadmaps-by-april",
            "person/lukashenka",
            "2021-03-01",
            "All road maps will be agreed by the end of April.",
            forecasts=[_forecast({"status": "missed", "date": "2021-05-01"})],
        ),
    ),
)
def forecast_outcome(frames: Frames, as_of: DateRange | None) -> Iterator[Hit]:
    """A forecast's deadline is its latest day (``2021-04`` → 2021-04-30).

    * A ``met`` outcome is dated no later than the deadline: definitely later
      → error, possibly → warning.
    * A ``missed`` outcome is not dated before the deadline: definitely
      before → error, possibly → warning.
    * With an ``as_of`` day, a forecast whose deadline had passed by then has
      an outcome (missing → warning) that is not ``pending`` (→ warning).
    """
    fcs = frames["forecasts"].filter(pl.col("deadline_hi").is_not_null())
    fcs = fcs.filter(pl.col("deadline_hi") < dates.POS)
    if as_of is not None:
        lo, _ = as_of_span(as_of)
        due = fcs.filter(
            (pl.col("deadline_hi") < lo)
            & (pl.col("status").is_null() | (pl.col("status") == "pending"))
        )
        for r in due.iter_rows(named=True):
            base = f"/forecasts/{r['i']}"
            dd = {"deadline": r["deadline"], "as_of": str(as_of)}
            if r["status"] is None:
                msg = (
                    f"{r['id']}: the deadline {r['deadline']} of '{r['claim']}' had passed "
                    f"by the as-of day {as_of}, but no outcome is recorded."
                )
                yield Hit(r["id"], base, msg, dates=dd, severity=Severity.WARNING)
            else:
                msg = (
                    f"{r['id']}: '{r['claim']}' is still pending, but its deadline "
                    f"{r['deadline']} had passed by the as-of day {as_of}."
                )
                yield Hit(
                    r["id"], f"{base}/outcome/status", msg, dates=dd, severity=Severity.WARNING
                )
    deadline = (pl.col("deadline_hi"), pl.col("deadline_hi"))
    judged = fcs.filter(pl.col("outcome_lo").is_not_null()).with_columns(
        truth=pl.when(pl.col("status") == "met")
        .then(before(deadline, span("outcome")))
        .when(pl.col("status") == "missed")
        .then(before(span("outcome"), deadline))
        .otherwise(NO)
    )
    judged = judged.filter(pl.col("truth") > NO)
    evidence: dict[tuple[str, int], list[str]] = {}
    lists = frames["lists"].filter(
        (pl.col("field") == "forecasts.evidence") & pl.col("id").is_in(judged["id"].implode())
    )
    for rid, i, ref in lists.select("id", "i", "value").iter_rows():
        evidence.setdefault((rid, i), []).append(ref)
    for r in judged.iter_rows(named=True):
        what = "after" if r["status"] == "met" else "before"
        how = what if r["truth"] == YES else f"possibly {what}"
        yield Hit(
            r["id"],
            f"/forecasts/{r['i']}/outcome/date",
            f"{r['id']}: '{r['claim']}' is {r['status']} on {r['outcome']}, "
            f"{how} its deadline {r['deadline']} (last day {format_day(r['deadline_hi'])}).",
            r["truth"] == YES,
            related=tuple(evidence.get((r["id"], r["i"]), ())),
            dates={"deadline": r["deadline"], "outcome.date": r["outcome"]},
        )
