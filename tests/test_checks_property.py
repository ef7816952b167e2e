"""Property tests: datasets built to be consistent give no error or warning;
making their dates coarser may give warnings, never errors."""

from __future__ import annotations

import datetime

import attrs
from hypothesis import given
from hypothesis import strategies as st

from unionstate.checks import check
from unionstate.dataset import Dataset, from_records
from unionstate.model import (
    DatasetInfo,
    Event,
    EventKind,
    EventStatus,
    Name,
    Office,
    Organization,
    OrganizationKind,
    Participant,
    Person,
    Place,
    PlaceKind,
    Record,
    Source,
    Statement,
    StatusChange,
    Tenure,
)
from unionstate.report import Severity

BASE = datetime.date(2000, 1, 1).toordinal()
CITIES = 3


def day(n: int) -> str:
    return datetime.date.fromordinal(BASE + n).isoformat()


def month(n: int) -> str:
    return day(n)[:7]


def _names(text: str) -> tuple[Name, ...]:
    return (Name(value=text, lang="en"),)


@st.composite
def consistent(draw: st.DrawFn) -> Dataset:
    """A dataset consistent by construction: per office, tenures in sequence
    (possibly touching on a boundary day, the last possibly open), acting
    holders overlapping at will, events and statements on days inside a
    tenure of the participant, one city per person and day, every source
    published on or after what it reports, as_of after everything."""
    n_people = draw(st.integers(1, 6))
    n_offices = draw(st.integers(1, 3))
    src0 = Source(
        id="source/base",
        url="https://example.org/base",
        title="Base",
        publisher="Example",
        language="en",
        published=day(0),
    )
    records: list[Record] = [
        src0,
        Organization(
            id="organization/gov",
            names=_names("Gov"),
            kind=OrganizationKind.GOVERNMENT,
            founded="1990",
            sources=("source/base",),
        ),
        Place(
            id="place/country",
            names=_names("Country"),
            kind=PlaceKind.COUNTRY,
            sources=("source/base",),
        ),
    ]
    for c in range(CITIES):
        records.append(
            Place(
                id=f"place/city-{c}",
                names=_names(f"City {c}"),
                kind=PlaceKind.CITY,
                parent="place/country",
                sources=("source/base",),
            )
        )
        records.append(
            Place(
                id=f"place/venue-{c}",
                names=_names(f"Venue {c}"),
                kind=PlaceKind.VENUE,
                parent=f"place/city-{c}",
                sources=("source/base",),
            )
        )
    for p in range(n_people):
        records.append(
            Person(
                id=f"person/p{p}",
                names=_names(f"P {p}"),
                birth_date="1950",
                sources=("source/base",),
            )
        )
    holdings: list[tuple[str, str, int, int]] = []  # person, office, first day, last day
    horizon = 0
    for o in range(n_offices):
        oid = f"office/o{o}"
        records.append(
            Office(
                id=oid,
                names=_names(f"Office {o}"),
                organization="organization/gov",
                sources=("source/base",),
            )
        )
        t = draw(st.integers(0, 30))
        n_tenures = draw(st.integers(0, 5))
        for k in range(n_tenures):
            who = f"person/p{draw(st.integers(0, n_people - 1))}"
            length = draw(st.integers(0, 800))
            is_open = k == n_tenures - 1 and draw(st.booleans())
            end = None if is_open else t + length
            tsrc = f"source/o{o}-{k}"
            records.append(
                Source(
                    id=tsrc,
                    url=f"https://example.org/o{o}-{k}",
                    title="T",
                    publisher="Example",
                    language="en",
                    published=day(t),
                )
            )
            records.append(
                Tenure(
                    id=f"tenure/o{o}-{k}",
                    person=who,
                    office=oid,
                    start=day(t),
                    end=None if end is None else day(end),
                    sources=(tsrc,),
                )
            )
            holdings.append((who, oid, t, t + length))
            horizon = max(horizon, t + length)
            if draw(st.booleans()):  # an acting holder overlapping anyone
                acting = f"person/p{draw(st.integers(0, n_people - 1))}"
                a0 = t + draw(st.integers(0, length))
                asrc = f"source/o{o}-{k}-acting"
                records.append(
                    Source(
                        id=asrc,
                        url=f"https://example.org/o{o}-{k}-acting",
                        title="A",
                        publisher="Example",
                        language="en",
                        published=day(a0 + draw(st.integers(0, 5))),
                    )
                )
                records.append(
                    Tenure(
                        id=f"tenure/o{o}-{k}-acting",
                        person=acting,
                        office=oid,
                        start=day(a0),
                        end=day(a0 + draw(st.integers(0, 60))),
                        acting=True,
                        sources=(asrc,),
                    )
                )
                horizon = max(horizon, a0 + 60)
            t = t + length + draw(st.integers(0, 60))  # 0: touching on one boundary day
    n_events = draw(st.integers(0, 12)) if holdings else 0
    for i in range(n_events):
        who, oid, first, last = draw(st.sampled_from(holdings))
        d = draw(st.integers(first, last))
        lag = draw(st.integers(0, 30))
        sid = f"source/e{i}"
        records.append(
            Source(
                id=sid,
                url=f"https://example.org/e{i}",
                title=f"E {i}",
                publisher="Example",
                language="en",
                published=day(d + lag),
            )
        )
        city = (hash(who) + d) % CITIES  # one city per person and day
        records.append(
            Event(
                id=f"event/e{i}",
                kind=EventKind.MEETING,
                title=f"E {i}",
                date=day(d),
                place=f"place/venue-{city}",
                participants=(Participant(actor=who, office=oid),),
                statuses=(
                    StatusChange(status=EventStatus.SCHEDULED, date=day(d - lag - 1)),
                    StatusChange(status=EventStatus.HELD, sources=(sid,)),
                ),
                sources=(sid,),
            )
        )
        if draw(st.booleans()):
            records.append(
                Statement(
                    id=f"statement/s{i}",
                    speaker=who,
                    office=oid,
                    date=day(d),
                    summary="Said.",
                    event=f"event/e{i}",
                    sources=(sid,),
                )
            )
        horizon = max(horizon, d + lag)
    info = DatasetInfo(name="prop", as_of=day(horizon + 1))
    return from_records(records, info)


@given(consistent())
def test_consistent_datasets_give_no_error_or_warning(d: Dataset) -> None:
    bad = [f for f in check(d) if f.severity is not Severity.INFO]
    assert bad == [], [f"{f.code} {f.record_id} {f.pointer}: {f.message}" for f in bad]


def _coarsen(r: Record) -> Record:
    if isinstance(r, Event):
        return attrs.evolve(r, date=r.date[:7])
    if isinstance(r, Statement):
        return attrs.evolve(r, date=r.date[:7])
    if isinstance(r, Tenure):
        return attrs.evolve(
            r,
            start=None if r.start is None else r.start[:7],
            end=None if r.end is None else r.end[:7],
        )
    if isinstance(r, Source) and r.published is not None:
        return attrs.evolve(r, published=r.published[:7])
    return r


@given(consistent())
def test_coarser_dates_give_warnings_never_errors(d: Dataset) -> None:
    coarse = from_records([_coarsen(r) for r in d.records], d.info)
    errors = [f for f in check(coarse) if f.severity is Severity.ERROR]
    assert errors == [], [f"{f.code} {f.record_id} {f.pointer}: {f.message}" for f in errors]
