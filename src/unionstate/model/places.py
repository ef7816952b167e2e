"""Places: countries, cities, venues, each inside its parent."""

from __future__ import annotations

import enum

import attrs

from ._fields import opt, req, seq
from .common import Identifier, Name, Record


class PlaceKind(enum.StrEnum):
    UNION = "union"
    COUNTRY = "country"
    REGION = "region"
    CITY = "city"
    VENUE = "venue"
    OTHER = "other"


@attrs.frozen(slots=True, kw_only=True, repr=False)
class Place(Record):
    """A country, region, city or venue (e.g. the Independence Palace, Minsk)."""

    TYPE = "place"

    names: tuple[Name, ...] = seq("Every name form the sources use.", min_items=1)
    kind: PlaceKind = req("Country, region, city, venue, ...")
    parent: str | None = opt("The place this one lies in.", ref=("place",))
    identifiers: tuple[Identifier, ...] = seq("Identifiers in external registers.")
