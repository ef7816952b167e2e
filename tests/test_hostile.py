"""Hostile and broken input: a clear finding or a clean exit 2, never a crash,
a hang, a network call or a silently lost value."""

from __future__ import annotations

import io
import json
import tracemalloc
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from unionstate import strategies
from unionstate.cli import main
from unionstate.converter import unstructure
from unionstate.io.read import Limits, iter_lines, read
from unionstate.pipeline import validate_path

HOSTILE = Path(__file__).parent / "hostile"
EXPECTED = json.loads((HOSTILE / "expected.json").read_text(encoding="utf-8"))
SRC = (
    '{"type":"source","id":"source/a","url":"https://example.org/a","title":"T",'
    '"publisher":"P","language":"en"}'
)


def report(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict]:
    code = main(["validate", *args, "--format", "json"])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, (json.loads(out) if out else {"findings": [], "err": err})


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_hostile_corpus(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    want = EXPECTED[name]
    code, rep = report(capsys, str(HOSTILE / name))
    assert code == want["exit"]
    found = [f for f in rep["findings"] if f["code"] != "US007"]
    assert sorted({f["code"] for f in found}) == want["codes"]
    first = next(f for f in found if f["severity"] != "info")
    assert "file" in first
    if "line" in want:
        assert first["line"] == want["line"]
    if "message_contains" in want:
        assert any(want["message_contains"] in f["message"] for f in found), found


def test_a_bad_line_does_not_stop_the_others(capsys: pytest.CaptureFixture[str]) -> None:
    _, rep = report(capsys, str(HOSTILE / "one-bad-line.jsonl"))
    assert rep["records"] == 2


@pytest.mark.parametrize("depth", [1_000, 100_000])
def test_deep_nesting_is_a_finding_not_a_crash(
    tmp_path: Path, depth: int, capsys: pytest.CaptureFixture[str]
) -> None:
    p = tmp_path / "deep.jsonl"
    p.write_text(
        SRC + "\n" + "[" * depth + "]" * depth + "\n" + '{"a":' * depth + "1" + "}" * depth + "\n",
        encoding="utf-8",
    )
    code, rep = report(capsys, str(p))
    assert code == 1
    lines = sorted(f["line"] for f in rep["findings"] if f["code"] == "US001")
    assert lines == [2, 3]
    assert all("nested too deeply" in f["message"] for f in rep["findings"] if f["code"] == "US001")


def test_deep_nesting_in_a_document(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p = tmp_path / "deep.json"
    p.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    code, rep = report(capsys, str(p))
    assert code == 2
    assert rep["findings"][0]["code"] == "US001"


def test_an_oversized_line_is_skipped_and_reported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    big = SRC.replace('"T"', '"' + "x" * 3_000_000 + '"').replace("source/a", "source/b")
    p = tmp_path / "big.jsonl"
    p.write_text(f"{SRC}\n{big}\n{SRC.replace('source/a', 'source/c')}\n", encoding="utf-8")
    code, rep = report(capsys, str(p), "--max-record-bytes", "1M", "--no-rules")
    assert code == 1
    [f] = rep["findings"]
    assert (f["code"], f["line"]) == ("US008", 2)
    assert "3,000" in f["message"]
    assert rep["records"] == 2
    # the same file is fine with a larger limit
    code, rep = report(capsys, str(p), "--max-record-bytes", "4M", "--no-rules")
    assert code == 0
    assert rep["findings"] == []


def test_an_oversized_document_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    p = tmp_path / "d.json"
    p.write_text("[" + ",".join([SRC] * 100) + "]", encoding="utf-8")
    code, rep = report(capsys, str(p), "--max-document-bytes", "1K")
    assert code == 2
    assert rep["findings"][0]["code"] == "US008"


def test_bad_limit_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["validate", "x", "--max-record-bytes", "lots"])
    assert exc.value.code == 2


@given(st.binary(max_size=300), st.integers(1, 40), st.integers(1, 17))
def test_iter_lines_splits_like_bytes_split(data: bytes, max_bytes: int, chunk: int) -> None:
    got = list(iter_lines(io.BytesIO(data), max_bytes, chunk=chunk))
    parts = data.split(b"\n")
    if parts and parts[-1] == b"":
        parts.pop()
    assert [n for n, *_ in got] == list(range(1, len(parts) + 1))
    assert [length for *_, length in got] == [len(p) for p in parts]
    assert [c for _, _, c, _ in got] == [p if len(p) <= max_bytes else None for p in parts]
    offsets = [sum(len(p) + 1 for p in parts[:i]) for i in range(len(parts))]
    assert [o for _, o, _, _ in got] == offsets


def test_missing_unreadable_and_broken_paths_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    link = tmp_path / "link.jsonl"
    link.symlink_to(tmp_path / "gone.jsonl")
    for path, words in (
        (tmp_path / "nope.jsonl", "no such file"),
        (link, "broken symbolic link"),
        (tmp_path / "empty-dir", "empty directory"),
    ):
        if "empty" in str(path):
            path.mkdir()
        assert main(["validate", str(path)]) == 2
        out, err = capsys.readouterr()
        assert out == ""
        assert words in err
        assert err.count("\n") == 1
    # permission denied (simulated: the tests may run as root)
    p = tmp_path / "locked.jsonl"
    p.write_text(SRC + "\n")

    def deny(self: Path, *a: object, **k: object) -> object:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "open", deny)
    assert main(["validate", str(p)]) == 2
    assert "permission denied" in capsys.readouterr().err


def test_an_unreadable_file_in_a_directory_is_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "a.jsonl").write_text(SRC + "\n")
    (tmp_path / "b.jsonl").write_text(SRC.replace("source/a", "source/b") + "\n")
    real_open = Path.open

    def deny_b(self: Path, *a: object, **k: object) -> object:
        if self.name == "b.jsonl":
            raise PermissionError(13, "Permission denied")
        return real_open(self, *a, **k)  # type: ignore[call-overload]

    monkeypatch.setattr(Path, "open", deny_b)
    code, rep = report(capsys, str(tmp_path))
    assert code == 2
    assert any(
        f["file"].endswith("b.jsonl") and "permission denied" in f["message"]
        for f in rep["findings"]
    )
    assert rep["records"] == 1


# -- fuzzing: the only outcomes are a report (exit 0/1) or a clean exit 2 --------

FUZZ = settings(deadline=5000, suppress_health_check=[HealthCheck.function_scoped_fixture])


@FUZZ
@given(st.binary(max_size=400), st.sampled_from([".json", ".jsonl"]))
def test_fuzz_arbitrary_bytes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], data: bytes, suffix: str
) -> None:
    p = tmp_path / f"f{suffix}"
    p.write_bytes(data)
    assert main(["validate", str(p), "--format", "json"]) in (0, 1, 2)
    out, err = capsys.readouterr()
    assert "internal error" not in err
    if out:
        json.loads(out)


@FUZZ
@given(strategies.json_values)
def test_fuzz_arbitrary_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], value: object
) -> None:
    p = tmp_path / "f.jsonl"
    p.write_text(json.dumps(value) + "\n", encoding="utf-8")
    assert main(["validate", str(p), "--format", "json"]) in (1, 2)
    assert "internal error" not in capsys.readouterr().err


def _mutate(data: dict, key: str, value: object, drop: bool) -> dict:
    out = dict(data)
    if drop and key in out:
        del out[key]
    else:
        out[key] = value
    return out


@FUZZ
@given(strategies.records(), st.data())
def test_fuzz_mutated_valid_records(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], record: object, data: st.DataObject
) -> None:
    raw = unstructure(record)  # type: ignore[arg-type]
    key = data.draw(st.sampled_from([*raw, "type", "zz", "x_ok"]))
    value = data.draw(strategies.json_values)
    mutated = _mutate(raw, key, value, data.draw(st.booleans()))
    p = tmp_path / "f.jsonl"
    p.write_text(json.dumps(mutated) + "\n", encoding="utf-8")
    code = main(["validate", str(p), "--format", "json", "--no-rules"])
    _, err = capsys.readouterr()
    assert code in (0, 1, 2)
    assert "internal error" not in err
    if code == 0:  # accepted: then nothing was lost on the way back out
        assert main(["convert", str(p), "--to", "jsonl"]) == 0
        back = capsys.readouterr().out.split("\n")  # not splitlines(): U+0085, U+2028 are data
        # an empty list means the same as an absent field, and is written absent
        assert json.loads(back[0]) == {k: v for k, v in mutated.items() if v != []}


# -- bounded memory --------------------------------------------------------------


def _big_file(path: Path, n: int) -> None:
    pad = "ю" * 10_000  # 20 kB of Cyrillic per record
    with path.open("w", encoding="utf-8") as f:
        f.write(SRC + "\n")
        for i in range(n):
            f.write(
                json.dumps(
                    {
                        "type": "source",
                        "id": f"source/s{i}",
                        "url": "https://example.org/",
                        "title": "t",
                        "publisher": "p",
                        "language": "ru",
                        "quote": pad,
                    },
                    ensure_ascii=False,
                )
                + "\n"
            )


def _peak(path: Path) -> int:
    tracemalloc.start()
    try:
        _, rep = validate_path(path, rules=False, limits=Limits(), keep_records=False)
        assert rep.ok, rep.findings[:3]
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_streaming_memory_does_not_grow_with_the_file(tmp_path: Path) -> None:
    small, large = tmp_path / "s.jsonl", tmp_path / "l.jsonl"
    _big_file(small, 300)
    _big_file(large, 1_200)
    peak_small, peak_large = _peak(small), _peak(large)
    size_large = large.stat().st_size
    # the whole file is ~24 MB; the streaming peak stays a small fraction of it
    # and barely moves when the file grows fourfold
    assert peak_large < size_large / 4
    assert peak_large < peak_small * 1.5 + 1_000_000


def test_read_keeps_records_in_memory_only_without_a_sink(tmp_path: Path) -> None:
    p = tmp_path / "s.jsonl"
    _big_file(p, 3)
    seen: list[str] = []
    raw = read(p, sink=lambda r: seen.append(r.data["id"]))
    assert raw.records == []
    assert raw.count == 4
    assert len(seen) == 4


def test_rules_are_not_run_over_the_memory_limit_and_it_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    p = tmp_path / "big.jsonl"
    _big_file(p, 60)  # ~1.2 MB
    code, rep = report(capsys, str(p), "--standalone", "--max-rules-bytes", "1M")
    assert code == 0  # a warning; --fail-on warning makes it 1
    [f] = [f for f in rep["findings"] if f["severity"] != "info"]
    assert f["code"] == "US009"
    assert "1,048,576" in f["message"]
    code, _ = report(
        capsys, str(p), "--standalone", "--max-rules-bytes", "1M", "--fail-on", "warning"
    )
    assert code == 1
    # under the limit the rules run (US112: every source is cited)
    _, rep = report(capsys, str(p), "--standalone")
    assert "US009" not in {f["code"] for f in rep["findings"]}
    assert "US112" in {f["code"] for f in rep["findings"]}


def test_default_validation_memory_is_bounded_by_the_rules_limit(tmp_path: Path) -> None:
    """With the rules on (the default), an input over --max-rules-bytes is
    streamed: the peak stays small as the file grows."""
    small, large = tmp_path / "s.jsonl", tmp_path / "l.jsonl"
    _big_file(small, 300)
    _big_file(large, 1_200)
    limits = Limits(max_rules_bytes=1 << 20)
    peaks = []
    for p in (small, large):
        tracemalloc.start()
        try:
            _, rep = validate_path(p, standalone=True, limits=limits, jobs=1)
            peaks.append(tracemalloc.get_traced_memory()[1])
        finally:
            tracemalloc.stop()
        assert [f.code for f in rep.findings if f.code != "US112"] == ["US009"]
    assert peaks[1] < large.stat().st_size / 4
    assert peaks[1] < peaks[0] * 1.5 + 1_000_000
