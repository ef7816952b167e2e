"""Place rules: the parent chain nests properly (US110)."""

from __future__ import annotations

from collections.abc import Iterator

from unionstate.checks import _examples as ex
from unionstate.checks._context import Context, found
from unionstate.checks._registry import jsonl, rule
from unionstate.model import Place, PlaceKind
from unionstate.report import Finding, Severity

#: Kinds from the widest to the narrowest; ``other`` has no rank and is skipped.
RANK = {
    PlaceKind.UNION: 0,
    PlaceKind.COUNTRY: 1,
    PlaceKind.REGION: 2,
    PlaceKind.CITY: 3,
    PlaceKind.VENUE: 4,
}
#: Kinds that may lie in a place of the same kind (a district in a region, a
#: hall in a palace).
NESTS_IN_ITSELF = frozenset({PlaceKind.REGION, PlaceKind.VENUE})


@rule(
    code="US110",
    name="place-nesting",
    title="Places lie inside their parents",
    bad=jsonl(
        ex.source(),
        ex.place("belarus", "Belarus", "country"),
        ex.place("independence-palace", "Independence Palace", "venue", parent="place/belarus"),
        ex.place("minsk", "Minsk", "city", parent="place/independence-palace"),
    ),
    good=jsonl(
        ex.source(),
        ex.place("belarus", "Belarus", "country"),
        ex.place("minsk", "Minsk", "city", parent="place/belarus"),
        ex.place("independence-palace", "Independence Palace", "venue", parent="place/minsk"),
    ),
)
def place_nesting(ctx: Context) -> Iterator[Finding]:
    """A place's ``parent`` chain never returns to the place (error on every
    place of the cycle), and kinds nest: union > country > region > city >
    venue. The nearest ancestor whose kind is not ``other`` must be of a wider
    kind (a venue in a city, region or country; a city not in a venue or
    city); a region may lie in a region and a venue in a venue. Places of
    kind ``other`` are not checked.
    """
    for p in ctx.all(Place):
        if p.id in ctx.place_cycles:
            yield found(
                "US110",
                Severity.ERROR,
                f"The parent chain of {p.id} returns to it: {_loop(ctx, p)}.",
                p,
                "/parent",
                related=(p.parent or "",),
            )
            continue
        if p.kind not in RANK:
            continue
        parent = _ranked_parent(ctx, p)
        if parent is None:
            continue
        wider = RANK[parent.kind] < RANK[p.kind]
        if not wider and not (parent.kind is p.kind and p.kind in NESTS_IN_ITSELF):
            via = "" if parent.id == p.parent else f" (through {p.parent})"
            yield found(
                "US110",
                Severity.ERROR,
                f"{p.id} is a {p.kind.value} inside {ctx.label(parent.id)}{via}, a "
                f"{parent.kind.value}; a {p.kind.value} cannot lie in a "
                f"{parent.kind.value}.",
                p,
                "/parent",
                related=(parent.id,),
            )


def _ranked_parent(ctx: Context, p: Place) -> Place | None:
    seen = {p.id}
    node = ctx.get(p.parent, Place)
    while node is not None and node.id not in seen and node.id not in ctx.place_cycles:
        if node.kind in RANK:
            return node
        seen.add(node.id)
        node = ctx.get(node.parent, Place)
    return None


def _loop(ctx: Context, p: Place) -> str:
    chain = [p.id]
    node = ctx.get(p.parent, Place)
    while node is not None and node.id != p.id and len(chain) < 50:
        chain.append(node.id)
        node = ctx.get(node.parent, Place)
    return " → ".join([*chain, p.id])
