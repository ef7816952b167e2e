"""The code examples of the documentation run as written (from the project root), and
the pages refer only to files that exist."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"

#: (page, block number): the Python examples that run as they are. The benchmark script
#: of dates.md and the cluster example of performance.md need inputs the tests do not make.
RUNNABLE = [("index.md", 0), ("dates.md", 0), ("dates.md", 1), ("third-party.md", 0)]


def python_blocks(page: str) -> list[str]:
    text = (DOCS / page).read_text(encoding="utf-8")
    return re.findall(r"```python\n(.*?)```", text, flags=re.S)


@pytest.mark.parametrize(("page", "n"), RUNNABLE)
def test_the_example_runs(page: str, n: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    code = python_blocks(page)[n]
    if page == "dates.md":  # the second block uses the names the first imports
        code = "from unionstate.dates import *\n" + code
    exec(compile(code, f"docs/{page}", "exec"), {})


def test_every_linked_file_exists() -> None:
    """Markdown links to local files (not http, not anchors) point at files of the repository."""
    missing = []
    for page in [*DOCS.rglob("*.md"), ROOT / "README.md"]:
        text = page.read_text(encoding="utf-8")
        for target in re.findall(r"\]\(([^)\s]+)\)", text):
            if re.match(r"[a-z]+:", target) or target.startswith("#"):
                continue
            path = (page.parent / target.split("#")[0]).resolve()
            if not path.exists():
                missing.append(f"{page.relative_to(ROOT)} -> {target}")
    assert not missing, missing
