"""Parts shared by every record: names, identifiers, disputes, rule exceptions,
and the base fields (id, sources, notes, extensions)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any, ClassVar

import attrs

from ._fields import flag, opt, req, seq


class Extensions(Mapping[str, Any]):
    """A record's third-party fields (keys starting with ``x_``): a mapping
    that cannot be changed in place, as the frozen record holding it."""

    __slots__ = ("_items",)

    def __init__(self, items: Mapping[str, Any] | Iterable[tuple[str, Any]] = ()) -> None:
        self._items = dict(items)

    def __getitem__(self, key: str) -> Any:
        return self._items[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __repr__(self) -> str:
        return repr(self._items)

    def __reduce__(self) -> tuple[Any, ...]:
        return Extensions, (self._items,)


def _extensions(value: Mapping[str, Any]) -> Extensions:
    return value if isinstance(value, Extensions) else Extensions(value)


@attrs.frozen(slots=True, kw_only=True)
class Name:
    """A name of a person, organisation, office or place in one language or
    romanisation."""

    value: str = req("The name as written, e.g. 'Alyaksandr Lukashenka'.")
    lang: str = req(
        "BCP 47 tag: 'be', 'ru', 'en', 'be-Latn', 'ru-Latn' (romanisations), "
        "'be-Latn-x-lacinka' for Łacinka.",
        fmt="lang",
    )
    preferred: bool = flag("The name shown by default for this language.")
    sources: tuple[str, ...] = seq("Sources that use this form.", ref=("source",))


@attrs.frozen(slots=True, kw_only=True)
class Identifier:
    """An identifier in an external register, e.g. ``{scheme: wikidata, value: Q...}``."""

    scheme: str = req("The register: 'wikidata', 'viaf', ...")
    value: str = req("The identifier in that register.")
    sources: tuple[str, ...] = seq(
        "Sources that give this identifier for this record (the register's page or an equivalent).",
        ref=("source",),
    )


@attrs.frozen(slots=True, kw_only=True)
class Claim:
    """One value that one or more sources give for a disputed field."""

    value: Any = req("The value as the sources give it (any JSON value).")
    sources: tuple[str, ...] = seq(
        "The sources that give this value.", ref=("source",), min_items=1
    )
    note: str | None = opt("How this source came to the value, or why it is doubted.")


@attrs.frozen(slots=True, kw_only=True)
class Dispute:
    """Sources disagree about one field of this record: every value is kept
    with its sources. The record's own field holds the value the dataset uses,
    and ``resolution`` says why."""

    field: str = req("JSON Pointer, inside this record, of the disputed field, e.g. '/date'.")
    claims: tuple[Claim, ...] = seq("Each value with its sources; at least two.", min_items=2)
    resolution: str | None = opt("Which value the record uses and why, or why none is preferred.")


@attrs.frozen(slots=True, kw_only=True)
class RuleException:
    """A known, justified exception to one consistency rule for this record.
    The finding is still reported, marked as excepted."""

    rule: str = req("The rule code, e.g. 'US103'.")
    reason: str = req("Why the rule does not apply here, in a sentence.")


@attrs.frozen(slots=True, kw_only=True, repr=False)
class Record:
    """Fields every record has. Concrete record types set ``TYPE``."""

    TYPE: ClassVar[str] = ""
    #: Whether ``sources`` may be empty (only for Source records).
    SOURCES_OPTIONAL: ClassVar[bool] = False

    def __repr__(self) -> str:
        """Short: the class, the id and the record's name or title, e.g.
        ``<Person person/putin 'Vladimir Putin'>`` (every field: ``attrs.asdict``)."""
        names = getattr(self, "names", ())
        label = names[0].value if names else getattr(self, "title", None)
        shown = f" {label!r}" if label else ""
        return f"<{type(self).__name__} {self.id}{shown}>"

    def _repr_html_(self) -> str:
        """The record as a small HTML table, for notebooks."""
        from unionstate.queries import record_html

        return record_html(self)

    id: str = req("Stable id '<type>/<slug>', e.g. 'person/lukashenka'.", fmt="id")
    sources: tuple[str, ...] = seq(
        "Ids of the sources that back this record; at least one.", ref=("source",), min_items=1
    )
    notes: str | None = opt("Free-text notes for readers.")
    disputes: tuple[Dispute, ...] = seq("Fields on which sources disagree.")
    exceptions: tuple[RuleException, ...] = seq("Justified exceptions to consistency rules.")
    extensions: Mapping[str, Any] = attrs.field(
        factory=Extensions,
        converter=_extensions,
        hash=False,
        metadata={"description": "Third-party fields, serialised as keys starting with 'x_'."},
    )
