"""The records as columns: what the consistency rules read, one table per
kind of fact, built from raw records (parsed JSON, names resolved, schema
valid) without making objects of them.

Every table's first column, ``id``, is the record the row belongs to; a
nested list becomes a long table with the item's position (``i``). Every date
is kept as its text and two day numbers, ``<name>_lo`` and ``<name>_hi``, the
earliest and latest day it may denote (:func:`unionstate.dates.parse`; an
open side widened to :data:`unionstate.dates.NEG` / :data:`~unionstate.dates.POS`),
null where the text is absent or not a date.

A large file is read in chunks, each chunk's rows built into tables where it
was read (:class:`Builder`), and the tables of all chunks joined end to end
(:meth:`Frames.concat`).
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Iterable, Mapping
from typing import Any

import attrs
import polars as pl

from unionstate import dates
from unionstate.model import RECORD_TYPES
from unionstate.references import Ref, refs_of

#: Text is held as categories: each distinct text once, a number a cell.
_STR, _INT, _BOOL = pl.Categorical, pl.Int64, pl.Boolean
#: Day numbers and positions in a list fit in 32 bits.
_DAY = _IDX = pl.Int32


def _dated(*names: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for n in names:
        out.update({n: _STR, f"{n}_lo": _DAY, f"{n}_hi": _DAY})
    return out


#: The tables and their columns.
SCHEMAS: dict[str, dict[str, Any]] = {
    "records": {"id": _STR, "type": _STR},
    "names": {"id": _STR, "label": _STR},
    "exceptions": {"id": _STR, "at": _IDX, "rule": _STR, "reason": _STR},
    "lives": {"id": _STR, "kind": _STR, **_dated("begin", "end")},
    "offices": {"id": _STR, "organization": _STR, "max_holders": _INT},
    "tenures": {
        "id": _STR,
        "person": _STR,
        "office": _STR,
        "acting": _BOOL,
        **_dated("start", "end"),
    },
    "events": {
        "id": _STR,
        "place": _STR,
        "attendance": _STR,
        "part_of": _STR,
        "final": _STR,
        "held": _BOOL,
        "statuses": _INT,
        **_dated("date"),
    },
    "participants": {"id": _STR, "i": _IDX, "actor": _STR, "office": _STR, "attendance": _STR},
    "statuses": {"id": _STR, "i": _IDX, "status": _STR, **_dated("date")},
    "statements": {
        "id": _STR,
        "speaker": _STR,
        "medium": _STR,
        "office": _STR,
        **_dated("date"),
    },
    "forecasts": {
        "id": _STR,
        "i": _IDX,
        "claim": _STR,
        "status": _STR,
        **_dated("deadline", "outcome"),
    },
    "lifecycle": {
        "id": _STR,
        "i": _IDX,
        "stage": _STR,
        **_dated("date"),
    },
    "sources": {"id": _STR, "url": _STR, "weak": _BOOL, **_dated("published")},
    # the ids listed in a nested item: field "statuses.sources", "lifecycle.sources",
    # "lifecycle.by", "forecasts.evidence" or "forecasts.outcome.sources", item i, place j
    "lists": {"id": _STR, "field": _STR, "i": _IDX, "j": _IDX, "value": _STR},
    "cited": {"id": _STR, "i": _IDX, "source": _STR},
    # every other record's id a record names, in any field: what it depends on
    "refs": {"id": _STR, "ref": _STR},
    "places": {"id": _STR, "kind": _STR, "parent": _STR},
    "parts": {"id": _STR, "parent": _STR},  # an organisation inside another
    "roadmaps": {"id": _STR, "programme": _STR, "number": _INT},
    "agreements": {"id": _STR, "declared": _INT},
}


@functools.lru_cache(maxsize=1 << 16)
def day_bounds(text: str | None) -> tuple[int, int] | None:
    """``(earliest, latest)`` day of an EDTF text, open sides widened to
    :data:`dates.NEG`/:data:`dates.POS`; ``None`` when absent or not a date."""
    if not isinstance(text, str):
        return None
    try:
        r = dates.parse(text)
    except dates.EDTFError:
        return None
    return (dates.NEG if r.lo is None else r.lo, dates.POS if r.hi is None else r.hi)


def _date(text: Any) -> tuple[Any, Any, Any]:
    b = day_bounds(text) if isinstance(text, str) else None
    return (text if isinstance(text, str) else None, *(b or (None, None)))


def _preferred(names: Any) -> str | None:
    best: str | None = None
    for n in names if isinstance(names, list) else ():
        if n.get("lang") == "en" and n.get("preferred"):
            return str(n["value"])
        if n.get("lang") == "en" and best is None:
            best = str(n["value"])
    return best


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


class Builder:
    """Rows of the tables, added a raw record at a time and turned into
    columns every :data:`BATCH` records, so that only a batch is ever held
    as Python objects."""

    BATCH = 4096

    def __init__(self) -> None:
        self.rows: dict[str, list[tuple[Any, ...]]] = {name: [] for name in SCHEMAS}
        self.parts: dict[str, list[pl.DataFrame]] = {name: [] for name in SCHEMAS}
        self.count = 0

    def add_all(self, records: Iterable[Mapping[str, Any]]) -> Builder:
        for data in records:
            self.add(data)
        return self

    def add(self, d: Mapping[str, Any], refs: Iterable[Ref] | None = None) -> None:
        """Add one raw record (a dict as read; names resolved), whose
        references are ``refs`` when the caller has them already."""
        rows = self.rows
        rid, t = d.get("id"), d.get("type")
        if not isinstance(rid, str) or not isinstance(t, str) or t not in RECORD_TYPES:
            return
        self.count += 1
        if self.count % self.BATCH == 0:
            self._flush()
        rows["records"].append((rid, t))
        label = _preferred(d.get("names"))
        if label is not None:
            rows["names"].append((rid, label))
        for i, e in enumerate(_list(d.get("exceptions"))):
            rows["exceptions"].append((rid, i, e.get("rule"), e.get("reason")))
        self.add_refs(d, refs)
        for i, sid in enumerate(_list(d.get("sources"))):
            rows["cited"].append((rid, i, sid))
        if t == "event":
            statuses = _list(d.get("statuses"))
            for i, st in enumerate(statuses):
                rows["statuses"].append((rid, i, st.get("status"), *_date(st.get("date"))))
                self._list(rid, "statuses.sources", i, st.get("sources"))
            for i, p in enumerate(_list(d.get("participants"))):
                rows["participants"].append(
                    (rid, i, p.get("actor"), p.get("office"), p.get("attendance"))
                )
            final = statuses[-1].get("status") if statuses else None
            held = any(s.get("status") == "held" for s in statuses)
            rows["events"].append(
                (
                    rid,
                    d.get("place"),
                    d.get("attendance"),
                    d.get("part_of"),
                    final,
                    held,
                    len(statuses),
                    *_date(d.get("date")),
                )
            )
        elif t == "statement":
            rows["statements"].append(
                (rid, d.get("speaker"), d.get("medium"), d.get("office"), *_date(d.get("date")))
            )
            for i, fc in enumerate(_list(d.get("forecasts"))):
                out = fc.get("outcome") or {}
                rows["forecasts"].append(
                    (
                        rid,
                        i,
                        fc.get("claim"),
                        out.get("status"),
                        *_date(fc.get("deadline")),
                        *_date(out.get("date")),
                    )
                )
                self._list(rid, "forecasts.evidence", i, out.get("evidence"))
                self._list(rid, "forecasts.outcome.sources", i, out.get("sources"))
        elif t == "tenure":
            rows["tenures"].append(
                (
                    rid,
                    d.get("person"),
                    d.get("office"),
                    bool(d.get("acting")),
                    *_date(d.get("start")),
                    *_date(d.get("end")),
                )
            )
        elif t in ("person", "organization"):
            begin, end = ("birth_date", "death_date") if t == "person" else ("founded", "dissolved")
            if d.get(begin) or d.get(end):
                rows["lives"].append((rid, t, *_date(d.get(begin)), *_date(d.get(end))))
            if t == "organization" and isinstance(d.get("parent"), str):
                rows["parts"].append((rid, d["parent"]))
        elif t == "office":
            rows["offices"].append((rid, d.get("organization"), d.get("max_holders", 1)))
        elif t == "source":
            rows["sources"].append(
                (rid, d.get("url"), bool(d.get("weak")), *_date(d.get("published")))
            )
        elif t == "place":
            rows["places"].append((rid, d.get("kind"), d.get("parent")))
        if t in ("agreement", "roadmap"):
            for i, step in enumerate(_list(d.get("lifecycle"))):
                rows["lifecycle"].append((rid, i, step.get("stage"), *_date(step.get("date"))))
                self._list(rid, "lifecycle.by", i, step.get("by"))
                self._list(rid, "lifecycle.sources", i, step.get("sources"))
            if t == "roadmap":
                rows["roadmaps"].append((rid, d.get("programme"), d.get("number")))
            else:
                rows["agreements"].append((rid, d.get("declared_roadmap_count")))

    def add_refs(self, d: Mapping[str, Any], refs: Iterable[Ref] | None = None) -> None:
        """Add only what a raw record refers to (its ``refs`` when the caller
        has them): all that is kept of a record the rules set aside, so that
        what it cites still counts as cited."""
        rid, t = d.get("id"), d.get("type")
        if not isinstance(rid, str) or not isinstance(t, str) or t not in RECORD_TYPES:
            return
        rows = self.rows["refs"]
        for _, ref, _ in refs_of(t, d) if refs is None else refs:
            if ref != rid:
                rows.append((rid, ref))

    def _list(self, rid: str, field: str, i: int, values: Any) -> None:
        if isinstance(values, list):
            rows = self.rows["lists"]
            for j, v in enumerate(values):
                rows.append((rid, field, i, j, v))

    def _flush(self) -> None:
        for name, rows in self.rows.items():
            if rows:
                schema = SCHEMAS[name]
                columns = zip(schema, zip(*rows, strict=True), strict=True)
                self.parts[name].append(
                    pl.DataFrame({c: pl.Series(c, v, dtype=schema[c]) for c, v in columns})
                )
                rows.clear()

    def build(self) -> Frames:
        """The tables of the records added so far."""
        self._flush()
        # one chunk per column: polars 2.1's streaming engine panicked ("i < self.len()")
        # on a part of many batches joined with the canonical data's tables
        tables = {
            name: pl.concat(parts, rechunk=True) if parts else pl.DataFrame(schema=SCHEMAS[name])
            for name, parts in self.parts.items()
        }
        for parts in self.parts.values():
            parts.clear()
        return Frames(tables)


@attrs.frozen
class Frames:
    """The tables of one dataset (see :data:`SCHEMAS`), and, when it is
    checked together with reference data (the canonical data), the last day
    that data knows of (``horizon``, a day number): beyond it, the
    reference's tenures are unknown."""

    tables: dict[str, pl.DataFrame]
    horizon: int | None = None

    def __getitem__(self, name: str) -> pl.DataFrame:
        return self.tables[name]

    @classmethod
    def of(cls, records: Iterable[Mapping[str, Any]]) -> Frames:
        """The tables of these raw records."""
        return Builder().add_all(records).build()

    @classmethod
    def concat(cls, parts: Iterable[Frames]) -> Frames:
        """The tables of several parts, end to end."""
        parts = list(parts)
        if not parts:
            return Builder().build()
        return cls({n: pl.concat([p.tables[n] for p in parts], rechunk=False) for n in SCHEMAS})

    def ids(self) -> pl.Series:
        """Every record id."""
        return self.tables["records"]["id"]

    def without(self, ids: pl.Series | Collection[str], keep: Collection[str] = ()) -> Frames:
        """These tables without the rows of the records ``ids`` (but for
        the tables named in ``keep``)."""
        ids = ids if isinstance(ids, pl.Series) else pl.Series(list(ids), dtype=_STR)
        return Frames(
            {
                n: t if n in keep else t.filter(~pl.col("id").is_in(ids.implode()))
                for n, t in self.tables.items()
            },
            self.horizon,
        )

    def until(self, as_of: str, day: int) -> Frames:
        """These tables as reference data known up to ``as_of`` (whose last
        day is ``day``): a tenure without an end has ended on some day
        from then on, or not at all."""
        ongoing = pl.col("end").is_null()
        tenures = self.tables["tenures"].with_columns(
            end=pl.when(ongoing).then(pl.lit(f"{as_of}/..")).otherwise(pl.col("end")).cast(_STR),
            end_lo=pl.when(ongoing).then(pl.lit(day, _DAY)).otherwise(pl.col("end_lo")),
            end_hi=pl.when(ongoing).then(pl.lit(dates.POS, _DAY)).otherwise(pl.col("end_hi")),
        )
        return Frames({**self.tables, "tenures": tenures}, day)

    def labels(self, ids: Iterable[str | None]) -> dict[str, str]:
        """``'Prime Minister of Russia (office/prime-minister-of-russia)'`` for
        each of ``ids`` (the bare id when the record has no English name)."""
        wanted = {i for i in ids if i is not None}
        names = self.tables["names"].filter(pl.col("id").is_in(list(wanted)))
        known = dict(names.unique("id", keep="first", maintain_order=True).iter_rows())
        return {i: f"{known[i]} ({i})" if i in known else i for i in wanted}


def text(template: str, *columns: str | pl.Expr) -> pl.Expr:
    """Text made from ``template`` with each ``{}`` replaced by the next of
    ``columns`` (a name or an expression), e.g. ``text("/statuses/{}", "i")``
    gives ``'/statuses/3'``; null where a column is null.

    ``pl.format`` means the same, but polars 2.1's streaming engine panics on
    it over a table joined from several parts (a third-party file checked
    against the canonical data), so the rules use this."""
    pieces = template.split("{}")
    if len(pieces) != len(columns) + 1:
        raise ValueError(f"{template!r} has {len(pieces) - 1} placeholders, not {len(columns)}")
    parts: list[pl.Expr] = []
    for lit, col in zip(pieces, [*columns, None], strict=True):
        if lit:
            parts.append(pl.lit(lit))
        if col is not None:
            parts.append((pl.col(col) if isinstance(col, str) else col).cast(pl.String))
    return pl.concat_str(parts)


# --- the tri-state comparisons of unionstate.dates, on columns -------------------

#: :class:`unionstate.dates.Truth` values as numbers: the larger, the surer.
NO, MAYBE, YES = 0, 1, 2

Span = tuple[pl.Expr, pl.Expr]


def span(name: str, suffix: str = "") -> Span:
    """The day bounds ``(<name>_lo<suffix>, <name>_hi<suffix>)`` of a date."""
    return pl.col(f"{name}_lo{suffix}"), pl.col(f"{name}_hi{suffix}")


def before(a: Span, b: Span) -> pl.Expr:
    """:func:`unionstate.dates.before` on bounds: YES iff ``a.hi < b.lo``, NO
    iff ``a.lo >= b.hi``, else MAYBE."""
    return pl.when(a[1] < b[0]).then(YES).when(a[0] >= b[1]).then(NO).otherwise(MAYBE)


def within(x: Span, slo: pl.Expr, shi: pl.Expr, elo: pl.Expr, ehi: pl.Expr) -> pl.Expr:
    """:func:`unionstate.dates.within_days`: is x inside the period whose
    start is ``slo..shi`` and end ``elo..ehi``?"""
    xlo, xhi = x
    return (
        pl.when((shi <= xlo) & (xhi <= elo))
        .then(YES)
        .when((xhi < slo) | (xlo > ehi) | (slo > ehi))
        .then(NO)
        .otherwise(MAYBE)
    )


def start_span(name: str) -> Span:
    """The bounds of a period start: absent or not a date, unknown (any day)."""
    lo, hi = span(name)
    return lo.fill_null(dates.NEG), hi.fill_null(dates.POS)


def end_span(name: str) -> Span:
    """The bounds of a period end: absent, still ongoing (after every day);
    not a date, unknown."""
    lo, hi = span(name)
    ongoing = pl.col(name).is_null()
    return (
        pl.when(ongoing).then(dates.POS).otherwise(lo.fill_null(dates.NEG)),
        pl.when(ongoing).then(dates.POS).otherwise(hi.fill_null(dates.POS)),
    )


def show(lo: int, hi: int) -> str:
    """Bounds for a message: the ISO day(s), 'unknown' or 'ongoing'."""
    if lo == hi == dates.POS:
        return "ongoing"
    if lo <= dates.NEG and hi >= dates.POS:
        return "unknown"
    if hi >= dates.POS:
        return f"{dates.format_day(lo)} or later"
    if lo <= dates.NEG:
        return f"{dates.format_day(hi)} or earlier"
    a, b = dates.format_day(lo), dates.format_day(hi)
    return a if a == b else f"{a}..{b}"


def as_of_span(as_of: dates.DateRange) -> tuple[int, int]:
    """The bounds of the as-of day."""
    return (
        dates.NEG if as_of.lo is None else as_of.lo,
        dates.POS if as_of.hi is None else as_of.hi,
    )


def first(table: pl.DataFrame) -> pl.DataFrame:
    """The first row of each ``id``, in order: what the rules read of a
    record whose id is repeated (the repeat is reported as US020)."""
    return table.filter(pl.col("id").is_first_distinct())


def persons(frames: Frames) -> pl.DataFrame:
    """The ids of the persons (the first record of each id is a person)."""
    return first(frames["records"]).filter(pl.col("type") == "person").select("id")
