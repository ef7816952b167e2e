"""What every rule sees: the dataset, its ``as_of`` day, and indexes built
once, in one pass over the records, so that no rule compares all pairs.

Dates inside the rules are handled two ways:

* :mod:`unionstate.dates` comparisons on :class:`~unionstate.dates.DateRange`
  values, where its conventions fit (``within``: a ``None`` start is "since
  forever", a ``None`` end "still ongoing");
* :class:`Bounds` ``(lo, hi)`` pairs of day ordinals with :func:`lt`, where a
  period start may be *unknown* (``(NEG, POS)``) or an end *ongoing*
  (``(POS, POS)``), which ``DateRange`` cannot say.
"""

from __future__ import annotations

import functools
from collections import ChainMap, defaultdict
from collections.abc import Iterable, Iterator, Mapping, MutableMapping
from typing import TypeVar, cast

import attrs

from unionstate import dates
from unionstate.dataset import Dataset
from unionstate.dates import MAYBE, NO, YES, DateRange, Truth
from unionstate.model import (
    Agreement,
    Event,
    EventStatus,
    Name,
    Organization,
    Person,
    Place,
    PlaceKind,
    Record,
    Roadmap,
    Source,
    Statement,
    Tenure,
)
from unionstate.report import Finding, Severity

R = TypeVar("R", bound=Record)
_K = TypeVar("_K")
_V = TypeVar("_V")

#: Below and above every day ordinal.
NEG = 0
POS = 10**7
Bounds = tuple[int, int]
UNKNOWN: Bounds = (NEG, POS)
ONGOING: Bounds = (POS, POS)


def _parse_opt(text: str | None) -> DateRange | None:
    if text is None:
        return None
    try:
        return dates.parse(text)
    except (dates.EDTFError, TypeError):
        return None


_parse_opt_cached = functools.lru_cache(maxsize=65536)(_parse_opt)


def parse_opt(text: str | None) -> DateRange | None:
    """The range of an EDTF text; ``None`` when absent or not valid (the schema
    stage reports invalid dates, the rules skip them). Cached: the rules ask
    for the same dates many times."""
    try:
        return _parse_opt_cached(text)
    except TypeError:  # unhashable: not a date
        return None


def bounds(r: DateRange) -> Bounds:
    """``(lo, hi)`` of a range, open sides widened to ``NEG``/``POS``."""
    return (NEG if r.lo is None else r.lo, POS if r.hi is None else r.hi)


def _start_bounds(text: str | None) -> Bounds:
    r = parse_opt(text)
    return UNKNOWN if r is None else bounds(r)


def _end_bounds(text: str | None) -> Bounds:
    if text is None:
        return ONGOING
    r = parse_opt(text)
    return UNKNOWN if r is None else bounds(r)


_start_cached = functools.lru_cache(maxsize=65536)(_start_bounds)
_end_cached = functools.lru_cache(maxsize=65536)(_end_bounds)


def start_bounds(text: str | None) -> Bounds:
    """Bounds of a period start; absent = unknown."""
    return _start_cached(text)


def end_bounds(text: str | None) -> Bounds:
    """Bounds of a period end; absent = still ongoing (after every day)."""
    return _end_cached(text)


def lt(a: Bounds, b: Bounds) -> Truth:
    """Is a's true day strictly before b's? (``dates.before`` on bounds.)"""
    if a[1] < b[0]:
        return YES
    return NO if a[0] >= b[1] else MAYBE


def show(b: Bounds) -> str:
    """A bound for a message: the ISO day(s), 'unknown' or 'ongoing'."""
    if b == ONGOING:
        return "ongoing"
    if b[0] <= NEG or b[1] >= POS:
        return "unknown"
    lo, hi = dates.format_day(b[0]), dates.format_day(b[1])
    return lo if lo == hi else f"{lo}..{hi}"


#: The record types of which a large dataset has many, checked a shard at a
#: time (:meth:`Context.shard`); every other type is held whole.
BULK: tuple[type[Record], ...] = (Event, Statement)
#: Their ``type`` names, as in raw records.
BULK_TYPES: tuple[str, ...] = tuple(c.TYPE for c in BULK)

#: Statuses after which an event's story is over.
TERMINAL = frozenset({EventStatus.HELD, EventStatus.CANCELLED, EventStatus.DID_NOT_TAKE_PLACE})
#: Statuses that only say what is to come.
PROSPECTIVE = frozenset({EventStatus.ANNOUNCED, EventStatus.SCHEDULED})


def final_status(event: Event) -> EventStatus | None:
    """The event's latest status, ``None`` when it has none."""
    return event.statuses[-1].status if event.statuses else None


_DID_NOT_HAPPEN = frozenset({EventStatus.CANCELLED, EventStatus.DID_NOT_TAKE_PLACE})


def did_not_happen(event: Event) -> bool:
    """The event's story ends in cancelled or did-not-take-place."""
    return final_status(event) in _DID_NOT_HAPPEN


def _tenure_key(t: Tenure) -> tuple[int, str]:
    return (start_bounds(t.start)[0], t.id)


def _preferred(names: Iterable[Name]) -> str | None:
    best: str | None = None
    for n in names:
        if n.lang == "en" and n.preferred:
            return n.value
        if n.lang == "en" and best is None:
            best = n.value
    return best


@attrs.frozen(slots=True, kw_only=True)
class Context:
    """The dataset, ``as_of``, and indexes; build it with :meth:`build`."""

    dataset: Dataset
    as_of: DateRange | None
    #: Every record by id (the first of duplicates; US020 reports the rest).
    by_id: Mapping[str, Record]
    #: Records by class, in input order.
    by_type: Mapping[type[Record], tuple[Record, ...]]
    #: Tenures of an office, by start (unknown starts first), then id.
    tenures_by_office: Mapping[str, tuple[Tenure, ...]]
    #: Tenures of a person, by start.
    tenures_by_person: Mapping[str, tuple[Tenure, ...]]
    #: Tenures of one person in one office, by start.
    tenures_by_holder: Mapping[tuple[str, str], tuple[Tenure, ...]]
    #: Events dated to one exact day, by the day's ordinal.
    events_by_day: Mapping[int, tuple[Event, ...]]
    #: Sources by id.
    sources: Mapping[str, Source]
    #: Places on a cycle of ``parent`` links.
    place_cycles: frozenset[str]
    #: Each place's nearest ancestor-or-self of kind city (None: none, or on a cycle).
    city_of: Mapping[str, str | None]
    #: Exceptions: record id -> rule code -> reason.
    exceptions: Mapping[str, Mapping[str, str]]
    #: Names for messages: record id -> English name.
    names: Mapping[str, str]
    #: Records looked up by :meth:`get` when ``by_id`` has no such id (a
    #: shard's view of the small records, see :meth:`shard`).
    below: Mapping[str, Record] = attrs.field(factory=dict, repr=False)
    #: :meth:`lifetime` answers, by actor id (filled as asked; shared by shards).
    lifetimes: dict[str, _Life | None] = attrs.field(factory=dict, eq=False, repr=False)

    @classmethod
    def build(cls, dataset: Dataset, as_of: str | DateRange | None = None) -> Context:
        """Index ``dataset`` in one pass (plus sorting). ``as_of`` overrides
        the dataset header's."""
        if as_of is None:
            as_of = dataset.info.as_of
        as_of_range = as_of if isinstance(as_of, DateRange) else parse_opt(as_of)
        if as_of is not None and as_of_range is None:
            raise ValueError(f"as_of {as_of!r} is not an EDTF date")

        by_id: dict[str, Record] = {}
        by_type: dict[type[Record], list[Record]] = defaultdict(list)
        by_office: dict[str, list[Tenure]] = defaultdict(list)
        by_person: dict[str, list[Tenure]] = defaultdict(list)
        by_holder: dict[tuple[str, str], list[Tenure]] = defaultdict(list)
        by_day: dict[int, list[Event]] = defaultdict(list)
        sources: dict[str, Source] = {}
        places: dict[str, Place] = {}
        exceptions: dict[str, dict[str, str]] = {}
        names: dict[str, str] = {}
        for r in dataset.records:
            by_id.setdefault(r.id, r)
            by_type[type(r)].append(r)
            if r.exceptions:
                ex = exceptions.setdefault(r.id, {})
                for e in r.exceptions:
                    ex.setdefault(e.rule, e.reason)
            rnames: tuple[Name, ...] = getattr(r, "names", ())
            if rnames:
                n = _preferred(rnames)
                if n is not None:
                    names.setdefault(r.id, n)
            if isinstance(r, Tenure):
                by_office[r.office].append(r)
                by_person[r.person].append(r)
                by_holder[(r.person, r.office)].append(r)
            elif isinstance(r, Event):
                d = parse_opt(r.date)
                if d is not None and d.lo is not None and d.lo == d.hi:
                    by_day[d.lo].append(r)
            elif isinstance(r, Source):
                sources.setdefault(r.id, r)
            elif isinstance(r, Place):
                places.setdefault(r.id, r)
        cycles, city_of = _place_tree(places)

        def tenures(groups: Mapping[_K, list[Tenure]]) -> dict[_K, tuple[Tenure, ...]]:
            return {k: tuple(sorted(v, key=_tenure_key)) for k, v in groups.items()}

        return cls(
            dataset=dataset,
            as_of=as_of_range,
            by_id=by_id,
            by_type={k: tuple(v) for k, v in by_type.items()},
            tenures_by_office=tenures(by_office),
            tenures_by_person=tenures(by_person),
            tenures_by_holder=tenures(by_holder),
            events_by_day={k: tuple(v) for k, v in by_day.items()},
            sources=sources,
            place_cycles=cycles,
            city_of=city_of,
            exceptions=exceptions,
            names=names,
        )

    def shard(self, records: Iterable[Record]) -> Context:
        """A context over ``records`` (events and statements: the
        :data:`BULK` types) that looks up every other record in this one.

        Rules run on a shard see only the shard's records in :meth:`all`,
        :attr:`events_by_day` and ``dataset``, and no ``tenures_by_office``,
        so what they report is about the shard's records alone; lookups
        (:meth:`get`, ``tenures_by_holder``, ``sources``, places, names and
        exceptions) see this context's records too. Used by
        :mod:`unionstate.checks.sharded` to check a large dataset a shard at a
        time with the small records held once.
        """
        recs = tuple(records)
        part = Context.build(Dataset(self.dataset.info, recs), self.as_of)
        wrong = {type(r).__name__ for r in recs if not isinstance(r, BULK)}
        if wrong:
            raise TypeError(f"a shard holds only events and statements, not {sorted(wrong)}")
        return attrs.evolve(
            part,
            by_id=part.by_id,
            below=_layered(self.by_id, self.below) if self.below else self.by_id,
            lifetimes=self.lifetimes,
            tenures_by_office={},
            tenures_by_person=self.tenures_by_person,
            tenures_by_holder=self.tenures_by_holder,
            sources=self.sources,
            place_cycles=self.place_cycles,
            city_of=self.city_of,
            exceptions=_layered(part.exceptions, self.exceptions),
            names=_layered(part.names, self.names),
        )

    def all(self, cls: type[R]) -> tuple[R, ...]:
        """Every record of exactly this class, in input order."""
        return self.by_type.get(cls, ())  # type: ignore[return-value]

    def with_lifecycle(self) -> Iterator[Agreement | Roadmap]:
        """Agreements, then road maps: the records with a ``lifecycle``."""
        yield from self.all(Agreement)
        yield from self.all(Roadmap)

    def get(self, record_id: str | None, cls: type[R]) -> R | None:
        """The record with this id if it is a ``cls``, else ``None``."""
        if record_id is None:
            return None
        r = self.by_id.get(record_id)
        if r is None:
            r = self.below.get(record_id)
        return r if isinstance(r, cls) else None

    def label(self, record_id: str) -> str:
        """'Prime Minister of Russia (office/prime-minister-of-russia)', or the
        bare id when the record has no English name."""
        n = self.names.get(record_id)
        return f"{n} ({record_id})" if n else record_id

    def lifetime(self, actor_id: str) -> tuple[str, str | None, str | None] | None:
        """``(kind, start, end)`` EDTF texts of a person's birth and death or
        an organisation's founding and dissolution; ``None`` when neither is
        known."""
        life = self.lifetime_bounds(actor_id)
        return None if life is None else life[:3]

    def lifetime_bounds(self, actor_id: str) -> _Life | None:
        """:meth:`lifetime` with the start's and end's :class:`Bounds`
        (``start_bounds``, ``end_bounds``), worked out once per actor."""
        if actor_id in self.lifetimes:
            return self.lifetimes[actor_id]
        r = self.by_id.get(actor_id)
        if r is None:
            r = self.below.get(actor_id)
        life: _Life | None = None
        if isinstance(r, Person) and (r.birth_date or r.death_date):
            b, d = r.birth_date, r.death_date
            life = ("person", b, d, start_bounds(b), end_bounds(d))
        elif isinstance(r, Organization) and (r.founded or r.dissolved):
            b, d = r.founded, r.dissolved
            life = ("organization", b, d, start_bounds(b), end_bounds(d))
        self.lifetimes[actor_id] = life
        return life


#: (kind, start text, end text, start bounds, end bounds) of an actor's lifetime.
_Life = tuple[str, str | None, str | None, Bounds, Bounds]


def _layered(top: Mapping[str, _V], below: Mapping[str, _V]) -> Mapping[str, _V]:
    """``top`` over ``below``, neither copied."""
    return ChainMap(cast("MutableMapping[str, _V]", top), cast("MutableMapping[str, _V]", below))


def _place_tree(places: Mapping[str, Place]) -> tuple[frozenset[str], dict[str, str | None]]:
    """Places on parent cycles, and every place's nearest city (itself
    included), walking each parent link once."""
    state: dict[str, int] = {}  # 1 = on the current walk, 2 = done
    cycles: set[str] = set()
    city_of: dict[str, str | None] = {}
    for start in places:
        path: list[str] = []
        node: str | None = start
        while node is not None and node in places and state.get(node) is None:
            state[node] = 1
            path.append(node)
            node = places[node].parent
        if node is not None and state.get(node) == 1:  # closed a cycle on this walk
            cycles.update(path[path.index(node) :])
        above = city_of.get(node) if node is not None and node not in cycles else None
        for p in reversed(path):
            state[p] = 2
            if p in cycles:
                city_of[p] = None
                above = None
                continue
            if places[p].kind is PlaceKind.CITY:
                above = p
            city_of[p] = above
    return frozenset(cycles), city_of


def found(
    code: str,
    severity: Severity,
    message: str,
    record: Record | str,
    pointer: str,
    *,
    related: Iterable[str] = (),
    dates_: Mapping[str, str] | None = None,
) -> Finding:
    """A finding about ``record`` (or the record with that id) at
    ``pointer``; file and line are left to the caller, exceptions are applied
    by :func:`unionstate.checks.check`."""
    rid = record if isinstance(record, str) else record.id
    rel = tuple(dict.fromkeys(r for r in related if r and r != rid))
    return Finding(
        code=code,
        severity=severity,
        message=message,
        record_id=rid,
        pointer=pointer,
        related=rel,
        dates=dict(dates_ or {}),
    )
