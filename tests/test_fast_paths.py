"""The fast paths agree with the simple ones: the compiled schema validator
(jsonschema-rs) with python jsonschema, the compiled reference extractors
with a plain recursive walk."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from unionstate import strategies
from unionstate.converter import structure, structure_valid, unstructure
from unionstate.model import Record
from unionstate.references import ref_paths, refs_of
from unionstate.schema import fast_is_valid, iter_errors


def _slow_refs(type_name: str, data: Any) -> list[tuple[str, str, tuple[str, ...]]]:
    out: list[tuple[str, str, tuple[str, ...]]] = []

    def walk(value: Any, path: tuple[str, ...], ptr: str, targets: tuple[str, ...]) -> None:
        if not path:
            if isinstance(value, str):
                out.append((ptr, value, targets))
            return
        head, rest = path[0], path[1:]
        if head == "*":
            if isinstance(value, list):
                for i, item in enumerate(value):
                    walk(item, rest, f"{ptr}/{i}", targets)
        elif isinstance(value, dict) and head in value:
            walk(value[head], rest, f"{ptr}/{head}", targets)

    for path, targets in ref_paths(type_name):
        walk(data, path, "", targets)
    return out


def _mutate(data: dict[str, Any], key: str, value: Any, drop: bool) -> dict[str, Any]:
    out = dict(data)
    if drop:
        out.pop(key, None)
    else:
        out[key] = value
    return out


@given(strategies.records(), st.data())
def test_the_compiled_paths_agree_with_the_plain_ones(record: Record, data: st.DataObject) -> None:
    """The compiled validator, reference extraction and builder against the
    plain ones, on the same drawn records (drawing a record is the costly part)."""
    plain = unstructure(record)
    assert refs_of(record.TYPE, plain) == _slow_refs(record.TYPE, plain), "same refs, same order"
    valid = json.loads(json.dumps(plain))
    ext = data.draw(
        st.dictionaries(
            st.from_regex(r"x_[a-z]{1,5}", fullmatch=True), strategies.json_values, max_size=2
        )
    )
    extended = {**valid, **ext}
    assert structure_valid(extended) == structure(extended), "the builder agrees with cattrs"
    assert fast_is_valid(record.TYPE, valid)
    assert list(iter_errors(record.TYPE, valid)) == []
    key = data.draw(st.sampled_from([*valid, "zz", "x_ok"]))
    value = data.draw(
        st.one_of(
            strategies.json_values,
            strategies.edtf_strings(),
            st.sampled_from(["2019-02-30", "held", "person/x", "", "x/y"]),
        )
    )
    mutated = _mutate(valid, key, value, data.draw(st.booleans()))
    python_says = not list(iter_errors(record.TYPE, mutated))
    assert fast_is_valid(record.TYPE, mutated) is python_says


@given(st.sampled_from(["event", "statement", "agreement", "tenure"]), strategies.json_values)
def test_reference_extraction_never_fails_on_junk(type_name: str, junk: Any) -> None:
    for value in (junk, {"participants": junk, "lifecycle": [junk], "forecasts": junk}):
        assert refs_of(type_name, value) == _slow_refs(type_name, value)


def test_the_generated_builder_takes_explicit_nulls_and_defaults() -> None:
    data = {
        "type": "event",
        "id": "event/e",
        "kind": "meeting",
        "title": "T",
        "date": "2021-04-16",
        "place": None,
        "attendance": None,
        "participants": [{"actor": "person/a", "attendance": None}],
        "statuses": [{"status": "held"}],
        "sources": ["source/s"],
    }
    built = structure_valid(data)
    assert built == structure(data)
    assert built.place is None
    assert built.topics == ()
    assert built.extensions == {}
    assert isinstance(built.participants, tuple)
