"""Sources: the published pages that back every fact."""

from __future__ import annotations

import attrs

from ._fields import opt, req, seq
from .common import Record


@attrs.frozen(slots=True, kw_only=True, repr=False)
class Source(Record):
    """A published page. ``quote`` holds the words that back the facts citing
    it; ``sources`` may be empty on a Source."""

    TYPE = "source"
    SOURCES_OPTIONAL = True

    url: str = req("Address of the page as seen.", fmt="uri")
    title: str = req("Title as printed.")
    publisher: str = req("Who published it, e.g. 'Belsat'.")
    publisher_org: str | None = opt(
        "The publisher as an organisation record.", ref=("organization",)
    )
    published: str | None = opt("Publication date (EDTF), as printed or inferred.", fmt="edtf")
    language: str = req("Language of the page (BCP 47).", fmt="lang")
    quote: str | None = opt("Words of the page that back the facts citing it.")
    weak: bool = attrs.field(
        default=False,
        metadata={"description": "An aggregator or mirror: weaker than the original."},
    )
    sources: tuple[str, ...] = seq(
        "Sources this one relies on (e.g. the original of a mirror).", ref=("source",)
    )
