"""The numbers the rules over a shard read instead of the small records
(``Facts``, ``DayRows``; D42): they answer as the records do, and a rule that
finds nothing reads no small record."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import attrs
import pytest

from _generator import load_generator
from unionstate.checks import RULES
from unionstate.checks._context import (
    BULK,
    Context,
    DayRows,
    bounds,
    end_bounds,
    parse_opt,
    start_bounds,
)
from unionstate.checks.events import Presence, collect_presence
from unionstate.converter import structure
from unionstate.dataset import Dataset
from unionstate.model import DatasetInfo, Event, Person, Record

gen = load_generator()


def _dataset(n: int, seed: int, error_rate: float) -> Dataset:
    records, _ = gen.generate(n, seed=seed, error_rate=error_rate, kinds=("rules",))
    header = {k: v for k, v in gen.header().items() if k != "type"}
    return Dataset(DatasetInfo(**header), tuple(structure(r) for r in records))


def _split(dataset: Dataset) -> tuple[Context, list[Record]]:
    small = [r for r in dataset.records if not isinstance(r, BULK)]
    bulk = [r for r in dataset.records if isinstance(r, BULK)]
    return Context.build(Dataset(dataset.info, tuple(small))), bulk


def test_day_rows_hold_each_keys_rows_in_order() -> None:
    rows = DayRows(2)
    rows.add("a", [(1, 2), (3, 4)])
    rows.add("b", [])
    rows.add(("p", "o"), [(-5, 10**12)])
    rows.add("a", [(9, 9)])  # a key given again keeps its first rows
    assert rows.get("a") == [(1, 2), (3, 4)]
    assert rows.get("b") == []
    assert rows.get(("p", "o")) == [(-5, 10**12)]
    assert rows.get("nobody") == []
    assert rows.first("a") == (1, 2)
    assert rows.first("b") is None, "a key without rows"
    assert rows.first("nobody") is None
    assert len(rows) == 3
    assert "b" in rows
    assert "nobody" not in rows
    rest = rows.without({"a"})
    assert rest.get("a") == []
    assert rest.get(("p", "o")) == [(-5, 10**12)]
    assert rows.get("a") == [(1, 2), (3, 4)], "without() copies"
    with pytest.raises(ValueError, match="a row of 3 numbers in rows of 2"):
        rows.add("c", [(1, 2, 3)])


def _life(ctx: Context, rid: str) -> tuple[int, ...] | None:
    """What ``lifetime_bounds`` should answer, worked out from the records."""
    texts = ctx.lifetime(rid)
    if texts is None:
        return None
    kind, b, d = texts
    return (
        0 if kind == "person" else 1,
        b is not None,
        *start_bounds(b),
        d is not None,
        *end_bounds(d),
    )


@pytest.mark.parametrize("seed", [3, 4])
def test_facts_answer_as_the_records_do(seed: int) -> None:
    base, bulk = _split(_dataset(1500, seed, 0.05))
    # a shard whose own event takes a person's id: it hides the person
    person = next(r for r in base.by_id.values() if isinstance(r, Person))
    event = next(r for r in bulk if isinstance(r, Event))
    hiding = attrs.evolve(event, id=person.id)
    shard = base.shard([*bulk[:300], hiding])
    nested = shard.shard(bulk[300:600])
    ids = [*base.by_id, *shard.by_id, "person/nobody", "source/nobody"]
    for ctx in (base, shard, nested):
        for rid in ids:
            assert ctx.is_person(rid) == (ctx.get(rid, Person) is not None), rid
            assert ctx.lifetime_bounds(rid) == _life(ctx, rid), rid
            s = ctx.sources.get(rid)
            p = None if s is None else parse_opt(s.published)
            assert ctx.published(rid) == (None if p is None else bounds(p)), rid
        for key, tenures in ctx.tenures_by_holder.items():
            rows = ctx.facts.holders.get(key)
            assert len(rows) == len(tenures)
            for row, t in zip(rows, tenures, strict=True):
                assert row[4] == start_bounds(t.start)[0]
                assert row[5] == end_bounds(t.end)[1]
    assert not shard.is_person(person.id)
    assert shard.lifetime_bounds(person.id) is None
    assert base.is_person(person.id)
    assert not nested.is_person(person.id), "hidden in the shard below it too"
    assert any(base.lifetime_bounds(r) is not None for r in base.by_id)
    assert any(base.published(r) is not None for r in base.by_id)


@attrs.define
class _Watched(Mapping[Any, Any]):
    """A mapping that notes every key read from it."""

    inner: Mapping[Any, Any]
    read: list[object] = attrs.Factory(list)

    def __getitem__(self, key: object) -> Any:
        self.read.append(key)
        return self.inner[key]

    def __iter__(self) -> Iterator[Any]:
        self.read.append("(all)")
        return iter(self.inner)

    def __len__(self) -> int:
        return len(self.inner)

    def __contains__(self, key: object) -> bool:
        self.read.append(key)
        return key in self.inner


def test_rules_over_a_clean_shard_read_no_small_record() -> None:
    """A forked worker that reads a small record copies its page (D42): the
    rules that look persons, lifetimes, sources and tenures up for every
    event and statement read numbers, and the records only for a finding."""
    base, bulk = _split(_dataset(3000, 5, 0.0))
    shard = base.shard(bulk)
    watched = {
        "below": _Watched(shard.below),
        "sources": _Watched(shard.sources),
        "tenures_by_holder": _Watched(shard.tenures_by_holder),
        "tenures_by_person": _Watched(shard.tenures_by_person),
    }
    ctx = attrs.evolve(shard, **watched)  # type: ignore[arg-type]
    for code in ("US102", "US104", "US107"):
        assert list(RULES[code].func(ctx)) == [], code
    presence = Presence()
    collect_presence(ctx, presence)
    looked_up = len(presence.by_person)
    assert looked_up > 50, "the data reach the rules"
    assert sum(len(shard.facts.holders.get(k)) for k in shard.tenures_by_holder) > 100
    for name, m in watched.items():
        assert m.read == [], f"{name} read: {m.read[:5]}"


def test_a_finding_still_reads_the_records_for_its_words() -> None:
    base, bulk = _split(_dataset(3000, 5, 0.05))
    shard = base.shard(bulk)
    found = {f.code for code in ("US102", "US104", "US107") for f in RULES[code].func(shard)}
    assert {"US104", "US107"} <= found


def test_each_shard_remembers_its_answers_in_a_dict_of_its_own() -> None:
    """The answers a shard remembers go into a new dict, never into one the
    context below holds (which a forked worker would copy by writing)."""
    base, bulk = _split(_dataset(1500, 3, 0.0))
    actor = next(r for r in base.by_id if base.lifetime_bounds(r) is not None)
    source = next(r for r in base.by_id if base.published(r) is not None)
    below = (dict(base._lives_seen), dict(base._published_seen))
    shard = base.shard(bulk[:100])
    fresh = next(r for r in base.by_id if r not in base._lives_seen and base.is_person(r))
    assert shard.lifetime_bounds(actor) == base.lifetime_bounds(actor)
    assert shard.published(source) == base.published(source)
    shard.lifetime_bounds(fresh)
    assert fresh in shard._lives_seen
    assert (base._lives_seen, base._published_seen) == below
    assert fresh not in base._lives_seen
