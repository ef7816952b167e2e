"""Every rule's documented bad and good examples: valid datasets (schema and
references), the bad one breaks its rule, the good one passes it; and
docs/rules.md is the generator's current output."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from unionstate.checks import RULES, Rule, check
from unionstate.converter import structure
from unionstate.dataset import Dataset
from unionstate.io import read
from unionstate.model import DatasetInfo
from unionstate.report import Finding, Severity
from unionstate.validate import validate_raw

ROOT = Path(__file__).resolve().parent.parent


def load_example(text: str, tmp_path: Path) -> Dataset:
    """Read JSON Lines text as the CLI would, insisting it validates."""
    path = tmp_path / "example.jsonl"
    path.write_text(text, encoding="utf-8")
    raw = read(path)
    problems = [f"{f.code} {f.record_id} {f.pointer}: {f.message}" for f in validate_raw(raw)]
    assert problems == []
    header = {k: v for k, v in (raw.header or {}).items() if k != "type"}
    info = DatasetInfo(**header) if header else DatasetInfo(name="example")
    return Dataset(info, tuple(structure(r.data) for r in raw.records))


def _of(rule: Rule, findings: list[Finding]) -> list[Finding]:
    """Findings of the rule, leaving out the informational counts a rule
    of higher severity also gives (US108)."""
    return [
        f
        for f in findings
        if f.code == rule.code
        and (rule.severity is Severity.INFO or f.severity is not Severity.INFO)
    ]


@pytest.mark.parametrize("rule", RULES.values(), ids=list(RULES))
def test_bad_example_breaks_its_rule(rule: Rule, tmp_path: Path) -> None:
    found = _of(rule, check(load_example(rule.bad, tmp_path)))
    assert found, f"{rule.code} bad example gives no {rule.code} finding"
    assert any(f.severity is rule.severity for f in found)


@pytest.mark.parametrize("rule", RULES.values(), ids=list(RULES))
def test_good_example_passes(rule: Rule, tmp_path: Path) -> None:
    found = check(load_example(rule.good, tmp_path))
    assert _of(rule, found) == []
    assert [f.message for f in found if f.severity is not Severity.INFO] == []


def _generator() -> object:
    spec = importlib.util.spec_from_file_location(
        "gen_rules_doc", ROOT / "scripts" / "gen_rules_doc.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["gen_rules_doc"] = module
    spec.loader.exec_module(module)
    return module


def test_rules_doc_is_up_to_date() -> None:
    gen = _generator()
    expected = gen.render()  # type: ignore[attr-defined]
    assert (ROOT / "docs" / "rules.md").read_text(encoding="utf-8") == expected, (
        "docs/rules.md is stale: run python scripts/gen_rules_doc.py"
    )
    for code, r in RULES.items():
        assert f'<a id="{code.lower()}"></a>' in expected
        assert r.bad.splitlines()[0] in expected
