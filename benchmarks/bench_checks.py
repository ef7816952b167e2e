"""Benchmark the consistency rules on synthetic datasets.

    PYTHONPATH=src python benchmarks/bench_checks.py [--sizes 10000:1000,100000:10000]

Each size is EVENTS:TENURES. Offices have ten tenures each, in sequence; every
event falls inside a tenure of its participant and cites its own source; a
tenth of the events clash (a second event the same day in another city, a
participant out of office) so the rules also report. Prints the time to build the columns
and to run each rule, the total, and how the total grew against n log n.
"""

from __future__ import annotations

import argparse
import datetime
import itertools
import math
import random
import time

from unionstate.checks import RULES, Frames, as_of_day, check
from unionstate.converter import unstructure
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
    StatusChange,
    Tenure,
)

BASE = datetime.date(1990, 1, 1).toordinal()
CITIES = 20


def day(n: int) -> str:
    return datetime.date.fromordinal(BASE + n).isoformat()


def synthetic(n_events: int, n_tenures: int, seed: int = 1) -> Dataset:
    rnd = random.Random(seed)
    s = ("source/base",)
    recs: list[Record] = [
        Source(
            id="source/base", url="https://example.org/", title="Base", publisher="X", language="en"
        ),
        Organization(
            id="organization/gov",
            names=(Name(value="Gov", lang="en"),),
            kind=OrganizationKind.GOVERNMENT,
            sources=s,
        ),
        Place(
            id="place/country",
            names=(Name(value="C", lang="en"),),
            kind=PlaceKind.COUNTRY,
            sources=s,
        ),
    ]
    for c in range(CITIES):
        recs.append(
            Place(
                id=f"place/city-{c}",
                names=(Name(value=f"City {c}", lang="en"),),
                kind=PlaceKind.CITY,
                parent="place/country",
                sources=s,
            )
        )
    n_people = max(1, n_tenures // 2)
    for p in range(n_people):
        recs.append(
            Person(
                id=f"person/p{p}",
                names=(Name(value=f"P {p}", lang="en"),),
                birth_date="1940",
                sources=s,
            )
        )
    spans: list[tuple[str, str, int, int]] = []
    for o in range(max(1, n_tenures // 10)):
        oid = f"office/o{o}"
        recs.append(
            Office(
                id=oid,
                names=(Name(value=f"O {o}", lang="en"),),
                organization="organization/gov",
                sources=s,
            )
        )
        t = rnd.randrange(100)
        for k in range(10):
            who = f"person/p{rnd.randrange(n_people)}"
            length = rnd.randrange(300, 1500)
            recs.append(
                Tenure(
                    id=f"tenure/o{o}-{k}",
                    person=who,
                    office=oid,
                    start=day(t),
                    end=day(t + length),
                    sources=s,
                )
            )
            spans.append((who, oid, t, t + length))
            t += length
    prev = ("", "", 0)
    for i in range(n_events):
        who, oid, first, last = spans[rnd.randrange(len(spans))]
        d = rnd.randrange(first, last + 1)
        clash = i % 10 == 0
        if clash and i % 20 == 0:
            d = last + 5  # out of office
        elif clash:
            who, oid, d = prev  # a second event that day, in another city
        prev = (who, oid, d)
        sid = f"source/e{i}"
        recs.append(
            Source(
                id=sid,
                url=f"https://example.org/{i}",
                title=f"E {i}",
                publisher="X",
                language="en",
                published=day(d + rnd.randrange(3)),
            )
        )
        city = (hash(who) + d + (i if clash else 0)) % CITIES
        recs.append(
            Event(
                id=f"event/e{i}",
                kind=EventKind.MEETING,
                title=f"E {i}",
                date=day(d),
                place=f"place/city-{city}",
                participants=(Participant(actor=who, office=oid),),
                statuses=(StatusChange(status=EventStatus.HELD, sources=(sid,)),),
                sources=(sid,),
            )
        )
    return from_records(recs, DatasetInfo(name="bench", as_of=day(40 * 365)))


def bench(n_events: int, n_tenures: int) -> float:
    d = synthetic(n_events, n_tenures)
    t0 = time.perf_counter()
    frames = Frames.of(unstructure(r) for r in d.records)
    as_of = as_of_day(d.info.as_of)
    t_index = time.perf_counter() - t0
    per_rule = {}
    counts = {}
    for code, r in RULES.items():
        t1 = time.perf_counter()
        counts[code] = sum(1 for _ in r.findings(frames, as_of))
        per_rule[code] = time.perf_counter() - t1
    t2 = time.perf_counter()
    total = len(check(d))
    t_check = time.perf_counter() - t2
    print(
        f"{n_events:>7} events, {n_tenures:>6} tenures, {len(d):>7} records: "
        f"check() {t_check:7.3f} s, {total} findings; columns {t_index:.3f} s"
    )
    slow = sorted(per_rule.items(), key=lambda kv: -kv[1])[:5]
    print("    " + ", ".join(f"{c} {t:.3f}s ({counts[c]})" for c, t in slow))
    return t_check


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="10000:1000,100000:10000")
    args = ap.parse_args()
    sizes = [tuple(int(x) for x in s.split(":")) for s in args.sizes.split(",")]
    results = [(e + t, bench(e, t)) for e, t in sizes]
    for (n0, t0), (n1, t1) in itertools.pairwise(results):
        nlogn = (n1 * math.log(n1)) / (n0 * math.log(n0))
        print(
            f"growth {n0} -> {n1} inputs: time x{t1 / t0:.1f}; "
            f"n log n predicts x{nlogn:.1f}, n^2 would be x{(n1 / n0) ** 2:.0f}"
        )


if __name__ == "__main__":
    main()
