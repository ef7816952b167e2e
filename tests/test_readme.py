"""The README's examples run as written (from the project root)."""

from __future__ import annotations

import os
import re
import shlex
import shutil
from pathlib import Path

import pytest

from unionstate.cli import main

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def blocks(lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", README, flags=re.S)


@pytest.fixture
def at_root_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A scratch folder that looks like the project root (data/, docs/, schemas/)."""
    for name in ("data", "docs", "schemas"):
        shutil.copytree(ROOT / name, tmp_path / name)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_python_example_runs(at_root_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    [code] = blocks("python")
    exec(compile(code, "README.md", "exec"), {})
    out = capsys.readouterr().out
    assert "['person/mishustin']" in out
    assert "US104" in out


def test_cli_examples_run(at_root_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cli = next(b for b in blocks("sh") if "unionstate convert" in b)
    expected_invalid = {
        "docs/examples/my-meetings-fixed.jsonl",
        "docs/examples/newsroom.jsonl",  # the walk-through's file of mistakes
        "docs/examples/my-meetings.csv",  # Medvedev as Prime Minister in 2021
    }
    for line in cli.splitlines():
        command = line.split("#", 1)[0].strip()
        for part in command.split("&&"):
            argv = shlex.split(part)
            assert argv[0] == "unionstate", line
            code = main(argv[1:])
            want = 1 if any(p in argv for p in expected_invalid) else 0
            assert code == want, (line, capsys.readouterr())
    assert (at_root_copy / "copy-of-data" / "persons.json").is_file()
    assert os.path.isfile("dist/unionstate-data-0.1.0.tar.gz")
