"""Programme rules: road map numbers and counts (US108)."""

from __future__ import annotations

from collections.abc import Iterator

import polars as pl

from unionstate.checks import _examples as ex
from unionstate.checks._registry import Hit, jsonl, rule
from unionstate.checks.frames import Frames
from unionstate.dates import DateRange
from unionstate.report import Severity

_PROGRAMME = ex.agreement(
    "integration-programme-2019",
    "Integration Programme (2019)",
    kind="integration_programme",
    declared_roadmap_count=31,
)
_PID = "agreement/integration-programme-2019"


@rule(
    code="US108",
    name="roadmap-numbers",
    title="Road map numbers are unique and within the declared count",
    bad=jsonl(
        ex.source(),
        _PROGRAMME,
        ex.roadmap("oil", "Oil", number=32, programme=_PID),
        ex.roadmap("gas", "Gas", number=32, programme=_PID),
    ),
    good=jsonl(
        ex.source(),
        _PROGRAMME,
        ex.roadmap("oil", "Oil", number=1, programme=_PID),
        ex.roadmap("gas", "Gas", number=2, programme=_PID),
    ),
)
def roadmap_numbers(frames: Frames, as_of: DateRange | None) -> Iterator[Hit]:
    """Within one programme (``Roadmap.programme``), no two road maps share a
    ``number`` (error, on every road map after the first in input order); no
    number exceeds the programme's ``declared_roadmap_count`` (error); and no
    more road maps are known than it declares (error, on the programme).

    For every programme that declares a count, an info finding says how many
    of them are known, e.g. "2 of 31 declared road maps are known", so that
    silent loss shows in the counts.
    """
    programmes = frames["agreements"].unique("id", keep="first", maintain_order=True)
    members = frames["roadmaps"].filter(pl.col("programme").is_not_null())
    numbered = members.filter(pl.col("number").is_not_null()).with_columns(
        first=pl.col("id").first().over("programme", "number")
    )
    for r in numbered.filter(pl.col("id") != pl.col("first")).iter_rows(named=True):
        yield Hit(
            r["id"],
            "/number",
            f"{r['id']} has number {r['number']} in {r['programme']}, as {r['first']} does.",
            related=(r["first"], r["programme"]),
        )
    over = numbered.join(programmes, left_on="programme", right_on="id", suffix="_p").filter(
        pl.col("number") > pl.col("declared")
    )
    for r in over.iter_rows(named=True):
        yield Hit(
            r["id"],
            "/number",
            f"{r['id']} has number {r['number']}, but {r['programme']} declares only "
            f"{r['declared']} road maps.",
            related=(r["programme"],),
        )
    known = members.group_by("programme").len()
    counted = (
        frames["agreements"]
        .filter(pl.col("declared").is_not_null())
        .join(known, left_on="id", right_on="programme", how="left")
        .with_columns(pl.col("len").fill_null(0))
    )
    for p in counted.iter_rows(named=True):
        pid, n, declared = p["id"], p["len"], p["declared"]
        if n > declared:
            yield Hit(
                pid,
                "/declared_roadmap_count",
                f"{n} road maps name {pid} as their programme, but it declares only {declared}.",
            )
        yield Hit(
            pid,
            "/declared_roadmap_count",
            f"{n} of {declared} declared road maps of {pid} are known.",
            severity=Severity.INFO,
        )
