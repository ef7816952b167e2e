"""Programme rules: road map numbers and counts (US108)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from unionstate.checks import _examples as ex
from unionstate.checks._context import Context, found
from unionstate.checks._registry import jsonl, rule
from unionstate.model import Agreement, Roadmap
from unionstate.report import Finding, Severity

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
def roadmap_numbers(ctx: Context) -> Iterator[Finding]:
    """Within one programme (``Roadmap.programme``), no two road maps share a
    ``number`` (error, on every road map after the first in input order); no
    number exceeds the programme's ``declared_roadmap_count`` (error); and no
    more road maps are known than it declares (error, on the programme).

    For every programme that declares a count, an info finding says how many
    of them are known, e.g. "2 of 31 declared road maps are known", so that
    silent loss shows in the counts.
    """
    members: dict[str, list[Roadmap]] = defaultdict(list)
    for r in ctx.all(Roadmap):
        if r.programme is not None:
            members[r.programme].append(r)
    for pid in sorted(members):
        prog = ctx.get(pid, Agreement)
        declared = prog.declared_roadmap_count if prog is not None else None
        first: dict[int, Roadmap] = {}
        for r in members[pid]:
            if r.number is None:
                continue
            if r.number in first:
                other = first[r.number]
                yield found(
                    "US108",
                    Severity.ERROR,
                    f"{r.id} has number {r.number} in {pid}, as {other.id} does.",
                    r,
                    "/number",
                    related=(other.id, pid),
                )
            else:
                first[r.number] = r
            if declared is not None and r.number > declared:
                yield found(
                    "US108",
                    Severity.ERROR,
                    f"{r.id} has number {r.number}, but {pid} declares only {declared} road maps.",
                    r,
                    "/number",
                    related=(pid,),
                )
    for prog in ctx.all(Agreement):
        declared = prog.declared_roadmap_count
        if declared is None:
            continue
        known = len(members.get(prog.id, ()))
        if known > declared:
            yield found(
                "US108",
                Severity.ERROR,
                f"{known} road maps name {prog.id} as their programme, but it declares "
                f"only {declared}.",
                prog,
                "/declared_roadmap_count",
            )
        yield found(
            "US108",
            Severity.INFO,
            f"{known} of {declared} declared road maps of {prog.id} are known.",
            prog,
            "/declared_roadmap_count",
        )
