"""Offices (posts) and tenures (who held a post from when to when)."""

from __future__ import annotations

import enum

import attrs

from ._fields import flag, opt, req, seq
from .common import Identifier, Name, Record


@attrs.frozen(slots=True, kw_only=True, repr=False)
class Office(Record):
    """A post such as 'President of Belarus' or 'Ambassador of Belarus to
    Russia'. Its names include the titles as written in sources ('Russian PM')."""

    TYPE = "office"

    names: tuple[Name, ...] = seq("The title in each language, and variants.", min_items=1)
    organization: str = req("The organisation the post belongs to.", ref=("organization",))
    max_holders: int = attrs.field(
        default=1,
        metadata={"description": "How many people may hold it at once.", "minimum": 1},
    )
    identifiers: tuple[Identifier, ...] = seq("Identifiers in external registers.")


class TenureStart(enum.StrEnum):
    APPOINTED = "appointed"
    ELECTED = "elected"
    INAUGURATED = "inaugurated"
    ACTING = "acting"
    REAPPOINTED = "reappointed"
    OTHER = "other"


class TenureEnd(enum.StrEnum):
    RESIGNED = "resigned"
    DISMISSED = "dismissed"
    DIED = "died"
    TERM_ENDED = "term_ended"
    REPLACED = "replaced"
    RETIRED = "retired"
    OTHER = "other"


@attrs.frozen(slots=True, kw_only=True, repr=False)
class Tenure(Record):
    """One person holding one office from ``start`` to ``end`` (open when
    ``end`` is absent: still in office as of the dataset's ``as_of``)."""

    TYPE = "tenure"

    person: str = req("Who held the office.", ref=("person",))
    office: str = req("The office held.", ref=("office",))
    start: str | None = opt("First day in office (EDTF); absent when unknown.", fmt="edtf")
    end: str | None = opt("Last day in office (EDTF); absent while ongoing.", fmt="edtf")
    start_reason: TenureStart | None = opt("How the tenure began.")
    end_reason: TenureEnd | None = opt("How the tenure ended.")
    acting: bool = flag("An acting (interim) holder; may overlap a substantive holder.")
