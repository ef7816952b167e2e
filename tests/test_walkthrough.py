"""docs/third-party.md's walk-through: every command and example on the page
prints what the page shows, and the newsroom file gets every one of its
mistakes in one run, with no error on its clean twin."""

from __future__ import annotations

import json
import re
import shlex
import shutil
from collections import Counter
from pathlib import Path

import pytest

import unionstate
from unionstate.cli import main

ROOT = Path(__file__).resolve().parent.parent
PAGE = (ROOT / "docs" / "third-party.md").read_text(encoding="utf-8")
WALK = PAGE[PAGE.index("## A walk-through") : PAGE.index("## Names, in more detail")]
EXAMPLES = ROOT / "docs" / "examples"


def _blocks(kind: str) -> list[str]:
    return re.findall(rf"```{kind}\n(.*?)```", WALK, flags=re.S)


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working folder with the examples at the paths the page uses."""
    shutil.copytree(EXAMPLES, tmp_path / "docs" / "examples")
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize("block", range(len(_blocks("text"))))
def test_each_command_prints_what_the_page_shows(
    here: Path, capsys: pytest.CaptureFixture[str], block: int
) -> None:
    command, *shown = _blocks("text")[block].splitlines()
    assert command.startswith("$ unionstate ")
    code = main(shlex.split(command)[2:])
    assert capsys.readouterr().out.splitlines() == shown
    assert code == (0 if "clean" in command else 1)


def test_the_convert_command_writes_ids(here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (command,) = re.findall(r"`(unionstate convert [^`]*)`", WALK.replace("\n", " "))
    assert main(shlex.split(command)[1:]) == 0
    lines = (here / "newsroom-ids.jsonl").read_text(encoding="utf-8").splitlines()
    meeting = next(json.loads(x) for x in lines if "2021-06-01-pm-meeting" in x)
    assert [p["actor"] for p in meeting["participants"]] == [
        "person/lukashenka",
        "person/mishustin",
    ]


def test_the_python_example_prints_what_the_page_shows(
    here: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (code,) = _blocks("python")
    exec(compile(code, "third-party.md", "exec"), {})
    shown = [line[len("# -> ") :] for line in code.splitlines() if line.startswith("# -> ")]
    assert capsys.readouterr().out.splitlines() == shown


def _findings(path: Path) -> list[dict[str, object]]:
    _, report = unionstate.validate_path(path, max_findings=None)
    return [f.to_dict() for f in report.findings]


def test_every_mistake_is_found_in_one_pass() -> None:
    """A duplicate id, a dangling reference, an impossible date, an unknown
    field and a dozen chronology mistakes, all in one run."""
    found = _findings(EXAMPLES / "newsroom.jsonl")
    errors = Counter((f["code"], f["record_id"]) for f in found if f["severity"] == "error")
    assert errors == Counter(
        {
            ("US104", "event/2021-06-01-pm-meeting"): 1,
            ("US104", "event/2022-03-10-government-talks"): 1,
            ("US102", "event/2023-01-19-joint-board"): 1,
            ("US104", "event/2023-01-19-joint-board"): 1,
            ("US107", "event/2021-09-09-programmes"): 1,
            ("US109", "event/2024-06-28-moscow-meeting"): 1,
            ("US105", "event/2026-06-20-sochi-talks"): 1,
            ("US107", "event/2026-06-20-sochi-talks"): 1,
            ("US106", "event/2025-12-05-council"): 1,
            ("US107", "statement/2021-04-22-putin"): 1,
            ("US111", "statement/2021-03-01-deadline"): 1,
            ("US102", "event/1999-12-08-council"): 1,
            ("US103", "tenure/belousov-pm"): 1,
            ("US010", "event/2023-02-17-talks"): 2,  # /date and /statuses/0/date
            ("US010", "event/2024-12-06-minsk"): 1,
            ("US021", "statement/2022-09-01-halouchanka"): 1,
            ("US020", "statement/2023-05-01-turchin"): 1,
        }
    )
    aside = {f["record_id"] for f in found if f["code"] == "US007"}
    assert aside == {
        "event/2023-02-17-talks",
        "event/2024-12-06-minsk",
        "statement/2022-09-01-halouchanka",
        "statement/2023-05-01-turchin",
        "statement/2023-02-17-putin",
    }


BEYOND = {"event/2026-06-20-sochi-talks", "event/2026-05-15-call"}


def test_the_clean_twin_has_no_false_positive() -> None:
    found = _findings(EXAMPLES / "newsroom-clean.jsonl")
    shown = [f for f in found if f["severity"] != "info"]
    assert not [f for f in shown if f["severity"] == "error"]
    # what is left: the two records the canonical data does not reach
    assert {(f["code"], f["record_id"]) for f in shown} == {
        ("US040", "event/2026-06-20-sochi-talks"),
        ("US040", "event/2026-05-15-call"),
        ("US104", "event/2026-05-15-call"),
    }
    assert {f["code"] for f in found if f["severity"] == "info"} == {"US030"}
