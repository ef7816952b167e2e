"""Histories in order: event status histories and agreement or road map
lifecycles (US106)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import polars as pl

from unionstate.checks import _examples as ex
from unionstate.checks._registry import Hit, jsonl, rule
from unionstate.checks.frames import Frames
from unionstate.dates import DateRange

#: Lifecycle stages in their order; ``abandoned`` ends a lifecycle instead.
STAGE_ORDER = (
    "proposed",
    "drafted",
    "initialled",
    "agreed",
    "signed",
    "approved",
    "ratified",
    "in_force",
)
#: Statuses after which an event's story is over.
TERMINAL = ("held", "cancelled", "did_not_take_place")
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
def history_order(frames: Frames, as_of: DateRange | None) -> Iterator[Hit]:
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
    statuses = frames["statuses"].rename({"status": "what"})
    steps = frames["lifecycle"].rename({"stage": "what"})
    ended = pl.when(pl.col("what").is_in(TERMINAL)).then("i").min().over("id")
    rank = pl.col("what").cast(pl.String).replace_strict(_RANK, default=None, return_dtype=pl.Int64)
    quit = pl.when(pl.col("what") == "abandoned").then("i").min().over("id")
    back = rank < rank.cum_max().shift(1).over("id")
    for field, table, wrong in (
        ("statuses", statuses, pl.col("i") > ended),
        ("lifecycle", steps, (pl.col("i") > quit) | back),
    ):
        early = pl.col("date_lo").cum_max().shift(1).over("id")  # of the dated steps above
        dated = table.lazy().filter(pl.col("date_lo").is_not_null())
        odd = pl.concat(
            [
                table.lazy().filter(wrong).select("id"),
                dated.filter(pl.col("date_hi") < early).select("id"),
            ]
        ).collect()["id"]
        rows: dict[str, list[dict[str, Any]]] = {}
        for r in table.filter(pl.col("id").is_in(odd.unique().implode())).iter_rows(named=True):
            rows.setdefault(r["id"], []).append(r)
        for rid, steps_of in rows.items():
            if field == "statuses":
                yield from _after_end(rid, [s["what"] for s in steps_of])
            else:
                yield from _lifecycle(rid, [s["what"] for s in steps_of])
            yield from _dates_in_order(rid, field, steps_of)


def _after_end(rid: str, statuses: Sequence[str]) -> Iterator[Hit]:
    terminal: tuple[int, str] | None = None
    for i, status in enumerate(statuses):
        if terminal is not None:
            yield Hit(
                rid,
                f"/statuses/{i}/status",
                f"{rid} is {status} after it was already {terminal[1]} (statuses/{terminal[0]}).",
            )
        elif status in TERMINAL:
            terminal = (i, status)


def _lifecycle(rid: str, stages: Sequence[str]) -> Iterator[Hit]:
    top: tuple[int, str] | None = None
    abandoned: int | None = None
    for i, stage in enumerate(stages):
        ptr = f"/lifecycle/{i}/stage"
        if abandoned is not None:
            yield Hit(
                rid, ptr, f"{rid} reaches '{stage}' after it was abandoned (lifecycle/{abandoned})."
            )
            continue
        if stage == "abandoned":
            abandoned = i
            continue
        if top is not None and _RANK[stage] < _RANK[top[1]]:
            yield Hit(
                rid,
                ptr,
                f"{rid} reaches '{stage}' after '{top[1]}' (lifecycle/{top[0]}), "
                f"but {stage} comes first.",
            )
        elif top is None or _RANK[stage] > _RANK[top[1]]:
            top = (i, stage)


def _dates_in_order(rid: str, field: str, steps: Sequence[Mapping[str, Any]]) -> Iterator[Hit]:
    prev: tuple[int, str, str, int] | None = None  # the last step in order: i, what, date, lo
    for i, s in enumerate(steps):
        if s["date_lo"] is None:
            continue
        if prev is not None and s["date_hi"] < prev[3]:
            yield Hit(
                rid,
                f"/{field}/{i}/date",
                f"{rid}: '{s['what']}' on {s['date']} ({field}/{i}) is dated before the "
                f"'{prev[1]}' listed ahead of it on {prev[2]} ({field}/{prev[0]}).",
                dates={f"{field}/{i}": s["date"], f"{field}/{prev[0]}": prev[2]},
            )
        else:
            prev = (i, s["what"], s["date"], s["date_lo"])
