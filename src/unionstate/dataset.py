"""The Dataset container, its indexes and queries, and :func:`load`."""

from __future__ import annotations

import datetime
import functools
import os
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar

import attrs

from unionstate import dates
from unionstate.converter import structure, unstructure
from unionstate.io.read import RawDataset
from unionstate.model import (
    DatasetInfo,
    Event,
    Name,
    Office,
    Person,
    Record,
    Tenure,
)
from unionstate.names import NameKeys, fold, match, words
from unionstate.queries import Queries, _lo
from unionstate.report import Report, Severity

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
    #: Folded name -> records, and the names' keys, built by the first
    #: :meth:`find` (the rules never search by name, and folding every name
    #: of a large dataset's records took about 1.5 s of a 1M run before the
    #: rules could start).
    _names: tuple[dict[str, list[Record]], NameKeys] | None = attrs.field(
        init=False, repr=False, eq=False, hash=False
    )
    #: Each record's searchable text as word keys, by field weight, built by
    #: the first :meth:`search`.
    _texts: list[tuple[Record, list[tuple[float, list[str]]]]] | None = attrs.field(
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
        object.__setattr__(self, "_texts", None)
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
        """Records (of ``cls``, if given) that ``name`` names, found as
        :mod:`unionstate.names` and a third party's references do, in tiers,
        stopping at the first that finds any: a name equal to it ignoring
        case and diacritics (with the names equal to it ignoring script and
        romanisation too, so that two records named alike in two scripts
        are both found); ignoring script and romanisation
        ('Лукашэнка'); a name with all its words, in any order, an initial
        standing for a word it begins ('Lukashenko', 'A. Lukashenko',
        'Lukashenka, Alyaksandr' find 'Alexander Lukashenko'); a surname
        alone, for a record with no longer name with it ('Maxim Oreshkin'
        finds 'Oreshkin'). Several records: the name is ambiguous."""
        q = fold(name)
        if not q:
            return []
        names, keys = self._name_index()

        def of_class(folded: str) -> list[Record]:
            return [r for r in names.get(folded, []) if cls is None or isinstance(r, cls)]

        found = of_class(q)
        if found:  # and the names equal to it but for script and romanisation
            found += [r for k in keys.equal(name) for f in keys.by_key[k] for r in of_class(f)]
        else:
            m = match([(keys, lambda f: [r.id for r in of_class(f)])], name)
            found = [
                r for k in m.keys for f in keys.by_key[k] for r in of_class(f) if r.id in m.ids
            ]
        hits: list[Record] = []
        for r in found:
            if not _among(r, hits):
                hits.append(r)
        return sorted(hits, key=lambda r: r.id)

    def search(self, text: str, cls: type[R] | None = None) -> list[Record]:
        """Records whose names, title or summary have every word of ``text``
        (a word also finds the words it begins, and a plural its singular:
        'map' finds 'maps', 'maps' finds 'map'),
        ignoring case, diacritics, script and romanisation; best first: a
        match in a name before one in a title, before one in a summary, the
        words in a row before apart, a short field they fill before a long
        one, then by id."""
        query = [w for w, _ in words(text)]
        if not query:
            return []
        scored: list[tuple[float, str, Record]] = []
        for rec, fields in self._search_index():
            if cls is not None and not isinstance(rec, cls):
                continue
            score = _score(query, fields)
            if score:
                scored.append((-score, rec.id, rec))
        return [r for _, _, r in sorted(scored, key=lambda s: (s[0], s[1]))]

    def _search_index(self) -> list[tuple[Record, list[tuple[float, list[str]]]]]:
        if self._texts is not None:
            return self._texts
        texts = []
        for r in self.records:
            fields = [(_NAME, [w for w, _ in words(n.value)]) for n in getattr(r, "names", ())]
            for weight, attr in ((_TITLE, "title"), (_SUMMARY, "summary")):
                text = getattr(r, attr, None)
                if isinstance(text, str):
                    fields.append((weight, [w for w, _ in words(text)]))
            texts.append((r, fields))
        object.__setattr__(self, "_texts", texts)
        return texts

    def _name_index(self) -> tuple[dict[str, list[Record]], NameKeys]:
        if self._names is not None:
            return self._names
        names: dict[str, list[Record]] = defaultdict(list)
        keys = NameKeys()
        for r in self.records:
            for n in getattr(r, "names", ()):
                folded = fold(n.value)
                same = names[folded]
                if not same:
                    keys.add(folded, n.value)
                if not _among(r, same):
                    same.append(r)
        index = (dict(names), keys)
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
            actor = self.resolve(involving, actor=True)
            evs = [e for e in evs if any(p.actor == actor for p in e.participants)]
        return sorted(evs, key=lambda e: (_lo(e.date), e.id))

    def resolve(self, name: str, *, actor: bool = False) -> str:
        """The id ``name`` is, or the id of the one record it names (with ``actor``, the
        one person or organisation); a KeyError saying what it names otherwise."""
        if name in self._by_id:
            return name
        hits = [r for r in self.find(name) if not actor or r.TYPE in ("person", "organization")]
        if len(hits) == 1:
            return hits[0].id
        what, many = ("person or organisation", "actors") if actor else ("record", "records")
        if not hits:
            raise KeyError(f"{name!r} names no {what}")
        raise KeyError(f"{name!r} names {len(hits)} {many}: " + ", ".join(h.id for h in hits))

    def names_of(self, record_id: str) -> tuple[Name, ...]:
        """All names of a record."""
        names: tuple[Name, ...] = getattr(self.get(record_id), "names", ())
        return names

    def to_raw(self) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """The header and the records as JSON-ready values (canonical form)."""
        header = {k: v for k, v in attrs.asdict(self.info).items() if v is not None}
        return header, [unstructure(r) for r in self.records]


def _among(r: Record, records: list[Record]) -> bool:
    """``r in records``, without comparing whole records whose ids differ
    (equal records have equal ids): many share a name."""
    return any(x is r or (x.id == r.id and x == r) for x in records)


#: The weight of a match in one of a record's names, its title, its summary;
#: what a match adds to it, as a part of it, when the query's words are in a
#: row, when they are whole words (not beginnings), when they are all of it.
_NAME, _TITLE, _SUMMARY = 4.0, 2.0, 1.0
_IN_A_ROW = 0.5
_WHOLE_WORDS = 0.25
_ALL_OF_IT = 0.5
_SHARE = 0.25


def _stem(word: str) -> str:
    """A query word without a plural's -s ('maps' → 'map'), so that it
    begins the singular and the plural alike."""
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


def _begins(q: str, w: str) -> bool:
    """Whether query word ``q`` begins ``w`` ('map' 'maps', 'maps' 'map')."""
    return w.startswith(_stem(q))


def _has(field: list[str], q: str) -> bool:
    return any(_begins(q, w) for w in field)


def _whole(field: list[str], q: str) -> bool:
    return q in field or _stem(q) in field


def _score(query: list[str], fields: list[tuple[float, list[str]]]) -> float:
    """How well a record's fields (weight, word keys) match the query's
    words: 0 unless every query word begins a word of the record; then the
    weight of the best field that has them all, more when they are in a row,
    whole words, or all of it, and the more of it they make up (a small score
    when only the fields together have them)."""
    best = 0.0
    n = len(query)
    for weight, field in fields:
        if not all(_has(field, q) for q in query):
            continue
        runs = [field[i : i + n] for i in range(len(field) - n + 1)]
        score = weight
        if any(all(_begins(q, w) for w, q in zip(run, query, strict=True)) for run in runs):
            score += _IN_A_ROW * weight
        if all(_whole(field, q) for q in query):
            score += _WHOLE_WORDS * weight
            if len(field) == n:
                score += _ALL_OF_IT * weight
        score += _SHARE * weight * n / len(field)
        best = max(best, score)
    if best:
        return best
    every = [w for _, field in fields for w in field]
    return 0.5 if all(_has(every, q) for q in query) else 0.0


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


def load(path: str | os.PathLike[str] | None = None, *, against: Dataset | None = None) -> Dataset:
    """Load a dataset: the shipped canonical data by default, or a data
    directory, JSON document or JSON Lines file.

    With ``against`` (say ``unionstate.load()``, the canonical data), the
    records at ``path`` are checked against it: they may name its records by
    id or by a name as written (``"Putin"``, ``"Лукашэнка"``), the names
    are resolved to ids, and the Dataset returned holds its records joined
    with yours (yours replace any of the same id). Its header is yours, or,
    when the input has none, the reference's.

    Raises :class:`DatasetError` (with the full report) when the input has
    errors of reading, names, schema or references: exactly the errors of
    ``unionstate.validate_path(path, rules=False)`` (with
    ``standalone=True``, or ``reference=against``). The consistency rules
    do not stop a load; :func:`unionstate.check` reports them. Raises
    :class:`unionstate.io.InputError` when the input cannot be read.

    The shipped data is read once a process, and again when its files
    change: until then ``load()`` returns the same Dataset (which cannot be
    changed, so callers may share it).
    """
    if path is None and against is None:
        folder = data_dir()
        try:
            stamp = _stamp(folder)
        except OSError:  # missing or unreadable: the reader says so, as for any path
            return _read(folder, None)
        return _shipped(folder, stamp)
    return _read(path, against)


def _stamp(folder: Path) -> tuple[tuple[str, int, int], ...]:
    """What tells whether the files of ``folder`` changed: names, sizes, modification times."""
    with os.scandir(folder) as entries:
        return tuple(sorted((e.name, e.stat().st_size, e.stat().st_mtime_ns) for e in entries))


@functools.lru_cache(maxsize=1)
def _shipped(folder: Path, stamp: tuple[tuple[str, int, int], ...]) -> Dataset:
    """The shipped data as :func:`load` gives it, kept while ``stamp`` stays the same
    (a Dataset cannot be changed, so every caller may share it)."""
    return _read(folder, None)


def _read(path: str | os.PathLike[str] | None, against: Dataset | None) -> Dataset:
    from unionstate.pipeline import validate_path

    where = data_dir() if path is None else path
    raw, report = validate_path(
        where, rules=False, standalone=against is None, reference=against, max_findings=None
    )
    if raw.unusable or report.fails(Severity.ERROR):
        raise DatasetError(report, raw.unusable)
    mine = from_raw(raw, Path(path or "data").stem)
    if against is None:
        return mine
    ids = {r.id for r in mine.records}
    joined = (*(r for r in against.records if r.id not in ids), *mine.records)
    return Dataset(mine.info if raw.header else against.info, joined)
