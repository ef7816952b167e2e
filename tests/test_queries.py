"""The analysts' queries (docs/queries.md): every example of the page runs and prints what
the page says, and `unionstate query` answers as documented."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path
from typing import Any

import pytest

import unionstate
from unionstate import dates
from unionstate.cli import main
from unionstate.model import Agreement

ROOT = Path(__file__).resolve().parent.parent
PAGE = (ROOT / "docs" / "queries.md").read_text(encoding="utf-8")


def blocks(lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", PAGE, flags=re.S)


@pytest.mark.parametrize("n", range(len(blocks("python"))))
def test_the_python_examples_print_what_the_page_says(
    n: int, capsys: pytest.CaptureFixture[str]
) -> None:
    code = blocks("python")[n]
    want = [line[5:] for line in code.splitlines() if line.startswith("# -> ")]
    exec(compile(code, "docs/queries.md", "exec"), {})
    got = capsys.readouterr().out.splitlines()
    assert got == want


@pytest.mark.parametrize("line", blocks("sh")[0].strip().splitlines())
def test_the_query_commands_answer(line: str, capsys: pytest.CaptureFixture[str]) -> None:
    argv = shlex.split(line)[1:]
    assert main(argv) == 0
    assert capsys.readouterr().out.strip()


def test_query_json_and_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(
            [
                "query",
                "holder",
                "office/president-of-russia",
                "--on",
                "2010-01-01",
                "--format",
                "json",
            ]
        )
        == 0
    )
    assert json.loads(capsys.readouterr().out) == [
        {"id": "person/medvedev", "label": "Dmitry Medvedev"}
    ]
    assert main(["query", "holder", "office/president-of-belarus", "--on", "1990-01-01"]) == 1
    assert main(["query", "offices", "Nobody At All", "--on", "2020"]) == 2
    assert "Nobody At All" in capsys.readouterr().err


@pytest.fixture(scope="module")
def ds() -> unionstate.Dataset:
    return unionstate.load()


def test_meetings_need_every_actor(ds: unionstate.Dataset) -> None:
    both = ds.meetings("person/lukashenka", "person/putin")
    alone = ds.meetings("person/putin")
    assert set(both) < set(alone)
    assert all(
        {"person/lukashenka", "person/putin"} <= {p.actor for p in e.participants} for e in both
    )


def test_a_place_matches_the_places_inside_it(ds: unionstate.Dataset) -> None:
    in_russia = ds.meetings("person/putin", "person/lukashenka", place="place/russia")
    in_moscow = ds.meetings("person/putin", "person/lukashenka", place="place/moscow")
    assert set(in_moscow) <= set(in_russia)
    assert any(e.place == "place/kremlin" for e in in_moscow)


def test_forecast_states_partition_the_forecasts(ds: unionstate.Dataset) -> None:
    every = ds.forecasts()
    parts = [ds.forecasts(state=s) for s in ("met", "missed", "open")]
    assert sum(len(p) for p in parts) == len(every)
    assert all(v.delay_days is None or v.state != "open" or v.forecast.outcome for v in every)


def test_holders_possibly_is_wider(ds: unionstate.Dataset) -> None:
    office = "office/state-secretary-of-the-union-state"
    sure = ds.holders(office, between=("2025-04", "2025-04"), possibly=False)
    maybe = ds.holders(office, between=("2025-04", "2025-04"))
    assert set(sure) <= set(maybe)
    assert "person/glazyev" in {t.person for t in maybe} - {t.person for t in sure}


def test_notebook_html(ds: unionstate.Dataset) -> None:
    assert "<table>" in ds._repr_html_()
    assert "person/putin" in ds.get("person/putin")._repr_html_()


def test_frame_dates_are_days(ds: unionstate.Dataset) -> None:
    pytest.importorskip("pandas")
    events = ds.frame("events")
    assert len(events) == len(ds.all(unionstate.model.Event))
    row = events[events.id == "event/2022-02-18-kremlin-talks"].iloc[0]
    assert str(row.date_earliest.date()) == str(row.date_latest.date()) == "2022-02-18"
    with pytest.raises(KeyError, match="tables"):
        ds.frame("nope")


def test_a_record_shows_short(ds: unionstate.Dataset) -> None:
    assert repr(ds.get("person/putin")) == "<Person person/putin 'Vladimir Putin'>"
    assert repr(ds.get("tenure/krutoi-ambassador-of-belarus-to-russia")) == (
        "<Tenure tenure/krutoi-ambassador-of-belarus-to-russia>"
    )


def test_forecasts_and_statements_are_asked_from_the_command_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    argv = ["query", "forecasts", "--state", "missed", "--speaker", "Rumas"]
    assert main([*argv, "--due", "2019", "2019", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {r["state"] for r in rows} == {"missed"}
    assert {r["speaker"] for r in rows} == {"Syarhei Rumas"}
    assert all(r["deadline"].startswith("2019") for r in rows)
    # by deadline: the year's promise first, then the day's
    assert rows[0]["statement"] == "statement/2018-10-rumas-russian-state-credit-in-2019"
    programme = {r["statement"]: r for r in rows}[
        "statement/2019-05-24-rumas-action-programme-by-21-june"
    ]
    assert (programme["deadline"], programme["delay_days"]) == ("2019-06-21", 77)

    argv = ["query", "statements", "--speaker", "Mishustin", "--between", "2023", "2023"]
    assert main([*argv, "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["id"] for r in rows][:1] == ["statement/2023-02-02-mishustin-com-soon-in-moscow"]
    assert all(r["speaker"] == "Mikhail Mishustin" and "quote" in r for r in rows)
    assert main(argv) == 0  # text: a line per statement, without the quote
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == len(rows)
    assert lines[0].startswith(rows[0]["id"])

    assert main(["query", "forecasts", "--speaker", "Nobody At All"]) == 2
    assert "'Nobody At All' names no person or organisation" in capsys.readouterr().err
    assert main(["query", "statements", "--topic", "no such words anywhere"]) == 1


def test_forecasts_of_a_speaker_due_in_a_period(ds: unionstate.Dataset) -> None:
    def key(f: Any) -> tuple[str, str]:
        return (f.statement.id, f.claim)

    every = {key(f): f.deadline for f in ds.forecasts()}
    due = {key(f): f.deadline for f in ds.forecasts(due=("2021", "2021"))}
    lo, hi = dates.parse("2021").lo, dates.parse("2021").hi
    # a deadline may fall in the period: its interval of possible days meets it
    for k, deadline in every.items():
        r = dates.parse(deadline)
        meets = (r.lo is None or r.lo <= hi) and (r.hi is None or r.hi >= lo)
        assert (k in due) == meets, deadline
    assert 0 < len(due) < len(every)
    rumas = ds.forecasts(speaker="Rumas")
    assert rumas
    assert all(f.statement.speaker == "person/rumas" for f in rumas)
    assert [key(f) for f in ds.forecasts(speaker="person/rumas")] == [key(f) for f in rumas]


def test_agreements_by_kind_and_the_stages_they_reached(ds: unionstate.Dataset) -> None:
    def ids(ags: list[Agreement]) -> set[str]:
        return {a.id for a in ags}

    def stages(a: Agreement) -> set[str]:
        return {s.stage for s in a.lifecycle}

    signed = ds.agreements(reached=["signed"])
    in_force = ds.agreements(reached=["signed", "in_force"])
    pending = ds.agreements(reached=["signed"], not_reached=["in_force"])
    # signed ones either entered into force by the sources, or no source says they did
    assert ids(in_force) | ids(pending) == ids(signed)
    assert not ids(in_force) & ids(pending)
    assert all("in_force" in stages(a) for a in in_force)
    assert all("in_force" not in stages(a) for a in pending)
    treaties = ds.agreements(kind="treaty", reached=["signed"], not_reached=["in_force"])
    assert {a.kind for a in treaties} == {"treaty"}
    assert "agreement/2022-treaty-on-general-principles-of-indirect-taxation" in ids(treaties)
    assert "agreement/2025-protocol-amending-treaty-on-equal-rights-of-citizens" not in ids(
        treaties
    )
    assert ids(ds.agreements(kind=["treaty", "decree"])) == ids(ds.agreements(kind="treaty")) | ids(
        ds.agreements(kind="decree")
    )
    with pytest.raises(ValueError, match="no lifecycle stage 'sealed'"):
        ds.agreements(reached=["sealed"])


def test_agreements_are_asked_from_the_command_line(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["query", "agreements", "--kind", "treaty", "--reached", "ratified"]
    assert main([*argv, "--between", "2022", "2022", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    tax = {r["id"]: r for r in rows}[
        "agreement/2022-treaty-on-general-principles-of-indirect-taxation"
    ]
    assert {"stage": "signed", "date": "2022-10-03"} in tax["lifecycle"]
    assert {r["kind"] for r in rows} == {"treaty"}
    assert main([*argv, "--between", "2022", "2022"]) == 0  # text: a line per agreement
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == len(rows)
    line = next(x for x in lines if x.startswith(tax["id"]))
    assert "  treaty  " in line
    assert "signed 2022-10-03, ratified" in line
    # an agreement with no lifecycle step known shows no empty field
    assert main(["query", "agreements", "--format", "json"]) == 0
    bare = next(r for r in json.loads(capsys.readouterr().out) if not r["lifecycle"])
    assert main(["query", "agreements"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert f"{bare['id']}  {bare['kind']}  {bare['title']}" in lines
    # no treaty is recorded abandoned before it was signed
    assert (
        main(
            [
                "query",
                "agreements",
                "--kind",
                "treaty",
                "--reached",
                "abandoned",
                "--not-reached",
                "signed",
            ]
        )
        == 1
    )


@pytest.mark.parametrize(
    ("flag", "value", "listed"),
    [("--kind", "road_map", "'treaty'"), ("--reached", "sealed", "'in_force'")],
)
def test_an_unknown_kind_or_stage_is_a_usage_error_naming_the_choices(
    flag: str, value: str, listed: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["query", "agreements", flag, value])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert f"invalid choice: '{value}'" in err
    assert listed in err  # the choices as a user types them
    assert "<" not in err  # not as Python's enum members


@pytest.mark.parametrize(
    "argv",
    [
        ["holder", "Russian PM", "--on", "2021-13-01"],
        ["holder", "Russian PM", "--between", "2020", "soon"],
        ["offices", "Lukashenka", "--on", "nope"],
        ["events", "--between", "x", "2022"],
        ["statements", "--between", "2021", "2021-02-30"],
        ["forecasts", "--due", "foo", "bar"],
        ["agreements", "--between", "2022", "later"],
    ],
)
def test_a_date_that_is_not_edtf_is_a_usage_error(
    argv: list[str], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert main(["query", *argv]) == 2
    assert "is not an EDTF date" in capsys.readouterr().err
    # told before any data is read: a dataset that is not there is not what is reported
    assert main(["query", *argv, "--data", str(tmp_path / "nowhere")]) == 2
    err = capsys.readouterr().err
    assert "is not an EDTF date" in err
    assert "nowhere" not in err


def test_find_a_record_and_the_sources_behind_it(
    ds: unionstate.Dataset, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["query", "find", "Lukashenko", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == [
        {"id": "person/lukashenka", "type": "person", "label": "Alyaksandr Lukashenka"}
    ]
    assert main(["query", "find", "Lukashenko", "--type", "office"]) == 1
    assert main(["query", "find", "person/glazyev", "--format", "json"]) == 0
    assert [r["id"] for r in json.loads(capsys.readouterr().out)] == ["person/glazyev"]

    talks = "event/2021-04-22-putin-lukashenka-talks-moscow"
    assert main(["query", "sources", talks, "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["id"] for r in rows] == [s.id for s in ds.sources_of(talks)]
    assert all(r["url"].startswith("http") and r["quote"] for r in rows)
    assert any(r["weak"] for r in rows)
    assert any(not r["weak"] for r in rows)
    assert main(["query", "sources", "Glazyev", "--format", "json"]) == 0  # a name for one record
    assert {r["id"] for r in json.loads(capsys.readouterr().out)} == {
        s.id for s in ds.sources_of("person/glazyev")
    }
    assert main(["query", "sources", talks]) == 0  # text: a line a source, "weak" where weak
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == len(rows)
    assert all(("  weak" in line) == r["weak"] for line, r in zip(lines, rows, strict=True))

    assert main(["query", "sources", "Aleksandr"]) == 2
    assert "'Aleksandr' names " in capsys.readouterr().err
    assert main(["query", "sources", "No Such Thing"]) == 2
    assert "'No Such Thing' names no record" in capsys.readouterr().err


def test_resolve_gives_the_one_id_a_name_stands_for(ds: unionstate.Dataset) -> None:
    assert ds.resolve("person/glazyev") == "person/glazyev"
    assert ds.resolve("Lukashenko") == "person/lukashenka"
    assert ds.resolve("Russian PM") == "office/prime-minister-of-russia"
    with pytest.raises(KeyError, match="names no person or organisation"):
        ds.resolve("Russian PM", actor=True)
    with pytest.raises(KeyError, match=r"'Aleksandr' names \d+ actors: person/"):
        ds.resolve("Aleksandr", actor=True)
    with pytest.raises(KeyError, match="names no record"):
        ds.resolve("No Such Thing")
