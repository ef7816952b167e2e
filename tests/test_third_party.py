"""Checking a third party's records against the canonical dataset
(the worked example of docs/third-party.md)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from test_names import ALEKSANDRS
from unionstate.cli import main
from unionstate.converter import unstructure

EXAMPLES = Path(__file__).resolve().parent.parent / "docs" / "examples"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[dict]]:
    code = main(["validate", *args, "--format", "json"])
    return code, json.loads(capsys.readouterr().out)["findings"]


def test_names_resolve_to_canonical_ids(capsys: pytest.CaptureFixture[str]) -> None:
    code, found = run(capsys, str(EXAMPLES / "my-meetings-fixed.jsonl"))
    resolved = {
        (f["record_id"], f["pointer"]): f["related"][0] for f in found if f["code"] == "US030"
    }
    assert resolved[("event/minsk-talks", "/participants/0/actor")] == "person/lukashenka"
    assert resolved[("event/minsk-talks", "/participants/1/office")] == (
        "office/prime-minister-of-russia"
    )  # 'Russian PM', a title as written
    assert resolved[("event/minsk-talks", "/place")] == "place/minsk"
    assert code == 1


def test_rules_run_across_both_datasets(capsys: pytest.CaptureFixture[str]) -> None:
    _, found = run(capsys, str(EXAMPLES / "my-meetings-fixed.jsonl"))
    errors = [f for f in found if f["severity"] == "error"]
    assert [(f["code"], f["record_id"], f["pointer"]) for f in errors] == [
        ("US104", "event/wrong-pm", "/participants/0/office")
    ]
    assert "2020-01-16" in errors[0]["message"]
    # findings about canonical records alone are not reported
    assert all(
        f.get("record_id", "").startswith(("event/minsk", "event/wrong", "statement/"))
        or f["code"] in ("US030",)
        for f in found
    )


def test_ambiguous_and_unknown_names_list_candidates_never_guess(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, found = run(capsys, str(EXAMPLES / "my-meetings.jsonl"))
    assert code == 1
    by_code = {f["code"]: f for f in found if f["code"] in ("US031", "US032")}
    # every canonical Aleksandr, the same list as tests/test_names.py
    assert by_code["US032"]["related"] == ALEKSANDRS
    assert by_code["US032"]["record_id"] == "statement/aleksandr"
    assert by_code["US031"]["record_id"] == "statement/unknown"
    # each unresolved name is reported once, not again as a bad id
    assert not [f for f in found if f["code"] in ("US010", "US021")]


def test_standalone_does_not_use_the_canonical_data(capsys: pytest.CaptureFixture[str]) -> None:
    code, found = run(capsys, str(EXAMPLES / "my-meetings-fixed.jsonl"), "--standalone")
    assert code == 1
    unknown = {f["pointer"] for f in found if f["code"] == "US031"}
    assert "/participants/0/actor" in unknown
    assert not [f for f in found if f["code"] == "US030"]


def test_ids_of_canonical_records_resolve(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    p = tmp_path / "t.jsonl"
    p.write_text(
        '{"type":"event","id":"event/x","kind":"meeting","title":"x","date":"2021-04-22",'
        '"participants":[{"actor":"person/putin","office":"office/president-of-russia"}],'
        '"statuses":[{"status":"held","date":"2021-04-22"}],'
        '"sources":["source/pledgetimes-2021-04-24-putin-and-lukashenko-agreed-on-a-new-meeting"]}\n',
        encoding="utf-8",
    )
    code, found = run(capsys, str(p))
    assert [f for f in found if f["severity"] == "error"] == []
    assert code == 0
    code, found = run(capsys, str(p), "--standalone")
    assert code == 1
    assert {f["code"] for f in found} >= {"US021"}


def test_a_third_party_record_may_replace_a_canonical_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    p = tmp_path / "t.jsonl"
    p.write_text(
        '{"type":"source","id":"source/x","url":"https://example.org/","title":"t",'
        '"publisher":"p","language":"en"}\n'
        '{"type":"person","id":"person/putin","names":[{"value":"V. Putin","lang":"en"}],'
        '"sources":["source/x"]}\n',
        encoding="utf-8",
    )
    _, found = run(capsys, str(p))
    [shadow] = [f for f in found if f["code"] == "US033"]
    assert shadow["related"] == ["person/putin"]


def test_the_canonical_data_is_always_checked_on_its_own(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, found = run(capsys, "data")
    assert code == 0
    assert not [f for f in found if f["code"] in ("US030", "US033")]


def test_show_hides_below_a_severity_and_says_how_many(
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = str(EXAMPLES / "my-meetings-fixed.jsonl")
    assert main(["validate", path]) == 1
    out = capsys.readouterr().out
    assert "US104" in out
    assert "US030" not in out.split("records in")[0]  # info is not shown by default
    assert "(7 finding(s) below warning not shown; --show info shows them)" in out
    assert main(["validate", path, "--show", "info"]) == 1
    assert "US030" in capsys.readouterr().out
    assert main(["validate", path, "--show", "error", "--format", "json"]) == 1
    assert {f["code"] for f in json.loads(capsys.readouterr().out)["findings"]} == {
        "US030",
        "US104",
    }  # JSON has every finding


def test_ignore_and_select_take_any_code(capsys: pytest.CaptureFixture[str]) -> None:
    path = str(EXAMPLES / "my-meetings-fixed.jsonl")
    assert main(["validate", path, "--ignore", "US030", "--format", "json"]) == 1
    rep = json.loads(capsys.readouterr().out)
    assert "US030" not in {f["code"] for f in rep["findings"]}
    assert rep["counts"]["info"] == 0
    assert main(["validate", path, "--ignore", "name-resolved,US104", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["findings"] == []
    assert main(["validate", path, "--ignore", "US999"]) == 2
    assert "US999" in capsys.readouterr().err


@pytest.mark.parametrize("outcome", [None, "unknown", "pending"])
def test_a_forecast_not_yet_judged_is_checked_against_the_canonical_data(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, outcome: str | None
) -> None:
    """Statements whose forecasts are neither met nor missed, checked with the
    canonical data (whose forecasts are): the source-before-fact rule still runs
    on them, and reports a source published before the statement."""
    forecast: dict[str, object] = {"claim": "A treaty by 2030.", "deadline": "2030"}
    if outcome:
        forecast["outcome"] = {"status": outcome}
    records = [
        {
            "type": "source",
            "id": "source/early",
            "url": "https://example.org/early",
            "title": "Early",
            "publisher": "Example",
            "published": "2020-01-01",
            "language": "en",
        },
        {
            "type": "statement",
            "id": "statement/forecast-not-judged",
            "speaker": "person/putin",
            "date": "2021-05-05",
            "summary": "A treaty by 2030, he said.",
            "forecasts": [forecast],
            "sources": ["source/early"],
        },
    ]
    path = tmp_path / "mine.json"
    path.write_text(json.dumps(records))
    code, found = run(capsys, str(path), "--select", "US107")
    assert code == 1
    assert [(f["code"], f["record_id"]) for f in found] == [
        ("US107", "statement/forecast-not-judged")
    ]


_TYPES = ("event", "statement", "agreement", "person", "place", "organization", "tenure")


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    picks=st.lists(
        st.tuples(st.sampled_from(_TYPES), st.integers(0, 10**6)), min_size=1, max_size=12
    ),
    renamed=st.booleans(),
)
def test_canonical_records_as_third_party_data_never_crash_the_check(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, picks: list[tuple[str, int]], renamed: bool
) -> None:
    """Canonical records sent back as a third party's file (as they are, so
    replacing the canonical ones, or under new ids) are checked against the
    canonical data with every rule: valid or invalid (exit 0 or 1), never a
    crash (exit 3)."""
    from unionstate import load

    by_type: dict[str, list[dict[str, object]]] = {}
    for r in load().records:  # the shipped data, read once a process
        by_type.setdefault(r.TYPE, []).append(unstructure(r))
    records = []
    for kind, k in picks:
        r = dict(by_type[kind][k % len(by_type[kind])])
        if renamed:
            r["id"] = f"{r['id']}-mine"
        records.append(r)
    path = tmp_path / "mine.json"
    path.write_text(json.dumps(records))
    code, _ = run(capsys, str(path))
    assert code in (0, 1)
