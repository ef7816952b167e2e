"""The Dataset container, its indexes and queries, and :func:`load`."""

from __future__ import annotations

import datetime
import os
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar

import attrs

from unionstate import dates
from unionstate.converter import structure, unstructure
from unionstate.io.read import RawDataset, read
from unionstate.model import (
    DatasetInfo,
    Event,
    Name,
    Office,
    Person,
    Record,
    Tenure,
)
from unionstate.queries import Queries
from unionstate.report import Report, Severity
from unionstate.validate import validate_raw

R = TypeVar("R", bound=Record)
DateLike = str | datetime.date | dates.DateRange


class DatasetError(Exception):
    """A dataset that does not validate; ``report`` holds every finding."""

    def __init__(self, report: Report, unusable: Sequence[str] = ()) -> None:
        self.report = report
        #: Files that could not be used at all (not JSON, not regular files, ...).
        self.unusable = tuple(unusable)
        c = report.counts()
        why = f"the dataset has {c['error']} error(s)"
        if self.unusable:
            shown = ", ".join(self.unusable[:3]) + (", ..." if len(self.unusable) > 3 else "")
            why += f" and {len(self.unusable)} file(s) that could not be used ({shown})"
        super().__init__(why + "; see .report")


def fold(text: str) -> str:
    """Case- and diacritics-insensitive form of a name: 'Lukašenka' → 'lukasenka'."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.replace("-", " ").replace("’", "'").split())


def as_range(value: DateLike) -> dates.DateRange:
    """A date given as EDTF text, a ``datetime.date`` or a DateRange."""
    if isinstance(value, dates.DateRange):
        return value
    if isinstance(value, datetime.date):
        return dates.DateRange.day(value)
    return dates.parse(value)


def _opt_range(value: str | None) -> dates.DateRange | None:
    return None if value is None else dates.parse(value)


@attrs.frozen(slots=True)
class Dataset(Queries):
    """Records with their header, and indexes for queries (the analysts' queries are
    in :mod:`unionstate.queries`)."""

    info: DatasetInfo
    records: tuple[Record, ...]
    _by_id: dict[str, Record] = attrs.field(init=False, repr=False, eq=False, hash=False)
    #: Folded name -> records, built by the first :meth:`find` (the rules
    #: never search by name, and folding every name of a large dataset's
    #: records took about 1.5 s of a 1M run before the rules could start).
    _names: dict[str, list[Record]] | None = attrs.field(
        init=False, repr=False, eq=False, hash=False
    )
    _tenures_by_office: dict[str, list[Tenure]] = attrs.field(
        init=False, repr=False, eq=False, hash=False
    )
    _tenures_by_person: dict[str, list[Tenure]] = attrs.field(
        init=False, repr=False, eq=False, hash=False
    )

    def __attrs_post_init__(self) -> None:
        by_id: dict[str, Record] = {}
        by_office: dict[str, list[Tenure]] = defaultdict(list)
        by_person: dict[str, list[Tenure]] = defaultdict(list)
        for r in self.records:
            by_id[r.id] = r
            if isinstance(r, Tenure):
                by_office[r.office].append(r)
                by_person[r.person].append(r)
        object.__setattr__(self, "_by_id", by_id)
        object.__setattr__(self, "_names", None)
        object.__setattr__(self, "_tenures_by_office", dict(by_office))
        object.__setattr__(self, "_tenures_by_person", dict(by_person))

    def __repr__(self) -> str:
        counts = ", ".join(f"{t}: {n}" for t, n in sorted(self.counts().items()))
        return (
            f"<Dataset {self.info.name} {self.info.version or ''} as of "
            f"{self.info.as_of or '?'}: {len(self.records)} records ({counts})>"
        )

    def __len__(self) -> int:
        return len(self.records)

    def __iter__(self) -> Iterator[Record]:
        return iter(self.records)

    def counts(self) -> dict[str, int]:
        """Records by type."""
        out: dict[str, int] = defaultdict(int)
        for r in self.records:
            out[r.TYPE] += 1
        return dict(out)

    def all(self, cls: type[R]) -> list[R]:
        """Every record of one class, in id order."""
        return sorted((r for r in self.records if isinstance(r, cls)), key=lambda r: r.id)

    def get(self, record_id: str) -> Record:
        """The record with this id; ``KeyError`` when there is none."""
        return self._by_id[record_id]

    def __contains__(self, record_id: object) -> bool:
        return record_id in self._by_id

    def find(self, name: str, cls: type[R] | None = None) -> list[Record]:
        """Records any of whose names matches ``name``, ignoring case and
        diacritics. A name matches when it equals the query or contains the
        query's words in a row ('Lukashenko' finds 'Alexander Lukashenko')."""
        q = fold(name)
        if not q:
            return []
        index = self._name_index()
        hits: list[Record] = list(index.get(q, []))
        words = q.split()
        for key, recs in index.items():
            kw = key.split()
            if key != q and any(kw[i : i + len(words)] == words for i in range(len(kw))):
                hits.extend(r for r in recs if r not in hits)
        if cls is not None:
            hits = [r for r in hits if isinstance(r, cls)]
        return sorted(hits, key=lambda r: r.id)

    def _name_index(self) -> dict[str, list[Record]]:
        if self._names is not None:
            return self._names
        names: dict[str, list[Record]] = defaultdict(list)
        for r in self.records:
            for n in getattr(r, "names", ()):
                same = names[fold(n.value)]
                # ``r not in same``, without comparing whole records whose ids
                # differ (equal records have equal ids): many share a name
                if not any(x is r or (x.id == r.id and x == r) for x in same):
                    same.append(r)
        index = dict(names)
        object.__setattr__(self, "_names", index)
        return index

    def _resolve(self, ref: str, cls: type[R]) -> R:
        if ref in self._by_id:
            rec = self._by_id[ref]
            if isinstance(rec, cls):
                return rec
            raise KeyError(f"{ref!r} is a record of type {rec.TYPE!r}, not {cls.TYPE!r}")
        hits = self.find(ref, cls)
        if len(hits) == 1:
            return hits[0]  # type: ignore[return-value]
        if not hits:
            raise KeyError(f"no {cls.TYPE} is named {ref!r}")
        raise KeyError(f"{ref!r} is ambiguous: " + ", ".join(h.id for h in hits))

    def tenures(self, *, office: str | None = None, person: str | None = None) -> list[Tenure]:
        """Tenures of an office and/or a person (ids or names), by start."""
        if office is not None:
            pool = self._tenures_by_office.get(self._resolve(office, Office).id, [])
        elif person is not None:
            pool = self._tenures_by_person.get(self._resolve(person, Person).id, [])
        else:
            pool = [r for r in self.records if isinstance(r, Tenure)]
        if office is not None and person is not None:
            pid = self._resolve(person, Person).id
            pool = [t for t in pool if t.person == pid]
        return sorted(pool, key=lambda t: (_lo(t.start), t.id))

    def _covering(self, tenures: list[Tenure], on: DateLike, possibly: bool) -> list[Tenure]:
        """The tenures that cover a day definitely (and possibly, if asked)."""
        day = as_range(on)
        wanted = (dates.Truth.YES, dates.Truth.MAYBE) if possibly else (dates.Truth.YES,)
        return [
            t
            for t in tenures
            if dates.within(day, _opt_range(t.start), _opt_range(t.end)) in wanted
        ]

    def holder_of(self, office: str, on: DateLike, *, possibly: bool = False) -> list[Person]:
        """Who held ``office`` (an id or a title) on a day: those whose
        tenure definitely covers it, and with ``possibly=True`` also those
        whose tenure may cover it (the dates are too coarse to tell)."""
        found = self._covering(self.tenures(office=office), on, possibly)
        people = (self._by_id[t.person] for t in found)
        return list(dict.fromkeys(p for p in people if isinstance(p, Person)))

    def offices_of(self, person: str, on: DateLike, *, possibly: bool = False) -> list[Office]:
        """Offices a person (an id or a name) held on a day (``possibly`` as
        for :meth:`holder_of`)."""
        found = self._covering(self.tenures(person=person), on, possibly)
        offices = (self._by_id[t.office] for t in found)
        return list(dict.fromkeys(o for o in offices if isinstance(o, Office)))

    def events(
        self, *, between: tuple[DateLike, DateLike] | None = None, involving: str | None = None
    ) -> list[Event]:
        """Events, by date: those that may fall between two days (inclusive)
        and/or that involve an actor (an id or a name)."""
        evs = [r for r in self.records if isinstance(r, Event)]
        if between is not None:
            lo, hi = as_range(between[0]), as_range(between[1])
            evs = [
                e
                for e in evs
                if dates.periods_overlap(dates.parse(e.date), dates.parse(e.date), lo, hi)
                is not dates.Truth.NO
            ]
        if involving is not None:
            actor = involving if involving in self._by_id else self._resolve_actor(involving)
            evs = [e for e in evs if any(p.actor == actor for p in e.participants)]
        return sorted(evs, key=lambda e: (_lo(e.date), e.id))

    def _resolve_actor(self, name: str) -> str:
        hits = [r for r in self.find(name) if r.TYPE in ("person", "organization")]
        if len(hits) != 1:
            raise KeyError(f"{name!r} names {len(hits)} actors: " + ", ".join(h.id for h in hits))
        return hits[0].id

    def names_of(self, record_id: str) -> tuple[Name, ...]:
        """All names of a record."""
        names: tuple[Name, ...] = getattr(self.get(record_id), "names", ())
        return names

    def to_raw(self) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """The header and the records as JSON-ready values (canonical form)."""
        header = {k: v for k, v in attrs.asdict(self.info).items() if v is not None}
        return header, [unstructure(r) for r in self.records]


def _lo(text: str | None) -> int:
    if text is None:
        return 0
    lo = dates.parse(text).lo
    return 0 if lo is None else lo


def data_dir() -> Path:
    """The shipped canonical data: inside the installed package, or the
    checkout's ``data/`` in a development install."""
    here = Path(__file__).resolve().parent
    packaged = here / "data"
    if packaged.is_dir():
        return packaged
    return here.parent.parent / "data"


def from_records(records: Iterable[Record], info: DatasetInfo | None = None) -> Dataset:
    """A Dataset from record objects (no validation)."""
    return Dataset(info or DatasetInfo(name="unnamed"), tuple(records))


def from_raw(raw: RawDataset, default_name: str = "unnamed") -> Dataset:
    """A Dataset from raw records that passed validation."""
    header = {k: v for k, v in (raw.header or {}).items() if k != "type"}
    info = DatasetInfo(**header) if header else DatasetInfo(name=default_name)
    return Dataset(info, tuple(structure(r.data) for r in raw.records))


def load(path: str | os.PathLike[str] | None = None) -> Dataset:
    """Load a dataset: the shipped canonical data by default, or a data
    directory, JSON document or JSON Lines file.

    Raises :class:`DatasetError` (with the full report) when it does not
    validate, and :class:`unionstate.io.InputError` when it cannot be read.
    """
    raw = read(data_dir() if path is None else path)
    report = Report.of(validate_raw(raw), records=len(raw.records), files=raw.files)
    if raw.unusable or report.fails(Severity.ERROR):
        raise DatasetError(report, raw.unusable)
    return from_raw(raw, Path(path or "data").stem)
