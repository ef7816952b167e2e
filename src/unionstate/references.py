"""Where records refer to other records, read off the model once.

For each record type, :func:`ref_paths` lists the paths (field names, with
``*`` for array items) of every field that holds ids, and the types they may
point to. :func:`iter_refs` walks raw JSON along those paths, so references
are checked without structuring records into classes.
"""

from __future__ import annotations

import functools
import typing
from collections.abc import Iterator
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


def iter_refs(type_name: str, data: Any) -> Iterator[tuple[str, str, tuple[str, ...]]]:
    """(JSON Pointer, id, allowed types) of every reference in a raw record
    of ``type_name``; values that are not strings are skipped (the schema
    reports them)."""
    for path, targets in ref_paths(type_name):
        yield from _follow(data, path, "", targets)


def _follow(
    value: Any, path: Path, ptr: str, targets: tuple[str, ...]
) -> Iterator[tuple[str, str, tuple[str, ...]]]:
    if not path:
        if isinstance(value, str):
            yield ptr, value, targets
        return
    head, rest = path[0], path[1:]
    if head == "*":
        if isinstance(value, list):
            for i, item in enumerate(value):
                yield from _follow(item, rest, f"{ptr}/{i}", targets)
    elif isinstance(value, dict) and head in value:
        yield from _follow(value[head], rest, f"{ptr}/{head}", targets)
