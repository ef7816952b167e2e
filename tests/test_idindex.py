"""The compact id index answers exactly what a dict would, collisions included."""

from __future__ import annotations

import pickle
import zlib
from array import array

import pytest
from hypothesis import given
from hypothesis import strategies as st

from unionstate import idindex
from unionstate.idindex import Duplicate, IdIndex

# ids as they come from JSON: any text, lone surrogates included
_ids = st.lists(
    st.one_of(
        st.sampled_from(["person/a", "person/b", "event/x", "", "é/ü", "\ud800"]),
        st.text(max_size=12),
    ),
    max_size=60,
)


def _model(ids: list[str]) -> tuple[dict[str, int], list[Duplicate]]:
    first: dict[str, int] = {}
    dups = []
    for where, rid in enumerate(ids):
        if rid in first:
            dups.append(Duplicate(rid, where, first[rid]))
        else:
            first[rid] = where
    return first, dups


def _built(ids: list[str]) -> tuple[IdIndex, list[Duplicate]]:
    ix = IdIndex()
    for where, rid in enumerate(ids):
        ix.add(rid, where)
    return ix, ix.seal()


@given(_ids, st.lists(st.text(max_size=12), max_size=10))
def test_the_index_answers_like_a_dict(ids: list[str], others: list[str]) -> None:
    first, dups = _model(ids)
    ix, found = _built(ids)
    assert found == dups
    assert len(ix) == len(ids)
    for rid in [*ids, *others]:
        assert (rid in ix) is (rid in first)
        assert ix.get(rid) == first.get(rid)
    assert 42 not in ix


@given(_ids)
def test_colliding_hashes_still_answer_exactly(ids: list[str]) -> None:
    """Every id given the same hash: lookups compare bytes, never guess."""
    real = zlib.crc32
    idindex.zlib.crc32 = lambda b: 7  # type: ignore[assignment]
    try:
        first, dups = _model(ids)
        ix, found = _built(ids)
        assert found == dups
        for rid in [*ids, "not/there"]:
            assert ix.get(rid) == first.get(rid)
    finally:
        idindex.zlib.crc32 = real


def test_hot_ids_answer_first_and_the_index_pickles() -> None:
    ix, _ = _built(["person/a", "event/x", "person/a"])
    ix.hot.add("person/a")
    back = pickle.loads(pickle.dumps(ix))
    assert "person/a" in back
    assert "event/x" in back
    assert "event/y" not in back
    assert back.get("person/a") == 0
    assert back.get("event/x") == 1


def test_lookups_need_a_sealed_index_and_adds_an_open_one() -> None:
    ix = IdIndex()
    ix.add("person/a", 1)
    with pytest.raises(RuntimeError, match="seal"):
        ix.get("person/a")
    assert ix.seal() == []
    assert ix.seal() == [], "sealing twice reports nothing twice"
    with pytest.raises(RuntimeError, match="sealed"):
        ix.add("person/b", 2)


@given(st.lists(st.one_of(st.integers(0, 10), st.integers(-(2**63), 2**63 - 1)), max_size=30))
def test_location_codes_of_any_64_bit_value_come_back_exactly(codes: list[int]) -> None:
    """Codes are held in 32 bits until one needs more (a file number above
    the line, or a negative code): then the array widens, values kept (D37)."""
    ix = IdIndex()
    for k, code in enumerate(codes):
        ix.add(f"person/p{k}", code)
    ix.seal()
    assert [ix.get(f"person/p{k}") for k in range(len(codes))] == codes
    assert ix._where.typecode == ("I" if all(0 <= c < 2**32 for c in codes) else "q")


def test_a_32_bit_array_widens_when_a_value_does_not_fit() -> None:
    small = array("I", [1, 2])
    assert idindex._push(small, 3, "Q") is small
    wide = idindex._push(small, 2**32, "Q")
    assert (wide.typecode, list(wide)) == ("Q", [1, 2, 3, 2**32])
    signed = idindex._push(array("I", [7]), -1, "q")
    assert (signed.typecode, list(signed)) == ("q", [7, -1])
