"""Tests for unionstate.dates: the EDTF subset parser and tri-state comparisons."""

from __future__ import annotations

import datetime
import pickle
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from unionstate.dates import (
    EDTF_PATTERN,
    DateRange,
    EDTFError,
    Precision,
    Truth,
    before,
    format_day,
    is_valid,
    on_or_before,
    parse,
    periods_overlap,
    same_day,
    within,
)

D = datetime.date


def o(iso: str) -> int:
    return D.fromisoformat(iso).toordinal()


# --- accept / reject -------------------------------------------------------

ACCEPTED = [
    "0001",
    "9999",
    "2019",
    "2019-09",
    "2019-12",
    "2019-09-01",
    "2020-02-29",
    "2000-02-29",
    "2019?",
    "2019~",
    "2019%",
    "2019-09?",
    "2019-09-01%",
    "2019/2020",
    "2019-05/2019",
    "2019/2019-05",
    "2019-06-30/2019-07-01",
    "2019?/2020~",
    "2019/..",
    "../2019",
    "2019/",
    "/2019",
    "2019%/..",
    "/2019-01-01~",
    "2019/2019",
]

# (text, position, fragment of reason)
REJECTED = [
    ("", 0, "empty date"),
    ("2019-13", 5, "month 13 at position 5 is not 01-12"),
    ("2019-00", 5, "month 00"),
    ("2019-02-29", 8, "day 29 at position 8 is not a day of 2019-02"),
    ("1900-02-29", 8, "day 29"),
    ("2019-04-31", 8, "day 31"),
    ("2019-01-00", 8, "day 00"),
    ("0000", 0, "year 0000"),
    ("0000-01-01", 0, "year 0000"),
    ("-2019", 0, "unexpected '-'"),
    ("Y2019", 0, "unexpected 'Y'"),
    ("20190", 4, "unexpected '0'"),
    ("12345", 4, "unexpected '5'"),
    ("201", 3, "ends early"),
    ("2019-1", 6, "ends early"),
    ("2019-", 5, "ends early"),
    ("2019-01-", 8, "ends early"),
    ("2019-01-01T12:00", 10, "unexpected 'T'"),
    ("2019-21", 5, "month 21"),  # season
    ("201X", 3, "unexpected 'X'"),
    ("2019-XX", 5, "unexpected 'X'"),
    ("[2019,2020]", 0, "unexpected '['"),
    ("{2019,2020}", 0, "unexpected '{'"),
    (" 2019", 0, "unexpected ' '"),
    ("2019 ", 4, "unexpected ' '"),
    ("2019\n", 4, "unexpected '\\n'"),
    ("2019??", 5, "a qualifier must end the date"),
    ("2019?~", 5, "a qualifier must end the date"),
    ("2019?-01", 5, "a qualifier must end the date"),
    ("?2019", 0, "unexpected '?'"),
    ("2019-01-01x", 10, "unexpected 'x'"),
    ("２０１９", 0, "unexpected"),  # fullwidth digits
    ("٢٠١٩", 0, "unexpected"),  # Arabic-Indic digits
    ("..", 0, "only allowed as an interval end"),
    ("/", 0, "at least one side"),
    ("../..", 0, "at least one side"),
    ("/..", 0, "at least one side"),
    ("../", 0, "at least one side"),
    ("2019//2020", 5, "second '/'"),
    ("2019/2020/2021", 9, "second '/'"),
    ("2020/2019", 5, "reversed interval"),
    ("2019-07-01/2019-06-30", 11, "reversed"),
    ("2020~/2019~", 6, "reversed"),  # unpadded bounds are compared
    ("2019/2020-13", 10, "month 13"),
    ("2019/.", 5, "unexpected '.'"),
    ("2019/...", 5, "unexpected '.'"),
    (".../2019", 0, "unexpected '.'"),
    ("2019/ 2020", 5, "unexpected ' '"),
]


@pytest.mark.parametrize("text", ACCEPTED)
def test_accepts(text: str) -> None:
    r = parse(text)
    assert r.text == text
    assert str(r) == text
    assert format(r) == text
    assert is_valid(text)
    assert re.fullmatch(EDTF_PATTERN, text)


@pytest.mark.parametrize(("text", "position", "reason"), REJECTED)
def test_rejects(text: str, position: int, reason: str) -> None:
    with pytest.raises(EDTFError) as info:
        parse(text)
    err = info.value
    assert err.text == text
    assert err.position == position
    assert reason in err.reason
    assert str(err) == f"{text!r} is not an EDTF date: {err.reason}"
    assert isinstance(err, ValueError)
    assert not is_valid(text)


def test_error_message_example() -> None:
    with pytest.raises(EDTFError) as info:
        parse("2019-13")
    assert str(info.value) == ("'2019-13' is not an EDTF date: month 13 at position 5 is not 01-12")


def test_error_pickles() -> None:
    err = EDTFError("2019-13", 5, "month 13 at position 5 is not 01-12")
    back = pickle.loads(pickle.dumps(err))
    assert (back.text, back.position, back.reason) == (err.text, 5, err.reason)


def test_non_str_is_type_error() -> None:
    with pytest.raises(TypeError):
        parse(2019)  # type: ignore[arg-type]


# --- bounds ----------------------------------------------------------------

BOUNDS = [
    ("2019", "2019-01-01", "2019-12-31", Precision.YEAR, ""),
    ("2020", "2020-01-01", "2020-12-31", Precision.YEAR, ""),
    ("2019-09", "2019-09-01", "2019-09-30", Precision.MONTH, ""),
    ("2019-02", "2019-02-01", "2019-02-28", Precision.MONTH, ""),
    ("2020-02", "2020-02-01", "2020-02-29", Precision.MONTH, ""),
    ("2019-09-01", "2019-09-01", "2019-09-01", Precision.DAY, ""),
    # qualifiers: one unit of precision each side for ? and ~, two for %
    ("2019?", "2018-01-01", "2020-12-31", Precision.YEAR, "?"),
    ("2019~", "2018-01-01", "2020-12-31", Precision.YEAR, "~"),
    ("2019%", "2017-01-01", "2021-12-31", Precision.YEAR, "%"),
    ("2021-03~", "2021-02-01", "2021-04-30", Precision.MONTH, "~"),
    ("2021-03%", "2021-01-01", "2021-05-31", Precision.MONTH, "%"),
    ("2021-01?", "2020-12-01", "2021-02-28", Precision.MONTH, "?"),
    ("2021-12%", "2021-10-01", "2022-02-28", Precision.MONTH, "%"),
    ("2021-02?", "2021-01-01", "2021-03-31", Precision.MONTH, "?"),
    ("2021-03-01?", "2021-02-28", "2021-03-02", Precision.DAY, "?"),
    ("2021-03-01%", "2021-02-27", "2021-03-03", Precision.DAY, "%"),
    # clamped to 0001-01-01 / 9999-12-31
    ("0001?", "0001-01-01", "0002-12-31", Precision.YEAR, "?"),
    ("0002%", "0001-01-01", "0004-12-31", Precision.YEAR, "%"),
    ("9999%", "9997-01-01", "9999-12-31", Precision.YEAR, "%"),
    ("0001-01~", "0001-01-01", "0001-02-28", Precision.MONTH, "~"),
    ("0001-02%", "0001-01-01", "0001-04-30", Precision.MONTH, "%"),
    ("9999-12?", "9999-11-01", "9999-12-31", Precision.MONTH, "?"),
    ("9999-11%", "9999-09-01", "9999-12-31", Precision.MONTH, "%"),
    ("0001-01-01%", "0001-01-01", "0001-01-03", Precision.DAY, "%"),
    ("9999-12-31?", "9999-12-30", "9999-12-31", Precision.DAY, "?"),
    # intervals: lo of the start, hi of the end
    ("2019/2020", "2019-01-01", "2020-12-31", Precision.INTERVAL, ""),
    ("2019-05/2019-07-04", "2019-05-01", "2019-07-04", Precision.INTERVAL, ""),
    ("2019?/2020~", "2018-01-01", "2021-12-31", Precision.INTERVAL, ""),
    ("2019-05~/2019-07-04%", "2019-04-01", "2019-07-06", Precision.INTERVAL, ""),
    ("2019/..", "2019-01-01", None, Precision.INTERVAL, ""),
    ("2019/", "2019-01-01", None, Precision.INTERVAL, ""),
    ("../2019-09", None, "2019-09-30", Precision.INTERVAL, ""),
    ("/2019-09", None, "2019-09-30", Precision.INTERVAL, ""),
]


@pytest.mark.parametrize(("text", "lo", "hi", "precision", "qualifier"), BOUNDS)
def test_bounds(
    text: str, lo: str | None, hi: str | None, precision: Precision, qualifier: str
) -> None:
    r = parse(text)
    assert r.lo == (None if lo is None else o(lo))
    assert r.hi == (None if hi is None else o(hi))
    assert r.earliest == (None if lo is None else D.fromisoformat(lo))
    assert r.latest == (None if hi is None else D.fromisoformat(hi))
    assert r.precision is precision
    assert r.qualifier == qualifier
    assert r.is_interval == (precision is Precision.INTERVAL)


def test_day_constructor_and_format_day() -> None:
    r = DateRange.day(D(2019, 9, 1))
    assert r == parse("2019-09-01")
    assert r.text == "2019-09-01"
    assert DateRange.day(D(5, 1, 2)).text == "0005-01-02"
    assert format_day(o("2019-09-01")) == "2019-09-01"
    assert format_day(1) == "0001-01-01"


def test_frozen_and_cached() -> None:
    r = parse("2019")
    with pytest.raises(AttributeError):
        r.lo = 3  # type: ignore[misc]
    assert parse("2019") is r


def test_pattern_is_ecma_friendly() -> None:
    assert EDTF_PATTERN.startswith("^")
    assert EDTF_PATTERN.endswith("$")
    for forbidden in ("\\d", "(?<", "(?=", "(?!", "(?P", "\\A", "\\Z"):
        assert forbidden not in EDTF_PATTERN


def test_pattern_matches_calendar_rejects_only() -> None:
    # The pattern may accept these (parse rejects them for calendar/order reasons).
    for text in ("2019-02-30", "2019-02-29", "2020/2019"):
        assert re.fullmatch(EDTF_PATTERN, text)
        assert not is_valid(text)
    for text in ("0000", "2019-13", "2019-00", "2019-01-32", "../..", "/", "2019\n"):
        assert not re.fullmatch(EDTF_PATTERN, text)


# --- Truth -----------------------------------------------------------------


def test_truth_is_not_a_bool() -> None:
    for t in Truth:
        with pytest.raises(TypeError):
            bool(t)
        with pytest.raises(TypeError):
            _ = "yes" if t else "no"
    assert [t.possible for t in Truth] == [False, True, True]
    assert [t.certain for t in Truth] == [False, False, True]
    assert [t.value for t in Truth] == [0, 1, 2]


# --- comparisons -----------------------------------------------------------

P = parse
Y, M, N = Truth.YES, Truth.MAYBE, Truth.NO

BEFORE = [
    ("2018", "2019", Y, Y),
    ("2018-12-31", "2019-01-01", Y, Y),
    ("2019-01-01", "2019-01-01", N, Y),
    ("2019", "2019-06", M, M),
    ("2019-06", "2019", M, M),
    ("2019", "2019", M, M),
    ("2020", "2019", N, N),
    ("2019-12-31", "2019", N, M),
    ("2019-01-01", "2019", M, Y),
    ("2018?", "2019", M, M),  # ? widens 2018 into 2019
    ("2017?", "2019", Y, Y),
    ("2019/..", "2030", M, M),
    ("../2018", "2019", Y, Y),
    ("/2018", "2019", Y, Y),
    ("2019", "2018/..", M, M),
    ("2019", "../2018", N, N),
    ("2019", "2020/", Y, Y),
]


@pytest.mark.parametrize(("a", "b", "lt", "le"), BEFORE)
def test_before_and_on_or_before(a: str, b: str, lt: Truth, le: Truth) -> None:
    assert before(P(a), P(b)) is lt
    assert on_or_before(P(a), P(b)) is le


SAME_DAY = [
    ("2019-06-01", "2019-06-01", Y),
    ("2019-06-01", "2019-06-02", N),
    ("2019-06-01", "2019-06", M),
    ("2019-06", "2019-06", M),
    ("2019", "2020", N),
    ("2019", "2019-12-31?", M),
    ("2019/..", "2030-01-01", M),
    ("2019/..", "2018-12-31", N),
]


@pytest.mark.parametrize(("a", "b", "expected"), SAME_DAY)
def test_same_day(a: str, b: str, expected: Truth) -> None:
    assert same_day(P(a), P(b)) is expected
    assert same_day(P(b), P(a)) is expected


WITHIN = [
    ("2019-06", "2019-01-01", None, Y),
    ("2019-06", "2019-01-01", "2019-12-31", Y),
    ("2019-06", "2019", "2019", M),
    ("2019", "2019-06-01", "2019-06-30", M),
    ("2019-06-01", "2019-06-01", "2019-06-01", Y),  # closed at both ends
    ("2019-05-31", "2019-06-01", None, N),
    ("2019-07-01", None, "2019-06-30", N),
    ("2019-07-01", None, None, Y),
    ("2019-07-01", None, "2019-06", N),
    ("2019-06-15", None, "2019-06", M),
    ("2019", "2021", "2022", N),
    ("2021", "2019", "2020", N),
    ("2019", "2019", "2019", M),
    ("2019-06-15", "2020", "2019", N),  # the period is certainly empty
    ("2019-06-15", "2019/..", None, M),  # start somewhere from 2019 on
    ("2019-06-15", "../2019-01", None, Y),
    ("2019-06-15", "../2019-07", None, M),
    ("2019-06-15", None, "2019/..", M),
    ("2019-06-15", None, "2019-07/..", Y),
    ("2019/..", "2018", None, Y),
    ("2019/..", "2018", "2030", M),
    ("../2019", "2018", None, M),
]


@pytest.mark.parametrize(("x", "start", "end", "expected"), WITHIN)
def test_within(x: str, start: str | None, end: str | None, expected: Truth) -> None:
    s = None if start is None else P(start)
    e = None if end is None else P(end)
    assert within(P(x), s, e) is expected


OVERLAP = [
    # touching on the same day counts as overlap
    ("2019-01-01", "2019-06-01", "2019-06-01", None, Y),
    ("2019-01-01", "2019-05-31", "2019-06-01", None, N),
    ("2019-01-01", "2019-06", "2019-06-15", None, M),
    ("2019-01-01", "2019-06", "2019-07-01", None, N),
    (None, None, None, None, Y),
    (None, "2019", "2020", None, N),
    (None, "2019", "2019", None, M),
    (None, "2019-12-31", "2019-12-31", "2020", Y),
    ("2019", "2019", "2019", "2019", M),  # each period may be empty
    ("2019-01-01", "2019-12-31", "2019-03-01", "2019-04-01", Y),  # nested
    ("2019-01-01", "2019-01-01", "2019-01-01", "2019-01-01", Y),
    ("2010", "2012", "2011", "2011", M),
    ("2010", "2012", "2011-06-01", "2011-06-01", Y),
    ("2019/..", None, "2010", "2015", N),
    ("2019/..", None, "2010", "2030", M),
    ("../2009", None, "2010", "2015", Y),
    ("2010", "2012", "2020", "2010", N),  # second period certainly empty
]


@pytest.mark.parametrize(("s1", "e1", "s2", "e2", "expected"), OVERLAP)
def test_periods_overlap(
    s1: str | None, e1: str | None, s2: str | None, e2: str | None, expected: Truth
) -> None:
    a, b, c, d = (None if v is None else P(v) for v in (s1, e1, s2, e2))
    assert periods_overlap(a, b, c, d) is expected
    assert periods_overlap(c, d, a, b) is expected  # symmetric


# --- property tests --------------------------------------------------------

MIN_DAY = D(1, 1, 1)
QUALIFIER = st.sampled_from(["", "?", "~", "%"])


def _truncate(d: D, precision: str) -> str:
    iso = d.isoformat()
    return {"day": iso, "month": iso[:7], "year": iso[:4]}[precision]


PRECISION = st.sampled_from(["day", "month", "year"])


@st.composite
def single_dates(draw: st.DrawFn, qualified: bool = True) -> str:
    text = _truncate(draw(st.dates(min_value=MIN_DAY)), draw(PRECISION))
    return text + (draw(QUALIFIER) if qualified else "")


@st.composite
def intervals(draw: st.DrawFn) -> str:
    d1, d2 = sorted([draw(st.dates(min_value=MIN_DAY)), draw(st.dates())])
    a = _truncate(d1, draw(PRECISION)) + draw(QUALIFIER)
    b = _truncate(d2, draw(PRECISION)) + draw(QUALIFIER)
    kind = draw(st.sampled_from(["closed", "open-end", "open-start"]))
    if kind == "open-end":
        b = draw(st.sampled_from(["", ".."]))
    elif kind == "open-start":
        a = draw(st.sampled_from(["", ".."]))
    return f"{a}/{b}"


valid_texts = st.one_of(single_dates(), intervals())

EDTF_ALPHABET = st.text(alphabet="0123456789-/?~%.XT: ", max_size=24)


@given(valid_texts)
def test_round_trip_and_order(text: str) -> None:
    r = parse(text)
    assert r.text == text
    assert str(r) == text
    if r.lo is not None and r.hi is not None:
        assert r.lo <= r.hi
    if r.lo is not None:
        assert 1 <= r.lo <= D.max.toordinal()
    if r.hi is not None:
        assert 1 <= r.hi <= D.max.toordinal()
    assert re.fullmatch(EDTF_PATTERN, text)


@given(single_dates(qualified=False), QUALIFIER)
def test_qualified_contains_unqualified(text: str, q: str) -> None:
    plain, fuzzy = parse(text), parse(text + q)
    assert plain.lo is not None
    assert plain.hi is not None
    assert fuzzy.lo is not None
    assert fuzzy.hi is not None
    assert fuzzy.lo <= plain.lo <= plain.hi <= fuzzy.hi
    assert fuzzy.precision is plain.precision
    assert fuzzy.qualifier == q
    if q == "%":  # % is wider than or equal to ? and ~
        assert parse(text + "%").lo <= parse(text + "?").lo  # type: ignore[operator]
        assert parse(text + "%").hi >= parse(text + "~").hi  # type: ignore[operator]


@given(intervals())
def test_interval_contains_its_ends(text: str) -> None:
    r = parse(text)
    a, b = text.split("/")
    if a not in ("", ".."):
        ra = parse(a)
        assert r.lo == ra.lo
        assert r.hi is None or ra.hi is None or ra.lo <= r.hi  # type: ignore[operator]
    else:
        assert r.lo is None
    if b not in ("", ".."):
        rb = parse(b)
        assert r.hi == rb.hi
        assert r.lo is None or rb.lo is None or r.lo <= rb.hi  # type: ignore[operator]
    else:
        assert r.hi is None


@given(single_dates(), single_dates())
def test_interval_of_two_dates(a: str, b: str) -> None:
    ra, rb = parse(a.rstrip("?~%")), parse(b.rstrip("?~%"))
    assert ra.lo is not None
    assert rb.hi is not None
    text = f"{a}/{b}"
    if ra.lo <= rb.hi:
        r = parse(text)
        assert (r.lo, r.hi) == (parse(a).lo, parse(b).hi)
    else:
        with pytest.raises(EDTFError, match="reversed"):
            parse(text)


@given(st.one_of(st.text(), EDTF_ALPHABET))
def test_is_valid_never_raises(text: str) -> None:
    error: EDTFError | None = None
    try:
        parse(text)
    except EDTFError as err:  # anything else propagates and fails the test
        error = err
    assert is_valid(text) is (error is None)
    if error is not None:
        assert 0 <= error.position <= len(text)
        assert error.text == text


@given(st.one_of(st.text(), EDTF_ALPHABET, valid_texts))
def test_pattern_agrees_with_parser(text: str) -> None:
    matches = re.fullmatch(EDTF_PATTERN, text) is not None
    if is_valid(text):
        assert matches
    if not matches:
        assert not is_valid(text)


ranges = valid_texts.map(parse)
optional_ranges = st.none() | ranges


@given(ranges, ranges)
def test_order_laws(a: DateRange, b: DateRange) -> None:
    lt, le = before(a, b), on_or_before(a, b)
    if lt is Truth.YES:
        assert before(b, a) is Truth.NO
        assert le is Truth.YES
    if le is Truth.NO:
        assert lt is Truth.NO
    # a < b is the negation of b <= a
    assert before(a, b).value == 2 - on_or_before(b, a).value
    assert same_day(a, b) is same_day(b, a)
    if same_day(a, b) is Truth.YES:
        assert le is Truth.YES
        assert lt is Truth.NO
    if lt is Truth.YES:
        assert same_day(a, b) is Truth.NO
    assert before(a, a) is not Truth.YES
    assert on_or_before(a, a) is not Truth.NO


@given(ranges, optional_ranges, optional_ranges)
def test_within_laws(x: DateRange, s: DateRange | None, e: DateRange | None) -> None:
    assert within(x, x, x) is not Truth.NO
    assert within(x, None, None) is Truth.YES
    w = within(x, s, e)
    if s is not None:
        if on_or_before(s, x) is Truth.NO:
            assert w is Truth.NO
        if w is Truth.YES:
            assert on_or_before(s, x) is Truth.YES
    if e is not None:
        if on_or_before(x, e) is Truth.NO:
            assert w is Truth.NO
        if w is Truth.YES:
            assert on_or_before(x, e) is Truth.YES
    # a point inside a period overlaps it as a one-point period
    assert periods_overlap(x, x, s, e).possible == (w.possible)


@given(optional_ranges, optional_ranges, optional_ranges, optional_ranges)
def test_overlap_laws(
    s1: DateRange | None,
    e1: DateRange | None,
    s2: DateRange | None,
    e2: DateRange | None,
) -> None:
    t = periods_overlap(s1, e1, s2, e2)
    assert t is periods_overlap(s2, e2, s1, e1)
    # an unbounded start/end can only make an overlap more likely
    assert periods_overlap(None, e1, s2, e2).value >= t.value
    assert periods_overlap(s1, None, s2, e2).value >= t.value
    if s1 is not None and e1 is not None:
        # a period overlaps itself iff it is not empty
        assert periods_overlap(s1, e1, s1, e1) is on_or_before(s1, e1)


def _brute(lo: int, hi: int) -> range:
    return range(lo, hi + 1)


small_ranges = st.builds(
    lambda d, q: parse(d.isoformat() + q),
    st.dates(min_value=D(2019, 12, 25), max_value=D(2020, 1, 5)),
    QUALIFIER,
) | st.sampled_from(["2019-12", "2020-01", "2019-12-30/2020-01-03"]).map(parse)


@given(small_ranges, small_ranges, small_ranges)
def test_exact_against_brute_force(a: DateRange, b: DateRange, c: DateRange) -> None:
    """YES iff all combinations of possible days hold, NO iff none does."""

    def expect(results: list[bool]) -> Truth:
        if all(results):
            return Truth.YES
        return Truth.NO if not any(results) else Truth.MAYBE

    assert a.lo is not None
    assert a.hi is not None
    assert b.lo is not None
    assert b.hi is not None
    assert c.lo is not None
    assert c.hi is not None
    A, B, C = _brute(a.lo, a.hi), _brute(b.lo, b.hi), _brute(c.lo, c.hi)
    assert before(a, b) is expect([x < y for x in A for y in B])
    assert on_or_before(a, b) is expect([x <= y for x in A for y in B])
    assert same_day(a, b) is expect([x == y for x in A for y in B])
    assert within(a, b, c) is expect([y <= x <= z for x in A for y in B for z in C])
    assert within(a, b, None) is expect([y <= x for x in A for y in B])
    assert within(a, None, c) is expect([x <= z for x in A for z in C])
    assert periods_overlap(a, b, c, None) is expect(
        [max(x, z) <= y for x in A for y in B for z in C]
    )
    assert periods_overlap(None, a, b, c) is expect(
        [y <= min(x, z) for x in A for y in B for z in C]
    )
