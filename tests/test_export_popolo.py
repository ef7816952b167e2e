"""The Popolo export validates against the Popolo 1.0.1 JSON Schemas (draft-03).

The schemas are read from ``../shared/reference/popolo-schemas/`` beside the
repository (where CI has them), loaded into a local registry under their own
URIs: nothing is fetched, nothing is copied into the repository.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft3Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT3

from unionstate.dataset import data_dir
from unionstate.export.popolo import COLLECTIONS, document
from unionstate.io import read

ROOT = Path(__file__).resolve().parents[1]
SCHEMAS = ROOT.parent / "shared" / "reference" / "popolo-schemas"
BASE = "http://www.popoloproject.com/schemas/"
SCHEMA_OF = {
    "persons": "person",
    "organizations": "organization",
    "posts": "post",
    "memberships": "membership",
    "events": "event",
    "areas": "area",
}

pytestmark = pytest.mark.skipif(
    not SCHEMAS.is_dir(),
    reason=f"the Popolo 1.0.1 schemas are not at {SCHEMAS} (CI has them there)",
)


def _no_fetch(uri: str) -> Resource[Any]:
    raise AssertionError(f"a schema tried to fetch {uri}")


@pytest.fixture(scope="module")
def validators() -> dict[str, Draft3Validator]:
    resources = []
    for f in sorted(SCHEMAS.glob("*.json")):
        schema = json.loads(f.read_text(encoding="utf-8"))
        resources.append((f"{BASE}{f.name}", Resource.from_contents(schema, DRAFT3)))
    registry: Registry[Any] = Registry(retrieve=_no_fetch).with_resources(resources)
    out = {}
    for collection, name in SCHEMA_OF.items():
        schema = json.loads((SCHEMAS / f"{name}.json").read_text(encoding="utf-8"))
        Draft3Validator.check_schema(schema)
        out[collection] = Draft3Validator(schema, registry=registry)
    return out


@pytest.fixture(scope="module")
def canonical() -> dict[str, Any]:
    raw = read(data_dir())
    return document(raw.header, [r.data for r in raw.records])


def test_every_object_validates(
    canonical: dict[str, Any], validators: dict[str, Draft3Validator]
) -> None:
    assert set(COLLECTIONS) == set(SCHEMA_OF)
    for collection, validator in validators.items():
        objects = canonical[collection]
        assert objects, collection
        for obj in objects:
            errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(obj)]
            assert not errors, (collection, obj["id"], errors)


def test_the_schemas_do_bite(validators: dict[str, Draft3Validator]) -> None:
    """A wrong date or a link without url is refused: the validation is real."""
    assert not validators["persons"].is_valid({"id": "p", "birth_date": "1954?"})
    assert not validators["memberships"].is_valid({"id": "m", "sources": [{"note": "no url"}]})
    assert validators["persons"].is_valid({"id": "p", "birth_date": "1954-08"})


def test_the_canonical_data_in_popolo(canonical: dict[str, Any]) -> None:
    persons = {p["id"]: p for p in canonical["persons"]}
    assert persons["person/borodin"]["name"] == "Pavel Borodin"
    assert {"name": "Бородин", "note": "lang: ru"} in persons["person/borodin"]["other_names"]
    posts = {p["id"] for p in canonical["posts"]}
    areas = {a["id"] for a in canonical["areas"]}
    for m in canonical["memberships"]:
        assert m["person_id"] in persons
        assert m["post_id"] in posts
    # an EDTF interval (Glazyev's start: between the announcement and the first report in
    # office) is kept whole, not made precise
    kept = {m["person_id"]: m["edtf"] for m in canonical["memberships"] if "edtf" in m}
    assert kept["person/glazyev"]["start_date"] == "2025-04-17/2025-05-27"
    edtf_starts = [m for m in canonical["memberships"] if "start_date" in m.get("edtf", {})]
    assert all("start_date" not in m for m in edtf_starts)
    for o in canonical["organizations"]:
        assert o.get("area_id") is None or o["area_id"] in areas
    held = [e for e in canonical["events"] if e["status"] == "held"]
    assert held
    assert all(e["sources"] and all(s["url"] for s in e["sources"]) for e in held)
