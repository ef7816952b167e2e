"""The questions analysts ask of a :class:`~unionstate.Dataset`, as methods.

```python
>>> import unionstate
>>> ds = unionstate.load()
>>> ds.label("person/lukashenka")
'Alyaksandr Lukashenka'
>>> [t.person for t in ds.holders("office/prime-minister-of-belarus", between=("2020", "2020"))]
['person/rumas', 'person/halouchanka']
>>> len(ds.meetings("person/lukashenka", "person/putin", between=("2022", "2022"))) > 10
True

```

Every date argument is EDTF text (``"2022"``, ``"2021-04"``, ``"2021-04-16"``), a
``datetime.date`` or a :class:`~unionstate.dates.DateRange`; a period is a pair of them,
both ends included. Answers are in date order, then id order.
"""

from __future__ import annotations

import datetime
import html
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any, Literal, TypeVar

import attrs

from unionstate import dates
from unionstate.model import (
    Agreement,
    Event,
    Forecast,
    Name,
    Place,
    Record,
    Roadmap,
    Source,
    Stage,
    Statement,
    Tenure,
)

if TYPE_CHECKING:
    from unionstate.dataset import DateLike

ForecastState = Literal["met", "missed", "open"]

#: The columns of :meth:`Queries.frame`'s tables that hold EDTF dates.
DATE_COLUMNS = frozenset(
    {
        "date",
        "start",
        "end",
        "birth_date",
        "death_date",
        "founded",
        "dissolved",
        "published",
        "deadline",
        "outcome_date",
    }
)
R = TypeVar("R", bound=Record)


@attrs.frozen(slots=True)
class ForecastView:
    """One forecast of a statement, with what became of it.

    ``state`` is ``met`` or ``missed`` when the outcome says so, else ``open`` (no outcome,
    or ``pending``/``unknown``). ``delay_days`` is the outcome's latest day minus the
    deadline's latest day (negative: early), where both are known."""

    statement: Statement
    forecast: Forecast
    state: ForecastState
    delay_days: int | None

    @property
    def deadline(self) -> str:
        return self.forecast.deadline

    @property
    def claim(self) -> str:
        return self.forecast.claim


def _lo(text: str | None) -> int:
    """A date's sort key: its earliest day (its latest for an open start; 0 when absent)."""
    if text is None:
        return 0
    r = dates.parse(text)
    return r.lo if r.lo is not None else (r.hi or 0)


def _period(between: tuple[DateLike, DateLike]) -> tuple[int, int]:
    from unionstate.dataset import as_range

    lo, hi = as_range(between[0]), as_range(between[1])
    return (lo.lo if lo.lo is not None else -(10**9), hi.hi if hi.hi is not None else 10**9)


def _overlaps(text: str | None, lo: int, hi: int) -> bool:
    """Whether a date (absent: no) may fall in [lo, hi]."""
    if text is None:
        return False
    r = dates.parse(text)
    first = r.lo if r.lo is not None else -(10**9)
    last = r.hi if r.hi is not None else 10**9
    return first <= hi and last >= lo


def _ids_in(value: Any) -> Iterator[str]:
    """Every source id cited anywhere inside a record (its own and its parts')."""
    if attrs.has(type(value)):
        for f in attrs.fields(type(value)):
            v = getattr(value, f.name)
            if f.name == "sources" and isinstance(v, tuple):
                yield from (s for s in v if isinstance(s, str))
            elif isinstance(v, tuple):
                for item in v:
                    yield from _ids_in(item)
            elif attrs.has(type(v)):
                yield from _ids_in(v)


class Queries:
    """The query methods of :class:`~unionstate.Dataset` (mixed in)."""

    __slots__ = ()

    if TYPE_CHECKING:  # what the Dataset provides
        from unionstate.model import DatasetInfo

        info: DatasetInfo
        _by_id: dict[str, Record]

        def get(self, record_id: str) -> Record: ...
        def find(self, name: str, cls: type[Any] | None = None) -> list[Record]: ...
        def all(self, cls: type[R]) -> list[R]: ...
        def tenures(
            self, *, office: str | None = None, person: str | None = None
        ) -> list[Tenure]: ...
        def events(
            self,
            *,
            between: tuple[DateLike, DateLike] | None = None,
            involving: str | None = None,
        ) -> list[Event]: ...
        def counts(self) -> dict[str, int]: ...
        def resolve(self, name: str, *, actor: bool = False) -> str: ...
        def to_raw(self) -> tuple[dict[str, Any], list[dict[str, Any]]]: ...
        def __len__(self) -> int: ...

    # -- labels and sources ------------------------------------------------
    def label(self, record_id: str) -> str:
        """A record's display label: its preferred English or Latin name, else any
        preferred name, else its title, else its id."""
        rec = self.get(record_id)
        names: tuple[Name, ...] = getattr(rec, "names", ())
        if names:

            def rank(n: Name) -> tuple[int, bool]:
                order = 0 if n.lang == "en" else 1 if n.lang.endswith("-Latn") else 2
                return (order, not n.preferred)

            return min(names, key=rank).value
        title = getattr(rec, "title", None)
        return str(title) if title else rec.id

    def sources_of(self, record_id: str) -> list[Source]:
        """Every source behind a record: its own ``sources`` and those of its parts
        (names, statuses, lifecycle steps, outcomes, identifiers, disputes), once each."""
        seen = dict.fromkeys(_ids_in(self.get(record_id)))
        return [s for s in (self._by_id.get(i) for i in seen) if isinstance(s, Source)]

    # -- offices -------------------------------------------------------------
    def holders(
        self,
        office: str,
        *,
        between: tuple[DateLike, DateLike],
        possibly: bool = True,
    ) -> list[Tenure]:
        """The tenures of an office (an id or a title) that fall in a period: those that
        definitely do, and with ``possibly`` (the default) also those whose coarse dates
        may."""
        office_id = office if office in self._by_id else self.find(office)[0].id
        lo, hi = _period(between)
        out = []
        for t in self.tenures(office=office_id):
            start = dates.parse(t.start) if t.start else None
            end = dates.parse(t.end) if t.end else None
            first = start.lo if start and start.lo is not None else -(10**9)
            last = end.hi if end and end.hi is not None else 10**9
            if not possibly:
                first = start.hi if start and start.hi is not None else first
                last = end.lo if end and end.lo is not None else last
            if first <= hi and last >= lo:
                out.append(t)
        return sorted(out, key=lambda t: (_lo(t.start), t.id))

    # -- events --------------------------------------------------------------
    def meetings(
        self,
        *actors: str,
        between: tuple[DateLike, DateLike] | None = None,
        kind: str | Iterable[str] | None = None,
        status: str | Iterable[str] | None = None,
        place: str | None = None,
        in_person: bool | None = None,
    ) -> list[Event]:
        """Events at which every one of ``actors`` (ids or names) took part, filtered by
        period, kind(s), last status(es), place (the place or any place inside it) and
        whether all of them were there in person (``attendance`` of the participant, else
        of the event; a phone call never is)."""
        wanted = [self.resolve(a, actor=True) for a in actors]
        kinds = {kind} if isinstance(kind, str) else set(kind or ())
        statuses = {status} if isinstance(status, str) else set(status or ())
        where = (
            None if place is None else (place if place in self._by_id else self.find(place)[0].id)
        )
        evs = self.events(between=between) if between is not None else self.all(Event)
        out = []
        for e in evs:
            present = {p.actor: p for p in e.participants}
            if not all(a in present for a in wanted):
                continue
            if kinds and e.kind not in kinds:
                continue
            if statuses and e.statuses[-1].status not in statuses:
                continue
            if where is not None and not self._inside(e.place, where):
                continue
            if in_person is not None:
                here = e.kind != "phone_call" and all(
                    (present[a].attendance or e.attendance or "in_person") == "in_person"
                    for a in wanted
                )
                if here != in_person:
                    continue
            out.append(e)
        return sorted(out, key=lambda e: (_lo(e.date), e.id))

    def _inside(self, place: str | None, area: str) -> bool:
        seen: set[str] = set()
        while place is not None and place not in seen:
            if place == area:
                return True
            seen.add(place)
            rec = self._by_id.get(place)
            place = rec.parent if isinstance(rec, Place) else None
        return False

    # -- statements and forecasts ----------------------------------------------
    def statements(
        self,
        *,
        speaker: str | None = None,
        about: str | None = None,
        topic: str | None = None,
        between: tuple[DateLike, DateLike] | None = None,
    ) -> list[Statement]:
        """Statements by a speaker (an id or a name), about a record (an id), whose
        summary or quote mentions ``topic`` (case- and accent-insensitive), in a period."""
        from unionstate.names import fold

        who = None
        if speaker is not None:
            who = self.resolve(speaker, actor=True)
        lo, hi = _period(between) if between is not None else (-(10**9), 10**9)
        needle = fold(topic) if topic else None
        out = []
        for s in self.all(Statement):
            if who is not None and s.speaker != who:
                continue
            if about is not None and about not in s.about:
                continue
            if needle is not None and needle not in fold(f"{s.summary} {s.quote or ''}"):
                continue
            if not _overlaps(s.date, lo, hi):
                continue
            out.append(s)
        return sorted(out, key=lambda s: (_lo(s.date), s.id))

    def forecasts(
        self,
        *,
        state: ForecastState | None = None,
        about: str | None = None,
        speaker: str | None = None,
        due: tuple[DateLike, DateLike] | None = None,
    ) -> list[ForecastView]:
        """Every forecast (a claim with a deadline) with its state (met, missed or open)
        and delay in days, by deadline: of a speaker (an id or a name), about a record
        (an id), whose deadline may fall in the period ``due``."""
        who = None
        if speaker is not None:
            who = self.resolve(speaker, actor=True)
        lo, hi = _period(due) if due is not None else (-(10**9), 10**9)
        out = []
        for s in self.all(Statement):
            if who is not None and s.speaker != who:
                continue
            for f in s.forecasts:
                if about is not None and about not in f.about and about not in s.about:
                    continue
                if not _overlaps(f.deadline, lo, hi):
                    continue
                o = f.outcome
                st: ForecastState = "open"
                if o is not None and o.status in ("met", "missed"):
                    st = "met" if o.status == "met" else "missed"
                delay = None
                if o is not None and o.date:
                    end, done = dates.parse(f.deadline).hi, dates.parse(o.date).hi
                    if end is not None and done is not None:
                        delay = done - end
                if state is None or st == state:
                    out.append(ForecastView(s, f, st, delay))
        return sorted(out, key=lambda v: (_lo(v.deadline), v.statement.id))

    # -- programmes -----------------------------------------------------------
    def roadmaps(self, programme: str | None = None) -> list[Roadmap]:
        """Road maps and union programmes, of one programme (an agreement id) if given, by
        number then id."""
        rms = [r for r in self.all(Roadmap) if programme is None or r.programme == programme]
        return sorted(rms, key=lambda r: (r.number is None, r.number or 0, r.id))

    def agreements(
        self,
        *,
        between: tuple[DateLike, DateLike] | None = None,
        kind: str | Iterable[str] | None = None,
        reached: Iterable[str] = (),
        not_reached: Iterable[str] = (),
    ) -> list[Agreement]:
        """Agreements with a lifecycle step in a period (all, without one), of given
        kind(s), that reached every stage of ``reached`` and none of ``not_reached``
        (``reached=["signed"], not_reached=["in_force"]``: signed, and no source says it
        entered into force), by first step."""
        kinds = {kind} if isinstance(kind, str) else set(kind or ())
        want, unwanted = set(reached), set(not_reached)
        if bad := sorted((want | unwanted) - set(Stage)):
            raise ValueError(f"no lifecycle stage {bad[0]!r}; stages: {', '.join(Stage)}")
        ags = [
            a
            for a in self.all(Agreement)
            if (not kinds or a.kind in kinds)
            and want <= (stages := {s.stage for s in a.lifecycle})
            and not unwanted & stages
        ]
        if between is not None:
            lo, hi = _period(between)
            ags = [a for a in ags if any(_overlaps(s.date, lo, hi) for s in a.lifecycle)]
        return sorted(
            ags, key=lambda a: (_lo(next((s.date for s in a.lifecycle if s.date), None)), a.id)
        )

    # -- DataFrames ---------------------------------------------------------------
    def frame(self, table: str) -> Any:
        """One table as a pandas DataFrame (``pip install 'unionstate[pandas]'``).

        ``table`` is a record type's table (``persons``, ``events``, ``tenures``, ...) or a
        nested one joinable by id (``participants``, ``statuses``, ``lifecycle``,
        ``forecasts``, ``names``, ``citations``): the tables of the SQLite export, listed in
        docs/cli.md. Every EDTF date column ``c`` keeps its text and gains ``c_earliest``
        and ``c_latest``, the first and last day it allows (``datetime64``; empty where
        open or unknown)."""
        try:
            import pandas as pd
        except ImportError:  # pragma: no cover - depends on the extra
            raise ImportError(
                "Dataset.frame needs pandas: pip install 'unionstate[pandas]'"
            ) from None
        from unionstate.export.relational import relational_tables

        _, records = self.to_raw()
        tables = {t.name: t for t in relational_tables(records)}
        if table not in tables:
            raise KeyError(f"no table {table!r}; tables: {', '.join(sorted(tables))}")
        t = tables[table]
        df = pd.DataFrame(list(t.rows), columns=[f.name for f in t.fields])
        for col in [c for c in df.columns if c in DATE_COLUMNS]:
            bounds = [days(v) if isinstance(v, str) and v else (None, None) for v in df[col]]
            df[f"{col}_earliest"] = pd.to_datetime([b[0] for b in bounds])
            df[f"{col}_latest"] = pd.to_datetime([b[1] for b in bounds])
        return df

    # -- notebooks --------------------------------------------------------------
    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><td>{html.escape(t)}</td><td>{n}</td></tr>"
            for t, n in sorted(self.counts().items())
        )
        title = html.escape(f"{self.info.name} {self.info.version or ''}".strip())
        return (
            f"<div><strong>{title}</strong>, as of {html.escape(self.info.as_of or '?')}: "
            f"{len(self)} records<table><tr><th>type</th><th>records</th></tr>{rows}</table></div>"
        )


def record_html(record: Record) -> str:
    """A record as a small HTML table of its set fields (for notebooks)."""
    from unionstate.converter import unstructure

    cells = []
    for key, value in unstructure(record).items():
        shown = value if isinstance(value, str) else repr(value)
        if len(shown) > 200:
            shown = shown[:199] + "…"
        cells.append(f"<tr><th>{html.escape(key)}</th><td>{html.escape(shown)}</td></tr>")
    return f"<table>{''.join(cells)}</table>"


def days(text: str) -> tuple[datetime.date | None, datetime.date | None]:
    """The earliest and latest day an EDTF date allows (``None``: open)."""
    r = dates.parse(text)
    lo = datetime.date.fromordinal(r.lo) if r.lo is not None else None
    hi = datetime.date.fromordinal(r.hi) if r.hi is not None else None
    return lo, hi
