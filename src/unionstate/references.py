"""Where records refer to other records, read off the model once.

For each record type, :func:`ref_paths` lists the paths (field names, with
``*`` for array items) of every field that holds ids, and the types they may
point to. :func:`iter_refs` walks raw JSON along those paths, so references
are checked without structuring records into classes.
"""

from __future__ import annotations

import functools
import typing
from collections.abc import Callable, Iterator
from typing import Any

import attrs

from unionstate.model import RECORD_TYPES
from unionstate.schema.generate import _strip_optional, hints

Path = tuple[str, ...]


def _walk(cls: Any, prefix: Path, out: list[tuple[Path, tuple[str, ...]]]) -> None:
    th = hints(cls)
    for f in attrs.fields(cls):
        tp, _ = _strip_optional(th[f.name])
        path = (*prefix, f.name)
        is_seq = typing.get_origin(tp) is tuple
        item = typing.get_args(tp)[0] if is_seq else tp
        if is_seq:
            path = (*path, "*")
        if "ref" in f.metadata:
            out.append((path, tuple(f.metadata["ref"])))
        elif attrs.has(item):
            _walk(item, path, out)


@functools.cache
def ref_paths(type_name: str) -> tuple[tuple[Path, tuple[str, ...]], ...]:
    """Every id-holding path of a record type, with the types it may name."""
    out: list[tuple[Path, tuple[str, ...]]] = []
    _walk(RECORD_TYPES[type_name], (), out)
    return tuple(out)


Ref = tuple[str, str, tuple[str, ...]]


Extractor = Callable[[Any, str, list[Ref]], None]


def _compile(path: Path, targets: tuple[str, ...]) -> Extractor:
    """A function ``f(data, prefix, out)`` that appends (pointer, id, targets)
    for one path to ``out``: plain loops, no generators, since this runs for
    every record."""
    head, rest = path[0], path[1:]
    if not rest:

        def leaf(data: Any, prefix: str, out: list[Ref]) -> None:
            if isinstance(data, dict):
                v = data.get(head)
                if type(v) is str:
                    out.append((f"{prefix}/{head}", v, targets))

        return leaf
    if rest == ("*",):

        def leaf_list(data: Any, prefix: str, out: list[Ref]) -> None:
            if isinstance(data, dict):
                vs = data.get(head)
                if type(vs) is list:
                    for i, v in enumerate(vs):
                        if type(v) is str:
                            out.append((f"{prefix}/{head}/{i}", v, targets))

        return leaf_list
    if rest[0] == "*":
        inner = _compile(rest[1:], targets)

        def each(data: Any, prefix: str, out: list[Ref]) -> None:
            if isinstance(data, dict):
                items = data.get(head)
                if type(items) is list:
                    for i, item in enumerate(items):
                        inner(item, f"{prefix}/{head}/{i}", out)

        return each
    inner = _compile(rest, targets)

    def nested(data: Any, prefix: str, out: list[Ref]) -> None:
        if isinstance(data, dict):
            inner(data.get(head), f"{prefix}/{head}", out)

    return nested


@functools.cache
def _extractors(type_name: str) -> tuple[Extractor, ...]:
    return tuple(_compile(path, targets) for path, targets in ref_paths(type_name))


def refs_of(type_name: str, data: Any) -> list[Ref]:
    """(JSON Pointer, id, allowed types) of every reference in a raw record
    of ``type_name``, in field order; values that are not strings are
    skipped (the schema reports them)."""
    out: list[Ref] = []
    for extract in _extractors(type_name):
        extract(data, "", out)
    return out


def iter_refs(type_name: str, data: Any) -> Iterator[Ref]:
    """:func:`refs_of` as an iterator."""
    return iter(refs_of(type_name, data))
