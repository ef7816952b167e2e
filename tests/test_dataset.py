"""Dataset queries on a small hand-made dataset."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import unionstate
import unionstate.dataset
from test_cli import SRC
from unionstate.dataset import Dataset, fold, from_records
from unionstate.model import (
    Event,
    EventKind,
    EventStatus,
    Name,
    Office,
    Participant,
    Person,
    StatusChange,
    Tenure,
)

S = ("source/s",)


def person(pid: str, *names: str) -> Person:
    return Person(id=pid, names=tuple(Name(value=n, lang="en") for n in names), sources=S)


@pytest.fixture
def ds() -> Dataset:
    return from_records(
        [
            person("person/a", "Alyaksandr Lukashenka", "Aliaksandr Lukašenka"),
            person("person/b", "Dmitry Medvedev"),
            person("person/c", "Mikhail Mishustin"),
            person("person/d", "M"),
            person("person/e", "M"),
            Office(
                id="office/pm",
                names=(
                    Name(value="Prime Minister of Russia", lang="en"),
                    Name(value="Russian PM", lang="en"),
                ),
                organization="organization/gov",
                sources=S,
            ),
            Tenure(
                id="tenure/b",
                person="person/b",
                office="office/pm",
                start="2012-05-08",
                end="2020-01-16",
                sources=S,
            ),
            Tenure(
                id="tenure/c", person="person/c", office="office/pm", start="2020-01-16", sources=S
            ),
            Tenure(
                id="tenure/x",
                person="person/a",
                office="office/pm",
                start="2030",
                end="2031",
                sources=S,
            ),
            Event(
                id="event/e",
                kind=EventKind.TALKS,
                title="Talks",
                date="2021-04-16",
                statuses=(StatusChange(status=EventStatus.HELD, date="2021-04-16"),),
                participants=(
                    Participant(actor="person/a"),
                    Participant(actor="person/c", office="office/pm"),
                ),
                sources=S,
            ),
            Event(
                id="event/f",
                kind=EventKind.MEETING,
                title="Meeting",
                date="2019-09",
                statuses=(StatusChange(status=EventStatus.HELD),),
                participants=(Participant(actor="person/b"),),
                sources=S,
            ),
        ]
    )


def test_holder_of_by_id_and_by_title(ds: Dataset) -> None:
    assert [p.id for p in ds.holder_of("office/pm", on="2019-09-06")] == ["person/b"]
    assert [p.id for p in ds.holder_of("Russian PM", on="2021-04-16")] == ["person/c"]
    # the hand-over day is shared: both hold it on 2020-01-16
    assert [p.id for p in ds.holder_of("office/pm", on="2020-01-16")] == ["person/b", "person/c"]
    # a month is too coarse to tell for the whole of January 2020
    assert [p.id for p in ds.holder_of("office/pm", on="2020-01")] == []
    assert [p.id for p in ds.holder_of("office/pm", on="2020-01", possibly=True)] == [
        "person/b",
        "person/c",
    ]


def test_offices_of(ds: Dataset) -> None:
    assert [o.id for o in ds.offices_of("Medvedev", on="2015")] == ["office/pm"]
    assert ds.offices_of("Medvedev", on="2021") == []


@pytest.mark.parametrize("query", ["lukashenka", "LUKAŠENKA", "Lukasenka", "aliaksandr lukašenka"])
def test_find_ignores_case_and_diacritics(ds: Dataset, query: str) -> None:
    assert [r.id for r in ds.find(query)] == ["person/a"]


def test_unknown_and_ambiguous_names_raise(ds: Dataset) -> None:
    assert ds.find("Putin") == []
    with pytest.raises(KeyError, match="no person"):
        ds.offices_of("Putin", on="2020")
    with pytest.raises(KeyError, match="ambiguous"):
        ds.offices_of("M", on="2020") if ds.find("m") else None
    with pytest.raises(KeyError, match="type 'person', not 'office'"):
        ds.holder_of("person/a", on="2020")


def test_a_record_is_found_once_by_a_name_it_repeats_and_equal_copies_once() -> None:
    """The name index lists a record once per name, an equal copy of it not
    again, but a different record with the same id (a duplicate id) apart."""
    a = person("person/a", "Yuri Kozak", "YURI KOZAK")
    other = person("person/a", "Yuri Kozak", "Yury Kozak")
    b = person("person/b", "Yuri Kozak")
    got = from_records([a, person("person/a", "Yuri Kozak", "YURI KOZAK"), other, b])
    assert got._names is None, "built by the first find, not by every Dataset (the rules' shards)"
    assert got.find("yuri kozak") == [a, other, b]
    assert got.find("yury") == [a, other, b]  # Yury and Yuri: one name, romanised two ways


def test_events_between_and_involving(ds: Dataset) -> None:
    assert [e.id for e in ds.events(between=("2021-04-16", "2021-04-16"))] == ["event/e"]
    assert [e.id for e in ds.events(between=("2019-09-06", "2019-09-06"))] == ["event/f"]
    assert [e.id for e in ds.events(involving="Mishustin")] == ["event/e"]
    assert [e.id for e in ds.events()] == ["event/f", "event/e"]


def test_get_and_counts(ds: Dataset) -> None:
    assert ds.get("person/c").id == "person/c"
    assert "person/zzz" not in ds
    with pytest.raises(KeyError):
        ds.get("person/zzz")
    assert ds.counts() == {"person": 5, "office": 1, "tenure": 3, "event": 2}


def test_fold() -> None:
    assert fold("  Łukašenka-Halouchanka ") == "łukasenka halouchanka"


def test_the_shipped_data_is_read_once_until_its_files_change(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "dataset.json").write_text('{"name": "t", "as_of": "2021-04-16"}')
    src = json.loads(SRC)
    (folder / "sources.json").write_text(json.dumps([src]))
    monkeypatch.setattr(unionstate.dataset, "data_dir", lambda: folder)
    first = unionstate.load()
    assert unionstate.load() is first
    (folder / "sources.json").write_text(json.dumps([src, {**src, "id": "source/b"}]))
    second = unionstate.load()
    assert "source/b" in second
    assert "source/b" not in first
    assert unionstate.load() is second
    missing = tmp_path / "gone"
    monkeypatch.setattr(unionstate.dataset, "data_dir", lambda: missing)
    with pytest.raises(unionstate.InputError):
        unionstate.load()
