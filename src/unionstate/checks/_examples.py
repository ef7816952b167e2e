"""Building blocks for the rules' bad and good examples (raw JSON records).

Every example is a complete, schema-valid dataset in JSON Lines whose
references resolve; the tests check that, and that the bad example breaks its
rule and the good one does not.
"""

from __future__ import annotations

from typing import Any

Raw = dict[str, Any]

SOURCE_ID = "source/report"


def header(as_of: str) -> Raw:
    """A dataset header line with ``as_of``."""
    return {"type": "dataset", "name": "example", "as_of": as_of}


def source(slug: str = "report", published: str | None = "2021-12-31", **kw: Any) -> Raw:
    out: Raw = {
        "type": "source",
        "id": f"source/{slug}",
        "url": f"https://example.org/{slug}",
        "title": slug.replace("-", " ").title(),
        "publisher": "Example News",
        "language": "en",
    }
    if published is not None:
        out["published"] = published
    out.update(kw)
    return out


def _rec(type_: str, slug: str, fields: Raw) -> Raw:
    return {
        "type": type_,
        "id": f"{type_}/{slug}",
        **fields,
        "sources": fields.pop("sources", [SOURCE_ID]),
    }


def person(slug: str, name: str, **kw: Any) -> Raw:
    return _rec("person", slug, {"names": [{"value": name, "lang": "en"}], **kw})


def organization(slug: str, name: str, kind: str = "government", **kw: Any) -> Raw:
    return _rec(
        "organization", slug, {"names": [{"value": name, "lang": "en"}], "kind": kind, **kw}
    )


def office(slug: str, name: str, org: str, **kw: Any) -> Raw:
    return _rec(
        "office", slug, {"names": [{"value": name, "lang": "en"}], "organization": org, **kw}
    )


def tenure(slug: str, person_: str, office_: str, **kw: Any) -> Raw:
    return _rec("tenure", slug, {"person": person_, "office": office_, **kw})


def place(slug: str, name: str, kind: str, **kw: Any) -> Raw:
    return _rec("place", slug, {"names": [{"value": name, "lang": "en"}], "kind": kind, **kw})


def event(slug: str, date: str, *statuses: Raw, **kw: Any) -> Raw:
    fields: Raw = {
        "kind": kw.pop("kind", "meeting"),
        "title": kw.pop("title", slug.title()),
        "date": date,
        **kw,
    }
    fields["statuses"] = list(statuses) or [{"status": "held"}]
    return _rec("event", slug, fields)


def status(status_: str, date: str | None = None, **kw: Any) -> Raw:
    out: Raw = {"status": status_}
    if date is not None:
        out["date"] = date
    out.update(kw)
    return out


def agreement(slug: str, title: str, **kw: Any) -> Raw:
    return _rec("agreement", slug, {"kind": kw.pop("kind", "treaty"), "title": title, **kw})


def roadmap(slug: str, title: str, **kw: Any) -> Raw:
    return _rec("roadmap", slug, {"kind": kw.pop("kind", "road_map"), "title": title, **kw})


def statement(slug: str, speaker: str, date: str, summary: str, **kw: Any) -> Raw:
    return _rec("statement", slug, {"speaker": speaker, "date": date, "summary": summary, **kw})


def step(stage: str, date: str | None = None, **kw: Any) -> Raw:
    out: Raw = {"stage": stage}
    if date is not None:
        out["date"] = date
    out.update(kw)
    return out


# Common casts.
RUSSIA_GOV = organization("government-of-russia", "Government of Russia")
PM_RUSSIA = office(
    "prime-minister-of-russia", "Prime Minister of Russia", "organization/government-of-russia"
)
MEDVEDEV = person("medvedev", "Dmitry Medvedev")
MISHUSTIN = person("mishustin", "Mikhail Mishustin")
LUKASHENKA = person("lukashenka", "Alyaksandr Lukashenka")
BELARUS_PRES = organization("presidency-of-belarus", "Presidency of Belarus")
PRESIDENT_BY = office(
    "president-of-belarus", "President of Belarus", "organization/presidency-of-belarus"
)
