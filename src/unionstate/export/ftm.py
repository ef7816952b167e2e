"""FollowTheMoney entities as JSON Lines, for Aleph, OpenSanctions and
``followthemoney`` tooling: one entity a line (``id``, ``schema``,
``properties`` with lists of strings), sorted by id.

* persons → ``Person``; organisations → ``PublicBody`` (states, unions,
  governments, councils, parliaments, ministries, embassies, intergovernmental
  bodies) or ``Organization``; offices → ``Position``; tenures →
  ``Occupancy``; events → ``Event`` (participants as ``involved``, the place's
  name as ``location``, kind and current status as ``keywords``); agreements
  and road maps → ``Contract`` (parties that are organisations as
  ``authority``, the first signing day as ``contractDate``, the last
  lifecycle stage as ``status``).
* Entity ids are the dataset's ids in FollowTheMoney's alphabet:
  ``person/lukashenka`` → ``unionstate-person-lukashenka``.
* Dates are FollowTheMoney's prefixes (``2019``, ``2019-09``,
  ``2019-09-01``). An uncertain, approximate or open EDTF value is left out
  rather than made more certain than its sources.
* Every entity's sources are its ``sourceUrl``s and ``publisher``s.
  Sources, places and statements are not entities here.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from .labels import by_id, by_type, current_status, display_name, label, plain_date, plain_span

Record = Mapping[str, Any]

#: Organisation kinds written as ``PublicBody``.
PUBLIC_KINDS = frozenset(
    {
        "state",
        "union",
        "government",
        "council",
        "parliament",
        "ministry",
        "embassy",
        "intergovernmental_body",
    }
)
PREFIX = "unionstate-"


def entity_id(record_id: str) -> str:
    """The FollowTheMoney id of a record: ``person/x`` → ``unionstate-person-x``."""
    return PREFIX + record_id.replace("/", "-", 1)


class _Entities:
    def __init__(self, records: Sequence[Record]) -> None:
        self.index = by_id(records)

    def entity(self, record: Record, schema: str, props: dict[str, list[str]]) -> dict[str, Any]:
        urls, publishers = [], []
        for sid in record.get("sources", ()):
            src = self.index.get(sid)
            if src is not None:
                urls.append(str(src["url"]))
                publishers.append(str(src["publisher"]))
        props["sourceUrl"] = urls
        props["publisher"] = sorted(set(publishers))
        if record.get("notes"):  # intervals (Occupancy) have no 'notes'
            props["description" if schema == "Occupancy" else "notes"] = [str(record["notes"])]
        wikidata = [i["value"] for i in record.get("identifiers", ()) if i["scheme"] == "wikidata"]
        if wikidata:
            props["wikidataId"] = [str(v) for v in wikidata]
        clean = {k: v for k, v in sorted(props.items()) if v}
        return {"id": entity_id(str(record["id"])), "schema": schema, "properties": clean}

    @staticmethod
    def names(record: Record) -> dict[str, list[str]]:
        names = record.get("names", ())
        main = display_name(names)
        aliases = sorted({str(n["value"]) for n in names} - {main})
        return {"name": [main] if main else [], "alias": aliases}

    def ref(self, record_id: object, *types: str) -> list[str]:
        r = self.index.get(str(record_id))
        return [entity_id(str(record_id))] if r is not None and r["type"] in types else []

    @staticmethod
    def day(value: object) -> list[str]:
        plain = plain_date(value if isinstance(value, str) else None)
        return [plain] if plain else []

    def person(self, r: Record) -> dict[str, Any]:
        props = self.names(r)
        props["birthDate"] = self.day(r.get("birth_date"))
        props["deathDate"] = self.day(r.get("death_date"))
        return self.entity(r, "Person", props)

    def organization(self, r: Record) -> dict[str, Any]:
        props = self.names(r)
        props["classification"] = [str(r["kind"])]
        props["parent"] = self.ref(r.get("parent"), "organization")
        props["incorporationDate"] = self.day(r.get("founded"))
        props["dissolutionDate"] = self.day(r.get("dissolved"))
        schema = "PublicBody" if r["kind"] in PUBLIC_KINDS else "Organization"
        return self.entity(r, schema, props)

    def office(self, r: Record) -> dict[str, Any]:
        props = self.names(r)
        props["organization"] = self.ref(r["organization"], "organization")
        return self.entity(r, "Position", props)

    def tenure(self, r: Record) -> dict[str, Any]:
        props: dict[str, list[str]] = {
            "holder": self.ref(r["person"], "person"),
            "post": self.ref(r["office"], "office"),
            "startDate": self.day(r.get("start")),
            "endDate": self.day(r.get("end")),
            "status": ["acting"] if r.get("acting") else [],
        }
        return self.entity(r, "Occupancy", props)

    def event(self, r: Record) -> dict[str, Any]:
        start, end = plain_span(str(r["date"]))
        involved = sorted(
            {
                x
                for p in r.get("participants", ())
                for x in self.ref(p["actor"], "person", "organization")
            }
        )
        place = self.index.get(str(r.get("place")))
        props: dict[str, list[str]] = {
            "name": [str(r["title"])],
            "summary": [str(r["summary"])] if r.get("summary") else [],
            "startDate": [start] if start else [],
            "endDate": [end] if end else [],
            "involved": involved,
            "location": [label(place)] if place else [],
            "keywords": [str(r["kind"]), str(current_status(r))],
        }
        return self.entity(r, "Event", props)

    def agreement(self, r: Record) -> dict[str, Any]:
        steps = r.get("lifecycle", ())
        signed = [s.get("date") for s in steps if s["stage"] == "signed" and s.get("date")]
        authority = sorted({x for p in r.get("parties", ()) for x in self.ref(p, "organization")})
        props: dict[str, list[str]] = {
            "title": [str(r["title"])],
            "name": [str(r["title"])],
            "type": [str(r["kind"])],
            "authority": authority,
            "contractDate": self.day(signed[0]) if signed else [],
            "status": [str(steps[-1]["stage"])] if steps else [],
            "summary": [str(r["summary"])] if r.get("summary") else [],
            "keywords": [str(t) for t in r.get("topics", ())],
        }
        return self.entity(r, "Contract", props)


def entities(records: Sequence[Record]) -> list[dict[str, Any]]:
    """The FollowTheMoney entities of the records, sorted by id."""
    e = _Entities(records)
    make = {
        "person": e.person,
        "organization": e.organization,
        "office": e.office,
        "tenure": e.tenure,
        "event": e.event,
        "agreement": e.agreement,
        "roadmap": e.agreement,
    }
    out = [make[t](r) for t, group in by_type(records).items() if t in make for r in group]
    return sorted(out, key=lambda x: str(x["id"]))


def render(header: Mapping[str, Any] | None, records: Sequence[Record]) -> dict[str, bytes]:
    """``followthemoney.jsonl``: one entity a line."""
    lines = (
        json.dumps(x, ensure_ascii=False, separators=(",", ":")) + "\n" for x in entities(records)
    )
    return {"followthemoney.jsonl": "".join(lines).encode("utf-8")}


__all__ = ["PREFIX", "PUBLIC_KINDS", "entities", "entity_id", "render"]
