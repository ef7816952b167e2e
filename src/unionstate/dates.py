"""A small, fast parser for the EDTF subset used by the dataset.

Every accepted string becomes a :class:`DateRange`: the interval ``[lo, hi]``
of proleptic Gregorian ordinals (``datetime.date.toordinal()``) of the days
the value could possibly denote (``None`` = unbounded or unknown). On top of
that, tri-state comparisons (:class:`Truth`) say whether a relation between
the *true* days holds definitely, possibly, or not at all.

Accepted syntax (nothing else; see ``docs/dates.md``)::

    YYYY | YYYY-MM | YYYY-MM-DD        optionally followed by one of ? ~ %
    A/B   with A, B dates; B may be ".." or empty, or A may be ".." or empty
          (not both sides), and A must not start after B ends.

>>> r = parse("2021-03~")
>>> format_day(r.lo), format_day(r.hi)
('2021-02-01', '2021-04-30')
"""

from __future__ import annotations

import datetime
import enum
import functools
import re

import attrs

__all__ = [
    "EDTF_PATTERN",
    "DateRange",
    "EDTFError",
    "Precision",
    "Truth",
    "before",
    "format_day",
    "is_valid",
    "on_or_before",
    "parse",
    "period_days",
    "periods_overlap",
    "same_day",
    "within",
    "within_days",
]

_MIN_ORD = 1  # 0001-01-01
_MAX_ORD = datetime.date.max.toordinal()  # 9999-12-31
_NEG = _MIN_ORD - 1  # stands for "unbounded below" in comparisons
_POS = _MAX_ORD + 1  # stands for "unbounded above" in comparisons
#: Day numbers below and above every day: an open or unknown side of a range.
NEG, POS = _NEG, _POS
_DIGITS = "0123456789"
_QUALIFIERS = "?~%"
_PAD_UNITS = {"": 0, "?": 1, "~": 1, "%": 2}
_MONTH_DAYS = (0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)

_DATE_RE = re.compile(r"([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?([?~%]?)")

_YEAR_P = "([0-9]{3}[1-9]|[0-9]{2}[1-9][0-9]|[0-9][1-9][0-9]{2}|[1-9][0-9]{3})"
_DATE_P = _YEAR_P + "(-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01]))?)?[?~%]?"
EDTF_PATTERN: str = "^(" + _DATE_P + "(/(" + _DATE_P + "|[.][.])?)?|([.][.])?/" + _DATE_P + ")$"
"""ECMA 262 / JSON-Schema regex matching every string :func:`parse` accepts.

It also matches a few strings :func:`parse` rejects, for calendar reasons only
(``2019-02-30``) or because the interval is reversed (``2020/2019``).
"""


class EDTFError(ValueError):
    """Raised for text outside the accepted EDTF subset.

    >>> try:
    ...     parse("2019-13")
    ... except EDTFError as e:
    ...     print(e.position, e)
    5 '2019-13' is not an EDTF date: month 13 at position 5 is not 01-12
    """

    def __init__(self, text: str, position: int, reason: str) -> None:
        self.text = text
        self.position = position  # 0-based offset into text
        self.reason = reason
        super().__init__(f"{text!r} is not an EDTF date: {reason}")

    def __reduce__(self) -> tuple[type[EDTFError], tuple[str, int, str]]:
        return (type(self), (self.text, self.position, self.reason))


class Precision(enum.Enum):
    """What a :class:`DateRange` was written as."""

    DAY = "day"
    MONTH = "month"
    YEAR = "year"
    INTERVAL = "interval"


@attrs.frozen(slots=True)
class DateRange:
    """An EDTF value as the range ``[lo, hi]`` of days it may denote.

    ``lo``/``hi`` are ``date.toordinal()`` values of the earliest/latest
    possible day, ``None`` when that side is open (``..``) or unknown (empty).
    ``text`` is the exact input, so ``str(parse(s)) == s``. ``qualifier`` is
    ``"?"``, ``"~"``, ``"%"`` or ``""`` (always ``""`` for an interval).
    """

    text: str
    lo: int | None
    hi: int | None
    precision: Precision
    qualifier: str = ""

    def __str__(self) -> str:
        return self.text

    @property
    def earliest(self) -> datetime.date | None:
        """The earliest possible day, or ``None`` if unbounded/unknown."""
        return None if self.lo is None else datetime.date.fromordinal(self.lo)

    @property
    def latest(self) -> datetime.date | None:
        """The latest possible day, or ``None`` if unbounded/unknown."""
        return None if self.hi is None else datetime.date.fromordinal(self.hi)

    @property
    def is_interval(self) -> bool:
        """True for ``A/B`` values."""
        return self.precision is Precision.INTERVAL

    @classmethod
    def day(cls, d: datetime.date) -> DateRange:
        """The single exact day ``d``.

        >>> DateRange.day(datetime.date(2019, 9, 1)) == parse("2019-09-01")
        True
        """
        o = d.toordinal()
        return cls(d.isoformat(), o, o, Precision.DAY, "")


def format_day(ordinal: int) -> str:
    """The ISO date of a day ordinal: ``format_day(737303) == '2019-09-01'``."""
    return datetime.date.fromordinal(ordinal).isoformat()


# --- parsing ---------------------------------------------------------------

_Side = tuple[int, int, int, int, Precision, str]  # strict lo/hi, padded lo/hi, ...


def _month_days(y: int, m: int) -> int:
    if m == 2 and y % 4 == 0 and (y % 100 != 0 or y % 400 == 0):
        return 29
    return _MONTH_DAYS[m]


def _structural_error(text: str, s: str, off: int) -> EDTFError:
    """Locate why ``s`` (at ``off`` in ``text``) does not fit the date grammar."""
    if s == "..":
        return EDTFError(text, off, f"'..' at position {off} is only allowed as an interval end")
    template = "dddd-dd-dd"
    for i, c in enumerate(s):
        expect = template[i] if i < len(template) else None
        if c in _QUALIFIERS and i in (4, 7, 10):
            if i + 1 < len(s):
                pos = off + i + 1
                return EDTFError(
                    text,
                    pos,
                    f"unexpected {s[i + 1]!r} at position {pos}: a qualifier must end the date",
                )
            break  # pragma: no cover - such a string matches the grammar
        if expect == "d" and c in _DIGITS:
            continue
        if expect == "-" and c == "-":
            continue
        pos = off + i
        if expect == "d":
            want = "a digit 0-9"
        elif expect == "-":
            want = "'-', a qualifier (? ~ %) or the end"
        else:
            want = "a qualifier (? ~ %) or the end"
        return EDTFError(text, pos, f"unexpected {c!r} at position {pos}, expected {want}")
    pos = off + len(s)
    if not s:
        return EDTFError(text, pos, f"empty date at position {pos}")
    return EDTFError(text, pos, f"date ends early at position {pos}, expected a digit")


def _date(text: str, s: str, off: int) -> _Side:
    m = _DATE_RE.fullmatch(s)
    if m is None:
        raise _structural_error(text, s, off)
    ys, ms, ds, q = m.groups()
    y = int(ys)
    if y == 0:
        raise EDTFError(text, off, f"year 0000 at position {off} is not 0001-9999")
    k = _PAD_UNITS[q]
    if ms is None:  # year precision
        lo = datetime.date(y, 1, 1).toordinal()
        hi = lo + (365 if _month_days(y, 2) == 29 else 364)
        if not k:
            return lo, hi, lo, hi, Precision.YEAR, q
        plo = _MIN_ORD if y - k < 1 else datetime.date(y - k, 1, 1).toordinal()
        phi = _MAX_ORD if y + k > 9999 else datetime.date(y + k, 12, 31).toordinal()
        return lo, hi, plo, phi, Precision.YEAR, q
    mo = int(ms)
    if not 1 <= mo <= 12:
        raise EDTFError(text, off + 5, f"month {ms} at position {off + 5} is not 01-12")
    if ds is None:  # month precision
        lo = datetime.date(y, mo, 1).toordinal()
        hi = lo + _month_days(y, mo) - 1
        if not k:
            return lo, hi, lo, hi, Precision.MONTH, q
        i = y * 12 + mo - 1 - k  # month index, 12 == 0001-01
        plo = _MIN_ORD if i < 12 else datetime.date(i // 12, i % 12 + 1, 1).toordinal()
        i += 2 * k
        if i > 9999 * 12 + 11:
            phi = _MAX_ORD
        else:
            py, pm = i // 12, i % 12 + 1
            phi = datetime.date(py, pm, _month_days(py, pm)).toordinal()
        return lo, hi, plo, phi, Precision.MONTH, q
    d = int(ds)
    if not 1 <= d <= _month_days(y, mo):
        raise EDTFError(
            text,
            off + 8,
            f"day {ds} at position {off + 8} is not a day of {ys}-{ms} "
            f"(01-{_month_days(y, mo):02d})",
        )
    lo = datetime.date(y, mo, d).toordinal()
    return lo, lo, max(lo - k, _MIN_ORD), min(lo + k, _MAX_ORD), Precision.DAY, q


def _parse(text: str) -> DateRange:
    if not isinstance(text, str):
        raise TypeError(f"EDTF text must be str, not {type(text).__name__}")
    slash = text.find("/")
    if slash < 0:
        _, _, dlo, dhi, prec, q = _date(text, text, 0)
        return DateRange(text, dlo, dhi, prec, q)
    second = text.find("/", slash + 1)
    if second >= 0:
        raise EDTFError(text, second, f"second '/' at position {second}: only one is allowed")
    a, b = text[:slash], text[slash + 1 :]
    a_open = a in ("", "..")
    b_open = b in ("", "..")
    if a_open and b_open:
        raise EDTFError(text, 0, "an interval needs a date on at least one side (at position 0)")
    lo: int | None = None
    hi: int | None = None
    start = -1
    if not a_open:
        start, _, lo, _, _, _ = _date(text, a, 0)
    if not b_open:
        _, end, _, hi, _, _ = _date(text, b, slash + 1)
        if start > end:
            pos = slash + 1
            raise EDTFError(
                text,
                pos,
                f"reversed interval: the end {b} at position {pos} "
                f"is over before the start {a} begins",
            )
    return DateRange(text, lo, hi, Precision.INTERVAL, "")


_parse_cached = functools.lru_cache(maxsize=65536)(_parse)


def parse(text: str) -> DateRange:
    """Parse an EDTF string of the accepted subset into a :class:`DateRange`.

    Raises :class:`EDTFError` (a ``ValueError``) with ``position`` and
    ``reason`` otherwise. Results are cached (``functools.lru_cache`` of
    65536 entries, wrapped so that type checkers see ``text: str``).

    >>> r = parse("2019?")
    >>> r.earliest, r.latest
    (datetime.date(2018, 1, 1), datetime.date(2020, 12, 31))
    >>> parse("2019-09/..").hi is None
    True
    """
    return _parse_cached(text)


def is_valid(text: str) -> bool:
    """True iff :func:`parse` accepts ``text``: ``is_valid("2019-02-29") is False``."""
    try:
        parse(text)
    except EDTFError:
        return False
    return True


# --- tri-state comparisons -------------------------------------------------


class Truth(enum.Enum):
    """A tri-state answer: definitely not, possibly, definitely.

    Using it as a bool raises ``TypeError``; say ``.possible`` or ``.certain``.
    """

    NO = 0
    MAYBE = 1
    YES = 2

    def __bool__(self) -> bool:
        raise TypeError("Truth is tri-state; use .possible, .certain or compare with Truth.YES")

    @property
    def possible(self) -> bool:
        """True for MAYBE and YES."""
        return self is not Truth.NO

    @property
    def certain(self) -> bool:
        """True for YES only."""
        return self is Truth.YES


#: The members of :class:`Truth` as plain names: looking a member up on an
#: enum class costs about 130 ns on Python 3.11, a module global about 20, and
#: the rules ask millions of times.
YES, MAYBE, NO = Truth.YES, Truth.MAYBE, Truth.NO


def _lo(r: DateRange) -> int:
    return _NEG if r.lo is None else r.lo


def _hi(r: DateRange) -> int:
    return _POS if r.hi is None else r.hi


def _start(r: DateRange | None) -> tuple[int, int]:
    """Bounds of a period start; ``None`` = since forever (a fixed -infinity)."""
    if r is None:
        return _NEG, _NEG
    return _lo(r), _hi(r)


def _end(r: DateRange | None) -> tuple[int, int]:
    """Bounds of a period end; ``None`` = still ongoing (a fixed +infinity)."""
    if r is None:
        return _POS, _POS
    return _lo(r), _hi(r)


def _truth(certain: bool, impossible: bool) -> Truth:
    if certain:
        return Truth.YES
    return Truth.NO if impossible else Truth.MAYBE


# In all comparisons each DateRange stands for one unknown true day somewhere in
# [lo, hi] (a None bound = unbounded), independently of the other arguments.
# YES means every combination of possible days satisfies the relation, NO that
# none does, MAYBE that some do and some do not. An unbounded side is treated
# as "arbitrarily far", so it never makes an answer certain. A period start
# or end given as None is not unknown but infinite: since forever / ongoing.


def before(a: DateRange, b: DateRange) -> Truth:
    """Is a's true day strictly before b's?

    YES iff ``a.hi < b.lo``; NO iff ``a.lo >= b.hi``; else MAYBE.

    >>> before(parse("2018"), parse("2019")), before(parse("2019"), parse("2019-06"))
    (<Truth.YES: 2>, <Truth.MAYBE: 1>)
    """
    return _truth(_hi(a) < _lo(b), _lo(a) >= _hi(b))


def on_or_before(a: DateRange, b: DateRange) -> Truth:
    """Is a's true day on or before b's?

    YES iff ``a.hi <= b.lo``; NO iff ``a.lo > b.hi``; else MAYBE.

    >>> on_or_before(parse("2019-06-01"), parse("2019-06-01"))
    <Truth.YES: 2>
    """
    return _truth(_hi(a) <= _lo(b), _lo(a) > _hi(b))


def same_day(a: DateRange, b: DateRange) -> Truth:
    """Are a's and b's true days the same day?

    YES iff both are the same single day (``a.lo == a.hi == b.lo == b.hi``);
    NO iff their ranges are disjoint; else MAYBE.

    >>> same_day(parse("2019-06-01"), parse("2019-06"))
    <Truth.MAYBE: 1>
    >>> same_day(parse("2019"), parse("2020"))
    <Truth.NO: 0>
    """
    alo, ahi, blo, bhi = _lo(a), _hi(a), _lo(b), _hi(b)
    return _truth(alo == ahi == blo == bhi, ahi < blo or bhi < alo)


def within(x: DateRange, start: DateRange | None, end: DateRange | None) -> Truth:
    """Is x's true day inside the closed period [start's true day, end's true day]?

    ``start=None`` means since forever, ``end=None`` means still ongoing.
    YES iff ``start.hi <= x.lo`` and ``x.hi <= end.lo`` (each where given);
    NO iff ``x.hi < start.lo`` or ``x.lo > end.hi`` or ``start.lo > end.hi``
    (the period is certainly empty); else MAYBE.

    >>> within(parse("2019-06"), parse("2019-01-01"), None)
    <Truth.YES: 2>
    >>> within(parse("2019"), parse("2019-06-01"), parse("2019-06-30"))
    <Truth.MAYBE: 1>
    """
    return within_days(x, *period_days(start, end))


def period_days(start: DateRange | None, end: DateRange | None) -> tuple[int, int, int, int]:
    """``(start lo, start hi, end lo, end hi)`` of a period as :func:`within`
    compares them: a ``None`` start since forever, a ``None`` end ongoing,
    open sides widened. Numbers that can be kept instead of the ranges."""
    return (*_start(start), *_end(end))


def within_days(x: DateRange, slo: int, shi: int, elo: int, ehi: int) -> Truth:
    """:func:`within` of a period given by :func:`period_days`."""
    xlo, xhi = _lo(x), _hi(x)
    return _truth(shi <= xlo and xhi <= elo, xhi < slo or xlo > ehi or slo > ehi)


def periods_overlap(
    s1: DateRange | None,
    e1: DateRange | None,
    s2: DateRange | None,
    e2: DateRange | None,
) -> Truth:
    """Do the closed periods [s1, e1] and [s2, e2] share at least one day?

    A ``None`` start means since forever, a ``None`` end still ongoing.
    Touching counts: a period ending on the day another starts shares that
    day with it. A period whose start may fall after its own end may be
    empty, so it then overlaps nothing for certain.
    YES iff every start's ``hi`` <= every end's ``lo``
    (``max(s1.hi, s2.hi) <= min(e1.lo, e2.lo)``); NO iff some start's ``lo``
    > some end's ``hi`` (``max(s1.lo, s2.lo) > min(e1.hi, e2.hi)``); else
    MAYBE.

    >>> p = parse
    >>> periods_overlap(p("2019-01-01"), p("2019-06-01"), p("2019-06-01"), None)
    <Truth.YES: 2>
    >>> periods_overlap(p("2019-01-01"), p("2019-06"), p("2019-06-15"), None)
    <Truth.MAYBE: 1>
    """
    s1lo, s1hi = _start(s1)
    s2lo, s2hi = _start(s2)
    e1lo, e1hi = _end(e1)
    e2lo, e2hi = _end(e2)
    return _truth(
        max(s1hi, s2hi) <= min(e1lo, e2lo),
        max(s1lo, s2lo) > min(e1hi, e2hi),
    )
