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
from array import array
from collections import ChainMap, defaultdict
from collections.abc import Container, Iterable, Iterator, Mapping, MutableMapping
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


class DayRows:
    """Rows of day numbers by key, in one flat array (D42).

    A forked worker that reads a Python object writes its reference count,
    and so copies the page the object lies on; the rules over a shard used to
    read the small records themselves (persons, tenures, sources) and so
    copied nearly every page that held them, in both processes. These rows
    are numbers in one buffer: reading them makes new integers and writes
    nothing shared but the few small objects of this table, built together.
    ``get`` gives a key's rows, each ``width`` numbers, in the order added.
    """

    __slots__ = ("_at", "_days", "width")

    def __init__(self, width: int) -> None:
        self.width = width
        self._at: dict[object, int] = {}  # key -> offset of its row count
        self._days = array("q")

    def __len__(self) -> int:
        return len(self._at)

    def __contains__(self, key: object) -> bool:
        return key in self._at

    def add(self, key: object, rows: Iterable[tuple[int, ...]]) -> None:
        """Set ``key``'s rows (a key given again keeps its first rows)."""
        if key in self._at:
            return
        at = len(self._days)
        self._days.append(0)
        n = 0
        for row in rows:
            if len(row) != self.width:
                raise ValueError(f"a row of {len(row)} numbers in rows of {self.width}")
            self._days.extend(row)
            n += 1
        self._days[at] = n
        self._at[key] = at

    def get(self, key: object) -> list[tuple[int, ...]]:
        """``key``'s rows; none for an unknown key."""
        at = self._at.get(key)
        if at is None:
            return []
        w, days = self.width, self._days
        start = at + 1
        return [tuple(days[k : k + w]) for k in range(start, start + days[at] * w, w)]

    def first(self, key: object) -> tuple[int, ...] | None:
        """``key``'s first row, ``None`` when it has none (``get(key)[0]``,
        faster)."""
        at = self._at.get(key)
        if at is None or not self._days[at]:
            return None
        return tuple(self._days[at + 1 : at + 1 + self.width])

    def without(self, keys: Container[object]) -> DayRows:
        """A copy without ``keys``."""
        out = DayRows(self.width)
        for key in self._at:
            if key not in keys:
                out.add(key, self.get(key))
        return out


@attrs.frozen(slots=True)
class Facts:
    """What the rules over a shard read of the records below it, as numbers
    (D42): built once with the context that holds the small records, before
    any worker is forked, and only read after that. The records themselves
    are read only to word a finding."""

    #: Ids of persons (``get(id, Person)`` finds one).
    persons: frozenset[str]
    #: An actor's lifetime, one row ``(kind, has start, start lo, start hi,
    #: has end, end lo, end hi)``: kind 0 a person, 1 an organisation; the
    #: bounds as :func:`start_bounds` and :func:`end_bounds` give them. Only
    #: actors with a birth or death date (founding or dissolution).
    lives: DayRows
    #: A source's ``published`` date, one row ``(lo, hi)`` as :func:`bounds`
    #: gives it. Only sources with a valid one.
    published: DayRows
    #: The tenures of a ``(person, office)``, in the order of
    #: ``tenures_by_holder``: a row ``(start lo, start hi, end lo, end hi,
    #: first day, last day)`` each: the first four as :func:`dates.within`
    #: reads a period (``dates.period_days``), the last two the start's
    #: :func:`start_bounds` low and the end's :func:`end_bounds` high.
    holders: DayRows

    @classmethod
    def of(
        cls,
        by_id: Mapping[str, Record],
        sources: Mapping[str, Source],
        tenures_by_holder: Mapping[tuple[str, str], tuple[Tenure, ...]],
    ) -> Facts:
        """The facts of these records (``by_id``: the first of each id)."""
        persons: list[str] = []
        lives = DayRows(7)
        for rid, r in by_id.items():
            if isinstance(r, Person):
                persons.append(rid)
            life = _life_of(r)
            if life is not None:
                kind, b, d = life
                n = 0 if kind == "person" else 1
                lives.add(
                    rid, [(n, b is not None, *start_bounds(b), d is not None, *end_bounds(d))]
                )
        published = DayRows(2)
        for sid, s in sources.items():
            p = parse_opt(s.published)
            if p is not None:
                published.add(sid, [bounds(p)])
        holders = DayRows(6)
        for key, ts in tenures_by_holder.items():
            holders.add(key, [_tenure_days(t) for t in ts])
        return cls(frozenset(persons), lives, published, holders)

    def without(self, ids: Container[str]) -> Facts:
        """These facts with the persons and actors of ``ids`` taken out (a
        shard's own records hide those below them with the same id)."""
        return Facts(
            frozenset(p for p in self.persons if p not in ids),
            self.lives.without(ids),
            self.published,
            self.holders,
        )


def _life_of(r: Record | None) -> tuple[str, str | None, str | None] | None:
    """``(kind, start, end)`` of a person's or an organisation's lifetime,
    where one of its dates is known; else ``None``."""
    if isinstance(r, Person) and (r.birth_date or r.death_date):
        return ("person", r.birth_date, r.death_date)
    if isinstance(r, Organization) and (r.founded or r.dissolved):
        return ("organization", r.founded, r.dissolved)
    return None


def _tenure_days(t: Tenure) -> tuple[int, int, int, int, int, int]:
    start = parse_opt(t.start)
    end = None if t.end is None else parse_opt(t.end)
    return (*dates.period_days(start, end), start_bounds(t.start)[0], end_bounds(t.end)[1])


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
    #: What the rules read of persons, lifetimes, sources' dates and tenures,
    #: as numbers (D42): of this context's own records, or, in a shard, of
    #: the records below it (``facts_below``).
    facts: Facts
    #: Records looked up by :meth:`get` when ``by_id`` has no such id (a
    #: shard's view of the small records, see :meth:`shard`).
    below: Mapping[str, Record] = attrs.field(factory=dict, repr=False)
    #: ``facts`` describe the records below, which this shard's own hide.
    facts_below: bool = False
    #: :meth:`lifetime_bounds` and :meth:`published` answers, by id: a new
    #: dict for each context, shard or not, so a forked worker writes only
    #: its own (D42).
    _lives_seen: dict[str, tuple[int, ...] | None] = attrs.field(
        factory=dict, init=False, eq=False, repr=False
    )
    _published_seen: dict[str, Bounds | None] = attrs.field(
        factory=dict, init=False, eq=False, repr=False
    )

    @classmethod
    def build(
        cls,
        dataset: Dataset,
        as_of: str | DateRange | None = None,
        *,
        facts: Facts | None = None,
    ) -> Context:
        """Index ``dataset`` in one pass (plus sorting). ``as_of`` overrides
        the dataset header's. ``facts``, when given, are used instead of
        those of ``dataset`` (:meth:`shard` gives those below it)."""
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

        by_holder_sorted = tenures(by_holder)
        return cls(
            dataset=dataset,
            as_of=as_of_range,
            by_id=by_id,
            by_type={k: tuple(v) for k, v in by_type.items()},
            tenures_by_office=tenures(by_office),
            tenures_by_person=tenures(by_person),
            tenures_by_holder=by_holder_sorted,
            facts=Facts.of(by_id, sources, by_holder_sorted) if facts is None else facts,
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
        below = self.facts.without(self.by_id) if self.facts_below else self.facts
        part = Context.build(Dataset(self.dataset.info, recs), self.as_of, facts=below)
        wrong = {type(r).__name__ for r in recs if not isinstance(r, BULK)}
        if wrong:
            raise TypeError(f"a shard holds only events and statements, not {sorted(wrong)}")
        return attrs.evolve(
            part,
            by_id=part.by_id,
            below=_layered(self.by_id, self.below) if self.below else self.by_id,
            facts_below=True,
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

    def is_person(self, record_id: str) -> bool:
        """``get(record_id, Person) is not None``, without reading the record
        (D42)."""
        if not self.facts_below:
            return isinstance(self.by_id.get(record_id), Person)
        if record_id in self.by_id:
            return False  # a shard's own record: an event or a statement
        return record_id in self.facts.persons

    def lifetime(self, actor_id: str) -> tuple[str, str | None, str | None] | None:
        """``(kind, start, end)`` EDTF texts of a person's birth and death or
        an organisation's founding and dissolution; ``None`` when neither is
        known. Reads the record: for the words of a finding."""
        r = self.by_id.get(actor_id)
        return _life_of(self.below.get(actor_id) if r is None else r)

    def lifetime_bounds(self, actor_id: str) -> tuple[int, ...] | None:
        """:meth:`lifetime` as the numbers of :attr:`Facts.lives`: ``(kind,
        has start, start lo, start hi, has end, end lo, end hi)``, kind 0 a
        person and 1 an organisation; read from :attr:`facts` (D42)."""
        seen = self._lives_seen
        if actor_id in seen:
            return seen[actor_id]
        if self.facts_below and actor_id in self.by_id:
            life = None  # a shard's own record: an event or a statement
        else:
            life = self.facts.lives.first(actor_id)
        seen[actor_id] = life
        return life

    def published(self, source_id: str) -> Bounds | None:
        """The :func:`bounds` of a source's ``published`` date; ``None`` when
        there is no such source or it has no valid date. Read from
        :attr:`facts` (D42)."""
        seen = self._published_seen
        if source_id in seen:
            return seen[source_id]
        row = self.facts.published.first(source_id)
        b = None if row is None else (row[0], row[1])
        seen[source_id] = b
        return b


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
