"""Third-party records in Python and through ``convert``: names resolved to
ids against the canonical data, and the same errors as ``validate``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import unionstate
from unionstate.cli import main
from unionstate.pipeline import validate_path
from unionstate.report import Severity

SRC = {
    "type": "source",
    "id": "source/x",
    "url": "https://example.org/x",
    "title": "X",
    "publisher": "P",
    "language": "en",
    "published": "2021-04-23",
}
MEETING = {
    "type": "event",
    "id": "event/a",
    "kind": "meeting",
    "title": "A",
    "date": "2021-04-22",
    "participants": [
        {"actor": "Putin", "office": "President of Russia"},
        {"actor": "Лукашэнка"},
    ],
    "statuses": [{"status": "held", "date": "2021-04-22", "sources": ["source/x"]}],
    "sources": ["source/x"],
}


def _write(tmp_path: Path, *records: dict[str, object]) -> Path:
    p = tmp_path / "mine.jsonl"
    p.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), "utf-8")
    return p


def _errors(path: Path, **kw: object) -> list[tuple[str, str | None, str | None]]:
    _, report = validate_path(path, rules=False, max_findings=None, **kw)  # type: ignore[arg-type]
    return [
        (f.code, f.record_id, f.pointer) for f in report.findings if f.severity is Severity.ERROR
    ]


def test_load_against_the_canonical_data_resolves_and_joins(tmp_path: Path) -> None:
    canonical = unionstate.load()
    ds = unionstate.load(_write(tmp_path, SRC, MEETING), against=canonical)
    assert len(ds.records) == len(canonical.records) + 2
    actors = [(p.actor, p.office) for p in ds.get("event/a").participants]
    assert actors == [("person/putin", "office/president-of-russia"), ("person/lukashenka", None)]
    assert ds.get("person/putin") == canonical.get("person/putin")
    assert "event/a" in [e.id for e in ds.events(involving="person/lukashenka")]


def test_load_standalone_fails_with_the_errors_validate_reports(tmp_path: Path) -> None:
    p = _write(tmp_path, SRC, MEETING)
    with pytest.raises(unionstate.DatasetError) as err:
        unionstate.load(p)
    got = [
        (f.code, f.record_id, f.pointer)
        for f in err.value.report.findings
        if f.severity is Severity.ERROR
    ]
    assert got == _errors(p, standalone=True)
    assert {code for code, _, _ in got} == {"US031"}  # names that name nothing here


def test_load_and_validate_agree_against_the_canonical_data(tmp_path: Path) -> None:
    bad = {**MEETING, "id": "event/b", "participants": [{"actor": "Nobody Atall"}]}
    p = _write(tmp_path, SRC, MEETING, bad)
    with pytest.raises(unionstate.DatasetError) as err:
        unionstate.load(p, against=unionstate.load())
    got = [
        (f.code, f.record_id, f.pointer)
        for f in err.value.report.findings
        if f.severity is Severity.ERROR
    ]
    assert got == _errors(p)
    assert got == [("US031", "event/b", "/participants/0/actor")]


def test_convert_writes_the_resolved_ids(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["convert", str(_write(tmp_path, SRC, MEETING)), "--to", "jsonl"]) == 0
    out = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    (event,) = [r for r in out if r["type"] == "event"]
    assert [p["actor"] for p in event["participants"]] == ["person/putin", "person/lukashenka"]
    assert event["participants"][0]["office"] == "office/president-of-russia"


def test_convert_refuses_only_what_validate_calls_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # a chronology mistake (Mishustin was never Belarus's prime minister) is for the
    # rules: validate reports it, convert still writes the records
    wrong = {
        **MEETING,
        "participants": [{"actor": "Mishustin", "office": "Prime Minister of Belarus"}],
    }
    p = _write(tmp_path, SRC, wrong)
    assert main(["validate", str(p)]) == 1
    capsys.readouterr()
    assert main(["convert", str(p), "--to", "jsonl"]) == 0
    capsys.readouterr()
    # names that resolve to nothing are an error for both
    q = _write(tmp_path, SRC, {**MEETING, "participants": [{"actor": "Nobody Atall"}]})
    assert main(["validate", str(q)]) == 1
    assert main(["convert", str(q), "--to", "jsonl"]) == 1
    assert "not converted" in capsys.readouterr().err
    # --standalone resolves names within the input only
    assert (
        main(["convert", str(_write(tmp_path, SRC, MEETING)), "--to", "jsonl", "--standalone"]) == 1
    )
