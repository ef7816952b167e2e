"""What the exports share: a record's display label, plain dates out of EDTF
values, an event's current status, and the sources behind a record."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

Record = Mapping[str, Any]

_PLAIN = re.compile(r"[0-9]{4}(-[0-9]{2}){0,2}")


def display_name(names: Sequence[Mapping[str, Any]]) -> str | None:
    """The name shown by default: the preferred English one, else any
    English, else any preferred, else the first; ``None`` without names."""
    if not names:
        return None

    def rank(n: Mapping[str, Any]) -> tuple[bool, bool]:
        lang = str(n.get("lang", ""))
        return (lang != "en" and not lang.startswith("en-"), not n.get("preferred", False))

    return str(min(names, key=rank)["value"])


def label(record: Record) -> str:
    """A record's display label: its name, else its title, else its id."""
    name = display_name(record.get("names", ()))
    if name is not None:
        return name
    return str(record.get("title") or record.get("id"))


def plain_date(value: str | None) -> str | None:
    """``value`` when it is a plain day, month or year (``2019-09-01``,
    ``2019-09``, ``2019``); ``None`` for an uncertain, approximate or open
    value, or an interval."""
    if value is not None and _PLAIN.fullmatch(value):
        return value
    return None


def plain_span(value: str | None) -> tuple[str | None, str | None]:
    """A plain date, or a closed interval of two, as ``(start, end)``;
    ``(None, None)`` when the value cannot be said as plain dates."""
    if value is None:
        return None, None
    if "/" in value:
        lo, hi = value.split("/", 1)
        if plain_date(lo) and plain_date(hi):
            return lo, hi
        return None, None
    return plain_date(value), None


def current_status(event: Record) -> str | None:
    """An event's latest status (the last of its history)."""
    statuses = event.get("statuses") or ()
    return str(statuses[-1]["status"]) if statuses else None


def by_id(records: Iterable[Record]) -> dict[str, Record]:
    """The records by id."""
    return {str(r["id"]): r for r in records}


def by_type(records: Iterable[Record]) -> dict[str, list[Record]]:
    """The records of each type, sorted by id."""
    out: dict[str, list[Record]] = {}
    for r in sorted(records, key=lambda r: str(r["id"])):
        out.setdefault(str(r["type"]), []).append(r)
    return out


__all__ = [
    "by_id",
    "by_type",
    "current_status",
    "display_name",
    "label",
    "plain_date",
    "plain_span",
]
