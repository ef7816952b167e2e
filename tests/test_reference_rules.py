"""The engine (queries over columns) and the plain reference rules of
``reference_rules.py`` (a loop over records) agree on generated datasets:
code, severity, record id, pointer and related records of every finding."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import reference_rules
from _generator import load_generator
from unionstate import strategies
from unionstate.checks import check
from unionstate.converter import structure, unstructure
from unionstate.dataset import Dataset, from_raw, from_records
from unionstate.io.read import RawDataset, RawRecord
from unionstate.model import RECORD_TYPES, DatasetInfo
from unionstate.references import ref_paths

#: Dates that overlap in every way the rules care about: the same day, days
#: inside months and years, short and open intervals, uncertain days.
DATES = [
    "2020",
    "2020-05",
    "2020-05-01",
    "2020-05-02",
    "2020-05-01~",
    "2020-05-01/2020-05-03",
    "2020-04/2020-06",
    "2019",
    "2019-12-31",
    "2021-01-01",
    "../2020-05",
    "2020-05-02/..",
]
DATE_KEYS = {"date", "start", "end", "published", "birth_date", "death_date"}
DATE_KEYS |= {"founded", "dissolved", "deadline"}
#: A few ids of each type, so that references meet.
POOL = {t: [f"{t}/{k}" for k in "abc"] for t in RECORD_TYPES}


def _engine(ds: Dataset, as_of: str | None = None) -> list[tuple[Any, ...]]:
    return sorted(
        (f.code, f.severity.value, f.record_id, f.pointer, f.related)
        for f in check(ds, as_of=as_of)
    )


def _knit(draw: st.DrawFn, data: Any) -> Any:
    """A raw value with its dates drawn from :data:`DATES` (at the keys of
    :data:`DATE_KEYS`)."""
    if isinstance(data, dict):
        return {k: _date(draw, v) if k in DATE_KEYS else _knit(draw, v) for k, v in data.items()}
    if isinstance(data, list):
        return [_knit(draw, v) for v in data]
    return data


def _date(draw: st.DrawFn, value: Any) -> Any:
    return draw(st.sampled_from(DATES)) if isinstance(value, str) else value


def _refs(draw: st.DrawFn, t: str, data: dict[str, Any]) -> None:
    """Point every reference of ``data`` at a pooled id of a type it may name."""
    for path, targets in ref_paths(t):
        _set(draw, data, list(path), targets)


def _set(draw: st.DrawFn, value: Any, path: list[str], targets: tuple[str, ...]) -> None:
    head, rest = path[0], path[1:]
    if head == "*":
        if isinstance(value, list):
            for k, item in enumerate(value):
                if rest:
                    _set(draw, item, rest, targets)
                elif isinstance(item, str):
                    value[k] = draw(st.sampled_from([i for t in targets for i in POOL[t]]))
        return
    if not isinstance(value, dict) or value.get(head) is None:
        return
    if rest:
        _set(draw, value[head], rest, targets)
    elif isinstance(value[head], str):
        value[head] = draw(st.sampled_from([i for t in targets for i in POOL[t]]))


@st.composite
def knitted(draw: st.DrawFn) -> Dataset:
    """A small dataset of any records whose references meet and whose
    dates overlap."""
    out = []
    used: set[str] = set()
    for _ in range(draw(st.integers(0, 14))):
        t = draw(st.sampled_from(sorted(RECORD_TYPES)))
        data = _knit(draw, unstructure(draw(strategies.records(t))))
        data["id"] = draw(st.sampled_from(POOL[t]))
        if data["id"] in used:
            continue
        used.add(data["id"])
        _refs(draw, t, data)
        out.append(structure(data))
    return from_records(out, DatasetInfo(name="t", as_of=draw(st.sampled_from([None, *DATES]))))


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(knitted())
def test_engine_and_reference_agree_on_knitted_datasets(ds: Dataset) -> None:
    assert _engine(ds) == reference_rules.findings(ds)


@settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck))
@given(seed=st.integers(0, 10**6), as_of=st.sampled_from([None, "2012-06-01", "2019"]))
def test_engine_and_reference_agree_on_generated_datasets(seed: int, as_of: str | None) -> None:
    gen = load_generator()
    records, _ = gen.generate(400, seed=seed, error_rate=0.05, kinds=("rules",))
    raw = RawDataset(records=[RawRecord(r, "g.jsonl", k) for k, r in enumerate(records, 1)])
    ds = from_raw(raw)
    assert _engine(ds, as_of) == reference_rules.findings(ds, as_of)
