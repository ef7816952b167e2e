"""Build the JSON Schemas (Draft 2020-12) from the attrs classes.

The classes in :mod:`unionstate.model` are the single source of truth: this
module turns their type hints and field metadata into one schema per record
type, one for "any record" and one for a whole dataset document. The files in
``schemas/`` are this module's output, and a test fails when they drift.
"""

from __future__ import annotations

import enum
import types
import typing
from collections.abc import Mapping
from typing import Any

import attrs

from unionstate.dates import EDTF_PATTERN
from unionstate.model import (
    EXTENSION_PREFIX,
    LANG_PATTERN,
    RECORD_TYPES,
    DatasetInfo,
    Record,
)
from unionstate.model._fields import ID_SLUG

#: The version of the schemas; part of every ``$id``. Bump it by the
#: Frictionless recipe (see docs/releasing.md).
SCHEMA_VERSION = "1.1.0"
DIALECT = "https://json-schema.org/draft/2020-12/schema"


def schema_id(name: str) -> str:
    """The ``$id`` of one schema, e.g. ``urn:unionstate:schema:1.0.0:person``."""
    return f"urn:unionstate:schema:{SCHEMA_VERSION}:{name}"


def id_pattern(types_: tuple[str, ...]) -> str:
    """A pattern for ids of the given record types."""
    alt = types_[0] if len(types_) == 1 else "(?:" + "|".join(types_) + ")"
    return f"^{alt}/{ID_SLUG}$"


_BASE_FIELDS = ("id", "sources", "notes", "disputes", "exceptions", "extensions")


def field_order(cls: type[Any]) -> list[str]:
    """Field names in their canonical order: ``id``, the type's own fields,
    then ``sources``, ``notes``, ``disputes``, ``exceptions``."""
    names = [f.name for f in attrs.fields(cls)]
    if not issubclass(cls, Record):
        return names
    own = [n for n in names if n not in _BASE_FIELDS]
    tail = [n for n in ("sources", "notes", "disputes", "exceptions") if n in names]
    return ["id", *own, *tail]


_HINTS: dict[type[Any], dict[str, Any]] = {}


def hints(cls: type[Any]) -> dict[str, Any]:
    """Resolved type hints of an attrs class (cached)."""
    if cls not in _HINTS:
        _HINTS[cls] = typing.get_type_hints(cls)
    return _HINTS[cls]


def _strip_optional(tp: Any) -> tuple[Any, bool]:
    args = typing.get_args(tp)
    if typing.get_origin(tp) in (typing.Union, types.UnionType) and type(None) in args:
        rest = [a for a in args if a is not type(None)]
        if len(rest) == 1:
            return rest[0], True
    return tp, False


class _Builder:
    """Turns a type hint plus field metadata into a schema; collects $defs."""

    def __init__(self) -> None:
        self.defs: dict[str, Any] = {}

    def type_schema(self, tp: Any, meta: Mapping[str, Any]) -> dict[str, Any]:
        tp, _ = _strip_optional(tp)
        origin = typing.get_origin(tp)
        if origin is tuple:
            item_tp = typing.get_args(tp)[0]
            item_meta = {k: v for k, v in meta.items() if k in ("ref", "format")}
            out: dict[str, Any] = {"type": "array", "items": self.type_schema(item_tp, item_meta)}
            if meta.get("min_items"):
                out["minItems"] = meta["min_items"]
            if item_tp is str:
                out["uniqueItems"] = True
            return out
        if origin in (Mapping, dict) or tp is Any:
            return {}
        if isinstance(tp, type) and issubclass(tp, enum.Enum):
            return {"enum": [m.value for m in tp]}
        if tp is bool:
            return {"type": "boolean"}
        if tp is int:
            out = {"type": "integer"}
            if "minimum" in meta:
                out["minimum"] = meta["minimum"]
            return out
        if tp is str:
            return self.string_schema(meta)
        if attrs.has(tp):
            name = tp.__name__
            if name not in self.defs:
                self.defs[name] = {}  # placeholder against recursion
                self.defs[name] = self.object_schema(tp)
            return {"$ref": f"#/$defs/{name}"}
        raise TypeError(f"no schema for type {tp!r}")

    def string_schema(self, meta: Mapping[str, Any]) -> dict[str, Any]:
        fmt = meta.get("format")
        out: dict[str, Any] = {"type": "string", "minLength": 1}
        if "ref" in meta:
            out["pattern"] = id_pattern(tuple(meta["ref"]))
        elif fmt == "edtf":
            out["format"] = "edtf"
            out["pattern"] = EDTF_PATTERN
        elif fmt == "uri":
            out["format"] = "uri"
        elif fmt == "lang":
            out["pattern"] = LANG_PATTERN
        return out

    def object_schema(self, cls: type[Any], record_type: str | None = None) -> dict[str, Any]:
        th = hints(cls)
        fields = {f.name: f for f in attrs.fields(cls)}
        props: dict[str, Any] = {}
        required: list[str] = []
        if record_type is not None:
            props["type"] = {"const": record_type}
            required.append("type")
        for name in field_order(cls):
            f = fields[name]
            if name == "extensions":
                continue
            meta = dict(f.metadata)
            if name == "id" and record_type is not None:
                sub: dict[str, Any] = {
                    "type": "string",
                    "pattern": id_pattern((record_type,)),
                }
            else:
                sub = self.type_schema(th[name], meta)
            if name == "sources" and getattr(cls, "SOURCES_OPTIONAL", False):
                sub.pop("minItems", None)
            desc = meta.get("description")
            if desc:
                sub = {"description": desc, **sub}
            props[name] = sub
            is_required = f.default is attrs.NOTHING or (
                name == "sources"
                and record_type is not None
                and not getattr(cls, "SOURCES_OPTIONAL", False)
            )
            if is_required:
                required.append(name)
        out: dict[str, Any] = {"type": "object"}
        doc = (cls.__doc__ or "").strip()
        if doc:
            out["description"] = " ".join(doc.split())
        out["properties"] = props
        out["required"] = required
        if issubclass(cls, Record):
            out["patternProperties"] = {f"^{EXTENSION_PREFIX}": {}}
        out["additionalProperties"] = False
        return out


def record_schema(type_name: str) -> dict[str, Any]:
    """The schema of one record type."""
    cls = RECORD_TYPES[type_name]
    b = _Builder()
    body = b.object_schema(cls, record_type=type_name)
    out: dict[str, Any] = {
        "$schema": DIALECT,
        "$id": schema_id(type_name),
        "title": cls.__name__,
    }
    out.update(body)
    if b.defs:
        out["$defs"] = dict(sorted(b.defs.items()))
    return out


def any_record_schema() -> dict[str, Any]:
    """A record of any type, dispatched on ``type``."""
    return {
        "$schema": DIALECT,
        "$id": schema_id("record"),
        "title": "Record",
        "description": "Any unionstate record; its 'type' selects the schema.",
        "type": "object",
        "properties": {"type": {"enum": list(RECORD_TYPES)}},
        "required": ["type", "id"],
        "allOf": [
            {
                "if": {"properties": {"type": {"const": t}}, "required": ["type"]},
                "then": {"$ref": schema_id(t)},
            }
            for t in RECORD_TYPES
        ],
    }


def dataset_info_schema() -> dict[str, Any]:
    """The dataset header (``dataset.json`` or a ``type: dataset`` line)."""
    b = _Builder()
    body = b.object_schema(DatasetInfo)
    body["properties"] = {"type": {"const": "dataset"}, **body["properties"]}
    return {
        "$schema": DIALECT,
        "$id": schema_id("dataset-info"),
        "title": "DatasetInfo",
        **body,
    }


def dataset_schema() -> dict[str, Any]:
    """A whole dataset as one JSON document: the header's fields and ``records``."""
    info = dataset_info_schema()
    props = {k: v for k, v in info["properties"].items() if k != "type"}
    return {
        "$schema": DIALECT,
        "$id": schema_id("dataset"),
        "title": "Dataset",
        "description": "A unionstate dataset as one JSON document.",
        "type": "object",
        "properties": {
            **props,
            "records": {"type": "array", "items": {"$ref": schema_id("record")}},
        },
        "required": ["name", "records"],
        "additionalProperties": False,
    }


def all_schemas() -> dict[str, dict[str, Any]]:
    """Every schema by file stem, in a stable order."""
    out = {t: record_schema(t) for t in RECORD_TYPES}
    out["record"] = any_record_schema()
    out["dataset-info"] = dataset_info_schema()
    out["dataset"] = dataset_schema()
    return out
