"""Actors: persons and organisations."""

from __future__ import annotations

import enum

import attrs

from ._fields import opt, req, seq
from .common import Identifier, Name, Record


@attrs.frozen(slots=True, kw_only=True, repr=False)
class Person(Record):
    """A natural person. All spellings of a name (Lukashenka, Lukashenko,
    Лукашэнка, Лукашенко) are names of one Person."""

    TYPE = "person"

    names: tuple[Name, ...] = seq("Every name form the sources use.", min_items=1)
    birth_date: str | None = opt("Date of birth (EDTF).", fmt="edtf")
    death_date: str | None = opt("Date of death (EDTF).", fmt="edtf")
    identifiers: tuple[Identifier, ...] = seq("Identifiers in external registers.")


class OrganizationKind(enum.StrEnum):
    STATE = "state"
    UNION = "union"
    GOVERNMENT = "government"
    COUNCIL = "council"
    PARLIAMENT = "parliament"
    MINISTRY = "ministry"
    EMBASSY = "embassy"
    PRESS_SERVICE = "press_service"
    MEDIA = "media"
    OPPOSITION_BODY = "opposition_body"
    INTERGOVERNMENTAL_BODY = "intergovernmental_body"
    WORKING_GROUP = "working_group"
    OTHER = "other"


@attrs.frozen(slots=True, kw_only=True, repr=False)
class Organization(Record):
    """A state, government, council, press service, media outlet, opposition
    body or any other organisation."""

    TYPE = "organization"

    names: tuple[Name, ...] = seq("Every name form the sources use.", min_items=1)
    kind: OrganizationKind = req("What kind of organisation it is.")
    jurisdiction: str | None = opt("The country or union it belongs to.", ref=("place",))
    parent: str | None = opt("The organisation it is part of.", ref=("organization",))
    founded: str | None = opt("Founding date (EDTF).", fmt="edtf")
    dissolved: str | None = opt("Dissolution date (EDTF).", fmt="edtf")
    identifiers: tuple[Identifier, ...] = seq("Identifiers in external registers.")
