"""Hypothesis strategies for every record type, read off the model.

Use them to test your own code against valid unionstate records::

    from hypothesis import given
    from unionstate import strategies

    @given(strategies.records("event"))
    def test_my_exporter(event): ...

Records drawn here are valid one by one (each passes its JSON Schema); ids
they refer to are well-formed but need not exist. :func:`edtf_strings` draws
valid EDTF dates of the subset :mod:`unionstate.dates` accepts.
"""

from __future__ import annotations

import datetime
import enum
import typing
from collections.abc import Mapping
from typing import Any

import attrs
from hypothesis import strategies as st

from unionstate.model import RECORD_TYPES, DatasetInfo, Record
from unionstate.schema.generate import _strip_optional, hints

LANGS = ("be", "ru", "en", "be-Latn", "ru-Latn", "be-Latn-x-lacinka", "uk", "pl")

#: Text with the scripts the data uses: Latin, Cyrillic, Łacinka diacritics,
#: combining marks, and anything else Unicode allows outside surrogates.
_text = st.one_of(
    st.sampled_from(
        ["Лукашэнка", "Лукашенко", "Haloŭčenka", "Łukašenka", "Syamashka", "Ю̀", "a\u0301"]
    ),
    st.text(st.characters(codec="utf-8"), min_size=1, max_size=20),
)
_slug = st.from_regex(r"\A[a-z0-9]{1,8}(-[a-z0-9]{1,6}){0,2}\Z")

_json_leaf = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**53), 2**53),
    st.floats(allow_nan=False, allow_infinity=False),
    _text,
)
json_values = st.recursive(
    _json_leaf,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=6,
)


def _day(d: datetime.date, precision: str) -> str:
    return {"Y": f"{d.year:04d}", "M": f"{d.year:04d}-{d.month:02d}", "D": d.isoformat()}[precision]


@st.composite
def _single(draw: st.DrawFn) -> str:
    d = draw(st.dates(datetime.date(1, 1, 1), datetime.date(9999, 12, 31)))
    return _day(d, draw(st.sampled_from("YMD"))) + draw(st.sampled_from(["", "", "?", "~", "%"]))


@st.composite
def _interval(draw: st.DrawFn) -> str:
    a = draw(st.dates(datetime.date(1, 1, 1), datetime.date(9998, 12, 31)))
    b = draw(st.dates(a, datetime.date(9999, 12, 31)))
    left = _day(a, draw(st.sampled_from("YMD")))
    right = _day(b, draw(st.sampled_from("YMD")))
    kind = draw(st.sampled_from(["closed", "closed", "open", "unknown", "open-start"]))
    if kind == "open":
        return f"{left}/.."
    if kind == "unknown":
        return f"{left}/"
    if kind == "open-start":
        return f"../{right}"
    return f"{left}/{right}"


def edtf_strings(intervals: bool = True) -> st.SearchStrategy[str]:
    """Valid EDTF strings: days, months, years with qualifiers, and intervals."""
    return st.one_of(_single(), _interval()) if intervals else _single()


def _ids(types_: tuple[str, ...]) -> st.SearchStrategy[str]:
    return st.tuples(st.sampled_from(types_), _slug).map(lambda p: f"{p[0]}/{p[1]}")


def _scalar(tp: Any, meta: Mapping[str, Any]) -> st.SearchStrategy[Any]:
    if tp is str:
        fmt = meta.get("format")
        if "ref" in meta:
            return _ids(tuple(meta["ref"]))
        if fmt == "edtf":
            return edtf_strings()
        if fmt == "uri":
            return _slug.map(lambda s: f"https://example.org/{s}")
        if fmt == "lang":
            return st.sampled_from(LANGS)
        return _text
    if tp is bool:
        return st.booleans()
    if tp is int:
        return st.integers(min_value=meta.get("minimum", 0), max_value=10_000)
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return st.sampled_from(list(tp))
    if tp is Any:
        return json_values
    if attrs.has(tp):
        return _builds(tp)
    raise TypeError(f"no strategy for {tp!r}")


def _field(tp: Any, meta: Mapping[str, Any]) -> st.SearchStrategy[Any]:
    inner, optional = _strip_optional(tp)
    if typing.get_origin(inner) is tuple:
        item = typing.get_args(inner)[0]
        s = st.lists(
            _scalar(item, meta),
            min_size=meta.get("min_items", 0),
            max_size=max(3, meta.get("min_items", 0)),
            unique=item is str,
        )
        return s.map(tuple)
    s = _scalar(inner, meta)
    return st.none() | s if optional else s


_BUILDS: dict[Any, st.SearchStrategy[Any]] = {}


def _builds(cls: Any) -> st.SearchStrategy[Any]:
    if cls not in _BUILDS:
        _BUILDS[cls] = _make_builds(cls)
    return _BUILDS[cls]


def _id_of(type_name: str) -> st.SearchStrategy[str]:
    return _slug.map(lambda s: f"{type_name}/{s}")


def _make_builds(cls: Any) -> st.SearchStrategy[Any]:
    th = hints(cls)
    kwargs: dict[str, st.SearchStrategy[Any]] = {}
    for f in attrs.fields(cls):
        if f.name == "extensions":
            kwargs[f.name] = st.dictionaries(
                st.from_regex(r"\Ax_[a-z]{1,6}\Z"), json_values, max_size=2
            )
            continue
        if f.name == "id" and issubclass(cls, Record):
            kwargs[f.name] = _id_of(cls.TYPE)
            continue
        meta = dict(f.metadata)
        if (
            f.name == "sources"
            and not getattr(cls, "SOURCES_OPTIONAL", False)
            and issubclass(cls, Record)
        ):
            meta["min_items"] = 1
        kwargs[f.name] = _field(th[f.name], meta)
    return st.builds(cls, **kwargs)


def records(type_name: str | None = None) -> st.SearchStrategy[Record]:
    """Records of one type (``"person"``, ``"event"``, ...) or of any type."""
    if type_name is None:
        return st.one_of([_builds(c) for c in RECORD_TYPES.values()])
    return _builds(RECORD_TYPES[type_name])


def dataset_infos() -> st.SearchStrategy[DatasetInfo]:
    """Dataset headers."""
    return typing.cast(st.SearchStrategy[DatasetInfo], _builds(DatasetInfo))
