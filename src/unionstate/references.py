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


def _source(path: Path, target: str, data: str, prefix: str, depth: int) -> list[str]:
    """Lines of Python that append (pointer, id, targets) for one path below
    ``data`` (a dict) to ``out``; ``prefix`` is the pointer so far, as the
    text of an f-string."""
    head, rest = path[0], path[1:]
    key = repr(head)
    name = head.replace("~", "~0").replace("/", "~1")
    here = f"{prefix}/{name}"
    v, i = f"v{depth}", f"i{depth}"
    if not rest:
        return [
            f"{v} = {data}.get({key})",
            f"if type({v}) is str:",
            f"    append((f'{here}', {v}, {target}))",
        ]
    if rest == ("*",):
        return [
            f"{v} = {data}.get({key})",
            f"if type({v}) is list:",
            f"    for {i}, x{depth} in enumerate({v}):",
            f"        if type(x{depth}) is str:",
            f"            append((f'{here}/{{{i}}}', x{depth}, {target}))",
        ]
    if rest[0] == "*":
        inner = _source(rest[1:], target, f"x{depth}", f"{here}/{{{i}}}", depth + 1)
        return [
            f"{v} = {data}.get({key})",
            f"if type({v}) is list:",
            f"    for {i}, x{depth} in enumerate({v}):",
            f"        if isinstance(x{depth}, dict):",
            *(f"            {line}" for line in inner),
        ]
    inner = _source(rest, target, v, here, depth + 1)
    return [
        f"{v} = {data}.get({key})",
        f"if isinstance({v}, dict):",
        *(f"    {line}" for line in inner),
    ]


@functools.cache
def _extractor(type_name: str) -> Callable[[Any], list[Ref]]:
    """One generated function per record type that walks every reference
    path of :func:`ref_paths` in order: plain loops and no calls, since it
    runs for every record."""
    names: dict[str, Any] = {}
    body: list[str] = []
    for k, (path, targets) in enumerate(ref_paths(type_name)):
        names[f"T{k}"] = targets
        body += _source(path, f"T{k}", "d", "", 0)
    src = "def refs(d):\n    out = []\n    append = out.append\n"
    src += "    if isinstance(d, dict):\n" + "".join(f"        {line}\n" for line in body)
    src += "    return out\n"
    exec(compile(src, f"<unionstate references of {type_name}>", "exec"), names)
    fn: Callable[[Any], list[Ref]] = names["refs"]
    return fn


def refs_of(type_name: str, data: Any) -> list[Ref]:
    """(JSON Pointer, id, allowed types) of every reference in a raw record
    of ``type_name``, in field order; values that are not strings are
    skipped (the schema reports them)."""
    return _extractor(type_name)(data)


def iter_refs(type_name: str, data: Any) -> Iterator[Ref]:
    """:func:`refs_of` as an iterator."""
    return iter(refs_of(type_name, data))
