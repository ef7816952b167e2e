"""JSON Schemas: generation, the offline registry and compiled validators.

Validators are built once per process and never fetch anything: the registry
holds our schemas and refuses every other URI.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jsonschema
from jsonschema.protocols import Validator
from referencing import Registry, Resource
from referencing.exceptions import NoSuchResource

from unionstate.dates import is_valid as is_edtf

from .generate import SCHEMA_VERSION, all_schemas, schema_id

__all__ = [
    "SCHEMA_VERSION",
    "all_schemas",
    "fast_is_valid",
    "format_checker",
    "iter_errors",
    "registry",
    "schema_id",
    "validator_for",
    "write_schemas",
]


def _is_uri(value: object) -> bool:
    """An absolute http(s) URL with a host and no white space."""
    if not isinstance(value, str):
        return True
    if any(c.isspace() for c in value):
        return False
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _is_edtf(value: object) -> bool:
    return not isinstance(value, str) or is_edtf(value)


@functools.cache
def format_checker() -> jsonschema.FormatChecker:
    """Format checks for ``edtf`` (our parser decides) and ``uri`` (http/https)."""
    checker = jsonschema.FormatChecker(formats=())
    checker.checks("edtf")(_is_edtf)
    checker.checks("uri")(_is_uri)
    return checker


def _refuse(uri: str) -> Resource[Any]:
    """Registry retrieval: nothing outside our own schemas is ever read."""
    raise NoSuchResource(ref=uri)  # type: ignore[call-arg]


@functools.cache
def registry() -> Registry[Any]:
    """An immutable registry of our schemas; any other URI is unresolvable."""
    resources = [(s["$id"], Resource.from_contents(s)) for s in all_schemas().values()]
    return Registry(retrieve=_refuse).with_resources(resources)  # type: ignore[call-arg]


@functools.cache
def _ecma_pattern(pattern: str) -> re.Pattern[str]:
    """``pattern`` with ECMA-262's meaning of ``$`` (JSON Schema patterns are
    ECMA-262): the end of the input only. Python's ``$`` also matches before a
    final newline, which would let ``"person/lukashenka\\n"`` pass as an id."""
    out, i, in_class = [], 0, False
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            out.append(pattern[i : i + 2])
            i += 2
            continue
        if c == "[":
            in_class = True
        elif c == "]":
            in_class = False
        out.append("\\Z" if c == "$" and not in_class else c)
        i += 1
    return re.compile("".join(out))


def _pattern(
    validator: Validator, pattern: str, instance: Any, schema: Any
) -> Iterator[jsonschema.ValidationError]:
    if validator.is_type(instance, "string") and not _ecma_pattern(pattern).search(instance):
        yield jsonschema.ValidationError(f"{instance!r} does not match {pattern!r}")


@functools.cache
def validator_for(name: str) -> Validator:
    """The compiled validator for one schema (a record type, ``record``,
    ``dataset-info`` or ``dataset``); built once per process."""
    schema = all_schemas()[name]
    base = jsonschema.validators.validator_for(schema)
    cls = jsonschema.validators.extend(base, {"pattern": _pattern})  # type: ignore[no-untyped-call]
    validator: Validator = cls(schema, registry=registry(), format_checker=format_checker())
    return validator


@functools.cache
def _fast(name: str) -> Callable[[Any], bool]:
    """A compiled (jsonschema-rs) ``is_valid`` for one schema, built once, with
    the same format checks and no retrieval; the python validator where
    jsonschema-rs is not installed."""
    try:
        import jsonschema_rs
    except ImportError:  # pragma: no cover - a platform without its wheels
        return validator_for(name).is_valid
    schema = all_schemas()[name]
    if name in ("record", "dataset"):  # they refer to the other schemas by URN
        return validator_for(name).is_valid
    compiled = jsonschema_rs.validator_for(
        schema,
        formats={"edtf": _is_edtf, "uri": _is_uri},
        validate_formats=True,
        offline=True,
    )
    is_valid: Callable[[Any], bool] = compiled.is_valid
    return is_valid


def fast_is_valid(name: str, instance: Any) -> bool:
    """Whether ``instance`` is valid against schema ``name``, by the compiled
    validator: the per-record fast path. Errors are then explained by
    :func:`iter_errors` (python ``jsonschema``), whose messages are better; a
    differential test proves the two agree."""
    return _fast(name)(instance)


def iter_errors(name: str, instance: Any) -> Iterator[jsonschema.ValidationError]:
    """Every schema error of ``instance`` against schema ``name``, in a stable
    order (by location, then keyword)."""
    errors = validator_for(name).iter_errors(instance)
    return iter(sorted(errors, key=lambda e: (list(map(str, e.absolute_path)), e.validator)))


def write_schemas(folder: Path) -> list[Path]:
    """Write every schema to ``folder`` as ``<name>.schema.json``; returns the paths."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, schema in all_schemas().items():
        path = folder / f"{name}.schema.json"
        path.write_text(json.dumps(schema, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        written.append(path)
    return written
