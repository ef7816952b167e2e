"""Place rules: the parent chain nests properly (US110)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Set
from typing import NamedTuple

from unionstate.checks import _examples as ex
from unionstate.checks._registry import Hit, jsonl, rule
from unionstate.checks.frames import Frames
from unionstate.dates import DateRange

#: Kinds from the widest to the narrowest; ``other`` has no rank and is skipped.
RANK = {"union": 0, "country": 1, "region": 2, "city": 3, "venue": 4}
#: Kinds that may lie in a place of the same kind (a district in a region, a
#: hall in a palace).
NESTS_IN_ITSELF = frozenset({"region", "venue"})


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
def place_nesting(frames: Frames, as_of: DateRange | None) -> Iterator[Hit]:
    """A place's ``parent`` chain never returns to the place (error on every
    place of the cycle), and kinds nest: union > country > region > city >
    venue. The nearest ancestor whose kind is not ``other`` must be of a wider
    kind (a venue in a city, region or country; a city not in a venue or
    city); a region may lie in a region and a venue in a venue. Places of
    kind ``other`` are not checked.
    """
    places = _places(frames)
    cycles, _ = place_tree(frames)
    for p in frames["places"].iter_rows(named=True):
        pid, kind, parent = p["id"], p["kind"], p["parent"]
        if pid in cycles:
            yield Hit(
                pid,
                "/parent",
                f"The parent chain of {pid} returns to it: {_loop(places, pid)}.",
                related=(parent or "",),
            )
            continue
        if kind not in RANK:
            continue
        above = _ranked_parent(places, cycles, pid)
        if above is None:
            continue
        wider = RANK[above.kind] < RANK[kind]
        if not wider and not (above.kind == kind and kind in NESTS_IN_ITSELF):
            via = "" if above.id == parent else f" (through {parent})"
            yield Hit(
                pid,
                "/parent",
                f"{pid} is a {kind} inside {frames.labels([above.id])[above.id]}{via}, a "
                f"{above.kind}; a {kind} cannot lie in a {above.kind}.",
                related=(above.id,),
            )


class _Place(NamedTuple):
    id: str
    kind: str
    parent: str | None


def _places(frames: Frames) -> dict[str, _Place]:
    """Every place by id (the first of each id)."""
    out: dict[str, _Place] = {}
    for row in frames["places"].iter_rows():
        out.setdefault(row[0], _Place(*row))
    return out


def place_tree(frames: Frames) -> tuple[frozenset[str], dict[str, str | None]]:
    """Places on parent cycles, and every place's nearest city (itself
    included; None when none or on a cycle), walking each parent link once."""
    places = _places(frames)
    state: dict[str, int] = {}  # 1 = on the current walk, 2 = done
    cycles: set[str] = set()
    city_of: dict[str, str | None] = {}
    for start in places:
        path: list[str] = []
        node: str | None = start
        while node is not None and node in places and state.get(node) is None:
            state[node] = 1
            path.append(node)
            node = places[node].parent
        if node is not None and state.get(node) == 1:  # closed a cycle on this walk
            cycles.update(path[path.index(node) :])
        above = city_of.get(node) if node is not None and node not in cycles else None
        for p in reversed(path):
            state[p] = 2
            if p in cycles:
                city_of[p] = None
                above = None
                continue
            if places[p].kind == "city":
                above = p
            city_of[p] = above
    return frozenset(cycles), city_of


def _ranked_parent(places: Mapping[str, _Place], cycles: Set[str], pid: str) -> _Place | None:
    seen = {pid}
    node = places.get(places[pid].parent or "")
    while node is not None and node.id not in seen and node.id not in cycles:
        if node.kind in RANK:
            return node
        seen.add(node.id)
        node = places.get(node.parent or "")
    return None


def _loop(places: Mapping[str, _Place], pid: str) -> str:
    chain = [pid]
    node = places.get(places[pid].parent or "")
    while node is not None and node.id != pid and len(chain) < 50:
        chain.append(node.id)
        node = places.get(node.parent or "")
    return " → ".join([*chain, pid])
