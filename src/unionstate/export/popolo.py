"""Popolo 1.0.1 JSON: one document with ``persons``, ``organizations``,
``posts`` (offices), ``memberships`` (tenures), ``events`` and ``areas``
(places), each list sorted by id, ids as in the dataset.

Popolo dates are plain days, months or years. An EDTF value Popolo cannot say
(uncertain ``2019?``, approximate ``2019~``, open ``../1996-04-02``) leaves
the Popolo field out and is kept whole in the object's ``edtf`` member
(``{"start_date": "../1996-04-02"}``), so nothing is lost or made more
precise than its sources. A record's sources become Popolo ``sources`` links
(url and title). What Popolo has no place for (statements, agreements, road
maps) is not in this export; the other formats hold it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from .labels import by_id, by_type, current_status, display_name, plain_date, plain_span

Record = Mapping[str, Any]


class _Builder:
    def __init__(self, records: Sequence[Record]) -> None:
        self.index = by_id(records)

    def links(self, record: Record) -> list[dict[str, str]]:
        out = []
        for sid in record.get("sources", ()):
            src = self.index.get(sid)
            if src is not None:
                out.append({"url": str(src["url"]), "note": str(src["title"])})
        return out

    def common(self, record: Record, name_key: str = "name") -> dict[str, Any]:
        names = record.get("names", ())
        out: dict[str, Any] = {"id": record["id"]}
        name = display_name(names)
        if name is not None:
            out[name_key] = name
        return out

    @staticmethod
    def other_names(names: Sequence[Record]) -> list[dict[str, str]]:
        return [{"name": str(n["value"]), "note": f"lang: {n['lang']}"} for n in names]

    @staticmethod
    def identifiers(record: Record) -> list[dict[str, str]]:
        return [
            {"identifier": str(i["value"]), "scheme": str(i["scheme"])}
            for i in record.get("identifiers", ())
        ]

    @staticmethod
    def dates(out: dict[str, Any], fields: Mapping[str, str | None]) -> None:
        """Set each plain date; keep the others whole in ``edtf``."""
        kept = {}
        for key, value in fields.items():
            if value is None:
                continue
            plain = plain_date(value)
            if plain is not None:
                out[key] = plain
            else:
                kept[key] = value
        if kept:
            out["edtf"] = kept

    def finish(self, out: dict[str, Any], record: Record) -> dict[str, Any]:
        out["sources"] = self.links(record)
        return out

    def person(self, r: Record) -> dict[str, Any]:
        out = self.common(r)
        out["other_names"] = self.other_names(r["names"])
        out["identifiers"] = self.identifiers(r)
        self.dates(out, {"birth_date": r.get("birth_date"), "death_date": r.get("death_date")})
        return self.finish(out, r)

    def organization(self, r: Record) -> dict[str, Any]:
        out = self.common(r)
        out["other_names"] = self.other_names(r["names"])
        out["identifiers"] = self.identifiers(r)
        out["classification"] = r["kind"]
        if r.get("parent"):
            out["parent_id"] = r["parent"]
        if r.get("jurisdiction"):
            out["area_id"] = r["jurisdiction"]
        self.dates(out, {"founding_date": r.get("founded"), "dissolution_date": r.get("dissolved")})
        return self.finish(out, r)

    def post(self, r: Record) -> dict[str, Any]:
        out = self.common(r, "label")
        out["other_label"] = [str(n["value"]) for n in r["names"]]
        out["organization_id"] = r["organization"]
        return self.finish(out, r)

    def membership(self, r: Record) -> dict[str, Any]:
        office = self.index.get(str(r["office"]), {})
        out: dict[str, Any] = {"id": r["id"]}
        title = display_name(office.get("names", ()))
        if title is not None:
            out["label"] = title
        if r.get("acting"):
            out["role"] = "acting"
        out["person_id"] = r["person"]
        out["post_id"] = r["office"]
        if office.get("organization"):
            out["organization_id"] = office["organization"]
        self.dates(out, {"start_date": r.get("start"), "end_date": r.get("end")})
        return self.finish(out, r)

    def event(self, r: Record) -> dict[str, Any]:
        out: dict[str, Any] = {"id": r["id"], "name": r["title"]}
        if r.get("summary"):
            out["description"] = r["summary"]
        start, end = plain_span(r["date"])
        if start is None:
            out["edtf"] = {"start_date": r["date"]}
        else:
            out["start_date"] = start
            if end is not None:
                out["end_date"] = end
        if r.get("place"):
            place = self.index.get(str(r["place"]), {})
            out["location"] = display_name(place.get("names", ())) or r["place"]
        out["status"] = current_status(r)
        out["classification"] = r["kind"]
        attendees = []
        for p in r.get("participants", ()):
            actor = self.index.get(str(p["actor"]))
            if actor is not None and actor["type"] == "person":
                attendees.append(self.common(actor))
        out["attendees"] = attendees
        if r.get("part_of"):
            out["parent_id"] = r["part_of"]
        return self.finish(out, r)

    def area(self, r: Record) -> dict[str, Any]:
        out = self.common(r)
        wikidata = [i["value"] for i in r.get("identifiers", ()) if i["scheme"] == "wikidata"]
        if wikidata:
            out["identifier"] = wikidata[0]
        out["classification"] = r["kind"]
        if r.get("parent"):
            out["parent_id"] = r["parent"]
        return self.finish(out, r)


#: Popolo collection → the record type it is made of.
COLLECTIONS = {
    "persons": "person",
    "organizations": "organization",
    "posts": "office",
    "memberships": "tenure",
    "events": "event",
    "areas": "place",
}


def document(header: Mapping[str, Any] | None, records: Sequence[Record]) -> dict[str, Any]:
    """The Popolo document as JSON data."""
    b = _Builder(records)
    groups = by_type(records)
    make = {
        "persons": b.person,
        "organizations": b.organization,
        "posts": b.post,
        "memberships": b.membership,
        "events": b.event,
        "areas": b.area,
    }
    out: dict[str, Any] = {}
    if header:
        out["meta"] = {k: v for k, v in header.items() if k != "type"}
    for collection, type_name in COLLECTIONS.items():
        out[collection] = [make[collection](r) for r in groups.get(type_name, [])]
    return out


def render(header: Mapping[str, Any] | None, records: Sequence[Record]) -> dict[str, bytes]:
    """``popolo.json``."""
    text = json.dumps(document(header, records), ensure_ascii=False, indent=2) + "\n"
    return {"popolo.json": text.encode("utf-8")}


__all__ = ["COLLECTIONS", "document", "render"]
