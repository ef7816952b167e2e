"""Third-party records dated after the canonical as-of day: one finding says
the canonical data does not reach them (US040), and the rules treat the
canonical tenures as unknown beyond that day (possibly, never violated)."""

from __future__ import annotations

import json
from pathlib import Path

from unionstate import load
from unionstate.pipeline import validate_path

AS_OF = load().info.as_of
SRC = {
    "type": "source",
    "id": "source/x",
    "url": "https://example.org/x",
    "title": "X",
    "publisher": "P",
    "language": "en",
}


def _event(rid: str, day: str, actor: str, office: str) -> dict[str, object]:
    return {
        "type": "event",
        "id": rid,
        "kind": "meeting",
        "title": rid,
        "date": day,
        "participants": [{"actor": actor, "office": office}],
        "statuses": [{"status": "held", "date": day, "sources": ["source/x"]}],
        "sources": ["source/x"],
    }


def _check(tmp_path: Path, *records: dict[str, object]) -> list[tuple[str, str, str | None]]:
    p = tmp_path / "mine.jsonl"
    p.write_text("".join(json.dumps(r) + "\n" for r in (SRC, *records)), encoding="utf-8")
    _, report = validate_path(p)
    return [(f.code, f.severity.value, f.record_id) for f in report.findings]


def test_the_as_of_day_is_known() -> None:
    assert AS_OF is not None
    assert AS_OF < "2027-01-01"


def test_a_later_record_is_told_and_at_most_possibly_wrong(tmp_path: Path) -> None:
    found = _check(
        tmp_path,
        _event("event/later", "2027-03-01", "person/mishustin", "office/prime-minister-of-belarus"),
    )
    assert ("US040", "warning", "event/later") in found
    assert ("US104", "warning", "event/later") in found
    assert not [f for f in found if f[1] == "error"], found


def test_the_same_mistake_before_as_of_is_violated(tmp_path: Path) -> None:
    found = _check(
        tmp_path,
        _event("event/then", "2021-06-01", "person/mishustin", "office/prime-minister-of-belarus"),
    )
    assert ("US104", "error", "event/then") in found
    assert not [f for f in found if f[0] == "US040"]


def test_a_later_tenure_may_overlap_an_ongoing_canonical_one(tmp_path: Path) -> None:
    """The canonical Prime Minister's tenure has no end: beyond the as-of day
    it may have ended, so a successor from 2027 possibly overlaps it."""
    tenure = {
        "type": "tenure",
        "id": "tenure/next-pm",
        "person": "person/belousov",
        "office": "office/prime-minister-of-russia",
        "start": "2027-01-10",
        "sources": ["source/x"],
    }
    found = _check(tmp_path, tenure)
    assert ("US040", "warning", "tenure/next-pm") in found
    assert ("US103", "warning", "tenure/next-pm") in found
    assert not [f for f in found if f[1] == "error"], found
