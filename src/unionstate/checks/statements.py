"""Statement rules: forecasts and their outcomes (US111)."""

from __future__ import annotations

from collections.abc import Iterator

from unionstate.checks import _examples as ex
from unionstate.checks._context import Bounds, Context, bounds, found, lt, parse_opt
from unionstate.checks._registry import graded, jsonl, rule
from unionstate.dates import YES, format_day
from unionstate.model import OutcomeStatus, Statement
from unionstate.report import Finding, Severity


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
def forecast_outcome(ctx: Context) -> Iterator[Finding]:
    """A forecast's deadline is its latest day (``2021-04`` → 2021-04-30).

    * A ``met`` outcome is dated no later than the deadline: definitely later
      → error, possibly → warning.
    * A ``missed`` outcome is not dated before the deadline: definitely
      before → error, possibly → warning.
    * With an ``as_of`` day, a forecast whose deadline had passed by then has
      an outcome (missing → warning) that is not ``pending`` (→ warning).
    """
    as_of = bounds(ctx.as_of) if ctx.as_of is not None else None
    for s in ctx.all(Statement):
        for i, fc in enumerate(s.forecasts):
            dl = parse_opt(fc.deadline)
            if dl is None or dl.hi is None:
                continue
            deadline: Bounds = (dl.hi, dl.hi)
            last = format_day(dl.hi)
            base = f"/forecasts/{i}"
            out = fc.outcome
            if as_of is not None and lt(deadline, as_of) is YES:
                if out is None:
                    yield found(
                        "US111",
                        Severity.WARNING,
                        f"{s.id}: the deadline {fc.deadline} of '{fc.claim}' had passed "
                        f"by the as-of day {ctx.as_of}, but no outcome is recorded.",
                        s,
                        base,
                        dates_={"deadline": fc.deadline, "as_of": str(ctx.as_of)},
                    )
                elif out.status is OutcomeStatus.PENDING:
                    yield found(
                        "US111",
                        Severity.WARNING,
                        f"{s.id}: '{fc.claim}' is still pending, but its deadline "
                        f"{fc.deadline} had passed by the as-of day {ctx.as_of}.",
                        s,
                        f"{base}/outcome/status",
                        dates_={"deadline": fc.deadline, "as_of": str(ctx.as_of)},
                    )
            if out is None or out.date is None:
                continue
            od = parse_opt(out.date)
            if od is None:
                continue
            if out.status is OutcomeStatus.MET:
                truth = lt(deadline, bounds(od))
                what = "after"
            elif out.status is OutcomeStatus.MISSED:
                truth = lt(bounds(od), deadline)
                what = "before"
            else:
                continue
            sev = graded(truth)
            if sev is not None:
                how = what if truth is YES else f"possibly {what}"
                yield found(
                    "US111",
                    sev,
                    f"{s.id}: '{fc.claim}' is {out.status.value} on {out.date}, "
                    f"{how} its deadline {fc.deadline} (last day {last}).",
                    s,
                    f"{base}/outcome/date",
                    related=out.evidence,
                    dates_={"deadline": fc.deadline, "outcome.date": out.date},
                )
