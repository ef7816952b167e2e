"""The per-chunk functions on Dask's local schedulers give the findings of a
single-process run (optional: needs the dask extra)."""

from __future__ import annotations

from pathlib import Path

import pytest

from _generator import load_generator
from unionstate import chunks
from unionstate.chunks import dask_mapper, plan
from unionstate.pipeline import RuleOptions, validate_chunks, validate_path

pytest.importorskip("dask")

SRC = (
    '{"type":"source","id":"source/a","url":"https://example.org/a","title":"T",'
    '"publisher":"P","language":"en","published":"2021-05-01"}'
)


def _dataset(path: Path) -> None:
    lines = ['{"type":"dataset","name":"t","as_of":"2021-06-01"}', SRC]
    for i in range(400):
        lines.append(
            f'{{"type":"person","id":"person/p{i}","names":[{{"value":"P {i}","lang":"en"}}],'
            '"sources":["source/a"]}'
        )
        month = i % 9 + 1
        who, by_name = (i * 7) % 400, (i * 3) % 400
        lines.append(
            f'{{"type":"event","id":"event/e{i}","kind":"meeting","title":"M",'
            f'"date":"2021-0{month}","participants":[{{"actor":"person/p{who}"}},'
            f'{{"actor":"P {by_name}"}}],"statuses":[{{"status":"held"}}],"sources":["source/a"]}}'
        )
    lines[51] = lines[51].replace('"kind":"meeting"', '"kind":"brunch"')  # an event line
    lines[91] = lines[91].replace('"actor":"person/p', '"actor":"person/nobody')
    lines[130] = "{not json"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.mark.parametrize("scheduler", ["sync", "threads", "processes"])
def test_dask_runs_the_same_chunks(tmp_path: Path, scheduler: str) -> None:
    path = tmp_path / "d.jsonl"
    _dataset(path)
    parts = plan(path, 6, min_bytes=4_000)
    assert len(parts) > 3
    _, one = validate_path(path, rules=False, standalone=True, jobs=1, keep_records=False)
    _, dask_report = validate_chunks(path, parts, dask_mapper(scheduler), standalone=True)
    assert [f.to_dict() for f in dask_report.findings] == [f.to_dict() for f in one.findings]
    assert {f.code for f in one.findings} >= {"US001", "US010", "US021", "US030"}
    assert dask_report.records == one.records


def test_process_pool_and_dask_agree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(chunks, "MIN_CHUNK_BYTES", 4_000)
    path = tmp_path / "d.jsonl"
    _dataset(path)
    _, pool = validate_path(path, rules=False, standalone=True, jobs=2, keep_records=False)
    _, dsk = validate_chunks(path, plan(path, 8), dask_mapper("threads"), standalone=True)
    assert [f.to_dict() for f in pool.findings] == [f.to_dict() for f in dsk.findings]


@pytest.mark.parametrize("scheduler", ["sync", "processes"])
def test_dask_runs_the_rules_too(tmp_path: Path, scheduler: str) -> None:
    """With ``rules``, each task's records come back as columns and the
    rules run once over all of them."""
    gen = load_generator()
    records, planted = gen.generate(1500, seed=31, error_rate=0.02, kinds=("rules",))
    path = tmp_path / "d.jsonl"
    gen.write_jsonl(records, path, bad_lines=planted)
    parts = plan(path, 6, min_bytes=20_000)
    assert len(parts) > 3
    _, whole = validate_path(path, standalone=True, max_findings=None)
    _, dsk = validate_chunks(
        path, parts, dask_mapper(scheduler), standalone=True, max_findings=None, rules=RuleOptions()
    )
    assert [f.to_dict() for f in dsk.findings] == [f.to_dict() for f in whole.findings]
    assert {"US103", "US104", "US109"} <= {f.code for f in dsk.findings}
