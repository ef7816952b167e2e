"""The name index that references by name are resolved against."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from unionstate.io.read import RawRecord
from unionstate.pipeline import canonical
from unionstate.resolve import NameIndex

_TYPES = st.sampled_from(["person", "place", "office"])
_NAMES = st.sampled_from(["Minsk", "MINSK", "Minsk ", "Brest", "Mińsk", "Vladimir Putin", ""])
_RAW = st.builds(
    lambda t, n, names: RawRecord(
        {"type": t, "id": f"{t}/r{n}", "names": [{"value": v, "lang": "en"} for v in names]},
        "f.jsonl",
        n + 1,
    ),
    _TYPES,
    st.integers(0, 30),
    st.lists(_NAMES, max_size=3),
)


def _as_sets(index: NameIndex) -> dict[str, dict[str, set[str]]]:
    """The index's ids as sets: the order of a name's ids depends on the
    order they were added in, which differs between the two ways."""
    return {
        t: {k: {v} if isinstance(v, str) else set(v) for k, v in by_name.items()}
        for t, by_name in index.exact.items()
    }


@given(st.lists(_RAW, max_size=25), st.data())
def test_adding_chunk_by_chunk_then_the_canonical_data_gives_the_index_built_at_once(
    records: list[RawRecord], data: st.DataObject
) -> None:
    """A streamed run adds each chunk's names as it arrives and the canonical
    data's once the header is read (D35); the index, and so every lookup,
    is the one built from all of them at once."""
    dataset = canonical()
    whole = NameIndex.build(records, dataset)
    cuts = sorted(data.draw(st.lists(st.integers(0, len(records)), max_size=4)))
    piecewise = NameIndex()
    start = 0
    for cut in [*cuts, len(records)]:
        piecewise.add(records[start:cut])
        start = cut
    piecewise.add_records(dataset.records)
    assert _as_sets(piecewise) == _as_sets(whole)
    for query in ("minsk", "Brest", "Vladimir Putin", "Putin", "Лукашэнка", "Maxim Oreshkin"):
        types = ["person", "place", "office"]
        assert piecewise.lookup(query, types) == whole.lookup(query, types)


def test_records_without_a_type_an_id_or_a_list_of_names_add_nothing() -> None:
    index = NameIndex()
    index.add(
        [
            RawRecord({"type": "person", "names": [{"value": "A"}]}, "f", 1),
            RawRecord({"id": "person/a", "names": [{"value": "A"}]}, "f", 2),
            RawRecord({"type": "person", "id": "person/a", "names": "A"}, "f", 3),
            RawRecord({"type": "person", "id": "person/b", "names": [{"value": 7}, "B"]}, "f", 4),
        ]
    )
    assert index.exact == {}
    index.add([RawRecord({"type": "person", "id": "person/c", "names": [{"value": "C"}]}, "f", 5)])
    assert index.lookup("c", ["person"]) == ["person/c"]


def test_a_name_holds_one_id_as_itself_and_several_once_each() -> None:
    """D41: one id is held as a string, several as a list without the
    repeats a record makes with names that fold alike; lookups see sets."""

    def place(slug: str, *names: str) -> RawRecord:
        data = {"type": "place", "id": f"place/{slug}", "names": [{"value": n} for n in names]}
        return RawRecord(data, "f", 1)

    index = NameIndex()
    places = [("a", "Minsk"), ("b", "Minsk", "MINSK"), ("c", "Brest"), ("d", "Pinsk", "PINSK")]
    index.add([place(*p) for p in places])
    assert index.exact == {
        "place": {"minsk": ["place/a", "place/b"], "brest": "place/c", "pinsk": "place/d"}
    }
    assert index.lookup("MINSK", ["place"]) == ["place/a", "place/b"]
    assert index.lookup("brest", ["place", "person"]) == ["place/c"]
    assert index.lookup("Gomel", ["place"]) == []


def test_an_answer_given_before_a_name_is_added_is_not_kept() -> None:
    """Lookups remember their answers; a name or an id added since is seen."""

    def place(slug: str, name: str) -> RawRecord:
        return RawRecord(
            {"type": "place", "id": f"place/{slug}", "names": [{"value": name}]}, "f", 1
        )

    index = NameIndex()
    index.add([place("a", "Minsk")])
    assert index.lookup("Минск", ["place"]) == ["place/a"]
    index.add([place("b", "Minsk")])  # an id more for a name known
    assert index.lookup("Минск", ["place"]) == ["place/a", "place/b"]
    assert index.lookup("Brest", ["place"]) == []
    index.add([place("c", "Brest")])  # a name more
    assert index.lookup("Brest", ["place"]) == ["place/c"]
