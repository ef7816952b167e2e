"""Names as people write them: a user's file and a user's queries, against
the canonical data (issue 20)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from anyascii import anyascii
from hypothesis import example, given
from hypothesis import strategies as st

import unionstate
from unionstate.cli import main
from unionstate.dataset import Dataset
from unionstate.model import Person
from unionstate.names import key

#: Names as people write them, and the canonical person each one means.
WRITTEN = {
    "Łukašenka": "person/lukashenka",  # Ł and š: Belarusian Latin (Łacinka)
    "Лукашэнка": "person/lukashenka",  # Belarusian Cyrillic, not in the data as such
    "Лукашенко": "person/lukashenka",
    "LUKASHENKO": "person/lukashenka",
    "A. Lukashenko": "person/lukashenka",  # an initial with a surname
    "A. R. Lukashenka": "person/lukashenka",  # initials of 'Alyaksandr Ryhoravich Lukashenka'
    "Lukashenko Alexander": "person/lukashenka",  # surname first
    "Lukashenka, Alyaksandr": "person/lukashenka",
    "Aljaksandr Lukašenka": "person/lukashenka",  # ja for ya
    "Галоўчанка": "person/halouchanka",  # Г is H in Belarusian, G in Russian
    "Golovchenko": "person/halouchanka",
    "Raman Halouchanka": "person/halouchanka",
    "Турчин": "person/turchin",  # Cyrillic for a person named in Latin only
    "Maxim Oreshkin": "person/oreshkin",  # Latin for a name the record has in Cyrillic
    "Mihail Mišustin": "person/mishustin",  # Kh/H, š/sh
    "Evgeniy Lukianov": "person/lukyanov",  # Ye/E, -y/-iy, ya/ia
    "Sergei Glazev": "person/glazyev",
    "Сергей Глазьев": "person/glazyev",
    "Siarhiej Rumas": "person/rumas",
    "Dmitriy Krutoj": "person/krutoi",
}


_DS = unionstate.load()


@pytest.fixture
def ds() -> Dataset:
    return _DS


def meeting(rid: str, *actors: str) -> dict[str, object]:
    return {
        "type": "event",
        "id": rid,
        "kind": "meeting",
        "title": "A meeting",
        "date": "2021-04-16",
        "participants": [{"actor": a} for a in actors],
        "statuses": [{"status": "held", "date": "2021-04-16"}],
        "sources": ["source/belsat-2021-04-16-lukashenka-putin-to-meet"],
    }


def validate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], *records: dict[str, object]
) -> tuple[int, list[dict[str, object]]]:
    path = tmp_path / "theirs.jsonl"
    lines = [json.dumps(r, ensure_ascii=False) for r in records]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code = main(["validate", str(path), "--format", "json"])
    return code, json.loads(capsys.readouterr().out)["findings"]


def test_names_as_people_write_them_resolve_in_a_third_party_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    names = list(WRITTEN)
    records = [meeting(f"event/m{i}", name) for i, name in enumerate(names)]
    _, found = validate(tmp_path, capsys, *records)
    resolved = {f["record_id"]: f for f in found if f["code"] == "US030"}
    unresolved = [f["message"] for f in found if f["code"] in ("US031", "US032")]
    assert not unresolved
    for i, name in enumerate(names):
        f = resolved[f"event/m{i}"]
        assert f["related"] == [WRITTEN[name]], name
        assert str(f["message"]).startswith(f"{name!r} is {WRITTEN[name]}")


def test_a_surname_alone_is_said_so_and_never_overrides_a_known_first_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """'Maxim Orlov' is the Orlov the file knows by surname only, and the
    finding says so; 'Maxim Putin' is not Vladimir Putin."""
    orlov = {
        "type": "person",
        "id": "person/orlov",
        "names": [{"value": "Orlov", "lang": "en"}],
        "sources": ["source/belsat-2021-04-16-lukashenka-putin-to-meet"],
    }
    code, found = validate(
        tmp_path,
        capsys,
        orlov,
        meeting("event/a", "Maxim Orlov"),
        meeting("event/b", "Maxim Putin"),
    )
    assert code == 1
    by_id = {f["record_id"]: f for f in found if f["code"] in ("US030", "US031")}
    assert by_id["event/a"]["code"] == "US030"
    assert "surname alone" in str(by_id["event/a"]["message"])
    assert by_id["event/b"]["code"] == "US031"
    assert "Did you mean" in str(by_id["event/b"]["message"])


#: Every Aleksandr of the canonical data.
ALEKSANDRS = [
    "person/aleksandr-sergeev",
    "person/aleksandr-skryabin",
    "person/aleksandr-sokolov",
    "person/aleksandr-subbotin",
    "person/aleksandr-subbotin-vitebsk",
    "person/aleksandr-vlasov-diplomat",
    "person/alexander-frolov",
    "person/alexander-gorbunov-omsk",
    "person/alexander-medvedev",
    "person/alexander-novikov-gomselmash",
    "person/alexander-seleznev",
    "person/alexander-solovyov-udmurtia",
    "person/avdeev",
    "person/avdeyev",
    "person/bakhanovich",
    "person/barsukov",
    "person/bastrykin",
    "person/beglov",
    "person/berdnikov",
    "person/blokhin",
    "person/bogomaz",
    "person/bortnikov",
    "person/brechalov",
    "person/burkov",
    "person/chumakov",
    "person/drozdenko",
    "person/dudkin",
    "person/dyukov",
    "person/efimov",
    "person/goroshko",
    "person/gorovoy",
    "person/grushko",
    "person/gusev",
    "person/gutsan",
    "person/karlin",
    "person/khloponin",
    "person/khodzhaev",
    "person/khudilainen",
    "person/komendant",
    "person/konovalov",
    "person/konyuk",
    "person/korkotadze",
    "person/kurenkov",
    "person/lebed",
    "person/lukashenka",
    "person/mikhailov-kursk",
    "person/mikheev",
    "person/milinkevich",
    "person/moor",
    "person/novak",
    "person/ogorodnikov",
    "person/poshivai",
    "person/potapov",
    "person/prokhorov-smolensk",
    "person/radkov",
    "person/rogozhnik",
    "person/shakutin",
    "person/shamko",
    "person/shmaenkov",
    "person/shpilevsky",
    "person/shumilin",
    "person/shundrik",
    "person/sokolov",
    "person/surikov",
    "person/tishchenko",
    "person/tkachev",
    "person/torshin",
    "person/tsybulsky",
    "person/turchin",
    "person/uss",
    "person/vishnyakov",
    "person/voitovich",
    "person/volfovich",
    "person/yakobson",
    "person/yakovchits",
    "person/yaroshenko",
]


def test_an_ambiguous_name_is_an_error_listing_the_candidates(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """'Александр' is the first name of 76 persons of the canonical data
    (ALEKSANDRS: Lukashenka, ambassadors, ministers, governors, a prosecutor
    general, an academy's president and others): every one is listed, never a
    guess."""
    code, found = validate(tmp_path, capsys, meeting("event/a", "Александр"))
    assert code == 1
    [f] = [f for f in found if f["code"] == "US032"]
    assert f["related"] == ALEKSANDRS
    assert ", ".join(ALEKSANDRS) in str(f["message"])


@pytest.mark.parametrize(
    ("near_miss", "meant"),
    [
        ("Mishustine", "person/mishustin"),
        ("Lukashenko S.", "person/lukashenka"),  # no S. Lukashenko (V. is Viktor): not resolved
        ("Vladmir Putin", "person/putin"),
        ("Alexander Lukaschenko", "person/lukashenka"),
    ],
)
def test_a_near_miss_gets_did_you_mean(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], near_miss: str, meant: str
) -> None:
    code, found = validate(tmp_path, capsys, meeting("event/a", near_miss))
    assert code == 1
    [f] = [f for f in found if f["code"] == "US031"]
    assert f["pointer"] == "/participants/0/actor"
    assert "Did you mean " in str(f["message"])
    assert f"({meant})" in str(f["message"])
    assert meant in f["related"]


def test_a_name_far_from_every_other_gets_no_suggestion(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, found = validate(tmp_path, capsys, meeting("event/a", "Volodymyr Zelensky"))
    [f] = [f for f in found if f["code"] == "US031"]
    assert "Did you mean" not in str(f["message"])
    assert not f.get("related")


def test_the_third_partys_own_names_are_matched_alike(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    own = {
        "type": "person",
        "id": "person/kochanova",
        "names": [{"value": "Natalya Kochanova", "lang": "ru-Latn"}],
        "sources": ["source/belsat-2021-04-16-lukashenka-putin-to-meet"],
    }
    _, found = validate(tmp_path, capsys, own, meeting("event/a", "Наталья Кочанова"))
    [f] = [f for f in found if f["code"] == "US030"]
    assert f["related"] == ["person/kochanova"]


@pytest.mark.parametrize("name", list(WRITTEN))
def test_find_understands_the_same_names(ds: Dataset, name: str) -> None:
    assert [r.id for r in ds.find(name)] == [WRITTEN[name]]


def test_find_never_guesses(ds: Dataset) -> None:
    assert [r.id for r in ds.find("Aleksandr")] == ALEKSANDRS
    assert [r.id for r in ds.find("A.G. Lukashenko")] == ["person/lukashenka"]  # initials
    assert ds.find("Maxim Putin") == []
    with pytest.raises(KeyError, match="ambiguous"):
        ds.offices_of("Aleksandr", on="2021-04-16")
    offices = [o.id for o in ds.offices_of("Лукашэнка", on="2021-04-16")]
    assert "office/president-of-belarus" in offices


def test_search_finds_road_maps_and_the_events_about_them(ds: Dataset) -> None:
    found = ds.search("road map")
    types = [r.TYPE for r in found]
    assert types[0] == "roadmap"
    assert "event" in types
    assert types.index("event") > types.index("roadmap")
    assert "event/2019-09-to-12-roadmap-negotiations" in [r.id for r in found]
    # every road map (the 2019 kind; union programmes are named otherwise) comes first
    roadmaps = sorted(r.id for r in ds if r.TYPE == "roadmap" and r.kind == "road_map")
    assert sorted(r.id for r in found[: len(roadmaps)]) == roadmaps
    # a plural, capitals and another case find the same records
    assert {r.id for r in ds.search("Road Maps")} == {r.id for r in found}
    assert {r.id for r in ds.search("ROAD MAP")} == {r.id for r in found}


def test_search_ranks_a_record_named_so_first(ds: Dataset) -> None:
    assert ds.search("Sochi")[0].id == "place/sochi"
    assert {r.id for r in ds.search("Belarus")[:2]} == {"organization/belarus", "place/belarus"}
    assert ds.search("Lukashenka")[0].id == "person/lukashenka"


def test_search_is_insensitive_to_script_and_romanisation(ds: Dataset) -> None:
    """Events about Halouchanka, found by his name in Belarusian Cyrillic;
    every word must be there; a class narrows the search."""
    found = [r.id for r in ds.search("Галоўчанка")]
    assert found[0] == "person/halouchanka"
    assert "event/2021-04-16-mishustin-halouchanka-meeting" in found
    both = [r.id for r in ds.search("Mishustin Halouchanka")]
    assert "event/2021-04-16-mishustin-halouchanka-meeting" in both
    assert "person/halouchanka" not in both  # his record does not name Mishustin
    assert [r.id for r in ds.search("halouchanka", Person)] == ["person/halouchanka"]
    assert ds.search("") == []
    assert ds.search("qqqxz") == []


#: Two-word names written out in full ("Vladimir Putin"): a name printed with initials
#: already ("Тихонов В.И.") has no first name to shorten, and has its own test below; a
#: regnal name ("Cyril I", a Patriarch's) has a number, not a surname, after the name.
_PERSON_NAMES = [
    (p.id, n.value)
    for p in _DS.all(Person)
    for n in p.names
    if len(n.value.split()) == 2
    and "." not in n.value
    and not re.fullmatch(r"[IVX]+", n.value.split()[1])
]


@given(st.sampled_from(_PERSON_NAMES), st.sampled_from(["upper", "ascii", "swap", "initial"]))
@example(("person/sovmen", "Khazret Sovmen"), "initial")  # 'K.' for a first name whose kh is h
def test_a_canonical_name_written_otherwise_still_finds_its_person(
    entry: tuple[str, str], how: str
) -> None:
    """Any two-word name of a canonical person, in capitals, in ASCII,
    surname first or with an initial, still finds that person (perhaps
    among others when the initial is shared, as 'A. Lukashenka' is not)."""
    pid, name = entry
    first, last = name.split()
    written = {
        "upper": name.upper(),
        "ascii": anyascii(name),
        "swap": f"{last}, {first}",
        "initial": f"{first[0]}. {last}",
    }[how]
    assert pid in [r.id for r in _DS.find(written)]


@pytest.mark.parametrize(
    ("written", "person", "found"),
    [
        ("K. Sovmen", "person/sovmen", True),  # Khazret: a spelling begins with K
        ("H. Sovmen", "person/sovmen", True),  # Hazret: the key begins with h
        ("K. Gref", "person/gref", False),  # German: no spelling begins with K
        ("G. Gref", "person/gref", True),
        ("K. Nikitin", "person/gleb-nikitin", False),  # Gleb
    ],
)
def test_an_initial_stands_for_a_word_its_letter_or_key_begins(
    written: str, person: str, found: bool
) -> None:
    """'K.' finds Khazret Sovmen, whose name is written with Kh, but not
    German Gref or Gleb Nikitin, though kh, g and h are one in a name's key."""
    assert (person in [r.id for r in _DS.find(written)]) is found


@pytest.mark.parametrize(
    "written", ["Тихонов В.И.", "В.И. Тихонов", "Tikhonov V.I.", "V. Tikhonov"]
)
def test_a_name_printed_with_initials_is_found_written_either_way(written: str) -> None:
    """Ivanovo's governor is also named as AFN prints him, surname and
    initials; he is found with the initials before or after, in either script."""
    assert "person/vladimir-tikhonov-ivanovo" in [r.id for r in _DS.find(written)]


def test_a_surname_alone_finds_only_the_records_known_by_it_alone() -> None:
    """Two Oreshkins: one known by surname only, one as 'Anton Oreshkin'.
    'Maxim Oreshkin' can only be the first; 'Anton Oreshkin' is the second;
    'Oreshkin' alone may be either."""
    from unionstate.dataset import from_records
    from unionstate.model import Name

    def person(pid: str, *names: str) -> Person:
        return Person(
            id=pid, names=tuple(Name(value=n, lang="en") for n in names), sources=("source/s",)
        )

    ds = from_records([person("person/a", "Oreshkin"), person("person/b", "Anton Oreshkin")])
    assert [r.id for r in ds.find("Maxim Oreshkin")] == ["person/a"]
    assert [r.id for r in ds.find("Anton Oreshkin")] == ["person/b"]
    assert [r.id for r in ds.find("Орешкин")] == ["person/a"]  # equal to a's name
    assert [r.id for r in ds.find("A. Oreshkin")] == ["person/b"]


#: Letters of names: ASCII, Latin-1 and Latin Extended-A and -B, Cyrillic.
_LETTERS = st.characters(categories=["Lu", "Ll"], max_codepoint=0x7A) | st.characters(
    categories=["Lu", "Ll"], min_codepoint=0xC0, max_codepoint=0x24F
)
_NAMES = st.text(_LETTERS | st.characters(min_codepoint=0x400, max_codepoint=0x4FF) | st.just(" "))


@given(_NAMES)
def test_a_name_and_its_ascii_transliteration_have_one_key(name: str) -> None:
    assert key(anyascii(name)) == key(name)


@given(_NAMES)
def test_a_name_in_capitals_has_its_key(name: str) -> None:
    assert key(name.upper()) == key(name.lower())


@pytest.mark.parametrize(
    "spellings",
    [
        ("Mikhail", "Mihail", "Михаил"),  # Kh/H, Х (not Ch: that is Ч)
        ("Yury", "Jurij", "Iurii", "Yuriy", "Юрий"),  # Yu/Ju/Iu, -y/-ij/-ii/-iy
        ("Dmitry", "Dmitriy", "Dmitrij", "Dmitri", "Дмитрий"),
        ("Alyaksandr", "Aliaksandr", "Aljaksandr", "Аляксандр"),  # ya/ia/ja
        ("Yevgeny", "Evgeny", "Jevgenij", "Евгений"),  # Ye/E
        ("Halouchanka", "Galouchanka", "Haloŭčanka", "Галоўчанка"),  # Г as H or G, ŭ, č
        ("Golovchenko", "Holovchenko", "Головченко"),
        ("Lukashenka", "Lukašenka", "Łukašenka", "Лукашэнка", "LUKASHENKA"),
        ("Maxim", "Maksim", "Максим"),  # x/ks
        ("Mezentsev", "Mezencev", "Мезенцев"),  # ts/c
        ("Glazyev", "Glaz'ev", "Glazev", "Глазьев"),  # ь, y before e
        ("Krutoy", "Krutoi", "Krutoj", "Крутой"),
    ],
)
def test_romanisations_of_one_name_have_one_key(spellings: tuple[str, ...]) -> None:
    assert len({key(s) for s in spellings}) == 1, {s: key(s) for s in spellings}


def test_russian_and_belarusian_forms_are_different_names(ds: Dataset) -> None:
    """The key does not make 'Golovchenko' and 'Halouchanka' one (they are
    two names, not two spellings): each finds Halouchanka because his
    record has both."""
    assert key("Golovchenko") != key("Halouchanka")
    assert [r.id for r in ds.find("Golovchenko")] == ["person/halouchanka"]
    assert [r.id for r in ds.find("Halouchanka")] == ["person/halouchanka"]


def test_a_name_exact_for_one_record_and_equal_in_another_script_for_another_finds_both(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """'Vladimir Amarin' is the English name of the finance minister
    (person/amaryn) and, in Cyrillic, the only name of a Deputy State
    Secretary (person/amarin): finding and resolving it lists both, rather
    than taking the record named so in the query's own script."""
    assert [r.id for r in _DS.find("Vladimir Amarin")] == ["person/amarin", "person/amaryn"]
    code, found = validate(tmp_path, capsys, meeting("event/a", "Vladimir Amarin"))
    assert code == 1
    [f] = [f for f in found if f["code"] == "US032"]
    assert f["related"] == ["person/amarin", "person/amaryn"]
