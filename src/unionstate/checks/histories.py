"""Histories in order: event status histories and agreement or road map
lifecycles (US106)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from unionstate.checks import _examples as ex
from unionstate.checks._context import TERMINAL, Bounds, Context, bounds, found, lt, parse_opt
from unionstate.checks._registry import jsonl, rule
from unionstate.dates import YES
from unionstate.model import Event, Record, Stage
from unionstate.report import Finding, Severity

#: Lifecycle stages in their order; ``abandoned`` ends a lifecycle instead.
STAGE_ORDER: tuple[Stage, ...] = (
    Stage.PROPOSED,
    Stage.DRAFTED,
    Stage.INITIALLED,
    Stage.AGREED,
    Stage.SIGNED,
    Stage.APPROVED,
    Stage.RATIFIED,
    Stage.IN_FORCE,
)
_RANK = {s: i for i, s in enumerate(STAGE_ORDER)}


@rule(
    code="US106",
    name="history-order",
    title="Status histories and lifecycles run in order",
    bad=jsonl(
        ex.source(),
        ex.agreement(
            "union-state-treaty",
            "Treaty on the Creation of a Union State",
            lifecycle=[
                ex.step("signed", "1999-12-08"),
                ex.step("in_force", "2000-01-26"),
                ex.step("ratified", "2000-01-22"),
            ],
        ),
    ),
    good=jsonl(
        ex.source(),
        ex.agreement(
            "union-state-treaty",
            "Treaty on the Creation of a Union State",
            lifecycle=[
                ex.step("signed", "1999-12-08"),
                ex.step("ratified", "2000-01-22"),
                ex.step("in_force", "2000-01-26"),
            ],
        ),
    ),
)
def history_order(ctx: Context) -> Iterator[Finding]:
    """An event's ``statuses`` and an agreement's or road map's ``lifecycle``
    are listed oldest first and run in a possible order.

    * Statuses: nothing follows ``held``, ``cancelled`` or
      ``did_not_take_place`` (an event that is rescheduled after a
      postponement is fine: announced/scheduled may follow ``postponed``).
    * Lifecycle stages never go back in the order proposed < drafted <
      initialled < agreed < signed < approved < ratified < in_force (a stage
      may repeat, e.g. signed by each party), and nothing follows
      ``abandoned``.
    * Dates (where given) do not decrease from one step to the next.

    All are errors. Only a definite step back in time is reported: the dates
    belong to one record, which asserts their order, so steps whose coarse
    dates merely might be reversed (``2019`` then ``2019-03-01``) pass.
    """
    for e in ctx.all(Event):
        terminal: tuple[int, str] | None = None
        for i, st in enumerate(e.statuses):
            if terminal is not None:
                yield found(
                    "US106",
                    Severity.ERROR,
                    f"{e.id} is {st.status.value} after it was already {terminal[1]} "
                    f"(statuses/{terminal[0]}).",
                    e,
                    f"/statuses/{i}/status",
                )
            elif st.status in TERMINAL:
                terminal = (i, st.status.value)
        yield from _dates_in_order(e, "statuses", [(s.status.value, s.date) for s in e.statuses])
    for a in ctx.with_lifecycle():
        yield from _lifecycle(a, [s.stage for s in a.lifecycle])
        yield from _dates_in_order(a, "lifecycle", [(s.stage.value, s.date) for s in a.lifecycle])


def _lifecycle(rec: Record, stages: Sequence[Stage]) -> Iterator[Finding]:
    top: tuple[int, Stage] | None = None
    abandoned: int | None = None
    for i, stage in enumerate(stages):
        ptr = f"/lifecycle/{i}/stage"
        if abandoned is not None:
            yield found(
                "US106",
                Severity.ERROR,
                f"{rec.id} reaches '{stage.value}' after it was abandoned (lifecycle/{abandoned}).",
                rec,
                ptr,
            )
            continue
        if stage is Stage.ABANDONED:
            abandoned = i
            continue
        if top is not None and _RANK[stage] < _RANK[top[1]]:
            yield found(
                "US106",
                Severity.ERROR,
                f"{rec.id} reaches '{stage.value}' after '{top[1].value}' "
                f"(lifecycle/{top[0]}), but {stage.value} comes first.",
                rec,
                ptr,
            )
        elif top is None or _RANK[stage] > _RANK[top[1]]:
            top = (i, stage)


def _dates_in_order(
    rec: Record, field: str, steps: Sequence[tuple[str, str | None]]
) -> Iterator[Finding]:
    prev: tuple[int, str, str, Bounds] | None = None
    for i, (what, text) in enumerate(steps):
        d = parse_opt(text)
        if d is None or text is None:
            continue
        b = bounds(d)
        if prev is not None and lt(b, prev[3]) is YES:
            yield found(
                "US106",
                Severity.ERROR,
                f"{rec.id}: '{what}' on {text} ({field}/{i}) is dated before the "
                f"'{prev[1]}' listed ahead of it on {prev[2]} ({field}/{prev[0]}).",
                rec,
                f"/{field}/{i}/date",
                dates_={f"{field}/{i}": text, f"{field}/{prev[0]}": prev[2]},
            )
        else:
            prev = (i, what, text, b)
