"""A seeded generator of realistic unionstate datasets of any size, with
planted errors whose findings are known in advance.

    python benchmarks/generate.py 100000 us-100k.jsonl --seed 1 \\
        --error-rate 0.01 --kinds rules [--planted us-100k.planted.json]

:func:`generate` returns JSON-ready record dicts (canonical form: ``type``
first) and the list of :class:`Planted` errors; :func:`write_jsonl` writes
them as JSON Lines after a dataset header, and corrupts the lines of the
text-level plants (US001 bad JSON, US003 duplicate key).

**The mix** (fractions of ``n_records``; each type has a small minimum, so
``n_records`` must be at least :data:`MIN_RECORDS`; events take the rest, so
the total is exact)::

    source 2%   place 1%   organization 1%   person 3%   office 1%
    tenure 4%   event 70%  agreement 1%      roadmap 2%  statement 15%

**Consistent by construction** (with ``kinds=()``/``error_rate=0`` the
validator reports no error and no warning, only US108/US112 info):

* places nest: union; countries > regions > cities > venues;
* organisations are founded before anything they do; persons are born
  before 1976 and the few that die do nothing afterwards;
* each single-holder office has a chain of tenures that hand over on a day
  (the successor starts the day the predecessor ends) or leave a vacancy;
  a few are acting; offices with several holders have overlapping tenures;
* events fall on a pool of "busy" days (a third as many days as events, so
  many events share a day); an actor named in an office holds it on that
  day; nobody is present in person in two cities on one day; multi-day
  visits have sub-events ``part_of`` them in the same city;
* statuses run in order, dates never decreasing (announced [< postponed] <
  scheduled < held; or ending cancelled / did not take place / postponed);
  each held status cites a source published on or after it (3% cite an
  undated source);
* lifecycles run in stage order with non-decreasing dates, each step citing
  a source published after it; road map numbers are unique within the
  programme's declared count;
* forecasts whose deadline passed have a met (no later than the deadline) or
  missed (not before it) or unknown outcome, reported by a source published
  on or after it; later ones are pending; a statement's source is published
  after it (after its month, for one dated to the month);
* every source is cited; the header's ``as_of`` (:data:`AS_OF`) is after
  every date in the data.

**Planted errors** (``kinds``): each is a minimal change that makes the
validator report exactly one error or warning, at a known record and JSON
Pointer. A record with a schema-level kind (:data:`SCHEMA_KINDS`) is set
aside from the consistency rules (US007), with the records that refer to it;
:func:`expected` gives the findings to expect for any mix of kinds. The
kinds, the change, and the finding (error unless marked)::

    US010-enum      event kind or status not in the enum     US010 /kind, /statuses/0/status
    US010-date      event date YYYY-02-30, statement YYYY-13-01        US010 /date
    US010-required  event without title, statement without summary    US010 "" (root)
    US021           a participant names person/nobody-N  US021 /participants/i/actor
    US020           a leaf statement takes another's id                US020 /id
    US001           a leaf event or statement line cut in half  US001 (line, no id)
    US003           a key written twice (/title, /date, /statuses/0/status)  US003
    US101           a tenure no event names ends before it starts      US101 /end
    US103           a tenure extended past its successor's start  US103 successor /start
    US104           a participant's (or speaker's) office swapped for one never
                    held                 US104 /participants/i/office or /office
    US105           a held status (citing an undated source) dated after as_of
                                                        US105 /statuses/i/date
    US106           a status before held becomes cancelled; a status dated before
                    the one ahead; a lifecycle stage stepping back
                    US106 /statuses/i/status, /statuses/i/date, /lifecycle/i/stage
    US107           a held status's source (or a tenure's sources) swapped for
                    one published before the fact
                                          US107 /statuses/i/sources/j or /sources
    US108           a road map takes an earlier one's number           US108 /number
    US109           a person in a one-city event that day added to an event in
                    another city         US109 /participants/i/actor on the later id
    US110           a city moved inside a venue of another city        US110 /parent
    US111           met after / missed before the deadline (/outcome/date); a
                    past deadline pending (/outcome/status, warning) or without
                    outcome (/forecasts/i, warning)
"""

from __future__ import annotations

import argparse
import bisect
import datetime
import functools
import itertools
import json
import random
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from unionstate.references import iter_refs

Rec = dict[str, Any]

# --- the frame ---------------------------------------------------------------

START = datetime.date(1994, 7, 20).toordinal()  # first day of the data
END = datetime.date(2024, 12, 31).toordinal()  # last day any fact happens
AS_OF_DAY = datetime.date(2025, 1, 31).toordinal()
AS_OF = datetime.date.fromordinal(AS_OF_DAY).isoformat()
NAME = "unionstate-synthetic"

MIX: dict[str, float] = {
    "source": 0.02,
    "place": 0.01,
    "organization": 0.01,
    "person": 0.03,
    "office": 0.01,
    "tenure": 0.04,
    "event": 0.70,
    "agreement": 0.01,
    "roadmap": 0.02,
    "statement": 0.15,
}
MINIMUM: dict[str, int] = {
    "source": 12,
    "place": 12,
    "organization": 10,
    "person": 16,
    "office": 5,
    "tenure": 15,
    "event": 0,
    "agreement": 3,
    "roadmap": 5,
    "statement": 20,
}
MIN_RECORDS = 200
TYPE_ORDER = tuple(MIX)

SCHEMA_KINDS = (
    "US010-enum",
    "US010-date",
    "US010-required",
    "US021",
    "US020",
    "US001",
    "US003",
)
RULE_KINDS = (
    "US101",
    "US103",
    "US104",
    "US105",
    "US106",
    "US107",
    "US108",
    "US109",
    "US110",
    "US111",
)
ALL_KINDS = SCHEMA_KINDS + RULE_KINDS
FAMILIES: dict[str, tuple[str, ...]] = {
    "schema": SCHEMA_KINDS,
    "rules": RULE_KINDS,
    "all": ALL_KINDS,
    "none": (),
    "US010": ("US010-enum", "US010-date", "US010-required"),
}
#: Plants that live in the JSON text only: pass them to :func:`write_jsonl`.
TEXT_CODES = frozenset({"US001", "US003"})


class Planted(NamedTuple):
    """One planted error: the finding it must produce."""

    code: str
    record_id: str | None
    pointer: str | None
    severity: str = "error"
    kind: str = ""
    note: str = ""
    #: the other records the finding compares (a rule plant is not found if one is set aside)
    involved: tuple[str, ...] = ()

    @property
    def key(self) -> tuple[str, str, str | None, str | None]:
        return (self.code, self.severity, self.record_id, self.pointer)


def expand_kinds(kinds: Iterable[str]) -> tuple[str, ...]:
    """Kind names with the families (``schema``, ``rules``, ``all``,
    ``none``, ``US010``) expanded, in order, without repeats."""
    out: dict[str, None] = {}
    for k in kinds:
        for x in FAMILIES.get(k, (k,)):
            if x not in ALL_KINDS:
                raise ValueError(f"unknown kind {x!r}; known: {', '.join(ALL_KINDS)}")
            out[x] = None
    return tuple(out)


def expected(
    planted: Iterable[Planted], records: Iterable[Rec] = ()
) -> Counter[tuple[str, str, str | None, str | None]]:
    """The (code, severity, record id, pointer) of the error and warning
    findings the validator must report for these plants in ``records`` (the
    generated records, needed when schema-level kinds are planted). A record
    with a schema-level plant is set aside from the rules with every record
    that refers to one set aside, each with a US007 warning, and a rule plant
    is not found when its record, or another record its finding compares
    (``involved``), is set aside. US001 findings carry no record id:
    map them by line (see :func:`write_jsonl`)."""
    ps = list(planted)
    failed = {p.record_id for p in ps if p.kind in SCHEMA_KINDS and p.kind != "US001"}
    unreadable = {p.record_id for p in ps if p.kind == "US001"}  # never a record
    readable = [r for r in records if r.get("id") not in unreadable]
    aside = set_aside(readable, {r for r in failed if r})
    out: Counter[tuple[str, str, str | None, str | None]] = Counter()
    for p in ps:
        if p.kind in RULE_KINDS and (p.record_id in aside or not aside.isdisjoint(p.involved)):
            continue
        out[p.key] += 1
    for rid in aside:
        out[("US007", "warning", rid, None)] += 1
    return out


def set_aside(records: Iterable[Rec], failed: set[str]) -> set[str]:
    """The ids the rules set aside: ``failed`` and, again and again, every
    record that refers to one set aside (or, for a tenure set aside, names
    its office); only ids present in ``records``."""
    recs = list(records)
    present = {r["id"] for r in recs}
    by_ref: defaultdict[str, set[str]] = defaultdict(set)
    office_of: dict[str, str] = {}
    for rec in recs:
        for _, ref, _ in iter_refs(rec["type"], rec):
            if ref != rec["id"]:
                by_ref[ref].add(rec["id"])
        if rec["type"] == "tenure":
            office_of[rec["id"]] = rec["office"]
    aside, frontier = set(failed), set(failed)
    while frontier:
        targets = frontier | {office_of[t] for t in frontier if t in office_of}
        frontier = {d for t in targets for d in by_ref.get(t, ())} - aside
        aside |= frontier
    return aside & present


# --- small helpers -------------------------------------------------------------


def iso(day: int) -> str:
    return datetime.date.fromordinal(day).isoformat()


def _month(day: int) -> tuple[str, int, int]:
    d = datetime.date.fromordinal(day)
    lo = d.replace(day=1).toordinal()
    nxt = (d.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return f"{d.year:04d}-{d.month:02d}", lo, nxt.toordinal() - 1


def _last_day(text: str) -> int:
    """The last day of a year, month or day (YYYY, YYYY-MM, YYYY-MM-DD)."""
    first = datetime.date.fromisoformat((text + "-01-01")[:10]).toordinal()
    if len(text) == 4:
        return _year_end(first)
    return _month(first)[2] if len(text) == 7 else first


def _cut(slug: str, n: int) -> str:
    """A slug cut to ``n`` characters, never ending in a separator."""
    return slug[:n].rstrip("-._")


def _year_end(day: int) -> int:
    return datetime.date(datetime.date.fromordinal(day).year, 12, 31).toordinal()


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


MONTH_NAMES = _words(
    "January February March April May June July August September October November December"
)

_CYR = [
    ("shch", "щ"),
    ("zh", "ж"),
    ("kh", "х"),
    ("ts", "ц"),
    ("ch", "ч"),
    ("sh", "ш"),
    ("yu", "ю"),
    ("ya", "я"),
    ("ye", "е"),
    ("yo", "ё"),
]
_CYR1 = dict(zip("abvgdezijklmnoprstufhcy", "абвгдезийклмнопрстуфхцы", strict=True))


def cyrillic(latin: str) -> str:
    """A rough Cyrillic spelling of a romanised name (realistic bytes)."""
    out = []
    for word in latin.split():
        w, i, res = word.lower(), 0, ""
        while i < len(w):
            for lat, cyr in _CYR:
                if w.startswith(lat, i):
                    res += cyr
                    i += len(lat)
                    break
            else:
                res += _CYR1.get(w[i], w[i])
                i += 1
        out.append(res[:1].upper() + res[1:])
    return " ".join(out)


@functools.cache
def _quote(subject: str) -> str:
    return cyrillic(f"my gotovy obsudit {subject} s partnerami")


def _names(en: str, *, be: bool = True) -> list[Rec]:
    out: list[Rec] = [{"value": en, "lang": "en", "preferred": True}]
    out.append({"value": cyrillic(en), "lang": "ru"})
    if be:
        out.append({"value": cyrillic(en.replace("o", "a")), "lang": "be"})
    return out


# --- reference material ----------------------------------------------------------

COUNTRIES = [
    ("belarus", "Belarus", ["minsk", "brest", "grodno", "vitebsk", "gomel", "mogilev"]),
    ("russia", "Russia", ["moscow", "saint-petersburg", "sochi", "kazan", "smolensk", "ufa"]),
    ("kazakhstan", "Kazakhstan", ["astana", "almaty"]),
    ("armenia", "Armenia", ["yerevan"]),
    ("kyrgyzstan", "Kyrgyzstan", ["bishkek"]),
    ("china", "China", ["beijing"]),
    ("serbia", "Serbia", ["belgrade"]),
    ("azerbaijan", "Azerbaijan", ["baku"]),
]
VENUES = {
    "minsk": ["independence-palace", "palace-of-the-republic", "minsk-arena"],
    "moscow": ["kremlin", "novo-ogaryovo", "white-house-moscow"],
    "sochi": ["bocharov-ruchey", "rosa-khutor"],
    "saint-petersburg": ["konstantinovsky-palace", "tauride-palace"],
}
MEDIA = [
    ("belta", "BelTA", "belta.by", "ru"),
    ("tass", "TASS", "tass.ru", "ru"),
    ("belsat", "Belsat", "belsat.eu", "be"),
    ("ria-novosti", "RIA Novosti", "ria.ru", "ru"),
    ("interfax", "Interfax", "interfax.ru", "ru"),
    ("kommersant", "Kommersant", "kommersant.ru", "ru"),
    ("nasha-niva", "Nasha Niva", "nashaniva.com", "be"),
    ("meduza", "Meduza", "meduza.io", "ru"),
    ("rferl", "RFE/RL", "rferl.org", "en"),
    ("reuters", "Reuters", "reuters.com", "en"),
    ("echo-of-moscow", "Echo of Moscow", "echo.msk.ru", "ru"),
    ("zerkalo", "Zerkalo", "news.zerkalo.io", "ru"),
]
FIRST = _words(
    "alyaksandr mikhail dmitry vladimir sergey andrei viktor roman natalia valentina olga "
    "igor pavel yuri aleksei nikolai grigory maria elena anatoly kirill boris leonid ivan "
    "tatiana svetlana oleg maxim denis anna"
)
LAST = _words(
    "lukashenka putin medvedev mishustin makei lavrov golovchenko kobyakov rumas semashko "
    "babich mezentsev shoigu kochanova andreichenko volodin matviyenko kosachev sidorsky "
    "myasnikovich grinevich petrishenko sokol glazyev krutoi kozak novak siluanov "
    "overchuk snopkov zinovsky martynov aleinik ryzhenkov kuznetsov orlov belov morozov "
    "volkov"
)
PORTFOLIOS = _words(
    "economy energy finance agriculture defence industry transport justice health "
    "education culture taxes customs trade interior emergencies"
)
SUBJECTS = [
    "oil",
    "gas",
    "tax policy",
    "common currency",
    "supranational bodies",
    "customs",
    "electricity market",
    "banking supervision",
    "transport",
    "agriculture",
    "migration",
    "defence",
    "media",
    "labour",
]
EVENT_TITLE = {
    "meeting": "Meeting",
    "talks": "Talks",
    "visit": "Visit",
    "summit": "Summit",
    "council_session": "Council session",
    "congress": "Congress",
    "interview": "Interview",
    "phone_call": "Phone call",
    "announcement": "Announcement",
    "press_conference": "Press conference",
    "forum": "Forum",
    "negotiations": "Negotiations",
    "appointment": "Appointment",
    "inauguration": "Inauguration",
    "development": "Development",
}
LOCATED_KINDS = [
    "meeting",
    "talks",
    "talks",
    "meeting",
    "summit",
    "council_session",
    "forum",
    "press_conference",
    "negotiations",
    "congress",
]
STAGES = ["proposed", "drafted", "initialled", "agreed", "signed", "approved", "ratified"]
STAGE_RANK = {s: i for i, s in enumerate([*STAGES, "in_force"])}
TERMINAL = {"held", "cancelled", "did_not_take_place"}


class _Tenure(NamedTuple):
    rec: Rec
    person: str
    office: str
    lo: int  # first covered day (START when the start is unknown)
    hi: int  # last covered day (END when open)
    start: int | None
    end: int | None
    acting: bool
    single: bool


class _Event(NamedTuple):
    rec: Rec
    lo: int
    hi: int
    city: str | None  # set when held, in person, in a city, at most 3 days
    part_of: str | None


def _counts(n: int) -> dict[str, int]:
    if n < MIN_RECORDS:
        raise ValueError(f"n_records must be at least {MIN_RECORDS}")
    c = {t: max(MINIMUM[t], round(MIX[t] * n)) for t in MIX if t != "event"}
    c["event"] = n - sum(c.values())
    return {t: c[t] for t in TYPE_ORDER}


# --- the generator -----------------------------------------------------------------


class _Gen:
    def __init__(self, n: int, seed: int, plan: Mapping[str, int]) -> None:
        self.r = random.Random(seed)
        self.n = n
        self.plan = plan
        self.counts = _counts(n)
        self.out: dict[str, list[Rec]] = {t: [] for t in TYPE_ORDER}
        self.slugs: set[str] = set()
        # sources
        self.src_days: list[int] = []
        self.src_ids: list[str] = []
        self.undated: list[str] = []
        self.src_day: dict[str, int] = {}
        # places
        self.countries: list[str] = []
        self.cities: list[tuple[str, str]] = []  # (city, country)
        self.venues: list[tuple[str, str]] = []  # (venue, city)
        # actors
        self.media: list[tuple[str, str, str, str]] = []
        self.orgs: list[tuple[str, int]] = []  # (id, founded hi)
        self.org_kind: dict[str, str] = {}
        self.persons: list[str] = []
        self.death: dict[str, int | None] = {}
        self.offices: list[tuple[str, bool]] = []  # (id, single holder)
        self.tenures: list[_Tenure] = []
        self.chains: dict[str, list[_Tenure]] = {}
        self.usable: list[_Tenure] = []
        self.reserved: list[_Tenure] = []
        self.holders: set[tuple[str, str]] = set()
        # events
        self.events: list[_Event] = []
        self.emeta: dict[str, _Event] = {}
        self.presence: dict[tuple[str, int], tuple[str, list[str]]] = {}
        self.by_day: dict[int, list[str]] = defaultdict(list)
        self.announcements: list[tuple[int, str]] = []
        self.pool: list[int] = []
        self.topics: list[str] = []
        self.media_orgs: list[str] = []
        self.referenced: set[str] = set()  # every id some record refers to
        # programmes
        self.agreements: list[str] = []
        self.roadmaps: list[str] = []
        self.programmes: dict[str, list[Rec]] = {}
        self.lifecycles: list[Rec] = []
        self.forecasts: list[tuple[Rec, int, int]] = []  # (statement, index, deadline hi)

    # -- ids and sources --
    def slug(self, type_: str, base: str) -> str:
        rid = f"{type_}/{base}"
        k = 2
        while rid in self.slugs:
            rid = f"{type_}/{base}-{k}"
            k += 1
        self.slugs.add(rid)
        return rid

    def after(self, day: int) -> str:
        """A dated source published on ``day`` or within the next few."""
        i = bisect.bisect_left(self.src_days, day)
        i = min(len(self.src_days) - 1, i + self.r.randrange(3))
        return self.src_ids[i]

    def before(self, day: int) -> str:
        """A dated source published on or before ``day`` (an announcement)."""
        i = bisect.bisect_right(self.src_days, day) - 1
        if i < 0:
            return self.after(day)
        return self.src_ids[max(0, i - self.r.randrange(3))]

    def any_source(self) -> str:
        if self.undated and self.r.random() < 0.05:
            return self.r.choice(self.undated)
        return self.r.choice(self.src_ids)

    def alive(self, person: str, lo: int, hi: int) -> bool:
        d = self.death[person]
        return d is None or hi <= d

    # -- the records, in order --
    def run(self) -> dict[str, list[Rec]]:
        self.gen_sources()
        self.gen_places()
        self.gen_organizations()
        self.gen_persons()
        self.gen_offices()
        self.gen_tenures()
        self.gen_agreements()
        self.gen_events()
        self.gen_statements()
        self.link_lifecycle_events()
        self.use_all_sources()
        return self.out

    def gen_sources(self) -> None:
        r, n = self.r, self.counts["source"]
        n_media = min(len(MEDIA), max(2, self.counts["organization"] // 4))
        self.media = MEDIA[:n_media]
        n_undated = max(2, n // 25)
        n_dated = n - n_undated
        days = sorted(r.randint(START, END) for _ in range(n_dated - 2))
        days = [START, *days, END]
        for k, day in enumerate(days):
            slug, name, domain, lang = r.choice(MEDIA)
            d = datetime.date.fromordinal(day)
            sid = self.slug("source", f"{slug}-{iso(day)}")
            rec: Rec = {
                "type": "source",
                "id": sid,
                "url": f"https://{domain}/news/{d.year}/{d.month:02d}/{d.day:02d}/{k}",
                "title": f"{r.choice(SUBJECTS).capitalize()}: {r.choice(LAST).title()} "
                f"on Union State integration",
                "publisher": name,
                "published": iso(day),
                "language": lang,
            }
            if any(m[0] == slug for m in self.media) and r.random() < 0.7:
                rec["publisher_org"] = f"organization/{slug}"
            if r.random() < 0.3:
                rec["quote"] = (
                    f"The parties discussed {r.choice(SUBJECTS)} and {r.choice(SUBJECTS)}."
                )
            if k > 0 and r.random() < 0.05:
                rec["weak"] = True
                rec["sources"] = [self.src_ids[r.randrange(k)]]
            self.src_days.append(day)
            self.src_ids.append(sid)
            self.src_day[sid] = day
            self.out["source"].append(rec)
        for k in range(n_undated):
            slug, name, domain, lang = r.choice(MEDIA)
            sid = self.slug("source", f"{slug}-undated-{k}")
            self.undated.append(sid)
            self.out["source"].append(
                {
                    "type": "source",
                    "id": sid,
                    "url": f"https://{domain}/archive/{k}",
                    "title": f"Archive page {k}",
                    "publisher": name,
                    "language": lang,
                }
            )

    def gen_places(self) -> None:
        r, n = self.r, self.counts["place"]
        recs = self.out["place"]

        def place(pid: str, name: str, kind: str, parent: str | None) -> None:
            rec: Rec = {"type": "place", "id": pid, "names": _names(name), "kind": kind}
            if parent:
                rec["parent"] = parent
            rec["sources"] = [self.any_source()]
            recs.append(rec)
            self.slugs.add(pid)

        place("place/union-state", "Union State", "union", None)
        n_countries = min(len(COUNTRIES), max(2, n // 8))
        n_regions = n // 12
        n_cities = max(3, (n - 1 - n_countries - n_regions) // 2)
        n_venues = n - 1 - n_countries - n_regions - n_cities
        regions: list[tuple[str, str]] = []
        for slug, name, _ in COUNTRIES[:n_countries]:
            place(f"place/{slug}", name, "country", None)
            self.countries.append(f"place/{slug}")
        for k in range(n_regions):
            c = self.countries[k % n_countries]
            rid = self.slug("place", f"{c.split('/')[1]}-region-{k + 1}")
            place(rid, f"{c.split('/')[1].title()} Region {k + 1}", "region", c)
            regions.append((rid, c))
        real = [
            (f"place/{city}", f"place/{c}") for c, _, cs in COUNTRIES[:n_countries] for city in cs
        ]
        for k in range(n_cities):
            if k < len(real):
                cid, country = real[k]
                name = cid.split("/")[1].replace("-", " ").title()
                self.slugs.add(cid)
            else:
                country = self.r.choice(self.countries)
                cid = self.slug("place", f"{country.split('/')[1]}-town-{k}")
                name = f"{country.split('/')[1].title()} Town {k}"
            parent = country
            inside = [rg for rg, c in regions if c == country]
            if inside and r.random() < 0.4:
                parent = r.choice(inside)
            place(cid, name, "city", parent)
            self.cities.append((cid, country))
        known = [(f"place/{v}", f"place/{c}") for c, vs in VENUES.items() for v in vs]
        known = [(v, c) for v, c in known if any(c == x for x, _ in self.cities)]
        for k in range(n_venues):
            if k < len(known):
                vid, city = known[k]
                self.slugs.add(vid)
                name = vid.split("/")[1].replace("-", " ").title()
            else:
                city = r.choice(self.cities)[0]
                vid = self.slug("place", f"{city.split('/')[1]}-hall-{k}")
                name = f"Hall {k}, {city.split('/')[1].title()}"
            place(vid, name, "venue", city)
            self.venues.append((vid, city))

    def gen_organizations(self) -> None:
        r, n = self.r, self.counts["organization"]
        recs = self.out["organization"]
        pool: list[tuple[str, str, str, str | None, str | None, str]] = []
        # (slug, name, kind, jurisdiction, parent, founded)
        for slug, name, _, _ in self.media:
            pool.append((slug, name, "media", None, None, "1991"))
        nat = []
        for c in self.countries:
            cs = c.split("/")[1]
            cn = cs.title()
            nat.append(
                [
                    (
                        f"government-of-{cs}",
                        f"Government of {cn}",
                        "government",
                        c,
                        None,
                        "1991-12",
                    ),
                    (f"presidency-of-{cs}", f"Presidency of {cn}", "other", c, None, "1994-07-10"),
                    (
                        f"ministry-of-foreign-affairs-of-{cs}",
                        f"Ministry of Foreign Affairs of {cn}",
                        "ministry",
                        c,
                        f"organization/government-of-{cs}",
                        "1991-12-25",
                    ),
                    (f"parliament-of-{cs}", f"Parliament of {cn}", "parliament", c, None, "1991"),
                    (f"state-{cs}", cn, "state", c, None, "1991-08-25"),
                    (f"embassy-of-{cs}-in-moscow", f"Embassy of {cn}", "embassy", c, None, "1992"),
                ]
            )
        for row in zip(*nat, strict=False):
            pool.extend(row)
        union = "place/union-state"
        pool += [
            ("supreme-state-council", "Supreme State Council", "council", union, None, "1994-04"),
            ("union-council-of-ministers", "Council of Ministers", "council", union, None, "1994"),
            (
                "permanent-committee",
                "Permanent Committee",
                "intergovernmental_body",
                union,
                None,
                "1994",
            ),
            ("parliamentary-assembly", "Parliamentary Assembly", "parliament", union, None, "1993"),
        ]
        k = 0
        while len(pool) < n:
            c = self.countries[k % len(self.countries)].split("/")[1]
            p = PORTFOLIOS[(k // len(self.countries)) % len(PORTFOLIOS)]
            gen = k // (len(self.countries) * len(PORTFOLIOS))
            slug = f"ministry-of-{p}-of-{c}" + (f"-{gen + 1}" if gen else "")
            pool.append(
                (
                    slug,
                    f"Ministry of {p.title()} of {c.title()}",
                    "ministry",
                    f"place/{c}",
                    f"organization/government-of-{c}",
                    "1992",
                )
            )
            k += 1
        chosen = pool[:n]
        ids = {f"organization/{p[0]}" for p in chosen}
        for slug, name, kind, juris, parent, founded in chosen:
            oid = f"organization/{slug}"
            self.slugs.add(oid)
            rec: Rec = {"type": "organization", "id": oid, "names": _names(name), "kind": kind}
            if juris:
                rec["jurisdiction"] = juris
            if parent and parent in ids:
                rec["parent"] = parent
            rec["founded"] = founded
            rec["sources"] = [self.any_source()]
            if r.random() < 0.3:
                rec["identifiers"] = [{"scheme": "wikidata", "value": f"Q{r.randint(1000, 10**7)}"}]
            recs.append(rec)
            self.orgs.append((oid, _last_day(founded)))
            self.org_kind[oid] = kind
            if kind == "media":
                self.media_orgs.append(oid)

    def gen_persons(self) -> None:
        r, n = self.r, self.counts["person"]
        for k in range(n):
            first, last = r.choice(FIRST), LAST[k % len(LAST)]
            pid = self.slug("person", f"{last}-{first}")
            born = r.randint(
                datetime.date(1935, 1, 1).toordinal(), datetime.date(1975, 12, 31).toordinal()
            )
            rec: Rec = {
                "type": "person",
                "id": pid,
                "names": _names(f"{first.title()} {last.title()}"),
                "birth_date": iso(born) if r.random() < 0.7 else iso(born)[:4],
            }
            death = None
            if r.random() < 0.05:
                death = r.randint(START + 3 * 365, END - 30)
                rec["death_date"] = iso(death)
            if r.random() < 0.4:
                rec["identifiers"] = [{"scheme": "wikidata", "value": f"Q{r.randint(1000, 10**7)}"}]
            rec["sources"] = [self.any_source()]
            self.out["person"].append(rec)
            self.persons.append(pid)
            self.death[pid] = death

    def gen_offices(self) -> None:
        r, n = self.r, self.counts["office"]
        titles = {
            "government": ["Prime Minister of {c}", "First Deputy Prime Minister of {c}"],
            "other": ["President of {c}", "Head of the Presidential Administration of {c}"],
            "ministry": ["Minister ({o})", "Deputy Minister ({o})"],
            "parliament": ["Speaker ({o})", "Member ({o})"],
            "embassy": ["Ambassador ({o})", "Counsellor ({o})"],
            "council": ["Chair ({o})", "Member ({o})"],
            "intergovernmental_body": ["State Secretary ({o})", "Deputy State Secretary ({o})"],
        }
        orgs = [(o, f) for o, f in self.orgs if self.org_kind[o] in titles]
        org_name = {o["id"]: o["names"][0]["value"] for o in self.out["organization"]}
        for k in range(n):
            oid, _ = orgs[k % len(orgs)]
            rank = k // len(orgs)
            oname = org_name[oid]
            country = oid.rsplit("-of-", 1)[-1].title()
            tpl = titles[self.org_kind[oid]][min(rank, 1)]
            title = tpl.format(c=country, o=oname) + (f" {rank}" if rank > 1 else "")
            single = rank == 0 and "Member" not in tpl
            base = title.lower().replace("(", "").replace(")", "").replace(" ", "-")
            fid = self.slug("office", "".join(ch for ch in base if ch.isalnum() or ch == "-"))
            rec: Rec = {"type": "office", "id": fid, "names": _names(title, be=False)}
            rec["organization"] = oid
            if not single:
                rec["max_holders"] = r.randint(2, 6)
            rec["sources"] = [self.any_source()]
            self.out["office"].append(rec)
            self.offices.append((fid, single))

    def holder(self, lo: int, hi: int | None) -> str:
        r = self.r
        for _ in range(30):
            p = r.choice(self.persons)
            d = self.death[p]
            if d is None or (hi is not None and hi <= d):
                return p
        return next(p for p in self.persons if self.death[p] is None)

    def gen_tenures(self) -> None:
        r, n = self.r, self.counts["tenure"]
        per = [1] * len(self.offices)
        for _ in range(n - len(self.offices)):
            per[r.randrange(len(self.offices))] += 1
        founded = dict(self.orgs)
        office_org = {o["id"]: o["organization"] for o in self.out["office"]}
        for (fid, single), m in zip(self.offices, per, strict=True):
            first = max(START, founded[office_org[fid]] + 1)
            if single:
                self.chain(fid, first, m)
            else:
                for _ in range(m):
                    s = r.randint(first, END - 60)
                    e = r.randint(s + 1, END) if r.random() < 0.7 else None
                    self.tenure(fid, self.holder(s, e), s, e, single=False)
        # reserve tenures that no event or statement will name (for US101)
        eligible = [
            t
            for t in self.tenures
            if t.single and t.start is not None and t.end is not None and not t.acting
        ]
        r.shuffle(eligible)
        seen: set[str] = set()
        for t in eligible:
            if len(self.reserved) >= 2 * self.plan.get("US101", 0):
                break
            if t.office not in seen:
                seen.add(t.office)
                self.reserved.append(t)
        reserved = {id(t) for t in self.reserved}
        self.usable = [t for t in self.tenures if id(t) not in reserved]

    def chain(self, fid: str, first: int, m: int) -> None:
        r = self.r
        span = END - 60 - first
        cuts = sorted(r.sample(range(first + 1, END - 60), min(m - 1, span - 1)))
        starts = [first, *cuts]
        prev: str | None = None
        for i, s in enumerate(starts):
            last = i == len(starts) - 1
            if last:
                e = None if r.random() < 0.85 else r.randint(s + 1, END)
            else:
                nxt = starts[i + 1]
                e = nxt if r.random() < 0.9 or nxt - s < 3 else nxt - r.randint(1, (nxt - s) // 2)
            acting = i > 0 and not last and r.random() < 0.05
            p = (
                prev
                if (
                    prev
                    and not acting
                    and r.random() < 0.2
                    and self.alive(prev, s, e or AS_OF_DAY)
                    and (e is not None or self.death[prev] is None)
                )
                else self.holder(s, e)
            )
            known = not (i == 0 and r.random() < 0.15)
            self.tenure(fid, p, s if known else None, e, acting=acting, reappointed=p == prev)
            prev = p

    def tenure(
        self,
        fid: str,
        person: str,
        start: int | None,
        end: int | None,
        *,
        single: bool = True,
        acting: bool = False,
        reappointed: bool = False,
    ) -> None:
        r = self.r
        tid = self.slug("tenure", _cut(f"{person.split('/')[1]}-{fid.split('/')[1]}", 80))
        rec: Rec = {"type": "tenure", "id": tid, "person": person, "office": fid}
        if start is not None:
            rec["start"] = iso(start)
            rec["start_reason"] = (
                "acting"
                if acting
                else "reappointed"
                if reappointed
                else r.choice(["appointed", "elected", "inaugurated"])
            )
        if end is not None:
            rec["end"] = iso(end)
            rec["end_reason"] = r.choice(["replaced", "resigned", "dismissed", "term_ended"])
        if acting:
            rec["acting"] = True
        srcs = [self.after(start)] if start is not None else [self.any_source()]
        if r.random() < 0.3:
            extra = self.any_source()
            if extra not in srcs:
                srcs.append(extra)
        rec["sources"] = srcs
        self.out["tenure"].append(rec)
        t = _Tenure(
            rec,
            person,
            fid,
            start if start is not None else START,
            end if end is not None else END,
            start,
            end,
            acting,
            single,
        )
        self.tenures.append(t)
        self.chains.setdefault(fid, []).append(t)
        self.holders.add((person, fid))

    def gen_agreements(self) -> None:
        r = self.r
        na, nr = self.counts["agreement"], self.counts["roadmap"]
        n_prog = max(1, na // 3)
        kinds = ["treaty", "intergovernmental_agreement", "declaration", "decree", "concept"]
        parties = self.countries[:2]
        per = [0] * n_prog
        for _ in range(nr):
            per[r.randrange(n_prog)] += 1
        for k in range(na):
            prog = k < n_prog
            year = r.randint(1995, 2023)
            aid = self.slug(
                "agreement",
                f"integration-programme-{year}"
                if prog
                else f"{kinds[k % len(kinds)].replace('_', '-')}-{year}",
            )
            rec: Rec = {
                "type": "agreement",
                "id": aid,
                "kind": "integration_programme" if prog else kinds[k % len(kinds)],
                "title": f"Integration Programme ({year})"
                if prog
                else f"Agreement on {r.choice(SUBJECTS)} ({year})",
                "parties": list(parties),
                "lifecycle": self.lifecycle(year),
            }
            if prog:
                rec["declared_roadmap_count"] = per[k] + r.randint(0, 3)
                rec["roadmaps_published"] = r.random() < 0.5
            elif self.agreements and r.random() < 0.2:
                rec["part_of"] = r.choice(self.agreements)
            rec["summary"] = f"Provides for cooperation on {r.choice(SUBJECTS)}."
            rec["sources"] = sorted({s for st in rec["lifecycle"] for s in st["sources"]}) or [
                self.any_source()
            ]
            self.out["agreement"].append(rec)
            self.agreements.append(aid)
            if prog:
                self.programmes[aid] = []
        declared_of = {a["id"]: a.get("declared_roadmap_count", 0) for a in self.out["agreement"]}
        for pi, pid in enumerate(list(self.programmes)):
            declared = declared_of[pid]
            numbers = r.sample(range(1, declared + 1), per[pi])
            for j in range(per[pi]):
                subj = r.choice(SUBJECTS)
                rid = self.slug("roadmap", f"{pid.split('/')[1]}-{subj.replace(' ', '-')}")
                rec = {
                    "type": "roadmap",
                    "id": rid,
                    "kind": r.choice(["road_map", "union_programme"]),
                }
                if r.random() < 0.9:
                    rec["number"] = numbers[j]
                rec["title"] = f"Road map on {subj}"
                rec["topics"] = [subj]
                rec["programme"] = pid
                rec["lifecycle"] = self.lifecycle(r.randint(1995, 2023))
                rec["sources"] = sorted({s for st in rec["lifecycle"] for s in st["sources"]}) or [
                    self.any_source()
                ]
                self.out["roadmap"].append(rec)
                self.roadmaps.append(rid)
                self.programmes[pid].append(rec)

    def lifecycle(self, year: int) -> list[Rec]:
        r = self.r
        stages = sorted(r.sample(STAGES, r.randint(1, 5)), key=STAGE_RANK.__getitem__)
        if "signed" in stages and r.random() < 0.3:
            i = stages.index("signed")
            stages.insert(i, "signed")
        if r.random() < 0.3:
            stages.append("in_force")
        elif r.random() < 0.1:
            stages.append("abandoned")
        day = max(START, datetime.date(year, 1, 1).toordinal() + r.randrange(365))
        steps = []
        for st in stages:
            day = min(END - 40, day + r.randint(0, 120))
            if r.random() < 0.15:
                text, lo, hi = _month(day)
            else:
                text, lo, hi = iso(day), day, day
            step: Rec = {"stage": st, "date": text, "sources": [self.after(hi)]}
            if st in ("signed", "ratified"):
                alive = [p for p in r.sample(self.persons, 3) if self.alive(p, lo, hi)]
                by = alive[:1] + [o for o, f in r.sample(self.orgs, 1) if f < lo]
                if by:
                    step["by"] = list(dict.fromkeys(by))
            self.lifecycles.append(step)
            steps.append(step)
        return steps

    # -- events --
    def gen_events(self) -> None:
        r = self.r
        self.topics = self.agreements + self.roadmaps
        n = self.counts["event"]
        n_days = max(10, n // 3)
        self.pool = [r.randint(START + 90, END - 10) for _ in range(n_days)]
        made = 0
        while made < n:
            made += self.event(n - made)

    def pick_place(self) -> tuple[str, str]:
        r = self.r
        if self.venues and r.random() < 0.5:
            v, c = r.choice(self.venues)
            return v, c
        c = r.choice(self.cities)[0]
        return c, c

    def present_ok(self, p: str, lo: int, hi: int, city: str | None) -> bool:
        if city is None:
            return True
        for d in range(lo, hi + 1):
            got = self.presence.get((p, d))
            if got is not None and got[0] != city:
                return False
        return True

    def participants(
        self, lo: int, hi: int, city: str | None, *, want: int, offices: bool
    ) -> list[Rec]:
        """Up to ``want`` participants alive on [lo, hi], free to be in
        ``city`` (when given), some named in an office they hold."""
        r = self.r
        out: list[Rec] = []
        seen: set[str] = set()
        for _ in range(want * 3):
            if len(out) >= want:
                break
            if offices and self.usable and r.random() < 0.5:
                t = r.choice(self.usable)
                if not (t.lo <= lo and hi <= t.hi) or t.person in seen:
                    continue
                if not self.present_ok(t.person, lo, hi, city):
                    continue
                out.append({"actor": t.person, "office": t.office})
                seen.add(t.person)
            else:
                p = r.choice(self.persons)
                if p in seen or not self.alive(p, lo, hi) or not self.present_ok(p, lo, hi, city):
                    continue
                out.append({"actor": p})
                seen.add(p)
        if r.random() < 0.1:
            o, f = r.choice(self.orgs)
            if f < lo and o not in seen:
                out.append({"actor": o, "role": "delegation"})
        if out and r.random() < 0.5:
            out[0]["role"] = "host"
        return out

    def statuses(self, lo: int, hi: int, fate: str, exact: bool) -> list[Rec]:
        r = self.r
        out: list[Rec] = []
        a = lo - r.randint(5, 60)
        if r.random() < 0.6 or fate != "held":
            out.append({"status": "announced", "date": iso(a), "sources": [self.before(a)]})
        if r.random() < 0.5:
            s = lo - r.randint(1, 5)
            out.append({"status": "scheduled", "date": iso(s), "sources": [self.before(s)]})
            if fate == "held" and r.random() < 0.1:
                out.insert(-1, {"status": "postponed", "date": iso(a), "sources": [self.before(a)]})
        if fate == "held":
            held: Rec = {"status": "held"}
            if exact and r.random() < 0.7:
                held["date"] = iso(lo)
            if r.random() < 0.03:
                held["sources"] = [r.choice(self.undated)]
            else:
                held["sources"] = [self.after(hi)]
                if r.random() < 0.2:
                    extra = self.after(hi)
                    if extra not in held["sources"]:
                        held["sources"].append(extra)
            out.append(held)
        elif fate == "cancelled":
            c = lo - r.randint(0, 3)
            out.append({"status": "cancelled", "date": iso(c), "sources": [self.after(c)]})
        elif fate == "did_not_take_place":
            out.append(
                {"status": "did_not_take_place", "date": iso(lo), "sources": [self.after(hi)]}
            )
        else:
            p = lo - r.randint(0, 3)
            out.append({"status": "postponed", "date": iso(p), "sources": [self.after(p)]})
        # dates never decrease (announced may equal scheduled's day)
        last = -1
        for st in out:
            if "date" in st:
                d = datetime.date.fromisoformat(st["date"]).toordinal()
                if d < last:
                    st["date"] = iso(last)
                    d = last
                last = d
        return out

    def event(self, room: int) -> int:
        """Make one event (or a visit with its parts, at most ``room``); the
        number made."""
        r = self.r
        x = r.random()
        fate = r.choices(["held", "cancelled", "did_not_take_place", "postponed"], [88, 5, 3, 4])[0]
        day = r.choice(self.pool)
        if x < 0.06 and room >= 3:
            return self.visit(day, fate if fate != "postponed" else "held")
        rec: Rec = {"type": "event"}
        lo = hi = day
        exact = True
        place = city = None
        attendance = None
        if x < 0.62:
            kind = r.choice(LOCATED_KINDS)
            place, city = self.pick_place()
            if r.random() < 0.5:
                attendance = "in_person"
        elif x < 0.72:
            kind, attendance = "phone_call", "phone"
        elif x < 0.77:
            kind, attendance = r.choice(["meeting", "council_session"]), "videoconference"
        elif x < 0.82:
            kind = "interview"
            place, city = self.pick_place()
        elif x < 0.87:
            kind = r.choice(["announcement", "appointment"])
        else:
            kind = r.choice(["development", "negotiations"])
            exact = False
            text, lo, hi = _month(day)
            if hi > END:
                text, lo, hi = _month(END - 40)
        presence = fate == "held" and city is not None and attendance in (None, "in_person")
        parts = self.participants(
            lo, hi, city if presence else None, want=r.randint(1, 4), offices=exact
        )
        if kind == "interview":
            m = r.choice(self.media_orgs)
            if all(p["actor"] != m for p in parts):
                parts.append({"actor": m, "role": "interviewer"})
        if presence and len(parts) > 2 and r.random() < 0.15:
            parts[-1]["attendance"] = "videoconference"
        eid = self.slug("event", f"{iso(lo)}-{kind.replace('_', '-')}-{len(self.events)}")
        rec["id"] = eid
        rec["kind"] = kind
        where = f" in {city.split('/')[1].replace('-', ' ').title()}" if city else ""
        rec["title"] = f"{EVENT_TITLE[kind]}{where}"
        if exact:
            rec["date"] = iso(lo)
        else:
            rec["date"] = text
            rec["date_text"] = (
                f"{MONTH_NAMES[datetime.date.fromordinal(lo).month - 1]} {iso(lo)[:4]}"
            )
        if place:
            rec["place"] = place
        if attendance:
            rec["attendance"] = attendance
        if parts:
            rec["participants"] = parts
        rec["statuses"] = self.statuses(lo, hi, fate, exact)
        if self.agreements and r.random() < 0.15:
            rec["topics"] = [r.choice(self.topics)]
        if r.random() < 0.5:
            rec["subjects"] = sorted(set(r.sample(SUBJECTS, r.randint(1, 3))))
        earlier = [e for d, e in self.announcements[-20:] if d < lo]
        if earlier and r.random() < 0.05:
            rec["announced_by"] = r.choice(earlier)
        if r.random() < 0.2:
            rec["summary"] = f"The sides discussed {r.choice(SUBJECTS)}."
        self.finish(rec, lo, hi, city if presence else None, None)
        if kind == "announcement" and fate == "held":
            self.announcements.append((lo, eid))
        return 1

    def visit(self, day: int, fate: str) -> int:
        r = self.r
        lo, hi = day, min(END, day + r.randint(1, 2))
        city = r.choice(self.cities)[0]
        presence = fate == "held"
        parts = self.participants(
            lo, hi, city if presence else None, want=r.randint(1, 3), offices=True
        )
        vid = self.slug("event", f"{iso(lo)}-visit-{len(self.events)}")
        rec: Rec = {
            "type": "event",
            "id": vid,
            "kind": "visit",
            "title": f"Visit to {city.split('/')[1].replace('-', ' ').title()}",
            "date": f"{iso(lo)}/{iso(hi)}",
            "place": city,
        }
        if parts:
            rec["participants"] = parts
        rec["statuses"] = self.statuses(lo, hi, fate, False)
        self.finish(rec, lo, hi, city if presence else None, None)
        made = 1
        if fate != "held":
            return made
        venues = [v for v, c in self.venues if c == city] or [city]
        for _ in range(r.randint(1, 2)):
            d = r.randint(lo, hi)
            kind = r.choice(["talks", "press_conference", "meeting"])
            sub: Rec = {
                "type": "event",
                "id": self.slug("event", f"{iso(d)}-{kind.replace('_', '-')}-{len(self.events)}"),
                "kind": kind,
                "title": f"{EVENT_TITLE[kind]} during the visit",
                "date": iso(d),
                "place": r.choice(venues),
            }
            if parts:
                sub["participants"] = [dict(p) for p in parts if "attendance" not in p]
            sub["statuses"] = self.statuses(d, d, "held", True)
            sub["part_of"] = vid
            self.finish(sub, d, d, city, vid)
            made += 1
        return made

    def finish(self, rec: Rec, lo: int, hi: int, city: str | None, part_of: str | None) -> None:
        rec["sources"] = list(dict.fromkeys(s for st in rec["statuses"] for s in st["sources"]))
        ev = _Event(rec, lo, hi, city, part_of)
        self.events.append(ev)
        self.emeta[rec["id"]] = ev
        self.out["event"].append(rec)
        if lo == hi:
            self.by_day[lo].append(rec["id"])
        if city is None:
            return
        for p in rec.get("participants", ()):
            if p.get("attendance") is None and p["actor"].startswith("person/"):
                for d in range(lo, hi + 1):
                    got = self.presence.setdefault((p["actor"], d), (city, []))
                    got[1].append(rec["id"])

    # -- statements --
    def gen_statements(self) -> None:
        r = self.r
        held_exact = [
            e for e in self.events if e.lo == e.hi and e.rec["statuses"][-1]["status"] == "held"
        ]
        media = self.media_orgs
        old_orgs = [o for o, f in self.orgs if f < START]
        for k in range(self.counts["statement"]):
            x = r.random()
            rec: Rec = {"type": "statement"}
            event = office = None
            text, month_end = None, 0
            if x < 0.4:
                t = r.choice(self.usable)
                day = r.randint(max(t.lo, START), min(t.hi, END))
                speaker, office = t.person, t.office
            elif x < 0.6 and held_exact:
                e = r.choice(held_exact)
                persons = [
                    p for p in e.rec.get("participants", ()) if p["actor"].startswith("person/")
                ]
                if persons:
                    p = r.choice(persons)
                    speaker, office, day, event = p["actor"], p.get("office"), e.lo, e.rec["id"]
                else:
                    speaker, day = self.living(e.lo), e.lo
            elif x < 0.9:
                day = r.randint(START, END)
                speaker = self.living(day)
            else:
                day = r.randint(START + 400, END)
                speaker = r.choice(old_orgs)
                text, _, month_end = _month(day)
            sid = self.slug("statement", _cut(f"{iso(day)}-{speaker.split('/')[1]}", 70) + f"-{k}")
            rec["id"] = sid
            rec["speaker"] = speaker
            if office:
                rec["office"] = office
            rec["date"] = text or iso(day)
            if text:
                rec["date_text"] = f"in {MONTH_NAMES[datetime.date.fromordinal(day).month - 1]}"
            if event:
                rec["event"] = event
            if r.random() < 0.3:
                rec["medium"] = r.choice(media)
            subj = r.choice(SUBJECTS)
            rec["summary"] = f"{speaker.split('/')[1].split('-')[0].title()} spoke about {subj}."
            if r.random() < 0.4:
                rec["quote"] = _quote(subj)
                rec["quote_lang"] = "ru"
            if r.random() < 0.3 and (self.agreements or self.roadmaps):
                rec["about"] = [r.choice(self.topics)]
            if r.random() < 0.25:
                rec["forecasts"] = [self.forecast(rec, day, subj)]
            # a report of what was said in a month comes after the month
            rec["sources"] = [self.after(month_end if text else day)]
            self.out["statement"].append(rec)

    def living(self, day: int) -> str:
        for _ in range(30):
            p = self.r.choice(self.persons)
            if self.alive(p, day, day):
                return p
        return next(p for p in self.persons if self.death[p] is None)

    def forecast(self, rec: Rec, day: int, subj: str) -> Rec:
        r = self.r
        target = day + r.randint(30, 1200)
        style = r.random()
        if style < 0.5:
            deadline, _, hi = _month(target)
        elif style < 0.7:
            deadline, hi = iso(target)[:4], _year_end(target)
        else:
            deadline, hi = iso(target), target
        fc: Rec = {"claim": f"Agreement on {subj} by {deadline}.", "deadline": deadline}
        if END - 1 <= hi <= AS_OF_DAY:  # keep clear of the as-of boundary
            deadline, hi = str(int(iso(AS_OF_DAY)[:4]) + 1), _year_end(AS_OF_DAY + 366)
            fc["deadline"] = deadline
        if hi < END - 1:
            y = r.random()
            if y < 0.4:
                od = r.randint(min(day, hi), hi)
                fc["outcome"] = {"status": "met", "date": iso(od), "sources": [self.after(od)]}
            elif y < 0.8:
                od = r.randint(hi, END)
                fc["outcome"] = {"status": "missed", "date": iso(od), "sources": [self.after(od)]}
            else:
                fc["outcome"] = {"status": "unknown", "note": "No report found."}
            if "date" in fc["outcome"]:
                ev = self.by_day.get(
                    int(datetime.date.fromisoformat(fc["outcome"]["date"]).toordinal())
                )
                if ev and r.random() < 0.3:
                    fc["outcome"]["evidence"] = [ev[0]]
            self.forecasts.append((rec, len(rec.get("forecasts", ())), hi))
        elif r.random() < 0.5:
            fc["outcome"] = {"status": "pending"}
        return fc

    def link_lifecycle_events(self) -> None:
        for step in self.lifecycles:
            d = step["date"]
            if len(d) == 10:
                evs = self.by_day.get(datetime.date.fromisoformat(d).toordinal())
                if evs and self.r.random() < 0.5:
                    step["event"] = evs[0]

    def use_all_sources(self) -> None:
        """Cite every uncited source from a person, organisation or place
        (where no rule reads its date); note every id referenced."""
        used = self.referenced
        for recs in self.out.values():
            for rec in recs:
                rid = rec["id"]
                used.update(ref for _, ref, _ in iter_refs(rec["type"], rec) if ref != rid)
        hosts = self.out["person"] + self.out["organization"] + self.out["place"]
        for rec in self.out["source"]:
            if rec["id"] not in used:
                host = self.r.choice(hosts)
                host["sources"].append(rec["id"])


# --- planting -----------------------------------------------------------------------


class _Planter:
    """Plants errors in a consistent dataset (in place)."""

    def __init__(self, g: _Gen) -> None:
        self.g = g
        self.r = g.r
        self.touched: set[str] = set()
        self.referenced = g.referenced  # before planting
        self.days: dict[int, list[_Event]] = defaultdict(list)
        for e in g.events:
            if e.city is not None and e.lo == e.hi:
                self.days[e.lo].append(e)
        #: Days with in-person events in more than one city (for US109).
        self.busy = sorted(d for d, es in self.days.items() if len({e.city for e in es}) > 1)

    def free(self, *ids: str) -> bool:
        return not any(i in self.touched for i in ids)

    def touch(self, *ids: str) -> None:
        self.touched.update(ids)

    def shuffled(self, items: Sequence[Any], limit: int = 5000) -> Iterator[Any]:
        """Up to ``limit`` random picks (or all, shuffled, if fewer)."""
        if len(items) <= limit:
            xs = list(items)
            self.r.shuffle(xs)
            yield from xs
        else:
            for _ in range(limit):
                yield items[self.r.randrange(len(items))]

    def plant(self, kind: str) -> Planted | None:
        fn = getattr(self, "p_" + kind.replace("-", "_"))
        before = set(self.touched)
        p: Planted | None = fn()
        if p is None:
            return None
        return p._replace(kind=kind, involved=tuple(sorted(self.touched - before)))

    # -- rules --
    def p_US101(self) -> Planted | None:
        while self.g.reserved:
            t = self.g.reserved.pop()
            if not self.free(t.rec["id"], t.office):
                continue
            assert t.start is not None
            t.rec["end"] = iso(t.start - self.r.randint(1, 400))
            self.touch(t.rec["id"], t.office)
            return Planted("US101", t.rec["id"], "/end", note="end before start")
        return None

    def p_US103(self) -> Planted | None:
        g = self.g
        offices = [o for o, single in g.offices if single]
        for o in self.shuffled(offices):
            chain = g.chains.get(o, [])
            if not self.free(o) or len(chain) < 2:
                continue
            pairs = list(itertools.pairwise(chain))
            self.r.shuffle(pairs)
            for a, b in pairs:
                if a.acting or b.acting or a.start is None or a.end is None or b.start is None:
                    continue
                room = (b.end if b.end is not None else END) - b.start - 1
                if room < 1:
                    continue
                new_end = b.start + self.r.randint(1, min(30, room))
                if not g.alive(a.person, new_end, new_end):
                    continue
                a.rec["end"] = iso(new_end)
                self.touch(o, a.rec["id"], b.rec["id"])
                return Planted("US103", b.rec["id"], "/start", note=f"{a.rec['id']} extended")
        return None

    def p_US104(self) -> Planted | None:
        g = self.g
        office_ids = [o for o, _ in g.offices]
        if self.r.random() < 0.3:
            for s in self.shuffled(g.out["statement"]):
                if "office" not in s or not self.free(s["id"]):
                    continue
                new = [o for o in office_ids if (s["speaker"], o) not in g.holders]
                if new:
                    s["office"] = self.r.choice(new)
                    self.touch(s["id"])
                    return Planted("US104", s["id"], "/office", note="office not held")
        for e in self.shuffled(g.events):
            rec = e.rec
            if not self.free(rec["id"]):
                continue
            for i, p in enumerate(rec.get("participants", ())):
                if "office" in p:
                    new = [o for o in office_ids if (p["actor"], o) not in g.holders]
                    if new:
                        p["office"] = self.r.choice(new)
                        self.touch(rec["id"])
                        return Planted("US104", rec["id"], f"/participants/{i}/office")
        return None

    def p_US105(self) -> Planted | None:
        g = self.g
        for e in self.shuffled(g.events):
            rec = e.rec
            sts = rec["statuses"]
            if not self.free(rec["id"]) or sts[-1]["status"] != "held":
                continue
            i = len(sts) - 1
            u = self.r.choice(g.undated)
            sts[i]["sources"] = [u]  # an undated page: US107 cannot tell
            if u not in rec["sources"]:
                rec["sources"].append(u)
            sts[i]["date"] = iso(AS_OF_DAY + self.r.randint(1, 200))
            self.touch(rec["id"])
            return Planted("US105", rec["id"], f"/statuses/{i}/date", note="held after as_of")
        return None

    def p_US106(self) -> Planted | None:
        g = self.g
        x = self.r.random()
        if x < 0.4:
            for e in self.shuffled(g.events):
                rec, sts = e.rec, e.rec["statuses"]
                if not self.free(rec["id"]) or len(sts) < 2 or sts[-1]["status"] != "held":
                    continue
                if sts[-2]["status"] in TERMINAL:
                    continue
                sts[-2]["status"] = "cancelled"
                self.touch(rec["id"])
                return Planted("US106", rec["id"], f"/statuses/{len(sts) - 1}/status")
        if x < 0.7:
            for e in self.shuffled(g.events):
                rec, sts = e.rec, e.rec["statuses"]
                if not self.free(rec["id"]):
                    continue
                dated = [j for j, s in enumerate(sts) if "date" in s]
                for a, b in itertools.pairwise(dated):
                    if sts[b]["status"] == "held":
                        continue
                    prev = datetime.date.fromisoformat(sts[a]["date"]).toordinal()
                    sts[b]["date"] = iso(prev - self.r.randint(1, 30))
                    self.touch(rec["id"])
                    return Planted("US106", rec["id"], f"/statuses/{b}/date")
        for rec in self.shuffled(g.out["agreement"] + g.out["roadmap"]):
            if not self.free(rec["id"]):
                continue
            top = -1
            for i, st in enumerate(rec["lifecycle"]):
                if st["stage"] == "abandoned":
                    break
                if top >= 1 and i > 0:
                    st["stage"] = [*STAGES, "in_force"][self.r.randrange(top)]
                    self.touch(rec["id"])
                    return Planted("US106", rec["id"], f"/lifecycle/{i}/stage")
                top = max(top, STAGE_RANK[st["stage"]])
        return None

    def p_US107(self) -> Planted | None:
        g = self.g
        if self.r.random() < 0.3:
            for t in self.shuffled(g.usable):
                if t.start is None or not self.free(t.rec["id"]):
                    continue
                k = bisect.bisect_left(g.src_days, t.start)
                if k == 0:
                    continue
                t.rec["sources"] = [g.src_ids[self.r.randrange(k)]]
                self.touch(t.rec["id"])
                return Planted("US107", t.rec["id"], "/sources", note="tenure source too early")
        for e in self.shuffled(g.events):
            rec = e.rec
            if not self.free(rec["id"]):
                continue
            for i, st in enumerate(rec["statuses"]):
                if st["status"] != "held" or not all(s in g.src_day for s in st["sources"]):
                    continue
                fact = datetime.date.fromisoformat(st["date"]).toordinal() if "date" in st else e.lo
                k = bisect.bisect_left(g.src_days, fact)
                options = {g.src_ids[self.r.randrange(k)] for _ in range(5)} if k else set()
                options -= set(st["sources"])
                if not options:
                    continue
                j = self.r.randrange(len(st["sources"]))
                new = sorted(options)[0]
                st["sources"][j] = new
                if new not in rec["sources"]:
                    rec["sources"].append(new)
                self.touch(rec["id"])
                return Planted("US107", rec["id"], f"/statuses/{i}/sources/{j}")
        return None

    def p_US108(self) -> Planted | None:
        for pid, maps in self.shuffled(list(self.g.programmes.items())):
            numbered = [m for m in maps if "number" in m]
            if not self.free(pid) or len(numbered) < 2:
                continue
            a, b = sorted(self.r.sample(range(len(numbered)), 2))
            numbered[b]["number"] = numbered[a]["number"]
            self.touch(pid, numbered[a]["id"], numbered[b]["id"])
            return Planted("US108", numbered[b]["id"], "/number", note="duplicate number")
        return None

    def p_US109(self) -> Planted | None:
        g = self.g
        days = self.days
        for d in self.shuffled(self.busy):
            es = days[d]
            for e1 in self.shuffled(es, 50):
                for e2 in self.shuffled(es, 50):
                    if e1.city == e2.city or not self.free(e1.rec["id"], e2.rec["id"]):
                        continue
                    if e1.part_of is not None or e2.part_of is not None:
                        continue
                    there = {p["actor"] for p in e2.rec.get("participants", ())}
                    for i, p in enumerate(e1.rec.get("participants", ())):
                        who = p["actor"]
                        if not who.startswith("person/") or "attendance" in p or who in there:
                            continue
                        if g.presence.get((who, d), ("", []))[1] != [e1.rec["id"]]:
                            continue
                        parts = e2.rec.setdefault("participants", [])
                        parts.append({"actor": who})
                        g.presence[(who, d)][1].append(e2.rec["id"])
                        self.touch(e1.rec["id"], e2.rec["id"])
                        if e2.rec["id"] > e1.rec["id"]:
                            return Planted(
                                "US109", e2.rec["id"], f"/participants/{len(parts) - 1}/actor"
                            )
                        return Planted("US109", e1.rec["id"], f"/participants/{i}/actor")
        return None

    def p_US110(self) -> Planted | None:
        g = self.g
        places = {p["id"]: p for p in g.out["place"]}
        for cid, _ in self.shuffled(g.cities):
            venues = [(v, c) for v, c in g.venues if c != cid and self.free(v, c)]
            if not self.free(cid) or not venues:
                continue
            v, c = self.r.choice(venues)
            places[cid]["parent"] = v
            self.touch(cid, v, c)
            return Planted("US110", cid, "/parent", note="city inside a venue")
        return None

    def p_US111(self) -> Planted | None:
        for rec, i, hi in self.shuffled(self.g.forecasts):
            out = rec["forecasts"][i].get("outcome")
            if not self.free(rec["id"]) or out is None or out["status"] not in ("met", "missed"):
                continue
            self.touch(rec["id"])
            x = self.r.random()
            base = f"/forecasts/{i}"
            latest = self.g.src_days[-1]  # no source reports a later day
            if x < 0.5 and out["status"] == "met" and hi >= latest:
                x = 0.5  # met after the deadline cannot be reported: plant another way
            if x < 0.5:
                if out["status"] == "met":
                    od = min(hi + self.r.randint(1, 200), latest)
                else:
                    od = hi - self.r.randint(1, 200)
                out["date"] = iso(od)
                out["sources"] = [self.g.after(od)]  # still reported after it happened
                return Planted("US111", rec["id"], f"{base}/outcome/date")
            if x < 0.75:
                out["status"] = "pending"
                return Planted("US111", rec["id"], f"{base}/outcome/status", "warning")
            del rec["forecasts"][i]["outcome"]
            return Planted("US111", rec["id"], base, "warning", note="no outcome")
        return None

    # -- schema and references --
    def any_event(self, need: str | None = None) -> Rec | None:
        for e in self.shuffled(self.g.events):
            rec: Rec = e.rec
            if self.free(rec["id"]) and (need is None or need in rec):
                return rec
        return None

    def p_US010_enum(self) -> Planted | None:
        rec = self.any_event()
        if rec is None:
            return None
        self.touch(rec["id"])
        if self.r.random() < 0.5:
            rec["kind"] = rec["kind"] + "s"
            return Planted("US010", rec["id"], "/kind", note="bad enum")
        rec["statuses"][0]["status"] = "postponned"
        return Planted("US010", rec["id"], "/statuses/0/status", note="bad enum")

    def p_US010_date(self) -> Planted | None:
        if self.r.random() < 0.5:
            rec = self.any_event()
            if rec is None:
                return None
            rec["date"] = rec["date"][:4] + "-02-30"
            ptr = "/date"
        else:
            rec = next(
                (s for s in self.shuffled(self.g.out["statement"]) if self.free(s["id"])), None
            )
            if rec is None:
                return None
            rec["date"] = rec["date"][:4] + "-13-01"
            ptr = "/date"
        self.touch(rec["id"])
        return Planted("US010", rec["id"], ptr, note="bad EDTF date")

    def p_US010_required(self) -> Planted | None:
        if self.r.random() < 0.5:
            rec = self.any_event()
            if rec is None:
                return None
            del rec["title"]
        else:
            rec = next(
                (s for s in self.shuffled(self.g.out["statement"]) if self.free(s["id"])), None
            )
            if rec is None:
                return None
            del rec["summary"]
        self.touch(rec["id"])
        return Planted("US010", rec["id"], "", note="missing required field")

    def p_US021(self) -> Planted | None:
        rec = self.any_event("participants")
        if rec is None:
            return None
        i = self.r.randrange(len(rec["participants"]))
        rec["participants"][i]["actor"] = f"person/nobody-{self.r.randrange(10**6)}"
        self.touch(rec["id"])
        return Planted("US021", rec["id"], f"/participants/{i}/actor", note="unknown id")

    def leaf(self, recs: Sequence[Rec]) -> Rec | None:
        rec: Rec
        for rec in self.shuffled(recs):
            if self.free(rec["id"]) and rec["id"] not in self.referenced:
                return rec
        return None

    def p_US020(self) -> Planted | None:
        stmts = self.g.out["statement"]
        rec = self.leaf(stmts)
        other = next((s for s in self.shuffled(stmts) if self.free(s["id"]) and s is not rec), None)
        if rec is None or other is None:
            return None
        self.touch(rec["id"], other["id"])
        rec["id"] = other["id"]
        return Planted("US020", other["id"], "/id", note="duplicate id")

    def p_US001(self) -> Planted | None:
        rec = self.leaf(self.g.out["statement"] + self.g.out["event"])
        if rec is None:
            return None
        self.touch(rec["id"])
        return Planted("US001", rec["id"], None, note="truncated line")

    def p_US003(self) -> Planted | None:
        rec = self.any_event()
        if rec is None:
            return None
        self.touch(rec["id"])
        ptr = self.r.choice(["/title", "/date", "/statuses/0/status"])
        return Planted("US003", rec["id"], ptr, note="duplicate key")


def _plan(n: int, kinds: Sequence[str], error_rate: float, r: random.Random) -> dict[str, int]:
    ks = list(kinds)
    if not ks or error_rate <= 0:
        return {}
    total = max(len(ks), round(n * error_rate))
    r.shuffle(ks)
    plan: dict[str, int] = dict.fromkeys(ks, 0)
    for i in range(total):
        plan[ks[i % len(ks)]] += 1
    return plan


def generate(
    n_records: int,
    *,
    seed: int = 0,
    error_rate: float = 0.01,
    kinds: Sequence[str] = ALL_KINDS,
) -> tuple[list[Rec], list[Planted]]:
    """``n_records`` JSON-ready records (sources, places, ..., statements, in
    that order) and the errors planted in them.

    ``error_rate`` of the records get one planted error (at least one of each
    kind when the rate is above 0), spread evenly over ``kinds`` (kind names
    or the families ``schema``, ``rules``, ``all``, ``none``). A kind that
    finds no suitable record in a small dataset is skipped, so check the
    returned list. US001 and US003 plants live in the text only: pass the
    planted list to :func:`write_jsonl`.
    """
    ks = expand_kinds(kinds)
    r = random.Random(seed)
    plan = _plan(n_records, ks, error_rate, random.Random(r.random()))
    g = _Gen(n_records, seed, plan)
    out = g.run()
    planter = _Planter(g)
    planted: list[Planted] = []
    order = [k for k, c in plan.items() for _ in range(c)]
    random.Random(seed + 1).shuffle(order)
    for kind in order:
        p = planter.plant(kind)
        if p is not None:
            planted.append(p)
    records = [rec for t in TYPE_ORDER for rec in out[t]]
    return records, planted


def header(as_of: str = AS_OF, name: str = NAME) -> Rec:
    """The dataset header line."""
    return {
        "type": "dataset",
        "name": name,
        "title": "Synthetic Union State data",
        "version": "0.0.0",
        "as_of": as_of,
        "license": "CC0-1.0",
        "description": "Generated by benchmarks/generate.py; not real data.",
    }


_default_header = header


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _dumps_dup(value: Any, path: list[str]) -> str:
    """JSON text of ``value`` with the key at ``path`` written twice."""
    if isinstance(value, dict):
        parts = []
        for k, v in value.items():
            kj = _dumps(k)
            if path and k == path[0]:
                if len(path) == 1:
                    parts += [f"{kj}: {_dumps(v)}", f"{kj}: {_dumps(v)}"]
                else:
                    parts.append(f"{kj}: {_dumps_dup(v, path[1:])}")
            else:
                parts.append(f"{kj}: {_dumps(v)}")
        return "{" + ", ".join(parts) + "}"
    if isinstance(value, list):
        i = int(path[0])
        items = [_dumps_dup(v, path[1:]) if j == i else _dumps(v) for j, v in enumerate(value)]
        return "[" + ", ".join(items) + "]"
    raise ValueError(f"no key at {path}")


def write_jsonl(
    records: Iterable[Rec],
    path: str | Path,
    header: Rec | None = None,
    bad_lines: Iterable[Planted] = (),
) -> dict[int, Planted]:
    """Write the header (default :func:`header`) and the records as JSON
    Lines. The records named by the US001 and US003 plants in ``bad_lines``
    (other plants are ignored, so the whole planted list may be passed) are
    written truncated (not JSON) or with the key at the plant's pointer
    twice. Returns the line number of each such line with its plant."""
    text_plants: dict[str, Planted] = {
        p.record_id: p for p in bad_lines if p.code in TEXT_CODES and p.record_id
    }
    done: dict[int, Planted] = {}
    hdr = header if header is not None else _default_header()
    with open(path, "w", encoding="utf-8") as f:
        f.write(_dumps(hdr) + "\n")
        for n, rec in enumerate(records, start=2):
            p = text_plants.pop(rec.get("id", ""), None)
            if p is None:
                f.write(_dumps(rec) + "\n")
            elif p.code == "US001":
                line = _dumps(rec)
                f.write(line[: len(line) // 2] + "\n")
                done[n] = p
            else:
                assert p.pointer is not None
                f.write(_dumps_dup(rec, p.pointer.split("/")[1:]) + "\n")
                done[n] = p
    return done


#: The fields whose references :func:`as_names` writes as names.
NAMED_FIELDS = ("actor", "office", "place", "speaker")


def as_names(records: list[Rec]) -> int:
    """Write the references of events and statements to persons, offices,
    places and organisations as their records' names, as a third party
    would (in place): in turn the first name as it is, the second (the
    Cyrillic one), and a two-word first name surname first ("Putin,
    Vladimir"). Returns how many were written. Generated names repeat, so
    many of them are ambiguous (US032), as they would be."""
    names = {
        r["id"]: [n["value"] for n in r["names"]]
        for r in records
        if r.get("type") in ("person", "office", "place", "organization") and r.get("names")
    }
    k = 0
    for rec in records:
        if rec.get("type") not in ("event", "statement"):
            continue
        for ptr, ref, _ in iter_refs(rec["type"], rec):
            *path, field = ptr.split("/")[1:]
            if ref not in names or field not in NAMED_FIELDS:
                continue
            written, k = names[ref], k + 1
            name = written[1] if k % 3 == 1 and len(written) > 1 else written[0]
            if k % 3 == 2 and len(name.split()) == 2:
                name = "{1}, {0}".format(*name.split())
            parent: Any = rec
            for part in path:
                parent = parent[int(part)] if isinstance(parent, list) else parent[part]
            parent[field] = name
    return k


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("n", type=int, help="number of records")
    ap.add_argument("out", type=Path, help="the JSON Lines file to write")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--error-rate", type=float, default=0.01)
    ap.add_argument(
        "--kinds",
        default="rules",
        help="rules, schema, all, none, or a comma-separated list of kinds "
        f"({', '.join(ALL_KINDS)})",
    )
    ap.add_argument("--planted", type=Path, help="also write the planted errors here (JSON)")
    ap.add_argument(
        "--as-names",
        action="store_true",
        help="write the references to persons, offices, places and organisations as names",
    )
    args = ap.parse_args(argv)
    kinds = [k.strip() for k in args.kinds.split(",") if k.strip()]
    records, planted = generate(args.n, seed=args.seed, error_rate=args.error_rate, kinds=kinds)
    if args.as_names:
        print(f"{as_names(records):,} references written as names", file=sys.stderr)
    lines = write_jsonl(records, args.out, bad_lines=planted)
    at = {p: n for n, p in lines.items()}
    if args.planted:
        rows = [{**p._asdict(), "line": at.get(p)} for p in planted]
        args.planted.write_text(json.dumps(rows, indent=1, ensure_ascii=False) + "\n")
    counts = Counter(p.kind for p in planted)
    shown = ", ".join(f"{k} {c}" for k, c in sorted(counts.items())) or "none"
    print(
        f"{len(records):,} records to {args.out}; planted {len(planted)}: {shown}", file=sys.stderr
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
