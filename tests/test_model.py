"""Model, converter and schema agree: generated records round-trip and validate."""

from __future__ import annotations

import json

import attrs
import cattrs
import pytest
from hypothesis import given

from unionstate import strategies
from unionstate.converter import structure, structure_valid, unstructure
from unionstate.model import RECORD_TYPES, Name, Person, Record
from unionstate.schema import iter_errors, validator_for


def _schema_errors(name: str, data: object) -> list[str]:
    return [e.message for e in iter_errors(name, data)]


@given(strategies.records())
def test_a_generated_record_is_schema_valid_round_trips_and_keeps_its_key_order(
    record: Record,
) -> None:
    """Three properties of every record, checked on the same drawn records
    (drawing a record is the costly part)."""
    data = json.loads(json.dumps(unstructure(record)))
    # valid against its type's schema and the union schema
    assert _schema_errors(record.TYPE, data) == []
    assert _schema_errors("record", data) == []
    # structure after unstructure is the identity, on both roads
    assert structure(data) == record
    assert structure_valid(data) == record, "the fast road agrees"
    # the canonical key order: type, id, fields, then extensions sorted
    keys = list(unstructure(record))
    assert keys[:2] == ["type", "id"]
    ext = [k for k in keys if k.startswith("x_")]
    assert keys[len(keys) - len(ext) :] == sorted(ext)


def test_the_fast_road_sends_bad_data_to_cattrs() -> None:
    with pytest.raises(cattrs.ClassValidationError, match="While structuring Person"):
        structure_valid({"type": "person", "id": "person/x", "sources": ["s/a"], "bogus": 1})


@pytest.mark.parametrize("type_name", list(RECORD_TYPES))
def test_every_attrs_field_is_in_the_schema(type_name: str) -> None:
    """Drift guard: the schema's properties are exactly the class's fields."""
    cls = RECORD_TYPES[type_name]
    schema = validator_for(type_name).schema
    fields = {f.name for f in attrs.fields(cls)} - {"extensions"}
    assert set(schema["properties"]) == fields | {"type"}
    required = {f.name for f in attrs.fields(cls) if f.default is attrs.NOTHING}
    assert required <= set(schema["required"])


def test_defaults_are_left_out_and_extensions_kept() -> None:
    p = Person(
        id="person/x",
        names=(Name(value="X", lang="en"),),
        sources=("source/s",),
        extensions={"x_note": [1, "ü"]},
    )
    assert unstructure(p) == {
        "type": "person",
        "id": "person/x",
        "names": [{"value": "X", "lang": "en"}],
        "sources": ["source/s"],
        "x_note": [1, "ü"],
    }


def test_required_sequences_are_checked_in_python_too() -> None:
    with pytest.raises(ValueError, match="names"):
        Person(id="person/x", names=(), sources=("source/s",))


def test_records_are_frozen() -> None:
    p = Person(id="person/x", names=(Name(value="X", lang="en"),), sources=("source/s",))
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        p.id = "person/y"  # type: ignore[misc]


def test_unknown_field_is_rejected_not_dropped() -> None:
    data = {
        "type": "source",
        "id": "source/a",
        "url": "https://a.org/",
        "title": "t",
        "publisher": "p",
        "language": "en",
        "colour": "red",
    }
    assert any("colour" in m for m in _schema_errors("source", data))


def test_generated_docs_are_current() -> None:
    from pathlib import Path

    from unionstate.docgen import codes_reference, data_dictionary

    docs = Path(__file__).resolve().parent.parent / "docs"
    assert (docs / "model.md").read_text(encoding="utf-8") == data_dictionary(), (
        "run: python -m unionstate.docgen docs"
    )
    assert (docs / "codes.md").read_text(encoding="utf-8") == codes_reference()
