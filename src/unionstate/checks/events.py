"""Event rules: statuses against the dataset's ``as_of`` (US105) and one
place at a time (US109)."""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterator, Mapping

from unionstate.checks import _examples as ex
from unionstate.checks._context import (
    PROSPECTIVE,
    Context,
    bounds,
    did_not_happen,
    found,
    lt,
    parse_opt,
)
from unionstate.checks._registry import graded, jsonl, rule
from unionstate.dates import YES
from unionstate.idindex import IdIndex
from unionstate.model import Attendance, Event, EventStatus
from unionstate.report import Finding, Severity

# --- US105 -------------------------------------------------------------------


@rule(
    code="US105",
    name="status-as-of",
    title="Event statuses fit the dataset's as-of day",
    bad=jsonl(
        ex.header("2021-06-01"),
        ex.source(),
        ex.event(
            "summit-2021-09", "2021-09-09", ex.status("scheduled", "2021-05-20"), ex.status("held")
        ),
    ),
    good=jsonl(
        ex.header("2021-06-01"),
        ex.source("announcement", "2021-05-20"),
        ex.event(
            "summit-2021-09",
            "2021-09-09",
            ex.status("scheduled", "2021-05-20"),
            sources=["source/announcement"],
        ),
    ),
)
def status_as_of(ctx: Context) -> Iterator[Finding]:
    """With an ``as_of`` day (the dataset header's, or ``check(as_of=...)``):

    * a ``held`` status is not dated after ``as_of`` (its own ``date``, else the
      event's): definitely after → error, possibly → warning;
    * an event whose last status is ``scheduled`` or ``announced`` and whose
      date has definitely passed by ``as_of`` is *stale* (warning): it needs a
      resolving status (held, postponed, cancelled, did not take place).

    Without ``as_of`` nothing is checked.
    """
    if ctx.as_of is None:
        return
    as_of = bounds(ctx.as_of)
    for e in ctx.all(Event):
        for i, st in enumerate(e.statuses):
            if st.status is not EventStatus.HELD:
                continue
            text, ptr = (st.date, f"/statuses/{i}/date") if st.date else (e.date, "/date")
            d = parse_opt(text)
            if d is None:
                continue
            truth = lt(as_of, bounds(d))
            sev = graded(truth)
            if sev is not None:
                how = "after" if truth is YES else "possibly after"
                yield found(
                    "US105",
                    sev,
                    f"{e.id} is marked held on {text}, {how} the dataset's as-of day {ctx.as_of}.",
                    e,
                    ptr,
                    dates_={"held": text, "as_of": str(ctx.as_of)},
                )
        if not e.statuses or e.statuses[-1].status not in PROSPECTIVE:
            continue
        d = parse_opt(e.date)
        if d is not None and lt(bounds(d), as_of) is YES:
            last = len(e.statuses) - 1
            yield found(
                "US105",
                Severity.WARNING,
                f"{e.id} is still {e.statuses[-1].status.value} for {e.date}, which had "
                f"passed by the as-of day {ctx.as_of}; add what became of it (held, "
                "postponed, cancelled or did not take place).",
                e,
                f"/statuses/{last}/status",
                dates_={"event": e.date, "as_of": str(ctx.as_of)},
            )


# --- US109 -------------------------------------------------------------------

#: Events whose date spans more days than this are not compared (a visit
#: dated '2021-09' would clash with everything that month).
MAX_SPAN_DAYS = 3

_PRESENT = (None, Attendance.IN_PERSON)
_CITIES = (
    ex.source(),
    ex.LUKASHENKA,
    ex.place("belarus", "Belarus", "country"),
    ex.place("russia", "Russia", "country"),
    ex.place("minsk", "Minsk", "city", parent="place/belarus"),
    ex.place("sochi", "Sochi", "city", parent="place/russia"),
    ex.place("bocharov-ruchey", "Bocharov Ruchey", "venue", parent="place/sochi"),
)
_LUKASHENKA = [{"actor": "person/lukashenka"}]


@rule(
    code="US109",
    name="one-place-at-a-time",
    title="Nobody is in two cities on one day",
    bad=jsonl(
        *_CITIES,
        ex.event(
            "talks-sochi", "2021-09-09", place="place/bocharov-ruchey", participants=_LUKASHENKA
        ),
        ex.event("forum-minsk", "2021-09-09", place="place/minsk", participants=_LUKASHENKA),
    ),
    good=jsonl(
        *_CITIES,
        ex.event(
            "talks-sochi", "2021-09-09", place="place/bocharov-ruchey", participants=_LUKASHENKA
        ),
        ex.event(
            "forum-minsk",
            "2021-09-09",
            place="place/minsk",
            attendance="in_person",
            participants=[{"actor": "person/lukashenka", "attendance": "videoconference"}],
        ),
    ),
)
def one_place_at_a_time(ctx: Context) -> Iterator[Finding]:
    """A person is not physically present at two held events in different
    cities on the same day.

    Compared: events with a ``held`` status that were not later cancelled,
    attended in person (the participant's ``attendance``, else the event's,
    is ``in_person`` or not given), whose place lies in a city (the nearest
    ``city`` among the place and its ancestors), and whose date spans at most
    three days (a day, a day with ``~``/``?``, or a short interval): coarser
    dates would make every pair in a month or year "possibly" clash, which
    is noise. Events one of which is ``part_of`` the other are not compared.
    Both on the same exact day → error; overlapping day ranges → warning. The
    finding is on the later event (by date, then id).

    Each person's attendances are sorted by date and each is compared only
    with the following ones that start before it ends: n log n.
    """
    presence = Presence()
    collect_presence(ctx, presence)
    part_of = {e.id: e.part_of for e in ctx.all(Event) if e.part_of is not None}
    yield from clashes(presence, part_of, ctx.label)


_SPAN_BITS = 2  # hi - lo < MAX_SPAN_DAYS <= 4
_INDEX_BITS = 24  # participant index


class Presence:
    """Where each person was present in person, compactly, for US109: per
    person an array of two 64-bit numbers per attendance (the first day and
    the span; the event and the participant index), and per event its id,
    date text and city (numbers into a table of the distinct texts). About 16
    bytes an attendance and 16 an event (50 for an id held as text), instead of a tuple's ~250 and
    three strings' ~100, which matters at millions of them.

    An event's id is held as its position in ``ids`` (the run's
    :class:`~unionstate.idindex.IdIndex`, which holds every id of the file
    already, D38) when it is there, else as UTF-8 in one buffer of this
    object's own. The positions are the same in every process of a run (the
    workers are forked, or given the index, after it is sealed); the index
    itself is not pickled with the attendances a worker sends back."""

    __slots__ = ("_codes", "_index", "by_person", "cities", "dates", "ends", "own", "refs", "texts")

    def __init__(self, ids: IdIndex | None = None) -> None:
        self._index = ids
        self.by_person: dict[str, array[int]] = {}
        #: Per event: its id's position in the index (>= 0), or ``-1 - k``
        #: for the k-th id of ``own``.
        self.refs: array[int] = array("q")
        #: The ids not in the index, one after another, and where each ends.
        self.own = bytearray()
        self.ends: array[int] = array("Q")
        #: Each event's date text and city, as numbers into ``texts``.
        self.dates: array[int] = array("I")
        self.cities: array[int] = array("I")
        self.texts: list[str] = []
        self._codes: dict[str, int] = {}

    def __getstate__(self) -> dict[str, object]:
        return {k: getattr(self, k) for k in self.__slots__ if k != "_index"}

    def __setstate__(self, state: dict[str, object]) -> None:
        self._index = None
        for k, v in state.items():
            object.__setattr__(self, k, v)

    def _code(self, text: str) -> int:
        code = self._codes.get(text)
        if code is None:
            code = self._codes[text] = len(self.texts)
            self.texts.append(text)
        return code

    def add_event(self, event_id: str, date: str, city: str) -> int:
        """Number an event that has attendances."""
        pos = -1 if self._index is None else self._index.position(event_id)
        if pos < 0:
            self.own += event_id.encode("utf-8", "surrogatepass")
            self.ends.append(len(self.own))
            pos = -len(self.ends)
        self.refs.append(pos)
        self.dates.append(self._code(date))
        self.cities.append(self._code(city))
        return len(self.refs) - 1

    def event(self, number: int) -> tuple[str, str, str]:
        """The id, date text and city of an event, by its number."""
        ref = self.refs[number]
        if ref >= 0:
            if self._index is None:
                raise RuntimeError("merge attendances into a Presence that has the id index")
            event_id = self._index.text(ref)
        else:
            k = -1 - ref
            start = self.ends[k - 1] if k else 0
            event_id = self.own[start : self.ends[k]].decode("utf-8", "surrogatepass")
        return event_id, self.texts[self.dates[number]], self.texts[self.cities[number]]

    def add(self, person: str, lo: int, hi: int, event: int, index: int) -> None:
        """``person`` attended ``event`` (a number from :meth:`add_event`) as
        participant ``index``, on a day between ``lo`` and ``hi``."""
        if not 0 <= hi - lo < 1 << _SPAN_BITS or not 0 <= index < 1 << _INDEX_BITS:
            raise ValueError(f"attendance out of range: {lo}..{hi}, participant {index}")
        arr = self.by_person.get(person)
        if arr is None:
            arr = self.by_person[person] = array("q")
        arr.append(lo << _SPAN_BITS | (hi - lo))
        arr.append(event << _INDEX_BITS | index)

    def merge(self, other: Presence) -> None:
        """Add another's attendances (renumbering its events)."""
        offset = len(self.refs) << _INDEX_BITS
        base, held = len(self.own), len(self.ends)
        self.own += other.own
        self.ends.extend(array("Q", [end + base for end in other.ends]))
        self.refs.extend(array("q", [r if r >= 0 else r - held for r in other.refs]))
        theirs_to_mine = [self._code(t) for t in other.texts]
        self.dates.extend(array("I", [theirs_to_mine[c] for c in other.dates]))
        self.cities.extend(array("I", [theirs_to_mine[c] for c in other.cities]))
        for person, theirs in other.by_person.items():
            arr = self.by_person.get(person)
            if arr is None:
                arr = self.by_person[person] = array("q")
            for k in range(0, len(theirs), 2):
                arr.append(theirs[k])
                arr.append(theirs[k + 1] + offset)

    def __len__(self) -> int:
        return sum(len(a) for a in self.by_person.values()) // 2

    def items(self, person: str) -> list[tuple[int, int, str, int, str, str]]:
        """``(lo, hi, event id, participant index, date text, city)`` of a
        person's attendances, sorted by first day, event id and index."""
        arr = self.by_person[person]
        out = []
        mask = (1 << _INDEX_BITS) - 1
        span = (1 << _SPAN_BITS) - 1
        for k in range(0, len(arr), 2):
            day, ev = arr[k], arr[k + 1]
            event_id, date, city = self.event(ev >> _INDEX_BITS)
            lo = day >> _SPAN_BITS
            out.append((lo, lo + (day & span), event_id, ev & mask, date, city))
        out.sort(key=lambda x: (x[0], x[2], x[3]))
        return out


_HELD = EventStatus.HELD


def collect_presence(ctx: Context, presence: Presence) -> None:
    """Add the in-person attendances of ``ctx``'s events that US109 compares
    to ``presence`` (see :func:`one_place_at_a_time` for which)."""
    for e in ctx.all(Event):
        if did_not_happen(e) or _HELD not in [s.status for s in e.statuses]:
            continue
        city = ctx.city_of.get(e.place) if e.place is not None else None
        d = parse_opt(e.date)
        if city is None or d is None or d.lo is None or d.hi is None:
            continue
        if d.hi - d.lo + 1 > MAX_SPAN_DAYS:
            continue
        number: int | None = None
        for i, p in enumerate(e.participants):
            att = p.attendance if p.attendance is not None else e.attendance
            if att in _PRESENT and ctx.is_person(p.actor):  # not read (D42)
                if number is None:
                    number = presence.add_event(e.id, e.date, city)
                presence.add(p.actor, d.lo, d.hi, number, i)


def clashes(
    presence: Presence, part_of: Mapping[str, str | None], label: Callable[[str], str]
) -> Iterator[Finding]:
    """US109 findings from everyone's attendances; ``part_of`` maps each event
    that is part of another to it, ``label`` names a place."""
    for person in presence.by_person:
        items = presence.items(person)
        for k, (lo_a, hi_a, ida, _, date_a, city_a) in enumerate(items):
            for n in range(k + 1, len(items)):
                lo_b, hi_b, idb, ib, date_b, city_b = items[n]
                if lo_b > hi_a:
                    break
                if city_a == city_b or ida == idb or _nested(part_of, ida, idb):
                    continue
                same = lo_a == hi_a == lo_b == hi_b
                sev = Severity.ERROR if same else Severity.WARNING
                how = "the same day" if same else "possibly the same day"
                yield found(
                    "US109",
                    sev,
                    f"{person} is present in person at {idb} in {label(city_b)} on "
                    f"{date_b} and at {ida} in {label(city_a)} on {date_a}, {how}.",
                    idb,
                    f"/participants/{ib}/actor",
                    related=(ida, person, city_b, city_a),
                    dates_={"event": date_b, "other.event": date_a},
                )


def _ancestors(part_of: Mapping[str, str | None], event_id: str) -> set[str]:
    out: set[str] = set()
    parent = part_of.get(event_id)
    while parent is not None and parent not in out:
        out.add(parent)
        parent = part_of.get(parent)
    return out


def _nested(part_of: Mapping[str, str | None], a: str, b: str) -> bool:
    if part_of.get(a) is None and part_of.get(b) is None:
        return False
    return a in _ancestors(part_of, b) or b in _ancestors(part_of, a)
