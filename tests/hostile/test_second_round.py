"""Hostile input, second round: nothing is lost, duplicate keys are seen at every
level, patterns mean the end of the text, and nothing reaches the terminal raw.
One test class per class of attack (docs/security.md names each)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from unionstate.cli import main
from unionstate.io import write_dir
from unionstate.schema import all_schemas, fast_is_valid, validator_for

SOURCE = {
    "type": "source",
    "id": "source/a",
    "url": "https://example.org/a",
    "title": "T",
    "publisher": "P",
    "language": "en",
}


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def jsonl(path: Path, *records: dict[str, Any], raw: str = "") -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records) + raw, encoding="utf-8")
    return path


class TestNothingLost:
    """What validate accepts, convert writes; a failed write destroys nothing."""

    def test_a_lone_surrogate_is_refused_by_validate(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        bad = json.dumps({**SOURCE, "title": "x"}).replace('"x"', '"a \\ud800 b"')
        p = jsonl(tmp_path / "s.jsonl", raw=bad + "\n")
        code, out, _ = run(capsys, "validate", str(p), "--standalone", "--format", "json")
        assert code == 1
        found = [f for f in json.loads(out)["findings"] if f["code"] == "US002"]
        assert [(f["pointer"], f["line"]) for f in found] == [("/title", 1)]

    def test_a_lone_surrogate_in_a_key_or_a_document_is_refused(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        doc = '{"name": "x", "records": [' + json.dumps(SOURCE)[:-1] + ', "x_\\udfff": 1}]}'
        p = tmp_path / "d.json"
        p.write_text(doc, encoding="utf-8")
        code, out, _ = run(capsys, "validate", str(p), "--standalone", "--format", "json")
        assert code == 1
        assert any(f["code"] == "US002" for f in json.loads(out)["findings"])

    def test_a_surrogate_pair_is_text_and_passes(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        ok = json.dumps({**SOURCE, "title": "x"}).replace('"x"', '"\\ud83d\\ude00"')
        p = jsonl(tmp_path / "s.jsonl", raw=ok + "\n")
        code, _, _ = run(capsys, "validate", str(p), "--standalone", "--format", "json")
        assert code == 0
        code, _, _ = run(capsys, "convert", str(p), "--to", "jsonl", "--out", str(tmp_path / "o"))
        assert code == 0
        assert "😀" in (tmp_path / "o").read_text(encoding="utf-8")

    def test_convert_refuses_what_it_cannot_write_and_keeps_the_old_output(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        bad = json.dumps({**SOURCE, "title": "x"}).replace('"x"', '"\\ud800"')
        p = jsonl(tmp_path / "s.jsonl", raw=bad + "\n")
        out = tmp_path / "out.jsonl"
        out.write_text("precious\n", encoding="utf-8")
        code, _, _ = run(capsys, "convert", str(p), "--to", "jsonl", "--out", str(out))
        assert code == 1
        assert out.read_text(encoding="utf-8") == "precious\n"

    @pytest.mark.parametrize(
        ("to", "where"), [("dir", "."), ("jsonl", "sources.json"), ("jsonl", "new.jsonl")]
    )
    def test_convert_never_writes_into_its_own_input(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str], to: str, where: str
    ) -> None:
        folder = tmp_path / "data"
        folder.mkdir()
        (folder / "dataset.json").write_text('{"name": "x"}', encoding="utf-8")
        (folder / "sources.json").write_text(json.dumps([SOURCE]), encoding="utf-8")
        before = {f.name: f.read_bytes() for f in folder.iterdir()}
        code, _, err = run(capsys, "convert", str(folder), "--to", to, "--out", str(folder / where))
        assert code == 2
        assert "own input" in err
        assert {f.name: f.read_bytes() for f in folder.iterdir()} == before

    def test_a_file_is_replaced_only_when_the_new_one_is_complete(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        target = tmp_path / "f.json"
        target.write_text("old", encoding="utf-8")

        def broken(*_: Any) -> None:
            raise OSError(28, "No space left on device")

        monkeypatch.setattr(os, "replace", broken)
        from unionstate.io import write_atomic

        with pytest.raises(OSError, match="No space"):
            write_atomic(target, "new")
        assert target.read_text(encoding="utf-8") == "old"
        assert [f.name for f in tmp_path.iterdir()] == ["f.json"]  # no temporary file left

    def test_a_directory_is_encoded_whole_before_any_file_is_touched(self, tmp_path: Path) -> None:
        (tmp_path / "sources.json").write_text("old", encoding="utf-8")
        person = {"type": "person", "id": "person/p", "names": [{"value": "\ud800"}]}
        with pytest.raises(UnicodeEncodeError):
            write_dir(tmp_path, {"name": "x"}, [SOURCE, person])
        assert (tmp_path / "sources.json").read_text(encoding="utf-8") == "old"
        assert not (tmp_path / "dataset.json").exists()


class TestDuplicateKeys:
    """Every object of every input, at every level, is checked for repeated keys."""

    def _codes(self, capsys: pytest.CaptureFixture[str], path: Path) -> list[tuple[str, str]]:
        code, out, _ = run(capsys, "validate", str(path), "--standalone", "--format", "json")
        assert code == 1
        return [
            (f["code"], f["pointer"]) for f in json.loads(out)["findings"] if f["code"] == "US003"
        ]

    def test_records_twice_in_a_document(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        p = tmp_path / "d.json"
        p.write_text(
            '{"name": "x", "records": [{"type": "person", "id": "x"}], "records": ['
            + json.dumps(SOURCE)
            + "]}",
            encoding="utf-8",
        )
        assert self._codes(capsys, p) == [("US003", "/records")]

    @pytest.mark.parametrize("key", ["name", "as_of"])
    def test_a_header_field_twice_in_a_document(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str], key: str
    ) -> None:
        p = tmp_path / "d.json"
        p.write_text(
            '{"name": "x", "as_of": "2020-01-01", "'
            + key
            + '": "2021-01-01", "records": ['
            + json.dumps(SOURCE)
            + "]}",
            encoding="utf-8",
        )
        assert self._codes(capsys, p) == [("US003", f"/{key}")]

    def test_a_header_field_twice_in_dataset_json(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        (tmp_path / "dataset.json").write_text(
            '{"name": "x", "as_of": "2020-01-01", "as_of": "2021-01-01"}', encoding="utf-8"
        )
        (tmp_path / "sources.json").write_text(json.dumps([SOURCE]), encoding="utf-8")
        assert self._codes(capsys, tmp_path) == [("US003", "/as_of")]

    def test_a_key_twice_deep_inside_a_record_of_a_document(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        rec = json.dumps({**SOURCE, "x_a": {"b": [{"c": 1}]}}).replace('"c": 1', '"c": 1, "c": 2')
        p = tmp_path / "d.json"
        p.write_text('{"name": "x", "records": [' + rec + "]}", encoding="utf-8")
        assert self._codes(capsys, p) == [("US003", "/x_a/b/0/c")]


def _patterns(node: Any) -> set[str]:
    found: set[str] = set()
    if isinstance(node, dict):
        if isinstance(node.get("pattern"), str):
            found.add(node["pattern"])
        for v in node.values():
            found |= _patterns(v)
    elif isinstance(node, list):
        for v in node:
            found |= _patterns(v)
    return found


PATTERNS = sorted(set().union(*(_patterns(s) for s in all_schemas().values())))


class TestLookAlikes:
    """A pattern's end is the end of the text: a trailing newline never passes."""

    def test_every_schema_has_patterns_to_test(self) -> None:
        assert len(PATTERNS) >= 5

    @pytest.mark.parametrize("pattern", PATTERNS)
    @settings(max_examples=20)
    @given(data=st.data())
    def test_no_pattern_accepts_a_trailing_newline(self, pattern: str, data: st.DataObject) -> None:
        from unionstate.schema import _ecma_pattern

        text = data.draw(st.from_regex(pattern.replace("\\Z", "$"), fullmatch=True))
        assert _ecma_pattern(pattern).search(text)
        assert not _ecma_pattern(pattern).search(text + "\n")

    @pytest.mark.parametrize(
        ("field", "value"),
        [("id", "source/a\n"), ("language", "en\n"), ("url", "https://example.org/a\n")],
    )
    def test_a_trailing_newline_is_a_schema_error_in_both_validators(
        self, field: str, value: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        rec = {**SOURCE, field: value}
        assert not fast_is_valid("source", rec)
        assert list(validator_for("source").iter_errors(rec))
        p = jsonl(tmp_path / "s.jsonl", rec)
        code, out, _ = run(capsys, "validate", str(p), "--standalone", "--format", "json")
        assert code == 1
        assert [f["pointer"] for f in json.loads(out)["findings"] if f["code"] == "US010"] == [
            f"/{field}"
        ]

    def test_a_release_version_with_a_trailing_newline_is_refused(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        p = jsonl(tmp_path / "s.jsonl", SOURCE)
        dist = tmp_path / "dist"
        common = ["--out", str(dist), "--created", "2021-01-01T00:00:00Z"]
        code, _, err = run(capsys, "release", str(p), "--version", "1.0.0\n", *common)
        assert code == 2
        assert "is not a version" in err
        assert not dist.exists() or not any(dist.iterdir())
        code, _, _ = run(capsys, "release", str(p), "--version", "1.0.0", *common)
        assert code == 0


class TestTerminalInjection:
    """Ids, file names and messages from the input reach the terminal escaped."""

    @pytest.mark.parametrize(
        "evil", ["\x1b[2J", "\x1b]0;pwned\x07", "\nforged: 0 error(s)", "\u202e"]
    )
    def test_the_text_report_escapes_control_characters(
        self, evil: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        p = jsonl(tmp_path / f"f{evil.strip()[:3]}.jsonl", {**SOURCE, "id": f"source/{evil}"})
        code, out, _ = run(capsys, "validate", str(p), "--standalone")
        assert code == 1
        assert evil not in out
        assert not any(c in out for c in "\x1b\x07\u202e")
        assert not any(line.startswith("forged") for line in out.splitlines())

    @pytest.mark.parametrize("evil", ["\nforged: 0 error(s)", "%0A::error::forged", "\x1b[2J"])
    def test_github_annotations_cannot_be_forged(
        self, evil: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        p = jsonl(tmp_path / "f.jsonl", {**SOURCE, "id": f"source/{evil}"})
        code, out, _ = run(capsys, "validate", str(p), "--standalone", "--format", "github")
        assert code == 1
        *annotations, summary = out.splitlines()
        assert [a.split(" ", 1)[0] for a in annotations] == ["::warning", "::error"]
        assert summary == "1 records in 1 file(s): 1 error(s), 1 warning(s), 0 info, 0 excepted"
        # GitHub decodes %25, %0D and %0A in a command's message: none can be made of the input
        assert "%0A" not in out.replace("%250A", "")
        assert not any(c in out for c in "\x1b\r")


def deep_record(levels: int) -> dict[str, Any]:
    """A valid source whose nesting (the record itself counted) is ``levels`` deep."""
    value: Any = 1
    for _ in range(levels - 1):
        value = {"a": value}
    return {**SOURCE, "x_deep": value}


class TestNothingHangs:
    """Only regular files are read: a FIFO or a link to a device is reported, not opened."""

    def _folder(self, tmp_path: Path) -> Path:
        folder = tmp_path / "data"
        folder.mkdir()
        (folder / "sources.json").write_text(json.dumps([SOURCE]), encoding="utf-8")
        os.mkfifo(folder / "pipe.json")
        (folder / "zero.jsonl").symlink_to("/dev/zero")
        return folder

    def test_a_folder_with_a_fifo_and_a_device_link(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        folder = self._folder(tmp_path)
        code, out, _ = run(capsys, "validate", str(folder), "--standalone", "--format", "json")
        assert code == 2
        skipped = {f["file"] for f in json.loads(out)["findings"] if f["code"] == "US005"}
        assert skipped == {"data/pipe.json", "data/zero.jsonl"}

    def test_a_fifo_given_as_the_path(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        os.mkfifo(tmp_path / "p.jsonl")
        code, _, err = run(capsys, "validate", str(tmp_path / "p.jsonl"))
        assert code == 2
        assert "not a regular file" in err

    def test_load_names_the_files_it_could_not_use(self, tmp_path: Path) -> None:
        import unionstate

        with pytest.raises(unionstate.DatasetError, match=r"2 file\(s\) that could not be used"):
            unionstate.load(self._folder(tmp_path))


class TestExactNumbers:
    """A number is kept exactly or refused with a finding: never silently changed."""

    @pytest.mark.parametrize(
        "number", ["1e-400", "0.1000000000000000055511151231257827", "9007199254740993.0", "1e300"]
    )
    def test_a_number_a_float_cannot_hold_is_refused(
        self, number: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        line = json.dumps({**SOURCE, "x_n": 0}).replace('"x_n": 0', f'"x_n": {number}')
        p = jsonl(tmp_path / "n.jsonl", raw=line + "\n")
        code, out, _ = run(capsys, "validate", str(p), "--standalone", "--format", "json")
        assert code == 1
        (f,) = [f for f in json.loads(out)["findings"] if f["code"] == "US001"]
        assert "cannot be kept exactly" in f["message"]

    @pytest.mark.parametrize("number", ["0.5", "1.0", "1e3", "-2.25", "123456.789", "1E-7"])
    def test_a_number_a_float_holds_round_trips(
        self, number: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        line = json.dumps({**SOURCE, "x_n": 0}).replace('"x_n": 0', f'"x_n": {number}')
        p = jsonl(tmp_path / "n.jsonl", raw=line + "\n")
        out = tmp_path / "o.jsonl"
        code, _, _ = run(capsys, "convert", str(p), "--to", "jsonl", "--out", str(out))
        assert code == 0
        (back,) = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
        assert back["x_n"] == float(number)


class TestExitTwoNotThree:
    """Input at fault is exit 1 or 2 with a sentence, never 3."""

    def test_nesting_over_the_limit_is_refused_and_at_the_limit_written(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        from unionstate.io.read import MAX_NESTING

        deep = jsonl(tmp_path / "deep.jsonl", deep_record(MAX_NESTING + 1))
        code, out, _ = run(capsys, "validate", str(deep), "--standalone", "--format", "json")
        assert code == 1
        assert any("nest" in f["message"] for f in json.loads(out)["findings"])
        ok = jsonl(tmp_path / "ok.jsonl", deep_record(MAX_NESTING))
        for argv in (
            ["convert", str(ok), "--to", "jsonl", "--out", str(tmp_path / "o.jsonl")],
            ["convert", str(ok), "--to", "dir", "--out", str(tmp_path / "odir")],
            [
                "release",
                str(ok),
                "--version",
                "1.0.0",
                "--out",
                str(tmp_path / "rel"),
                "--created",
                "2021-01-01T00:00:00Z",
            ],
            ["diff", str(ok), str(tmp_path / "o.jsonl")],
        ):
            code, _, _ = run(capsys, *argv)
            assert code == 0, argv

    @pytest.mark.parametrize("where", ["folder", "missing-parent"])
    def test_an_output_path_that_cannot_be_written(
        self, where: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        p = jsonl(tmp_path / "s.jsonl", SOURCE)
        out = tmp_path if where == "folder" else tmp_path / "no" / "such" / "o.jsonl"
        code, _, err = run(capsys, "convert", str(p), "--to", "jsonl", "--out", str(out))
        assert code == 2
        assert "cannot write" in err

    def test_an_unreadable_subfolder_is_reported_and_the_rest_read(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        (tmp_path / "sources.json").write_text(json.dumps([SOURCE]), encoding="utf-8")
        (tmp_path / "locked").mkdir()
        real_scandir = os.scandir

        def scandir(path: Any = ".") -> Any:
            if str(path).endswith("locked"):
                raise PermissionError(13, "Permission denied", str(path))
            return real_scandir(path)

        monkeypatch.setattr(os, "scandir", scandir)
        code, out, _ = run(capsys, "validate", str(tmp_path), "--standalone", "--format", "json")
        assert code == 2
        rep = json.loads(out)
        assert rep["records"] == 1
        assert [f["file"].split("/")[-1] for f in rep["findings"] if f["code"] == "US005"] == [
            "locked"
        ]

    def test_a_folder_tree_too_deep_is_reported(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        from unionstate.io.read import MAX_FOLDER_DEPTH

        (tmp_path / "sources.json").write_text(json.dumps([SOURCE]), encoding="utf-8")
        deep = tmp_path.joinpath(*["d"] * (MAX_FOLDER_DEPTH + 5))
        deep.mkdir(parents=True)
        (deep / "x.json").write_text("[]", encoding="utf-8")
        code, out, _ = run(capsys, "validate", str(tmp_path), "--standalone", "--format", "json")
        assert code == 2
        assert any("nested more than" in f["message"] for f in json.loads(out)["findings"])

    def test_a_stdout_that_is_not_utf8(self, tmp_path: Path) -> None:
        import subprocess
        import sys

        p = jsonl(tmp_path / "s.jsonl", {**SOURCE, "title": "Лукашэнка", "id": "source/ы"})
        env = {**os.environ, "PYTHONIOENCODING": "ascii"}
        done = subprocess.run(
            [sys.executable, "-m", "unionstate", "validate", str(p), "--standalone"],
            capture_output=True,
            env=env,
            check=False,
        )
        assert done.returncode == 1
        assert b"Traceback" not in done.stderr


class TestSmallerPromises:
    def test_a_closed_output_pipe_keeps_the_exit_code(self, tmp_path: Path) -> None:
        import subprocess
        import sys

        p = jsonl(tmp_path / "s.jsonl", {**SOURCE, "language": "not a language"})
        proc = subprocess.Popen(
            [sys.executable, "-m", "unionstate", "validate", str(p), "--standalone"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        assert proc.stdout is not None
        proc.stdout.close()  # the reader goes away before the report is written
        _, err = proc.communicate()
        assert proc.returncode == 1
        assert b"Traceback" not in err

    @pytest.mark.parametrize("blank", ["\f", "\v", "\x1c"])
    def test_a_line_of_non_json_white_space_is_reported(
        self, blank: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        p = jsonl(tmp_path / "s.jsonl", SOURCE, raw=blank + "\n")
        code, out, _ = run(capsys, "validate", str(p), "--standalone", "--format", "json")
        assert code == 1
        assert [f["line"] for f in json.loads(out)["findings"] if f["code"] == "US001"] == [2]


from unionstate import strategies as us_strategies  # noqa: E402
from unionstate.converter import unstructure  # noqa: E402

_hostile_text = st.text(
    alphabet=st.characters(min_codepoint=0xD7F0, max_codepoint=0xE010), max_size=4
)
_extension_values = st.one_of(
    us_strategies.json_values, _hostile_text, st.floats(allow_nan=False, allow_infinity=False)
)


@settings(max_examples=25, deadline=None)
@given(
    records=st.lists(us_strategies.records(), min_size=1, max_size=3),
    extras=st.lists(_extension_values, min_size=1, max_size=3),
)
def test_what_validate_accepts_convert_and_release_write_losslessly(
    tmp_path_factory: pytest.TempPathFactory, records: list[Any], extras: list[Any]
) -> None:
    """For any records (with hostile x_ values: lone surrogates, any floats, deep JSON):
    if `validate` accepts them, `convert` to every form and `release` succeed, and what
    they write reads back as the same records."""
    tmp = tmp_path_factory.mktemp("rt")
    raws = {}
    for n, r in enumerate(records):
        raw = unstructure(r)
        raw[f"x_{n}"] = extras[n % len(extras)]
        raws[raw["id"]] = raw
    lines = "".join(json.dumps(r) + "\n" for r in raws.values())  # \\ud800 stays an escape
    src = tmp / "in.jsonl"
    src.write_text(lines, encoding="utf-8")
    if main(["validate", str(src), "--standalone", "--no-rules", "--format", "json"]) != 0:
        return
    for to, out in (("jsonl", tmp / "o.jsonl"), ("json", tmp / "o.json"), ("dir", tmp / "od")):
        assert main(["convert", str(src), "--to", to, "--out", str(out)]) == 0
        back = tmp / f"back-{to}.jsonl"
        assert main(["convert", str(out), "--to", "jsonl", "--out", str(back)]) == 0
        text = back.read_text(encoding="utf-8")
        got = [json.loads(x) for x in text.split("\n") if x]  # not splitlines(): U+0085 is data
        assert {r["id"]: r for r in got if r.get("type") != "dataset"} == {
            rid: json.loads(json.dumps(r)) for rid, r in raws.items()
        }
    # a release also runs the consistency rules, which random records may fail (exit 1);
    # what matters here is that it never fails for the writing (exit 3 or a crash)
    code = main(
        [
            "release",
            str(src),
            "--version",
            "1.0.0",
            "--out",
            str(tmp / "rel"),
            "--created",
            "2021-01-01T00:00:00Z",
        ]
    )
    assert code in (0, 1)


def test_a_written_file_gets_the_permissions_of_a_plain_write(tmp_path: Path) -> None:
    from unionstate.io import write_atomic

    umask = os.umask(0o022)
    try:
        write_atomic(tmp_path / "new.json", "x")
        assert (tmp_path / "new.json").stat().st_mode & 0o777 == 0o644
        old = tmp_path / "old.json"
        old.write_text("y", encoding="utf-8")
        old.chmod(0o600)
        write_atomic(old, "z")
        assert old.stat().st_mode & 0o777 == 0o600
    finally:
        os.umask(umask)


def test_diff_refuses_a_side_that_repeats_an_id(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    one = jsonl(tmp_path / "one.jsonl", SOURCE)
    two = jsonl(tmp_path / "two.jsonl", SOURCE, {**SOURCE, "title": "other"})
    for old, new in ((one, two), (two, one)):
        code, out, err = run(capsys, "diff", str(old), str(new))
        assert code == 2
        assert "also used at" in err
        assert "No differences" not in out
