"""CSV input: a record type's table in the release's columns, read back exactly; a one-sheet
meetings list mapped to events; every CSV problem a finding with its row and column."""

from __future__ import annotations

import json
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from unionstate import strategies
from unionstate.cli import main
from unionstate.converter import structure, unstructure
from unionstate.dataset import data_dir
from unionstate.export.tables import render_csv, table_name
from unionstate.io import read
from unionstate.io.read import Limits
from unionstate.model import RECORD_TYPES, Record

EXAMPLES = Path(__file__).resolve().parent.parent / "docs" / "examples"


def _canonical(data: dict[str, Any]) -> dict[str, Any]:
    return unstructure(structure(data))


def _read_csv(name: str, content: bytes) -> Any:
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / name
        p.write_bytes(content)
        return read(p)


def _validate(
    capsys: pytest.CaptureFixture[str], path: Path, *args: str
) -> tuple[int, list[dict[str, Any]]]:
    code = main(["validate", str(path), "--format", "json", *args])
    return code, json.loads(capsys.readouterr().out)["findings"]


# -- a record type's table ---------------------------------------------------------------


# records are slow to draw (about 0.1 s each): a bounded number, whatever the profile
@settings(max_examples=80, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(
    st.sampled_from(sorted(RECORD_TYPES)).flatmap(
        lambda t: st.lists(strategies.records(t), min_size=1, max_size=4, unique_by=lambda r: r.id)
    )
)
def test_a_table_reads_back_to_the_records_and_the_same_bytes(records: list[Record]) -> None:
    """records → CSV → records gives the records, and → CSV again the same bytes; what the
    JSON reader refuses (a number a float cannot hold exactly) the CSV reader refuses too."""
    type_name = records[0].TYPE
    before = [unstructure(r) for r in records]
    table = render_csv(type_name, before)
    raw = _read_csv(f"{table_name(type_name)}.csv", table)
    as_json = _read_csv("records.jsonl", "".join(json.dumps(r) + "\n" for r in before).encode())
    assert {f.code for f in raw.findings} == {f.code for f in as_json.findings}
    if raw.findings:
        return
    after = [_canonical(r.data) for r in raw.records]
    assert after == sorted(before, key=lambda r: r["id"])
    assert render_csv(type_name, after) == table


TRIGGERED = st.tuples(
    st.sampled_from(["", "'", "''"]),
    st.sampled_from(["=", "+", "-", "@", "\t", "\r", "", "a"]),
    st.text(max_size=8),
).map("".join)


@given(title=TRIGGERED.filter(bool), notes=TRIGGERED.filter(bool), x=TRIGGERED.filter(bool))
def test_the_formula_escape_is_undone_exactly(title: str, notes: str, x: str) -> None:
    """Text, id-list, JSON and extension cells that start like a formula are written with a
    ``'`` before them; reading removes exactly that one."""
    rec = {
        "type": "agreement",
        "id": "agreement/a",
        "title": title,
        "kind": "treaty",
        "sources": ["source/a"],
        "notes": notes,
        "x_note": x,
        "x_n": -5,
    }
    raw = _read_csv("agreements.csv", render_csv("agreement", [rec]))
    assert not raw.findings
    assert _canonical(raw.records[0].data) == _canonical(rec)


def test_csv_to_jsonl_to_csv_is_lossless_on_the_canonical_data(tmp_path: Path) -> None:
    """convert data → CSV tables → JSON Lines gives the JSON Lines of the data, and back to
    CSV the same tables, byte for byte."""
    tables, again = tmp_path / "tables", tmp_path / "again"
    assert main(["convert", str(data_dir()), "--to", "csv", "--out", str(tables)]) == 0
    shutil.copy(data_dir() / "dataset.json", tables / "dataset.json")
    assert main(["convert", str(tables), "--to", "jsonl", "--out", str(tmp_path / "t.jsonl")]) == 0
    assert (
        main(["convert", str(data_dir()), "--to", "jsonl", "--out", str(tmp_path / "d.jsonl")]) == 0
    )
    assert (tmp_path / "t.jsonl").read_bytes() == (tmp_path / "d.jsonl").read_bytes()
    assert main(["convert", str(tmp_path / "t.jsonl"), "--to", "csv", "--out", str(again)]) == 0
    for p in again.iterdir():
        assert p.read_bytes() == (tables / p.name).read_bytes(), p.name


def test_convert_reads_one_table(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "my-sources.csv"
    src.write_text(
        "id,url,title,publisher,language,weak\r\n"
        "source/a,https://example.org/a,'=1+1,Example,en,TRUE\r\n"
        'source/b,https://example.org/b,"A title, with a comma",Example,en,\r\n',
        encoding="utf-8",
    )
    assert main(["convert", str(src), "--to", "jsonl"]) == 0
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert lines == [
        {
            "type": "source",
            "id": "source/a",
            "url": "https://example.org/a",
            "title": "=1+1",
            "publisher": "Example",
            "language": "en",
            "weak": True,
        },
        {
            "type": "source",
            "id": "source/b",
            "url": "https://example.org/b",
            "title": "A title, with a comma",
            "publisher": "Example",
            "language": "en",
        },
    ]


def test_a_folder_of_tables_with_its_header(tmp_path: Path) -> None:
    (tmp_path / "dataset.json").write_text('{"name": "t", "as_of": "2021-01-01"}', "utf-8")
    (tmp_path / "sources.csv").write_text(
        "id,url,title,publisher,language\nsource/a,https://example.org/a,A,Ex,en\n", "utf-8"
    )
    (tmp_path / "persons.csv").write_text(
        'id,names,sources\nperson/x,"[{""value"":""X""}]",source/a\n', "utf-8"
    )
    raw = read(tmp_path)
    assert raw.header is not None
    assert raw.header["name"] == "t"
    assert [(r.data["id"], r.line) for r in raw.records] == [("person/x", 2), ("source/a", 2)]
    assert raw.records[0].data["names"] == [{"value": "X"}]


@pytest.mark.parametrize("end", ["\r\n", "\n", "\r"])
def test_any_line_end_and_line_breaks_in_cells(end: str) -> None:
    """Rows end in CRLF, LF or CR; a quoted cell keeps its line breaks, and a line separator
    (U+2028) in a cell is text, not a line end."""
    table = end.join(
        ["id,url,title,publisher,language", 'source/a,https://e.org,"two\r\nlines",E\u2028F,en']
    )
    raw = _read_csv("sources.csv", (table + end).encode())
    assert raw.findings == []
    assert raw.records[0].data["title"] == "two\r\nlines"
    assert raw.records[0].data["publisher"] == "E\u2028F"


def test_table_cells_that_cannot_be_read_name_row_and_column(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    p = tmp_path / "persons.csv"
    p.write_text(
        "id,names,sources,hobby\n"
        'person/a,"[{""value"":""A""}]",source/s,chess\n'
        'person/b,"[{""value"":""B""",source/s,\n'
        'person/c,"[{""value"":""C"",""value"":""D""}]",source/s,\n'
        "person/d,,source/s\n"
        'person/e,"[{""value"":""E""}]",source/s,,\n',
        encoding="utf-8",
    )
    code, found = _validate(capsys, p, "--standalone")
    assert code == 1
    where = {(f["code"], f.get("line"), f.get("column"), f.get("pointer")) for f in found}
    assert ("US013", 1, 4, None) in where  # 'hobby' is not a column of persons
    assert ("US001", 3, 2, None) in where  # broken JSON in names
    assert ("US003", 4, None, "/names/0/value") in where  # a key twice in the JSON cell
    assert ("US013", 5, None, None) in where  # a row with fewer cells
    assert ("US013", 6, None, None) in where  # a row with more cells
    by_line = {f.get("line"): f["message"] for f in found if f["code"] in ("US001", "US013")}
    assert by_line[1].startswith("Column D (hobby) is not a column of the persons table")
    assert by_line[3].startswith("Column B (names): not valid JSON")
    assert "3 cells, the header 4" in by_line[5]


@pytest.mark.parametrize(("depth", "refused"), [(255, False), (256, True)])
def test_json_cells_nest_to_the_limit_of_json_records(depth: int, refused: bool) -> None:
    """A record nests at most MAX_NESTING levels, itself counted, in CSV as in JSON."""
    deep = "[" * depth + "]" * depth
    raw = _read_csv("persons.csv", f"id,names\nperson/a,{deep}\n".encode())
    assert bool(raw.findings) is refused
    assert len(raw.records) == (0 if refused else 1)


def test_a_lone_surrogate_in_a_json_cell_is_refused_as_in_json() -> None:
    raw = _read_csv("persons.csv", b'id,names\nperson/a,"[{""value"":""\\ud800""}]"\n')
    assert [(f.code, f.line, f.pointer) for f in raw.findings] == [("US002", 2, "/names/0/value")]
    assert raw.records == []


def test_a_value_of_the_wrong_kind_is_left_to_the_schema(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    p = tmp_path / "offices.csv"
    p.write_text(
        "id,names,organization,max_holders,sources\n"
        'office/a,"[{""value"":""A""}]",organization/o,one,source/s\n',
        encoding="utf-8",
    )
    _, found = _validate(capsys, p, "--standalone")
    schema = [f for f in found if f["code"] == "US010"]
    assert (2, "/max_holders") in [(f["line"], f["pointer"]) for f in schema]


@pytest.mark.parametrize(
    ("name", "content", "why"),
    [
        ("events.csv", b"", "empty"),
        ("events.csv", b"id,title\r\n", "No records"),
        ("events.csv", b'{"type": "event"}\n', "holds JSON, not CSV"),
        ("events.csv", b"\xff\xfei\x00d\x00", "UTF-16"),
        ("events.csv", b"id,title\nevent/a,caf\xe9\n", "CSV UTF-8"),
        ("events.csv", b'id,title\nevent/a,"open\n', "Not readable as CSV at line 2"),
        ("events.csv", b'id,title\nevent/a,"x"y\n', "Not readable as CSV at line 2"),
        ("events.csv", b"id,id\nevent/a,b\n", "names 'id' twice"),
        ("stuff.csv", b"id,title\nx/a,b\n", "name the file after its type"),
        ("stuff.csv", b"a,b\n1,2\n", "meetings sheet"),
        ("stuff.csv", bytes(range(256)), "UTF-8"),
    ],
)
def test_a_file_that_is_not_a_usable_csv_exits_2_with_a_sentence(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, content: bytes, why: str
) -> None:
    p = tmp_path / name
    p.write_bytes(content)
    code, found = _validate(capsys, p)
    assert code == 2
    assert any(why in f["message"] for f in found), found


def test_size_limits_as_for_json(tmp_path: Path) -> None:
    p = tmp_path / "sources.csv"
    p.write_text(
        "id,url,title,publisher,language\nsource/a,https://e.org," + "t" * 5000 + ",E,en\n", "utf-8"
    )
    raw = read(p, Limits(max_document_bytes=1000))
    assert [f.code for f in raw.findings] == ["US008"]
    assert raw.unusable == [str(p)]
    raw = read(p, Limits(max_record_bytes=1000))
    assert [f.code for f in raw.findings] == ["US013"]
    assert "field larger than field limit" in raw.findings[0].message
    assert read(p).records  # and the limit is the reader's own, not left behind


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(["events.csv", "meetings.csv"]),
    st.binary(max_size=200) | st.text(",;\"'\n\r=-@()|[]{}abc0123 ", max_size=200).map(str.encode),
)
def test_any_bytes_as_csv_never_exit_3(name: str, content: bytes) -> None:
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / name
        p.write_bytes(b"date,title,participants\n" + content if name == "meetings.csv" else content)
        assert main(["validate", str(p), "--format", "json"]) in (0, 1, 2)


# -- a meetings sheet --------------------------------------------------------------------


def test_a_meetings_sheet_maps_to_events_and_sources() -> None:
    raw = read(EXAMPLES / "my-meetings.csv")
    assert not raw.findings
    by_id = {r.data["id"]: r for r in raw.records}
    ev = by_id["event/2021-04-16-talks-in-minsk"]
    assert ev.line == 2
    assert ev.data == {
        "type": "event",
        "id": "event/2021-04-16-talks-in-minsk",
        "kind": "meeting",
        "title": "Talks in Minsk",
        "date": "2021-04-16",
        "place": "Minsk",
        "participants": [
            {"actor": "Lukashenko", "office": "President of Belarus"},
            {"actor": "Mishustin", "office": "Russian PM"},
        ],
        "statuses": [{"status": "held", "date": "2021-04-16"}],
        "sources": [ev.data["sources"][0]],
    }
    src = by_id[ev.data["sources"][0]].data
    assert src["url"] == "https://example.org/my-notes"
    assert src["publisher"] == "example.org"
    assert src["language"] == "und"
    assert sum(r.data["type"] == "source" for r in raw.records) == 1  # one URL, one record
    call = next(r.data for r in raw.records if r.data.get("kind") == "phone_call")
    assert call["participants"] == [{"actor": "Putin"}, {"actor": "Lukashenka"}]


def test_a_meetings_sheet_is_checked_against_the_canonical_data(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, found = _validate(capsys, EXAMPLES / "my-meetings.csv")
    assert code == 1
    errors = [(f["code"], f["line"], f.get("pointer")) for f in found if f["severity"] == "error"]
    assert errors == [("US104", 3, "/participants/0/office")]  # Medvedev no longer PM
    resolved = {(f["line"], f["pointer"]): f["related"][0] for f in found if f["code"] == "US030"}
    assert resolved[(2, "/participants/0/actor")] == "person/lukashenka"
    assert resolved[(2, "/place")] == "place/minsk"


def test_mistakes_in_a_meetings_sheet_name_row_and_column(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    p = tmp_path / "meetings.csv"
    p.write_text(
        "Date;Title;Place;Participants;Source;Mood\r\n"
        "2021-04-16;Talks in Minsk;Minsk;Lukashenko (President of Belarus);https://e.org/a;\r\n"
        '2021-09-09;Council;Moscow;"Putin (President of Russia; Lukashenko";https://e.org/a;\r\n'
        "16.09.2021;Talks in Sochi;Sochi;Putin; https://e.org/b;\r\n"
        "2021-09-10;Ragged;Moscow\r\n"
        "2021-09-11;Unknown guest;;Zelensky (President of Ukraine);https://e.org/b;good\r\n",
        encoding="utf-8",
    )
    code, found = _validate(capsys, p)
    assert code == 1
    errors = {(f["code"], f.get("line"), f.get("column"), f.get("pointer")) for f in found}
    assert ("US013", 1, 6, None) in errors  # an unknown column
    assert ("US013", 3, 4, None) in errors  # '(' without ')'
    assert ("US010", 4, None, "/date") in errors  # not an EDTF date
    assert ("US013", 5, None, None) in errors  # a ragged row
    assert ("US031", 6, None, "/participants/0/actor") in errors  # nobody of that name
    messages = {f.get("line"): f["message"] for f in found if f["code"] == "US013"}
    assert messages[1].startswith("Column F (Mood) is not a column of a meetings sheet")
    assert messages[3].startswith("Column D (Participants): 'Putin (President of Russia'")


@pytest.mark.parametrize("url", ["https://[.org/a", "http://[::1/x"])
def test_a_malformed_source_address_is_a_finding_not_a_crash(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], url: str
) -> None:
    """An address that cannot be split (an unclosed IPv6 bracket) crashed the
    reading of a meetings sheet with exit 3; it is now the source's schema error."""
    p = tmp_path / "meetings.csv"
    p.write_text(f"date,title,place,participants,source\n2021-04-16,Talks,Minsk,Putin,{url}\n")
    code, found = _validate(capsys, p)
    assert code == 1
    [src] = [r.data for r in read(p).records if r.data["type"] == "source"]
    assert src["url"] == url
    assert src["id"].startswith("source/page-")
    assert any(f["code"] == "US010" and f.get("pointer") == "/url" for f in found)


def test_ids_are_deterministic_and_a_repeated_row_is_a_duplicate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    p = tmp_path / "m.csv"
    p.write_text(
        "date,title,participants,source\n"
        "2021-04-16,Встреча в Минске,Putin,https://e.org/a\n"
        "2021-04-16,Встреча в Минске,Putin,https://e.org/a\n",
        encoding="utf-8",
    )
    ids = [r.data["id"] for r in read(p).records if r.data["type"] == "event"]
    assert ids == ["event/2021-04-16-vstrecha-v-minske"] * 2
    _, found = _validate(capsys, p)
    assert [f["line"] for f in found if f["code"] == "US020"] == [3]


def test_the_documented_example_output(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """docs/third-party.md shows the example sheet and the report of validating it, as they are."""
    page = (EXAMPLES.parent / "third-party.md").read_text(encoding="utf-8")
    section = page[page.index("## Spreadsheets (CSV)") :]
    sheet, report = re.findall(r"```text\n(.*?)```", section, flags=re.S)[:2]
    assert (EXAMPLES / "my-meetings.csv").read_text(encoding="utf-8").replace("\r\n", "\n") == sheet
    command, *shown = report.splitlines()
    assert command == "$ unionstate validate docs/examples/my-meetings.csv"
    monkeypatch.chdir(EXAMPLES.parent.parent)
    assert main(["validate", "docs/examples/my-meetings.csv"]) == 1
    assert capsys.readouterr().out.splitlines() == shown


def test_load_and_validate_path_read_csv(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The Python API reads what the command line reads: load() a folder of tables gives the
    canonical records, and validate_path, which keeps the records, finds what validate finds."""
    import unionstate

    tables = tmp_path / "tables"
    assert main(["convert", str(data_dir()), "--to", "csv", "--out", str(tables)]) == 0
    shutil.copy(data_dir() / "dataset.json", tables / "dataset.json")
    assert unionstate.load(tables).records == unionstate.load().records
    raw, report = unionstate.validate_path(EXAMPLES / "my-meetings.csv")
    assert len(raw.records) == 4
    _, found = _validate(capsys, EXAMPLES / "my-meetings.csv")
    assert [f.to_dict() for f in report.findings] == found
