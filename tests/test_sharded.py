"""ShardedCheck: the rules run over small records held whole and events and
statements a shard at a time give exactly the findings of ``check()`` on the
whole dataset, whatever the shard size."""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from _generator import load_generator
from test_checks_examples import load_example
from unionstate import strategies
from unionstate.checks import RULES, check
from unionstate.checks._context import BULK
from unionstate.checks.events import Presence
from unionstate.checks.sharded import ShardedCheck
from unionstate.converter import structure
from unionstate.dataset import Dataset, load
from unionstate.model import DatasetInfo, Record, Source
from unionstate.report import Finding

gen = load_generator()


def sharded(
    dataset: Dataset, size: int, *, select: Sequence[str] = (), ignore: Sequence[str] = ()
) -> list[Finding]:
    base = [r for r in dataset.records if not isinstance(r, BULK)]
    bulk = [r for r in dataset.records if isinstance(r, BULK)]
    sc = ShardedCheck(base, dataset.info, select=select, ignore=ignore)
    for k in range(0, len(bulk), size):
        sc.add(bulk[k : k + size])
    return sc.finish()


def _generated(n: int, seed: int, kinds: tuple[str, ...]) -> Dataset:
    records, _ = gen.generate(n, seed=seed, error_rate=0.02, kinds=kinds)
    header = {k: v for k, v in gen.header().items() if k != "type"}
    full = [structure(r) for r in records]
    # and a few sources nobody cites (US112)
    unused = [attrs.evolve(r, id=f"{r.id}-unused") for r in full if isinstance(r, Source)][:5]
    return Dataset(DatasetInfo(**header), (*unused, *full))


@pytest.mark.parametrize("size", [1, 37, 500, 10**6])
def test_generated_data_with_planted_rule_errors(size: int) -> None:
    dataset = _generated(3000, 11, ("rules",))
    whole = check(dataset)
    assert {f.code for f in whole} >= set(RULES) - {"US102", "US113"}, "the plants reach most rules"
    assert sharded(dataset, size) == whole


def test_the_canonical_data_with_its_exceptions() -> None:
    dataset = load()
    whole = check(dataset)
    assert any(f.excepted for f in whole)
    for size in (1, 5, 1000):
        assert sharded(dataset, size) == whole


@pytest.mark.parametrize(
    ("select", "ignore"),
    [(("US109",), ()), (("US112",), ()), ((), ("US109", "US112")), (("US10",), ())],
)
def test_select_and_ignore(select: tuple[str, ...], ignore: tuple[str, ...]) -> None:
    dataset = _generated(2000, 12, ("rules",))
    whole = check(dataset, select=select, ignore=ignore)
    assert whole
    assert sharded(dataset, 50, select=select, ignore=ignore) == whole


@pytest.mark.parametrize("code", sorted(RULES))
def test_every_rules_bad_example(code: str, tmp_path: Path) -> None:
    dataset = load_example(RULES[code].bad, tmp_path)
    whole = check(dataset)
    assert any(f.code == code for f in whole)
    assert sharded(dataset, 1) == whole


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(strategies.records(), max_size=25, unique_by=lambda r: r.id),
    st.integers(min_value=1, max_value=6),
)
def test_random_records(records: list[Record], size: int) -> None:
    dataset = Dataset(DatasetInfo(name="x", as_of="2021-06-01"), tuple(records))
    assert sharded(dataset, size) == check(dataset)


def test_types_are_kept_apart() -> None:
    dataset = load()
    base = [r for r in dataset.records if not isinstance(r, BULK)]
    event = next(r for r in dataset.records if isinstance(r, BULK))
    with pytest.raises(TypeError, match="events and statements go in shards"):
        ShardedCheck([*base, event], dataset.info)
    sc = ShardedCheck(base, dataset.info)
    with pytest.raises(TypeError, match="a shard holds only events and statements"):
        sc.add(base[:1])


def test_branches_merged_back_give_the_same_findings() -> None:
    """What worker processes do: each checks its shards on a branch of the
    check, and the parts are merged into the one that holds the base."""
    dataset = _generated(2000, 13, ("rules",))
    sc, _, _ = _merged_in_parts(dataset)
    assert sc.branch().take().findings == []
    assert sc.finish() == check(dataset)


def _merged_in_parts(dataset: Dataset, size: int = 300) -> tuple[ShardedCheck, list[Finding], int]:
    """The check of ``dataset`` with its events and statements merged in
    parts of ``size``, as a run's main process merges its workers' parts;
    also the base's own findings and the number of parts."""
    base = [r for r in dataset.records if not isinstance(r, BULK)]
    bulk = [r for r in dataset.records if isinstance(r, BULK)]
    sc = ShardedCheck(base, dataset.info)
    own = list(sc._findings)
    for k in range(0, len(bulk), size):
        branch = sc.branch()
        branch.add(bulk[k : k + size])
        sc.merge(branch.take())
    return sc, own, -(-len(bulk) // size)


def test_merged_parts_wait_in_a_temporary_file_until_the_end() -> None:
    """D40: while parts are merged (the workers running), the check holds
    none of their findings, attendances or links; finish() reads them back
    and finds exactly what the whole check finds, in the same order."""
    dataset = _generated(2000, 17, ("rules",))
    sc, own, parts = _merged_in_parts(dataset)
    assert sc._findings == own
    assert len(sc._presence) == 0
    assert sc._part_of == {}
    assert sc._spill is not None
    assert sc._spill.count == parts
    assert sc.finish() == check(dataset)
    assert sc._spill is None


_TEMPORARY_FILE = tempfile.TemporaryFile


class _FailingFile:
    """A temporary file whose writes fail once ``room`` bytes are written,
    after writing what fits (a disk that fills up)."""

    def __init__(self, room: int) -> None:
        self.real = _TEMPORARY_FILE()
        self.room = room

    def write(self, data: bytes) -> int:
        fits = bytes(data[: max(self.room, 0)])
        self.real.write(fits)
        self.room -= len(fits)
        if len(fits) < len(data):
            raise OSError(28, "No space left on device")
        return len(data)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)


@pytest.mark.parametrize("room", [None, 0, 5_000, 60_000])
def test_merged_parts_are_kept_when_the_temporary_file_fails(
    room: int | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No temporary file at all (None), or a disk that fills up after
    ``room`` bytes, half-way through a part: every part is still merged,
    the whole ones from the file and the rest held, and the findings are
    exactly the whole check's."""

    def make(*args: Any, **kwargs: Any) -> Any:
        if room is None:
            raise PermissionError(13, "Permission denied", "/tmp")
        return _FailingFile(room)

    monkeypatch.setattr(tempfile, "TemporaryFile", make)
    dataset = _generated(2000, 17, ("rules",))
    sc, _, _ = _merged_in_parts(dataset)
    assert sc._spill is not None
    assert sc._spill.broken
    assert len(sc._presence) > 0, "held in memory once the file failed"
    assert sc.finish() == check(dataset)


def test_a_run_whose_rules_are_skipped_closes_its_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """D40: when an error in the last chunk stops the rules after the
    earlier chunks' parts were merged, the temporary file is closed at the
    end of the run, not left open for the garbage collector."""
    import json

    from unionstate.chunks import plan, process_mapper
    from unionstate.pipeline import RuleOptions, validate_chunks

    records, _ = gen.generate(600, seed=3, error_rate=0.0, kinds=("rules",))
    bad = {**records[-1], "id": f"{records[-1]['id']}-2", "x": 1}  # an unknown field: US010
    path = tmp_path / "d.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in [*records, bad]), encoding="utf-8")
    opened: list[Any] = []

    def make(*args: Any, **kwargs: Any) -> Any:
        opened.append(_TEMPORARY_FILE(*args, **kwargs))
        return opened[-1]

    monkeypatch.setattr(tempfile, "TemporaryFile", make)
    parts = plan(path, 4, min_bytes=1_000)
    _, report = validate_chunks(
        path, parts, process_mapper(1), standalone=True, rules=RuleOptions()
    )
    assert "US010" in {f.code for f in report.findings}
    assert any("not run" in f.message for f in report.findings), "the rules were skipped"
    assert len(opened) == 1
    assert opened[0].closed


def test_presence_packs_and_merges() -> None:

    a, b = Presence(), Presence()
    e = a.add_event("event/x", "2021-09-09", "place/minsk")
    a.add("person/p", 738000, 738000, e, 3)
    f = b.add_event("event/y", "2021-09-08/2021-09-10", "place/sochi")
    b.add("person/p", 737999, 738001, f, 0)
    b.add("person/q", 737999, 738001, f, 1)
    a.merge(b)
    assert len(a) == 3
    assert a.items("person/p") == [
        (737999, 738001, "event/y", 0, "2021-09-08/2021-09-10", "place/sochi"),
        (738000, 738000, "event/x", 3, "2021-09-09", "place/minsk"),
    ]
    assert a.items("person/q") == [
        (737999, 738001, "event/y", 1, "2021-09-08/2021-09-10", "place/sochi")
    ]
    with pytest.raises(ValueError, match="out of range"):
        a.add("person/p", 738000, 738010, e, 0)


def _attend(presence: Presence, *rows: tuple[str, str, str, int, int]) -> None:
    """person/p at each (event id, date text, city, day, participant index)."""
    for event_id, date, city, day, index in rows:
        presence.add("person/p", day, day, presence.add_event(event_id, date, city), index)


def test_presence_keeps_ids_exactly_and_texts_once_across_merges_and_pickles() -> None:
    """Event ids are held as UTF-8 in one buffer and dates and cities as
    numbers into one table: neither may change an id or a text on the way,
    nor hold a text twice, nor lose anything when pickled to another process."""
    import pickle

    a, b = Presence(), Presence()
    _attend(a, ("event/мінск-2021", "2021-09-09", "place/minsk", 738000, 0))
    _attend(
        b,
        ("event/y", "2021-09-09", "place/sochi", 738000, 1),
        ("event/z-🙂", "2021-09-10", "place/minsk", 738001, 2),
    )
    a.merge(pickle.loads(pickle.dumps(b)))
    a = pickle.loads(pickle.dumps(a))
    assert [a.event(k) for k in range(3)] == [
        ("event/мінск-2021", "2021-09-09", "place/minsk"),
        ("event/y", "2021-09-09", "place/sochi"),
        ("event/z-🙂", "2021-09-10", "place/minsk"),
    ]
    assert sorted(a.texts) == ["2021-09-09", "2021-09-10", "place/minsk", "place/sochi"]
    assert [i[2:4] for i in a.items("person/p")] == [
        ("event/y", 1),
        ("event/мінск-2021", 0),
        ("event/z-🙂", 2),
    ]


def test_presence_holds_indexed_ids_as_positions_and_merges_a_workers_part() -> None:
    """With the run's id index, an event id in it is held as its position and
    only the others as text (D38); a worker's part comes back pickled without
    the index and merges into the main process's, ids exact either way."""
    import pickle

    from unionstate.idindex import IdIndex

    ids = IdIndex()
    for k, rid in enumerate(["person/p", "event/a", "event/b-🙂", "event/a"]):
        ids.add(rid, k + 1)
    ids.seal()
    main, worker = Presence(ids), Presence(ids)
    _attend(
        main,
        ("event/canonical-only", "2021-09-09", "place/minsk", 738000, 0),
        ("event/a", "2021-09-09", "place/sochi", 738000, 1),
    )
    _attend(
        worker,
        ("event/b-🙂", "2021-09-10", "place/minsk", 738001, 2),
        ("event/also-not-indexed", "2021-09-11", "place/minsk", 738002, 3),
    )
    assert list(main.refs) == [-1, 1]
    assert bytes(main.own) == b"event/canonical-only"
    sent = pickle.dumps(worker)
    assert len(sent) < 1000  # the index stays behind
    part = pickle.loads(sent)
    with pytest.raises(RuntimeError, match="id index"):
        part.event(0)
    main.merge(part)
    assert [main.event(k)[0] for k in range(4)] == [
        "event/canonical-only",
        "event/a",
        "event/b-🙂",
        "event/also-not-indexed",
    ]
    assert [i[2:4] for i in main.items("person/p")] == [
        ("event/a", 1),
        ("event/canonical-only", 0),
        ("event/b-🙂", 2),
        ("event/also-not-indexed", 3),
    ]
