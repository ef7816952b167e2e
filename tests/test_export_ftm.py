"""The FollowTheMoney export loads in the ``followthemoney`` package: every
entity has a known schema, every property survives FollowTheMoney's own
cleaning unchanged, and every entity reference points at an entity of the file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from unionstate.cli import main
from unionstate.export.ftm import entity_id

ftm = pytest.importorskip("followthemoney", reason="the 'ftm' extra is not installed")


@pytest.fixture(scope="module")
def lines(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    out = tmp_path_factory.mktemp("ftm") / "entities.jsonl"
    assert main(["export", "--to", "ftm", "--out", str(out)]) == 0
    return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]


def test_every_entity_loads_unchanged(lines: list[dict[str, Any]]) -> None:
    from followthemoney import model

    assert lines
    for data in lines:
        proxy = model.get_proxy(data, cleaned=False)  # FollowTheMoney cleans every value
        assert proxy.schema.name == data["schema"]
        assert proxy.id == data["id"]
        cleaned = proxy.to_dict()["properties"]
        for prop, values in data["properties"].items():
            assert sorted(cleaned.get(prop, [])) == sorted(values), (data["id"], prop)


def test_references_resolve(lines: list[dict[str, Any]]) -> None:
    from followthemoney import model

    ids = {d["id"] for d in lines}
    seen = 0
    for data in lines:
        proxy = model.get_proxy(data)
        for prop, value in proxy.itervalues():
            if prop.type.name == "entity":
                assert value in ids, (data["id"], prop.name, value)
                seen += 1
    assert seen


def test_the_canonical_data_as_entities(lines: list[dict[str, Any]]) -> None:
    schemas = {d["schema"] for d in lines}
    assert {"Person", "PublicBody", "Position", "Occupancy", "Event", "Contract"} <= schemas
    by_id = {d["id"]: d for d in lines}
    borodin = by_id[entity_id("person/borodin")]
    assert borodin["properties"]["name"] == ["Pavel Borodin"]
    assert "Бородин" in borodin["properties"]["alias"]
    occupancies = [d for d in lines if d["schema"] == "Occupancy"]
    assert all(d["properties"]["holder"] and d["properties"]["post"] for d in occupancies)
    assert all(d["properties"]["sourceUrl"] for d in lines)


def test_ids_are_stable_and_distinct() -> None:
    assert entity_id("person/lukashenka") == "unionstate-person-lukashenka"
    assert entity_id("office/a-b") != entity_id("office/a.b")


def test_the_file_is_sorted_by_id(tmp_path: Path, lines: list[dict[str, Any]]) -> None:
    ids = [d["id"] for d in lines]
    assert ids == sorted(ids)
    assert len(ids) == len(set(ids))
