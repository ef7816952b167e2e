"""The consistency rules written for clarity, not speed: a loop over the
records of a :class:`~unionstate.dataset.Dataset` for each rule, comparing
every pair where a rule compares pairs. This is the specification the engine
(``unionstate.checks``, queries over columns) is tested against
(``test_reference_rules.py``); docs/rules.md says the same in words.

Each rule yields ``(record id, pointer, truth, related)``: ``truth`` YES for
a definite violation, MAYBE for a possible one, or a severity where the rule
fixes it. :func:`findings` turns them into ``(code, severity, record id,
pointer, related)``, exceptions aside.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from unionstate import dates
from unionstate.dataset import Dataset
from unionstate.dates import MAYBE, NO, YES, Truth
from unionstate.model import (
    Agreement,
    Attendance,
    Event,
    EventStatus,
    Office,
    Organization,
    OutcomeStatus,
    Person,
    Place,
    Record,
    Roadmap,
    Source,
    Statement,
    Tenure,
)
from unionstate.report import Severity

Bounds = tuple[int, int]
Hit = tuple[str, str, Any, tuple[str, ...]]
NEG, POS = dates.NEG, dates.POS
ONGOING: Bounds = (POS, POS)


def day(text: str | None) -> Bounds | None:
    """The days a date text may denote; None when absent or not a date."""
    if text is None:
        return None
    try:
        r = dates.parse(text)
    except dates.EDTFError:
        return None
    return (NEG if r.lo is None else r.lo, POS if r.hi is None else r.hi)


def start(text: str | None) -> Bounds:
    """A period's start: absent or not a date, any day."""
    return day(text) or (NEG, POS)


def end(text: str | None) -> Bounds:
    """A period's end: absent, ongoing; not a date, any day."""
    return ONGOING if text is None else day(text) or (NEG, POS)


def lt(a: Bounds, b: Bounds) -> Truth:
    """Is a's true day before b's?"""
    if a[1] < b[0]:
        return YES
    return NO if a[0] >= b[1] else MAYBE


def worst(*ts: Truth) -> Truth:
    return max(ts, key=lambda t: t.value)


def least(*ts: Truth) -> Truth:
    return min(ts, key=lambda t: t.value)


class Data:
    """The dataset with lookups by id (the first record of each id)."""

    def __init__(self, ds: Dataset, as_of: str | None) -> None:
        self.records = ds.records
        self.by_id: dict[str, Record] = {}
        for r in ds.records:
            self.by_id.setdefault(r.id, r)
        self.as_of = day(as_of if as_of is not None else ds.info.as_of)

    def all(self, cls: type[Any]) -> list[Any]:
        return [r for r in self.records if type(r) is cls]

    def get(self, rid: str | None, cls: type[Any]) -> Any:
        r = self.by_id.get(rid) if rid is not None else None
        return r if isinstance(r, cls) else None


RULES: dict[str, Callable[[Data], Iterator[Hit]]] = {}


def rule(code: str) -> Callable[[Callable[[Data], Iterator[Hit]]], Any]:
    def register(f: Callable[[Data], Iterator[Hit]]) -> Any:
        RULES[code] = f
        return f

    return register


@rule("US101")
def us101(d: Data) -> Iterator[Hit]:
    for t in d.all(Tenure):
        if t.start and t.end and lt(end(t.end), start(t.start)) is YES:
            yield t.id, "/end", YES, (t.person, t.office)


def _tenure_order(t: Tenure) -> tuple[int, str]:
    return (start(t.start)[0], t.id)


@rule("US103")
def us103(d: Data) -> Iterator[Hit]:
    for office in d.all(Office):
        if office.max_holders != 1 or d.get(office.id, Office) is not office:
            continue
        ts = sorted(
            (t for t in d.all(Tenure) if t.office == office.id and not t.acting), key=_tenure_order
        )
        for k, b in enumerate(ts):
            for a in ts[:k]:
                truth = least(lt(start(b.start), end(a.end)), lt(start(a.start), end(b.end)))
                if truth is not NO:
                    yield b.id, "/start", truth, (a.id, office.id, b.person, a.person)


def _period(t: Tenure) -> tuple[dates.DateRange | None, dates.DateRange | None]:
    def parsed(text: str | None) -> dates.DateRange | None:
        return None if day(text) is None else dates.parse(text or "")

    return parsed(t.start), parsed(t.end)


@rule("US104")
def us104(d: Data) -> Iterator[Hit]:
    named: list[tuple[Record, str, str, str, str]] = []
    for e in d.all(Event):
        for i, p in enumerate(e.participants):
            if p.office is not None:
                named.append((e, f"/participants/{i}/office", p.actor, p.office, e.date))
    for s in d.all(Statement):
        if s.office is not None:
            named.append((s, "/office", s.speaker, s.office, s.date))
    for rec, ptr, actor, office, text in named:
        if day(text) is None or d.get(actor, Person) is None:
            continue
        x = dates.parse(text)
        ts = sorted(
            (t for t in d.all(Tenure) if (t.person, t.office) == (actor, office)),
            key=_tenure_order,
        )
        truths = [dates.within(x, *_period(t)) for t in ts]
        best = worst(NO, *truths)
        if best is YES:
            continue
        shown: Tenure | None = None
        if best is MAYBE:
            shown = ts[truths.index(MAYBE)]
        elif ts:
            lo, hi = x.lo or 0, x.hi or 0
            shown = min(ts, key=lambda t: max(start(t.start)[0] - hi, lo - end(t.end)[1], 0))
        related = (actor, office) + ((shown.id,) if shown else ())
        yield rec.id, ptr, MAYBE if best is MAYBE else YES, related


Side = tuple[str, str | None]  # a lifetime's date, and the parent it is taken from


def _life(d: Data, actor: str) -> tuple[Side | None, Side | None] | None:
    """An actor's beginning and end: its own, or for an organisation the
    nearest parent's (up the ``parent`` chain, at most 16 steps)."""
    p = d.get(actor, Person)
    if p is not None and (p.birth_date or p.death_date):
        return _side(p.birth_date, None), _side(p.death_date, None)
    o = d.get(actor, Organization)
    if o is None:
        return None
    begin, finish = _side(o.founded, None), _side(o.dissolved, None)
    up, seen = o.parent, 0
    while up is not None and seen < 16 and (begin is None or finish is None):
        parent = d.get(up, Organization)
        if parent is None:
            break
        begin = begin or _side(parent.founded, up)
        finish = finish or _side(parent.dissolved, up)
        up, seen = parent.parent, seen + 1
    return None if begin is None and finish is None else (begin, finish)


def _side(text: str | None, via: str | None) -> Side | None:
    return None if text is None else (text, via)


def _ended(e: Event) -> bool:
    return bool(e.statuses) and e.statuses[-1].status in (
        EventStatus.CANCELLED,
        EventStatus.DID_NOT_TAKE_PLACE,
    )


@rule("US102")
def us102(d: Data) -> Iterator[Hit]:
    acts: list[tuple[str, str, str, Bounds, bool]] = []  # id, pointer, actor, when, end only
    for t in d.all(Tenure):
        office = d.get(t.office, Office)
        for actor in [t.person] if office is None else [t.person, office.organization]:
            if t.start is not None:
                acts.append((t.id, "/start", actor, start(t.start), False))
            acts.append((t.id, "/end", actor, end(t.end), True))
    for e in d.all(Event):
        if not _ended(e) and day(e.date) is not None:
            for i, p in enumerate(e.participants):
                acts.append((e.id, f"/participants/{i}/actor", p.actor, start(e.date), False))
    for s in d.all(Statement):
        if day(s.date) is not None:
            for who, ptr in ((s.speaker, "/speaker"), (s.medium, "/medium")):
                if who is not None:
                    acts.append((s.id, ptr, who, start(s.date), False))
    for a in [*d.all(Agreement), *d.all(Roadmap)]:
        for i, st in enumerate(a.lifecycle):
            if day(st.date) is not None:
                for j, by in enumerate(st.by):
                    acts.append((a.id, f"/lifecycle/{i}/by/{j}", by, start(st.date), False))
    for rid, ptr, actor, when, end_only in acts:
        life = _life(d, actor)
        if life is None:
            continue
        begin, finish = life
        early = NO if begin is None or end_only else lt(when, start(begin[0]))
        late = NO if finish is None else lt(end(finish[0]), when)
        truth = worst(early, late)
        if truth is not NO:
            side = begin if early == truth else finish
            assert side is not None
            yield rid, ptr, truth, (actor,) if side[1] is None else (actor, side[1])


@rule("US105")
def us105(d: Data) -> Iterator[Hit]:
    if d.as_of is None:
        return
    for e in d.all(Event):
        for i, st in enumerate(e.statuses):
            if st.status is EventStatus.HELD:
                text, ptr = (st.date, f"/statuses/{i}/date") if st.date else (e.date, "/date")
                when = day(text)
                if when is not None and lt(d.as_of, when) is not NO:
                    yield e.id, ptr, lt(d.as_of, when), ()
        last = e.statuses[-1].status if e.statuses else None
        when = day(e.date)
        prospective = last in (EventStatus.ANNOUNCED, EventStatus.SCHEDULED)
        if prospective and when is not None and lt(when, d.as_of) is YES:
            yield e.id, f"/statuses/{len(e.statuses) - 1}/status", Severity.WARNING, ()


_STAGES = ["proposed", "drafted", "initialled", "agreed", "signed", "approved", "ratified"]
_STAGES.append("in_force")


@rule("US106")
def us106(d: Data) -> Iterator[Hit]:
    for e in d.all(Event):
        over = False
        for i, st in enumerate(e.statuses):
            if over:
                yield e.id, f"/statuses/{i}/status", YES, ()
            over = over or st.status in (
                EventStatus.HELD,
                EventStatus.CANCELLED,
                EventStatus.DID_NOT_TAKE_PLACE,
            )
        yield from _in_time(e.id, "statuses", [s.date for s in e.statuses])
    for a in [*d.all(Agreement), *d.all(Roadmap)]:
        top, abandoned = -1, False
        for i, step in enumerate(a.lifecycle):
            if abandoned:
                yield a.id, f"/lifecycle/{i}/stage", YES, ()
            elif step.stage.value == "abandoned":
                abandoned = True
            elif _STAGES.index(step.stage.value) < top:
                yield a.id, f"/lifecycle/{i}/stage", YES, ()
            else:
                top = _STAGES.index(step.stage.value)
        yield from _in_time(a.id, "lifecycle", [s.date for s in a.lifecycle])


def _in_time(rid: str, field: str, texts: list[str | None]) -> Iterator[Hit]:
    prev: Bounds | None = None  # the last step not itself out of order
    for i, text in enumerate(texts):
        when = day(text)
        if when is None:
            continue
        if prev is not None and lt(when, prev) is YES:
            yield rid, f"/{field}/{i}/date", YES, ()
        else:
            prev = when


@rule("US107")
def us107(d: Data) -> Iterator[Hit]:
    facts: list[tuple[Record, str, str | None, tuple[str, ...]]] = []
    for e in d.all(Event):
        for i, st in enumerate(e.statuses):
            if st.status is EventStatus.HELD:
                facts.append((e, f"/statuses/{i}", st.date or e.date, st.sources))
    for a in [*d.all(Agreement), *d.all(Roadmap)]:
        for i, step in enumerate(a.lifecycle):
            if step.date is not None:
                facts.append((a, f"/lifecycle/{i}", step.date, step.sources))
    for t in d.all(Tenure):
        if t.start is not None:
            facts.append((t, "/start", t.start, ()))
    # statements, and met or missed outcomes, whose sources all back them
    backed: list[tuple[Record, str, str | None, tuple[str, ...]]] = []
    for st in d.all(Statement):
        backed.append((st, "/date", st.date, ()))
        for i, f in enumerate(st.forecasts):
            o = f.outcome
            if o is not None and o.status in (OutcomeStatus.MET, OutcomeStatus.MISSED):
                backed.append((st, f"/forecasts/{i}/outcome", o.date, o.sources))

    def published(sid: str) -> Bounds | None:
        s = d.get(sid, Source)
        return None if s is None else day(s.published)

    def all_before(sids: tuple[str, ...], when: Bounds) -> Any:
        pubs = [published(sid) for sid in sids]
        if not pubs or None in pubs:
            return NO
        return least(*(lt(p, when) for p in pubs if p is not None))

    for rec, ptr, text, own in facts:
        when = day(text)
        if when is None:
            continue
        for j, sid in enumerate(own):
            pub = published(sid)
            if pub is not None and lt(pub, when) is not NO:
                yield rec.id, f"{ptr}/sources/{j}", lt(pub, when), (sid,)
        if own:
            continue
        truth = all_before(rec.sources, when)
        if truth is not NO:
            yield rec.id, "/sources", truth, tuple(rec.sources)
    for rec, ptr, text, own in backed:
        when = day(text)
        if when is None:
            continue
        sids = own or rec.sources
        truth = all_before(sids, when)
        if truth is not NO:
            yield rec.id, f"{ptr}/sources" if own else "/sources", truth, tuple(sids)


@rule("US108")
def us108(d: Data) -> Iterator[Hit]:
    roadmaps = [r for r in d.all(Roadmap) if r.programme is not None]
    for k, r in enumerate(roadmaps):
        if r.number is None:
            continue
        same = [o for o in roadmaps[:k] if (o.programme, o.number) == (r.programme, r.number)]
        if same:
            yield r.id, "/number", YES, (same[0].id, r.programme)
        prog = d.get(r.programme, Agreement)
        declared = prog.declared_roadmap_count if prog is not None else None
        if declared is not None and r.number > declared:
            yield r.id, "/number", YES, (r.programme,)
    for a in d.all(Agreement):
        if a.declared_roadmap_count is None:
            continue
        known = sum(1 for r in roadmaps if r.programme == a.id)
        if known > a.declared_roadmap_count:
            yield a.id, "/declared_roadmap_count", YES, ()
        yield a.id, "/declared_roadmap_count", Severity.INFO, ()


def _city(d: Data, place: str | None) -> str | None:
    """The nearest city among a place and its ancestors below any cycle."""
    chain: list[str] = []
    p = d.get(place, Place)
    while p is not None and p.id not in chain:
        chain.append(p.id)
        p = d.get(p.parent, Place)
    if p is not None:  # from p on, the chain is a cycle
        chain = chain[: chain.index(p.id)]
    return next((c for c in chain if d.get(c, Place).kind.value == "city"), None)


def _inside(d: Data, a: str, b: str) -> bool:
    """Is event a part of event b, at any depth?"""
    seen: set[str] = set()
    e = d.get(a, Event)
    while e is not None and e.part_of is not None and e.part_of not in seen:
        if e.part_of == b:
            return True
        seen.add(e.part_of)
        e = d.get(e.part_of, Event)
    return False


@rule("US109")
def us109(d: Data) -> Iterator[Hit]:
    seen: list[tuple[int, int, str, int, str, str]] = []  # lo, hi, event, i, person, city
    for e in d.all(Event):
        if _ended(e) or EventStatus.HELD not in [s.status for s in e.statuses]:
            continue
        when, city = day(e.date), _city(d, e.place)
        if when is None or city is None or when[0] <= NEG or when[1] >= POS:
            continue
        if when[1] - when[0] + 1 > 3:
            continue
        for i, p in enumerate(e.participants):
            how = p.attendance or e.attendance
            if how in (None, Attendance.IN_PERSON) and d.get(p.actor, Person) is not None:
                seen.append((*when, e.id, i, p.actor, city))
    for a in seen:
        for b in seen:
            if a[4] != b[4] or not (a[0], a[2], a[3]) < (b[0], b[2], b[3]) or b[0] > a[1]:
                continue
            if a[5] == b[5] or a[2] == b[2] or _inside(d, a[2], b[2]) or _inside(d, b[2], a[2]):
                continue
            same = a[0] == a[1] == b[0] == b[1]
            yield (
                b[2],
                f"/participants/{b[3]}/actor",
                YES if same else MAYBE,
                (
                    a[2],
                    b[4],
                    b[5],
                    a[5],
                ),
            )


_RANK = {"union": 0, "country": 1, "region": 2, "city": 3, "venue": 4}


@rule("US110")
def us110(d: Data) -> Iterator[Hit]:
    for p in d.all(Place):
        chain: list[str] = [p.id]
        q = d.get(p.parent, Place)
        cycle = False
        while q is not None:
            if q.id == p.id:
                cycle = True
                break
            if q.id in chain:
                break
            chain.append(q.id)
            q = d.get(q.parent, Place)
        if cycle:
            yield p.id, "/parent", YES, (p.parent or "",)
            continue
        if p.kind.value not in _RANK:
            continue
        above = next(
            (d.get(c, Place) for c in chain[1:] if d.get(c, Place).kind.value in _RANK), None
        )
        if above is None or _on_cycle(d, above.id):
            continue
        if any(_on_cycle(d, c) for c in chain[1 : chain.index(above.id)]):
            continue
        wider = _RANK[above.kind.value] < _RANK[p.kind.value]
        if not wider and not (above.kind == p.kind and p.kind.value in ("region", "venue")):
            yield p.id, "/parent", YES, (above.id,)


def _on_cycle(d: Data, pid: str) -> bool:
    seen: set[str] = set()
    q = d.get(d.get(pid, Place).parent, Place)
    while q is not None and q.id not in seen:
        if q.id == pid:
            return True
        seen.add(q.id)
        q = d.get(q.parent, Place)
    return False


@rule("US111")
def us111(d: Data) -> Iterator[Hit]:
    for s in d.all(Statement):
        for i, fc in enumerate(s.forecasts):
            deadline = day(fc.deadline)
            if deadline is None or deadline[1] >= POS:
                continue
            last = (deadline[1], deadline[1])
            out = fc.outcome
            if d.as_of is not None and lt(last, d.as_of) is YES:
                if out is None:
                    yield s.id, f"/forecasts/{i}", Severity.WARNING, ()
                elif out.status is OutcomeStatus.PENDING:
                    yield s.id, f"/forecasts/{i}/outcome/status", Severity.WARNING, ()
            when = day(out.date) if out is not None else None
            if out is None or when is None:
                continue
            truth = NO
            if out.status is OutcomeStatus.MET:
                truth = lt(last, when)
            elif out.status is OutcomeStatus.MISSED:
                truth = lt(when, last)
            if truth is not NO:
                yield s.id, f"/forecasts/{i}/outcome/date", truth, tuple(out.evidence)


@rule("US112")
def us112(d: Data) -> Iterator[Hit]:
    from unionstate.converter import unstructure
    from unionstate.references import iter_refs

    cited = set()
    for r in d.records:
        for _, sid, targets in iter_refs(r.TYPE, unstructure(r)):
            if "source" in targets and sid != r.id:
                cited.add(sid)
    for s in d.all(Source):
        if s.id not in cited:
            yield s.id, "", Severity.INFO, ()


@rule("US113")
def us113(d: Data) -> Iterator[Hit]:
    if d.as_of is None:
        return
    for s in d.all(Source):
        when = day(s.published)
        if when is not None and lt(d.as_of, when) is not NO:
            yield s.id, "/published", lt(d.as_of, when), ()


@rule("US114")
def us114(d: Data) -> Iterator[Hit]:
    weak: dict[str, bool] = {}
    for s in d.all(Source):
        weak.setdefault(s.id, s.weak)
    cited: dict[str, list[str]] = {}
    for r in d.records:
        cited.setdefault(r.id, []).extend(r.sources)
    for rid, sids in cited.items():
        if d.by_id[rid].TYPE != "source" and sids and all(weak.get(s, False) for s in sids):
            yield rid, "/sources", Severity.INFO, tuple(sids)


_SEVERITY = {"US112": Severity.INFO}


def findings(ds: Dataset, as_of: str | None = None) -> list[tuple[Any, ...]]:
    """``(code, severity, record id, pointer, related)`` of every rule, and
    a note US012 on each exception that excuses none of them, sorted."""
    d = Data(ds, as_of)
    out = []
    for code, f in RULES.items():
        for rid, ptr, truth, related in f(d):
            if isinstance(truth, Severity):
                sev = truth
            else:
                sev = _SEVERITY.get(code, Severity.ERROR) if truth is YES else Severity.WARNING
            rel = tuple(dict.fromkeys(r for r in related if r and r != rid))
            out.append((code, sev.value, rid, ptr, rel))
    return sorted(out + unused_exceptions(d, out))


def unused_exceptions(d: Data, found: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """US012: an exception of a record for a rule that found nothing naming
    the record (as its subject or a related record), one that repeats an
    earlier exception of the record for the same rule, or one that names no
    rule."""
    out = []
    for r in d.records:
        kept: set[str] = set()
        for i, e in enumerate(r.exceptions):
            named = any(
                code == e.rule and r.id in (rid, *related) for code, _, rid, _, related in found
            )
            first = e.rule not in kept
            kept.add(e.rule)
            if not (e.rule in RULES and first and named):
                out.append(("US012", Severity.INFO.value, r.id, f"/exceptions/{i}", ()))
    return out
