"""Diffs: record-level changes, schema changes, the version they call for,
every input form, and properties over generated datasets."""

from __future__ import annotations

import argparse
import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from test_release import HEADER, RECORDS, write_jsonl
from unionstate import strategies
from unionstate.converter import unstructure
from unionstate.diff import (
    ABSENT,
    Diff,
    FieldChange,
    Level,
    apply,
    bump,
    cmd_diff,
    diff,
    diff_records,
    diff_schemas,
    field_changes,
    parse_version,
    understates,
)
from unionstate.io import dump_document, write_dir
from unionstate.model import Record
from unionstate.release import build_release, current_schemas
from unionstate.schema import SCHEMA_VERSION

PERSON = {
    "type": "person",
    "id": "person/a",
    "names": [{"value": "A", "lang": "en"}],
    "sources": ["source/s"],
}
SOURCE = {
    "type": "source",
    "id": "source/s",
    "url": "https://example.org/s",
    "title": "S",
    "publisher": "P",
    "language": "en",
}


def person(**kw: Any) -> dict[str, Any]:
    return {**copy.deepcopy(PERSON), **kw}


# -- records --------------------------------------------------------------------------


def test_identical_is_empty() -> None:
    d = diff_records([PERSON, SOURCE], [SOURCE, PERSON])
    assert d.empty
    assert d.level is Level.NONE
    assert "No differences." in d.to_text()


def test_added_removed_changed() -> None:
    old = [SOURCE, person(), person(id="person/b")]
    new = [
        SOURCE,
        person(notes="new note", names=[{"value": "Aa", "lang": "en"}]),
        person(id="person/c"),
    ]
    d = diff_records(old, new, old_header={"name": "x", "version": "1.2.0"})
    assert [r["id"] for r in d.added] == ["person/c"]
    assert [r["id"] for r in d.removed] == ["person/b"]
    (rc,) = d.changed
    assert rc.id == "person/a"
    assert rc.type == "person"
    assert rc.changes == (
        FieldChange("/names/0/value", "A", "Aa"),
        FieldChange("/notes", ABSENT, "new note"),
    )
    assert d.level is Level.MAJOR
    assert d.suggest() == "2.0.0"
    text = d.to_text()
    assert "+ person/c" in text
    assert "- person/b" in text
    assert "~ person/a" in text
    assert '/names/0/value: "A" → "Aa"' in text
    assert '/notes: (absent) → "new note"' in text
    doc = json.loads(d.to_json())
    assert doc["level"] == "major"
    assert doc["suggested_version"] == "2.0.0"
    assert doc["counts"] == {"added": 1, "removed": 1, "changed": 1, "schema": 0, "header": 0}
    person_doc = doc["types"]["person"]
    assert person_doc["added"][0]["id"] == "person/c"
    assert person_doc["removed"][0]["id"] == "person/b"
    assert person_doc["changed"][0]["changes"][1] == {"pointer": "/notes", "new": "new note"}
    assert apply(old, d) == sorted(new, key=lambda r: r["id"])


@pytest.mark.parametrize(
    ("old", "new", "level", "suggested"),
    [
        ([SOURCE, PERSON], [SOURCE], Level.MAJOR, "2.0.0"),  # removed
        ([SOURCE], [SOURCE, PERSON], Level.MINOR, "1.3.0"),  # added
        ([SOURCE, PERSON], [SOURCE, person(notes="x")], Level.PATCH, "1.2.4"),  # corrected
        ([SOURCE, PERSON], [SOURCE, PERSON], Level.NONE, "1.2.4"),  # nothing
        ([PERSON], [person(id="person/b")], Level.MAJOR, "2.0.0"),  # an id renamed
    ],
)
def test_levels(
    old: list[dict[str, Any]], new: list[dict[str, Any]], level: Level, suggested: str
) -> None:
    d = diff_records(old, new, old_header={"name": "x", "version": "1.2.3"})
    assert d.level is level
    assert d.suggest() == suggested


def test_header_changes_are_patch_and_version_is_ignored() -> None:
    d = diff_records(
        [PERSON],
        [PERSON],
        old_header={"type": "dataset", "name": "x", "version": "1.0.0", "as_of": "2025-01-01"},
        new_header={"name": "x", "version": "1.0.1", "as_of": "2025-02-01"},
    )
    assert d.header == (FieldChange("/as_of", "2025-01-01", "2025-02-01"),)
    assert d.level is Level.PATCH
    assert (d.old_version, d.new_version) == ("1.0.0", "1.0.1")


def test_json_types_are_kept_apart() -> None:
    assert field_changes({"a": 1}, {"a": True}) == [FieldChange("/a", 1, True)]
    assert field_changes({"a": 1}, {"a": 1.0}) == [FieldChange("/a", 1, 1.0)]
    assert field_changes({"a": [1, 2]}, {"a": [1]}) == [FieldChange("/a", [1, 2], [1])]
    assert field_changes({"a/b": {"~": 1}}, {"a/b": {"~": 2}}) == [FieldChange("/a~1b/~0", 1, 2)]


def test_apply_refuses_a_diff_that_does_not_fit() -> None:
    d = diff_records([PERSON], [person(notes="n")])
    with pytest.raises(ValueError, match="old value"):
        apply([person(notes="other")], d)
    with pytest.raises(ValueError, match="not in the records"):
        apply([], d)
    with pytest.raises(ValueError, match="already"):
        apply([PERSON], diff_records([], [PERSON]))


# -- versions -----------------------------------------------------------------------------


def test_versions() -> None:
    assert parse_version("10.0.3") == (10, 0, 3)
    for bad in ("1.0", "01.2.3", "1.2.3-rc1", "v1.2.3", ""):
        with pytest.raises(ValueError, match="is not a version"):
            parse_version(bad)
    assert bump("1.2.3", Level.MAJOR) == "2.0.0"
    assert bump("1.2.3", Level.MINOR) == "1.3.0"
    assert bump("1.2.3", Level.PATCH) == "1.2.4"
    assert bump("1.2.3", Level.NONE) == "1.2.4"
    assert understates("1.3.0", "1.2.0", Level.MAJOR) is not None
    assert "2.0.0" in (understates("1.3.0", "1.2.0", Level.MAJOR) or "")
    assert understates("2.0.0", "1.2.0", Level.MAJOR) is None
    assert understates("3.0.0", "1.2.0", Level.PATCH) is None
    assert understates("1.2.1", "1.2.0", Level.MINOR) is not None
    assert understates("1.2.0", "1.2.0", Level.NONE) is not None
    assert understates("1.1.9", "1.2.0", Level.PATCH) is not None


def test_suggest_without_a_version() -> None:
    d = diff_records([], [PERSON])
    assert d.suggest() is None
    assert d.suggest("0.4.1") == "0.5.0"


# -- schemas ----------------------------------------------------------------------------------


def _schemas() -> dict[str, Any]:
    return copy.deepcopy(current_schemas())


def _levels(old: dict[str, Any], new: dict[str, Any]) -> set[Level]:
    return {c.level for c in diff_schemas(old, new)}


def test_same_schemas_no_change() -> None:
    s = _schemas()
    assert diff_schemas(s, _schemas()) == []
    bumped = json.loads(
        json.dumps(s).replace(
            f"urn:unionstate:schema:{SCHEMA_VERSION}:", "urn:unionstate:schema:9.9.9:"
        )
    )
    assert diff_schemas(s, bumped) == []  # only the $id versions moved
    reworded = _schemas()
    reworded["person"]["properties"]["names"]["description"] = "Another wording."
    assert diff_schemas(s, reworded) == []


def _edit(edit: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    old, new = _schemas(), _schemas()
    edit(new["person"])
    return old, new


SCHEMA_CASES: dict[str, tuple[Any, Level]] = {
    "property removed": (lambda s: s["properties"].pop("identifiers"), Level.MAJOR),
    "property renamed": (
        lambda s: s["properties"].__setitem__("ids", s["properties"].pop("identifiers")),
        Level.MAJOR,
    ),
    "optional property added": (
        lambda s: s["properties"].__setitem__("nickname", {"type": "string"}),
        Level.MINOR,
    ),
    "required property added": (
        lambda s: (
            s["properties"].__setitem__("nickname", {"type": "string"}),
            s["required"].append("nickname"),
        ),
        Level.MAJOR,
    ),
    "made required": (lambda s: s["required"].append("identifiers"), Level.MAJOR),
    "no longer required": (lambda s: s["required"].remove("names"), Level.MINOR),
    "minItems raised": (lambda s: s["properties"]["names"].__setitem__("minItems", 2), Level.MAJOR),
    "minItems dropped": (lambda s: s["properties"]["names"].pop("minItems"), Level.MINOR),
    "maxItems added": (lambda s: s["properties"]["names"].__setitem__("maxItems", 9), Level.MAJOR),
    "pattern added": (lambda s: s["properties"]["notes"].__setitem__("pattern", "^a"), Level.MAJOR),
    "additionalProperties loosened": (
        lambda s: s.__setitem__("additionalProperties", True),
        Level.MINOR,
    ),
    "type narrowed": (lambda s: s.__setitem__("type", []), Level.MAJOR),
    "uniqueItems dropped": (lambda s: s["properties"]["sources"].pop("uniqueItems"), Level.MINOR),
}


@pytest.mark.parametrize("case", sorted(SCHEMA_CASES))
def test_schema_change_levels(case: str) -> None:
    edit, level = SCHEMA_CASES[case]
    old, new = _edit(edit)
    changes = diff_schemas(old, new)
    assert changes, case
    assert max(c.level for c in changes) is level, [c.to_text() for c in changes]
    assert all(c.schema == "person" for c in changes)


def test_enum_narrowed_and_widened() -> None:
    old, new = _schemas(), _schemas()
    kinds = new["event"]["properties"]["kind"]["enum"]
    kinds.remove("phone_call")
    assert _levels(old, new) == {Level.MAJOR}
    old, new = _schemas(), _schemas()
    new["event"]["properties"]["kind"]["enum"].append("webinar")
    changes = diff_schemas(old, new)
    assert [c.level for c in changes] == [Level.MINOR]
    assert changes[0].pointer == "/properties/kind/enum"
    assert "webinar" in changes[0].message


def test_schema_files_added_and_removed() -> None:
    old, new = _schemas(), _schemas()
    del new["statement"]
    assert _levels(old, new) == {Level.MAJOR}
    assert _levels(new, old) == {Level.MINOR}


def test_nested_definitions_are_compared() -> None:
    old, new = _schemas(), _schemas()
    name_def = new["person"]["$defs"]["Name"]
    name_def["properties"].pop("preferred")
    (change,) = diff_schemas(old, new)
    assert change.level is Level.MAJOR
    assert change.pointer == "/$defs/Name/properties/preferred"


def test_schema_changes_set_the_level_of_a_diff() -> None:
    old, new = _schemas(), _schemas()
    new["person"]["properties"]["nickname"] = {"type": "string"}
    d = diff_records([PERSON], [PERSON], old_schemas=old, new_schemas=new)
    assert d.schemas_compared
    assert d.level is Level.MINOR
    assert "optional property 'nickname' added" in d.to_text()
    assert json.loads(d.to_json())["schemas"]["changes"][0]["level"] == "minor"
    assert not diff_records([PERSON], [PERSON], old_schemas=old).schemas_compared


def test_release_compares_schemas(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A release whose schemas lost a property makes the next one MAJOR."""
    ds = write_jsonl(tmp_path / "d.jsonl", HEADER, RECORDS)
    first = build_release(ds, "1.0.0", tmp_path / "dist", environ={})
    schema = first.folder / "schemas" / "person.schema.json"
    doc = json.loads(schema.read_text())
    doc["properties"]["x_legacy"] = {"type": "string"}  # the old schemas had a property...
    schema.write_text(json.dumps(doc))
    d = diff(first.folder, first.archive)
    assert [(c.level, c.message) for c in d.schema_changes] == [
        (Level.MAJOR, "property 'x_legacy' removed")
    ]
    assert d.suggest() == "2.0.0"


# -- every input form ---------------------------------------------------------------------------


def test_all_forms_compare_equal(tmp_path: Path) -> None:
    header = {k: v for k, v in HEADER.items() if k != "type"}
    jsonl = write_jsonl(tmp_path / "d.jsonl", HEADER, RECORDS)
    doc = tmp_path / "d.json"
    doc.write_text(dump_document(header, RECORDS), encoding="utf-8")
    folder = tmp_path / "dir"
    write_dir(folder, header, RECORDS)
    rel = build_release(jsonl, "1.0.0", tmp_path / "dist", environ={})
    # a release rewrites the header's version only
    forms = [jsonl, doc, folder, rel.folder, rel.archive]
    for a in forms:
        for b in forms:
            d = diff(a, b)
            assert (d.added, d.removed, d.changed, d.header) == ((), (), (), ()), (a, b)
            assert d.schema_changes == ()
    assert diff(rel.folder, rel.archive).schemas_compared
    assert not diff(jsonl, rel.folder).schemas_compared


def test_non_canonical_input_compares_canonically(tmp_path: Path) -> None:
    a = write_jsonl(tmp_path / "a.jsonl", None, [SOURCE, person()])
    # explicit defaults and another key order: the same facts
    b = write_jsonl(
        tmp_path / "b.jsonl",
        None,
        [{**SOURCE, "weak": False}, {"sources": ["source/s"], **person(), "disputes": []}],
    )
    assert diff(a, b).empty


def test_cmd_diff(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a = write_jsonl(
        tmp_path / "a.jsonl", {"type": "dataset", "name": "x", "version": "1.0.0"}, [SOURCE]
    )
    b = write_jsonl(tmp_path / "b.jsonl", None, [SOURCE, PERSON])
    ns = argparse.Namespace
    assert cmd_diff(ns(old=str(a), new=str(b), format="text", exit_code=False)) == 0
    out = capsys.readouterr().out
    assert "+ person/a" in out
    assert "MINOR" in out
    assert "1.1.0" in out
    assert cmd_diff(ns(old=str(a), new=str(b), format="json", exit_code=True)) == 1
    assert json.loads(capsys.readouterr().out)["level"] == "minor"
    assert cmd_diff(ns(old=str(a), new=str(a), format="text", exit_code=True)) == 0
    assert cmd_diff(ns(old=str(tmp_path / "nope"), new=str(a), format="text", exit_code=False)) == 2
    junk = tmp_path / "junk.json"
    junk.write_text("{not json")
    assert cmd_diff(ns(old=str(junk), new=str(a), format="text", exit_code=False)) == 2
    assert "unionstate:" in capsys.readouterr().err


# -- properties --------------------------------------------------------------------------------


def _unique(records: list[Record]) -> list[dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for r in records:
        out.setdefault(r.id, unstructure(r))
    return list(out.values())


record_lists = st.lists(strategies.records(), max_size=6).map(_unique)


@st.composite
def pairs(draw: st.DrawFn) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Two datasets that share some ids (so that records change, not only come and go)."""
    a = draw(record_lists)
    b = draw(record_lists)
    b_ids = {r["id"] for r in b}
    for r in a:
        if r["id"] in b_ids:
            continue
        choice = draw(st.sampled_from(["keep", "drop", "change"]))
        if choice == "keep":
            b.append(copy.deepcopy(r))
            b_ids.add(r["id"])
        elif choice == "change":
            other = draw(strategies.records(r["type"]))
            changed = {**unstructure(other), "id": r["id"]}
            b.append(changed)
            b_ids.add(r["id"])
    return a, draw(st.permutations(b))


@given(pairs())
def test_apply_replays_the_diff(pair: tuple[list[dict[str, Any]], list[dict[str, Any]]]) -> None:
    """Applying a diff gives the other side, both ways; a side diffed with
    itself is empty (checked on the same drawn records: drawing is the costly
    part)."""
    a, b = pair
    for side in (a, b):
        same = diff_records(side, copy.deepcopy(side))
        assert same.empty
        assert same.level is Level.NONE
        assert apply(side, same) == sorted(side, key=lambda r: r["id"])
    d = diff_records(a, b)
    assert apply(a, d) == sorted(b, key=lambda r: r["id"])
    assert isinstance(d, Diff)
    # the level follows the recipe
    if d.removed:
        assert d.level is Level.MAJOR
    elif d.added:
        assert d.level is Level.MINOR
    elif d.changed:
        assert d.level is Level.PATCH
    else:
        assert d.empty
    json.loads(d.to_json())  # always JSON
    assert d.to_text()
    # and backwards
    assert apply(b, diff_records(b, a)) == sorted(a, key=lambda r: r["id"])
