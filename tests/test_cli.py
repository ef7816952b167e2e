"""The command line: exit codes, located findings, conversions."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from unionstate.cli import main
from unionstate.report import Finding, Report, Severity

SRC = (
    '{"type":"source","id":"source/a","url":"https://example.org/a","title":"T",'
    '"publisher":"P","language":"en","published":"2021-04-16"}'
)
PERSON = (
    '{"type":"person","id":"person/p","names":[{"value":"Лукашэнка","lang":"be"}],'
    '"sources":["source/a"],"x_extra":{"k":[1,2.5,"ü"]}}'
)
HEADER = '{"type":"dataset","name":"t","as_of":"2021-04-16"}'


def write(tmp: Path, name: str, text: str | bytes) -> Path:
    p = tmp / name
    if isinstance(text, bytes):
        p.write_bytes(text)
    else:
        p.write_text(text, encoding="utf-8")
    return p


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def findings(capsys: pytest.CaptureFixture[str], path: Path) -> tuple[int, list[dict]]:
    code, out, _ = run(capsys, "validate", str(path), "--format", "json")
    found = json.loads(out)["findings"]
    # US007 says the rules were not run because of the errors: tested on its own below
    return code, [f for f in found if f["code"] != "US007"]


def test_valid_jsonl_exits_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p = write(tmp_path, "d.jsonl", f"{HEADER}\n{SRC}\n{PERSON}\n")
    code, out, _ = run(capsys, "validate", str(p))
    assert code == 0
    assert "2 records in 1 file(s): 0 error(s)" in out


def test_github_annotations_pin_each_finding_to_its_file_and_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = '{"type":"person","id":"person/q","names":[],"sources":["source/a"]}'
    p = write(tmp_path, "my,data:1.jsonl", f"{HEADER}\n{SRC}\n{bad}\n")
    code, out, _ = run(capsys, "validate", str(p), "--standalone", "--format", "github")
    assert code == 1
    where = str(p).replace("%", "%25").replace(":", "%3A").replace(",", "%2C")
    assert out.splitlines() == [
        f"::warning file={where},line=3,title=US007 rules-skipped::person/q: "
        "The consistency rules did not check this record: it has errors.",
        f"::error file={where},line=3,title=US010 schema::person/q /names: "
        "Needs at least 1 item(s).",
        "2 records in 1 file(s): 1 error(s), 1 warning(s), 0 info, 0 excepted",
    ]
    # --show works as for the text report: what lies below it is counted, not annotated
    code, out, _ = run(
        capsys, "validate", str(p), "--standalone", "--format", "github", "--show", "error"
    )
    assert [line.split(" ", 1)[0] for line in out.splitlines()[:-2]] == ["::error"]


def test_github_annotations_leave_out_what_an_exception_excuses() -> None:
    excused = Finding(
        code="US104",
        severity=Severity.ERROR,
        message="not in office",
        file="a.jsonl",
        line=2,
        record_id="event/e",
        excepted="the page names him so",
    )
    report = Report.of([excused], records=1, files=["a.jsonl"])
    assert report.to_github() == (
        "1 records in 1 file(s): 0 error(s), 0 warning(s), 0 info, 1 excepted"
    )


@pytest.mark.parametrize(
    ("line", "code", "pointer"),
    [
        ('{"type":"person","id":"person/q","names":[],"sources":["source/a"]}', "US010", "/names"),
        (
            '{"type":"person","id":"person/q","names":[{"value":"x","lang":"be"}],'
            '"sources":["source/nope"]}',
            "US021",
            "/sources/0",
        ),
        (
            '{"type":"person","id":"person/q","names":[{"value":"x","lang":"be"}],'
            '"sources":["source/a"],"birth_date":"2019-02-30"}',
            "US010",
            "/birth_date",
        ),
        (
            '{"type":"person","id":"person/q","names":[{"value":"x","lang":"be"}],'
            '"sources":["source/a"],"colour":1}',
            "US010",
            "",
        ),
        (
            '{"type":"person","id":"person/q","names":[{"value":"x","lang":"be"}],'
            '"sources":["source/a"],"sources":["source/a"]}',
            "US003",
            "/sources",
        ),
        (
            '{"type":"tenure","id":"tenure/t","person":"place/x","office":"office/o",'
            '"sources":["source/a"]}',
            "US010",
            "/person",
        ),
        ('{"type":"alien","id":"alien/x"}', "US004", "/type"),
        ("[1, 2]", "US004", None),
        ('{"type":"person", NaN}', "US001", None),
        ('{"type":"person","id":"person/q","x":NaN}', "US001", None),
        (
            '{"type":"person","id":"person/p","names":[{"value":"x","lang":"be"}],'
            '"sources":["source/a"]}',
            "US020",
            "/id",
        ),
    ],
)
def test_each_problem_is_located(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], line: str, code: str, pointer: str | None
) -> None:
    p = write(tmp_path, "d.jsonl", f"{SRC}\n{PERSON}\n{line}\n")
    exit_code, found = findings(capsys, p)
    assert exit_code == 1
    hits = [f for f in found if f["code"] == code]
    assert hits, found
    assert hits[0]["line"] == 3
    assert hits[0]["file"] == str(p)
    if pointer is not None:
        assert hits[0]["pointer"] == pointer
    # the good lines are still checked and raise nothing
    assert all(f["line"] == 3 for f in found)


def test_every_problem_reported_not_the_first(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = (
        '{"type":"person","id":"person/q","names":[],"sources":["source/x"],"death_date":"1999-13"}'
    )
    p = write(tmp_path, "d.jsonl", f"{SRC}\n{bad}\n")
    _, found = findings(capsys, p)
    assert {(f["code"], f["pointer"]) for f in found} == {
        ("US010", "/names"),
        ("US010", "/death_date"),
        ("US021", "/sources/0"),
        ("US112", ""),  # in the same pass: source/a is cited by no record
    }


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"not json at all",
        b'{"records": [',
        b"\xef\xbb\xbf[]",
        b"\xff\xfe[\x00]\x00",
        b'[{"a": "\xff"}]',
    ],
)
def test_unusable_document_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes
) -> None:
    p = write(tmp_path, "d.json", content)
    code, out, _ = run(capsys, "validate", str(p), "--format", "json")
    assert code == 2
    assert json.loads(out)["findings"][0]["file"] == str(p)


def test_document_records_keep_their_lines(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = (
        '{\n "name": "t",\n "records": [\n' + SRC + ",\n\n"
        '{"type":"person","id":"person/q","names":[],"sources":["source/a"]}\n ]\n}\n'
    )
    p = write(tmp_path, "d.json", doc)
    code, found = findings(capsys, p)
    assert code == 1
    assert [(f["line"], f["pointer"]) for f in found] == [(6, "/names")]


def test_missing_path_is_one_line_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "validate", str(tmp_path / "nope"))
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1
    assert "no such file" in err


def test_usage_error_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["validate", "--format", "yaml"])
    assert exc.value.code == 2


def test_round_trip_between_the_three_forms(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = write(tmp_path, "d.jsonl", f"{HEADER}\n{PERSON}\n{SRC}\n")
    assert main(["convert", str(src), "--to", "json", "--out", str(tmp_path / "d.json")]) == 0
    assert (
        main(["convert", str(tmp_path / "d.json"), "--to", "dir", "--out", str(tmp_path / "dir")])
        == 0
    )
    assert (
        main(
            [
                "convert",
                str(tmp_path / "dir"),
                "--to",
                "jsonl",
                "--out",
                str(tmp_path / "back.jsonl"),
            ]
        )
        == 0
    )
    back = (tmp_path / "back.jsonl").read_text(encoding="utf-8").splitlines()
    # canonical: header first, records sorted by id, every field kept
    assert [json.loads(x) for x in back] == [
        json.loads(HEADER),
        json.loads(PERSON),
        json.loads(SRC),
    ]
    assert (
        main(["convert", str(tmp_path / "dir"), "--to", "dir", "--out", str(tmp_path / "dir2")])
        == 0
    )
    for f in (tmp_path / "dir").iterdir():
        assert f.read_bytes() == (tmp_path / "dir2" / f.name).read_bytes()
    capsys.readouterr()


def test_convert_refuses_invalid_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p = write(tmp_path, "d.jsonl", '{"type":"person","id":"person/q"}\n')
    code, out, err = run(capsys, "convert", str(p), "--to", "json")
    assert code == 1
    assert out == ""
    assert "US010" in err


def test_schema_check_detects_drift(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema", "--out", str(tmp_path)]) == 0
    assert main(["schema", "--out", str(tmp_path), "--check"]) == 0
    (tmp_path / "person.schema.json").write_text("{}\n")
    assert main(["schema", "--out", str(tmp_path), "--check"]) == 1
    capsys.readouterr()


def test_shipped_schemas_match_the_model(capsys: pytest.CaptureFixture[str]) -> None:
    root = Path(__file__).resolve().parent.parent / "schemas"
    assert main(["schema", "--out", str(root), "--check"]) == 0, capsys.readouterr().out


def test_records_set_aside_are_named_and_the_rest_checked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """One pass: the record with an error and the one that refers to it get
    a US007 each, saying why; the rules still check the others."""
    lines = [
        SRC,
        '{"type":"person","id":"person/q"}',  # no names, no sources: schema errors
        '{"type":"tenure","id":"tenure/q","person":"person/q",'
        '"office":"office/president-of-russia","start":"2000","sources":["source/a"]}',
        '{"type":"tenure","id":"tenure/r","person":"person/lukashenka",'
        '"office":"office/president-of-belarus","start":"2010-01-01","end":"2005-01-01",'
        '"sources":["source/a"]}',
    ]
    p = write(tmp_path, "d.jsonl", "\n".join(lines) + "\n")
    code, out, _ = run(capsys, "validate", str(p), "--format", "json")
    assert code == 1
    found = json.loads(out)["findings"]
    aside = {f["record_id"]: f for f in found if f["code"] == "US007"}
    assert set(aside) == {"person/q", "tenure/q"}
    assert aside["tenure/q"]["related"] == ["person/q"]
    assert "refers to person/q, which has errors" in aside["tenure/q"]["message"]
    assert aside["person/q"]["line"] == 2
    # the rules ran over the rest: tenure/r ends before it starts
    assert any(f["code"] == "US101" and f["record_id"] == "tenure/r" for f in found), found
    code, out, _ = run(capsys, "validate", str(p), "--format", "json", "--no-rules")
    assert "US007" not in out


def test_unknown_rule_pattern_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    p = write(tmp_path, "d.jsonl", f"{SRC}\n")
    code, out, err = run(capsys, "validate", str(p), "--select", "US999")
    assert code == 2
    assert out == ""
    assert "US999" in err


def test_canonical_data_round_trips_byte_for_byte(tmp_path: Path) -> None:
    """load -> save of the shipped data directory gives the same bytes."""
    root = Path(__file__).resolve().parent.parent / "data"
    assert main(["convert", str(root), "--to", "dir", "--out", str(tmp_path / "out")]) == 0
    ours = sorted(p.name for p in root.iterdir())
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ours
    for name in ours:
        assert (tmp_path / "out" / name).read_bytes() == (root / name).read_bytes(), name


def test_freeing_the_records_changes_nothing_but_memory(tmp_path: Path) -> None:
    from unionstate.pipeline import validate_path

    p = write(tmp_path, "d.jsonl", f"{HEADER}\n{SRC}\n{PERSON}\n")
    kept_raw, kept = validate_path(p, standalone=True)
    freed_raw, freed = validate_path(p, standalone=True, keep_records=False)
    assert [f.to_dict() for f in freed.findings] == [f.to_dict() for f in kept.findings]
    assert (freed.records, freed_raw.count) == (kept.records, kept_raw.count) == (2, 2)
    assert len(kept_raw.records) == 2
    assert freed_raw.records == []


@pytest.mark.parametrize("extra", [[], ["--no-rules"]])
def test_findings_over_the_cap_are_counted_not_lost(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], extra: list[str]
) -> None:
    bad = [f'{{"type":"person","id":"person/q{i}","sources":["source/a"]}}' for i in range(5)]
    p = write(tmp_path, "d.jsonl", SRC + "\n" + "\n".join(bad) + "\n")
    code, out, _ = run(
        capsys,
        "validate",
        str(p),
        "--format",
        "json",
        "--max-findings",
        "2",
        "--standalone",
        *extra,
    )
    rep = json.loads(out)
    assert code == 1
    assert [f["line"] for f in rep["findings"] if f["code"] == "US010"] == [2, 3]
    # with rules, each record is set aside from them (US007), counted over the cap too
    aside = {} if extra else {"US007/warning": 3}
    assert rep["suppressed"] == {**aside, "US010/error": 3}
    assert rep["counts"]["error"] == 5


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_broken_file_hides_no_other(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], jobs: str
) -> None:
    """Every file of a folder is read and reported on its own: one that is
    not JSON does not hide the schema findings of another."""
    (tmp_path / "a.json").write_text('{"type":', encoding="utf-8")
    (tmp_path / "b.jsonl").write_text('{"type":"person","id":"person/q"}\n', encoding="utf-8")
    code, out, _ = run(capsys, "validate", str(tmp_path), "--format", "json", "--jobs", jobs)
    assert code == 2  # a file that cannot be read at all is unusable input
    found = {(Path(f["file"]).name, f["code"]) for f in json.loads(out)["findings"]}
    assert {("a.json", "US001"), ("b.jsonl", "US010"), ("b.jsonl", "US007")} <= found


def _allocator_setting(env: dict[str, str]) -> str:
    """What the command leaves in ``_RJEM_MALLOC_CONF``, run in a fresh
    interpreter that has not loaded polars before the command starts."""
    code = (
        "import os, sys\n"
        "import unionstate.__main__ as entry\n"
        "assert 'polars' not in sys.modules\n"
        "sys.argv = ['unionstate', '--version']\n"
        "try:\n"
        "    entry.run()\n"
        "except SystemExit:\n"
        "    pass\n"
        "assert 'polars' in sys.modules\n"
        "print(os.environ['_RJEM_MALLOC_CONF'])\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    return out.stdout.strip().splitlines()[-1]


def test_the_command_sets_polars_allocator_before_polars_loads() -> None:
    """The command has polars' allocator return unused memory to the system:
    the setting is in place when polars loads (polars puts its own defaults
    first and the setting after them, where it wins), and a setting the user
    made is kept instead."""
    from unionstate.__main__ import ALLOCATOR

    env = {k: v for k, v in os.environ.items() if k != "_RJEM_MALLOC_CONF"}
    assert _allocator_setting(env).endswith("," + ALLOCATOR)
    mine = _allocator_setting({**env, "_RJEM_MALLOC_CONF": "dirty_decay_ms:5000"})
    assert mine.endswith(",dirty_decay_ms:5000")
    assert ALLOCATOR not in mine


def _package_with_broken_data(tmp: Path) -> dict[str, str]:
    """A copy of the package beside a ``data/`` whose persons file is cut off
    mid-record (as when the data is damaged or rewritten while read); the
    environment that runs it."""
    import shutil

    import unionstate

    src = tmp / "src"
    shutil.copytree(Path(unionstate.__file__).parent, src / "unionstate", ignore=_no_packaged_data)
    data = tmp / "data"
    data.mkdir()
    write(data, "dataset.json", '{"name": "unionstate", "as_of": "2021-04-16"}')
    write(data, "persons.json", '[\n  {"type": "person", "id": "person/x", "names": [')
    return {**os.environ, "PYTHONPATH": str(src)}


def _no_packaged_data(folder: str, names: list[str]) -> list[str]:
    return ["data", "__pycache__"] if Path(folder).name == "unionstate" else ["__pycache__"]


def test_broken_canonical_data_is_unusable_input_not_a_bug(tmp_path: Path) -> None:
    """A file checked against canonical data that cannot be loaded exits 2
    with a sentence saying what to do, not 3 ("internal error")."""
    env = _package_with_broken_data(tmp_path)
    theirs = write(tmp_path, "theirs.jsonl", SRC + "\n" + PERSON + "\n")

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        cmd = [sys.executable, "-m", "unionstate", *args]
        return subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=tmp_path)

    against = cli("validate", str(theirs))
    assert against.returncode == 2, against.stderr
    assert "canonical data" in against.stderr
    assert "--standalone" in against.stderr
    assert "internal error" not in against.stderr
    alone = cli("validate", str(theirs), "--standalone")
    assert alone.returncode == 0, alone.stderr
    drawn = cli("query", "holder", "office/president-of-belarus", "--on", "2020-01-01")
    assert drawn.returncode == 2, drawn.stderr
    assert "the canonical data does not validate" in drawn.stderr


def test_query_of_data_that_does_not_validate_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = write(tmp_path, "bad.jsonl", HEADER + "\n" + PERSON + "\n")  # cites no known source
    code, _, err = run(
        capsys, "query", "holder", "office/x", "--on", "2020-01-01", "--data", str(bad)
    )
    assert code == 1
    assert "US021" in err
    assert "does not validate" in err
