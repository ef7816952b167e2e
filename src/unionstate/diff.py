"""Record-level differences between two datasets, and the version they call for.

Any two datasets compare: data directories, JSON documents, JSON Lines files,
release directories and release archives. Records are matched by ``id``; a
record on one side only is *added* or *removed*, a record on both sides whose
canonical JSON differs is *changed*, with one :class:`FieldChange` per changed
leaf (a JSON Pointer with the old and the new value; objects are compared key
by key, arrays of the same length item by item, anything else as a whole).

The level of a change follows the Frictionless data-package version recipe:

* **MAJOR**: a record removed, or a schema change that removes or renames a
  property, makes one required, narrows an enum or a type, or otherwise
  tightens a constraint;
* **MINOR**: records added, or a schema change that adds an optional
  property, widens an enum or loosens a constraint;
* **PATCH**: values corrected in existing records, or a changed header.

Schemas are compared only when both sides carry them (releases do, in
``schemas/``). :func:`apply` replays a diff, so ``apply(a, diff(a, b)) == b``.
"""

from __future__ import annotations

import argparse
import copy
import enum
import json
import os
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Final

import attrs

from unionstate.io.read import InputError, read


class _Absent(enum.Enum):
    """The value of a field that is not there."""

    ABSENT = "absent"

    def __repr__(self) -> str:
        return "<absent>"


#: Stands for "the field is not there" on one side of a :class:`FieldChange`.
ABSENT: Final = _Absent.ABSENT


class Level(enum.IntEnum):
    """How much a change weighs, after the Frictionless version recipe."""

    NONE = 0
    PATCH = 1
    MINOR = 2
    MAJOR = 3

    @property
    def label(self) -> str:
        return self.name.lower()


# -- versions -----------------------------------------------------------------

_VERSION = re.compile(r"^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$")


def parse_version(text: str) -> tuple[int, int, int]:
    """``"1.2.3"`` → ``(1, 2, 3)``; ``ValueError`` for anything but ``X.Y.Z``."""
    m = _VERSION.fullmatch(text)
    if m is None:
        raise ValueError(f"{text!r} is not a version X.Y.Z (digits, no leading zeros)")
    return int(m[1]), int(m[2]), int(m[3])


def bump(version: str, level: Level) -> str:
    """The next version after ``version`` for a change of ``level``. Nothing
    changed (``NONE``) still needs a new number: the smallest, a patch."""
    major, minor, patch = parse_version(version)
    if level is Level.MAJOR:
        return f"{major + 1}.0.0"
    if level is Level.MINOR:
        return f"{major}.{minor + 1}.0"
    return f"{major}.{minor}.{patch + 1}"


def understates(asked: str, previous: str, level: Level) -> str | None:
    """Why ``asked`` is not an acceptable next version after ``previous`` for a
    change of ``level`` (it must be greater, and at least :func:`bump`), or
    ``None`` when it is. Over-stating (2.0.0 for a patch) is allowed."""
    least = bump(previous, level)
    if parse_version(asked) <= parse_version(previous):
        return f"version {asked} is not greater than the previous release {previous}"
    if parse_version(asked) < parse_version(least):
        return (
            f"version {asked} under-states a {level.label.upper()} change since "
            f"{previous}; use {least} or later"
        )
    return None


# -- the result ---------------------------------------------------------------


def _show(value: Any) -> str:
    if value is ABSENT:
        return "(absent)"
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


@attrs.frozen(slots=True)
class FieldChange:
    """One changed value: where (a JSON Pointer inside the record, e.g.
    ``/title`` or ``/participants/0/role``), the old and the new value;
    :data:`ABSENT` when the field is not there on that side."""

    pointer: str
    old: Any
    new: Any

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"pointer": self.pointer}
        if self.old is not ABSENT:
            out["old"] = self.old
        if self.new is not ABSENT:
            out["new"] = self.new
        return out

    def to_text(self) -> str:
        return f"{self.pointer}: {_show(self.old)} → {_show(self.new)}"


@attrs.frozen(slots=True)
class RecordChange:
    """A record present on both sides whose values differ."""

    id: str
    type: str
    changes: tuple[FieldChange, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "changes": [c.to_dict() for c in self.changes]}


@attrs.frozen(slots=True)
class SchemaChange:
    """A difference between the JSON Schemas of the two sides, with its level."""

    schema: str
    pointer: str
    level: Level
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": self.schema,
            "pointer": self.pointer,
            "level": self.level.label,
            "message": self.message,
        }

    def to_text(self) -> str:
        where = f"{self.schema}{self.pointer or ''}"
        return f"{self.level.label.upper()} {where}: {self.message}"


def _record_type(record: Mapping[str, Any]) -> str:
    t = record.get("type")
    if isinstance(t, str):
        return t
    rid = str(record.get("id", ""))
    return rid.split("/", 1)[0] if "/" in rid else "(unknown)"


@attrs.frozen(slots=True)
class Diff:
    """What changed from one dataset to another.

    ``added`` and ``removed`` hold whole records; ``changed`` the field
    changes of records on both sides; ``header`` the changes of the dataset
    header (its ``version`` apart); ``schema_changes`` the classified schema
    differences, when ``schemas_compared``.
    """

    added: tuple[dict[str, Any], ...] = ()
    removed: tuple[dict[str, Any], ...] = ()
    changed: tuple[RecordChange, ...] = ()
    header: tuple[FieldChange, ...] = ()
    schema_changes: tuple[SchemaChange, ...] = ()
    schemas_compared: bool = False
    old_version: str | None = None
    new_version: str | None = None

    @property
    def empty(self) -> bool:
        """No record, header or schema change."""
        return not (
            self.added or self.removed or self.changed or self.header or self.schema_changes
        )

    @property
    def level(self) -> Level:
        """The weight of the whole change (the highest of its parts)."""
        levels = [Level.NONE]
        levels += [c.level for c in self.schema_changes]
        if self.removed:
            levels.append(Level.MAJOR)
        if self.added:
            levels.append(Level.MINOR)
        if self.changed or self.header:
            levels.append(Level.PATCH)
        return max(levels)

    def suggest(self, previous: str | None = None) -> str | None:
        """The next version after ``previous`` (default: the old side's
        version), or ``None`` when that is not known or not ``X.Y.Z``."""
        base = previous if previous is not None else self.old_version
        if base is None or _VERSION.fullmatch(base) is None:
            return None
        return bump(base, self.level)

    def counts(self) -> dict[str, int]:
        return {
            "added": len(self.added),
            "removed": len(self.removed),
            "changed": len(self.changed),
            "schema": len(self.schema_changes),
            "header": len(self.header),
        }

    def types(self) -> list[str]:
        """The record types that have a change, sorted."""
        names = {_record_type(r) for r in self.added} | {_record_type(r) for r in self.removed}
        names |= {c.type for c in self.changed}
        return sorted(names)

    def _of_type(
        self, t: str
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[RecordChange]]:
        return (
            [r for r in self.added if _record_type(r) == t],
            [r for r in self.removed if _record_type(r) == t],
            [c for c in self.changed if c.type == t],
        )

    def to_json(self) -> str:
        """The stable JSON form (see docs/releasing.md)."""
        by_type: dict[str, Any] = {}
        for t in self.types():
            added, removed, changed = self._of_type(t)
            by_type[t] = {
                "added": added,
                "removed": removed,
                "changed": [c.to_dict() for c in changed],
            }
        doc = {
            "old_version": self.old_version,
            "new_version": self.new_version,
            "level": self.level.label,
            "suggested_version": self.suggest(),
            "counts": self.counts(),
            "types": by_type,
            "header": [c.to_dict() for c in self.header],
            "schemas": {
                "compared": self.schemas_compared,
                "changes": [c.to_dict() for c in self.schema_changes],
            },
        }
        return json.dumps(doc, ensure_ascii=False, indent=2)

    def summary(self) -> str:
        c = self.counts()
        text = f"{c['added']} added, {c['removed']} removed, {c['changed']} changed"
        if self.schemas_compared:
            text += f"; {c['schema']} schema change(s)"
        if c["header"]:
            text += f"; {c['header']} header change(s)"
        return text

    def to_text(self) -> str:
        """A report for people, grouped by record type."""
        old = self.old_version or "(no version)"
        new = self.new_version or "(no version)"
        lines = [f"{old} → {new}: {self.summary()}"]
        if self.empty:
            lines.append("No differences.")
        else:
            suggestion = self.suggest()
            tail = f"; suggested version {suggestion}" if suggestion else ""
            lines.append(f"Level: {self.level.label.upper()}{tail}")
        if not self.schemas_compared:
            lines.append("Schemas not compared (only releases carry them).")
        for t in self.types():
            added, removed, changed = self._of_type(t)
            lines.append("")
            lines.append(f"{t}: {len(added)} added, {len(removed)} removed, {len(changed)} changed")
            lines.extend(f"  + {r.get('id')}" for r in added)
            lines.extend(f"  - {r.get('id')}" for r in removed)
            for rc in changed:
                lines.append(f"  ~ {rc.id}")
                lines.extend(f"      {fc.to_text()}" for fc in rc.changes)
        if self.header:
            lines.append("")
            lines.append("dataset header:")
            lines.extend(f"  {fc.to_text()}" for fc in self.header)
        if self.schema_changes:
            lines.append("")
            lines.append("schemas:")
            lines.extend(f"  {sc.to_text()}" for sc in self.schema_changes)
        return "\n".join(lines)

    def to_markdown(self, version: str) -> str:
        """``CHANGES.md`` of release ``version``: deterministic, no paths."""
        lines = [f"# Changes in {version}", ""]
        prev = self.old_version or "the previous dataset (no version)"
        lines.append(f"Compared with {prev}: {self.summary()}.")
        lines.append("")
        lines.append(f"Level of change: **{self.level.label.upper()}**.")
        if not self.schemas_compared:
            lines += ["", "The schemas were not compared (the previous dataset carries none)."]
        for t in self.types():
            added, removed, changed = self._of_type(t)
            lines += ["", f"## {t}", ""]
            if added:
                lines.append(f"Added ({len(added)}):")
                lines.append("")
                lines.extend(f"- `{r.get('id')}`" for r in added)
                lines.append("")
            if removed:
                lines.append(f"Removed ({len(removed)}):")
                lines.append("")
                lines.extend(f"- `{r.get('id')}`" for r in removed)
                lines.append("")
            if changed:
                lines.append(f"Changed ({len(changed)}):")
                lines.append("")
                for rc in changed:
                    lines.append(f"- `{rc.id}`")
                    lines.extend(
                        f"  - `{fc.pointer}`: {_md(fc.old)} → {_md(fc.new)}" for fc in rc.changes
                    )
                lines.append("")
            while lines and lines[-1] == "":
                lines.pop()
        if self.header:
            lines += ["", "## Dataset header", ""]
            lines.extend(f"- `{fc.pointer}`: {_md(fc.old)} → {_md(fc.new)}" for fc in self.header)
        if self.schema_changes:
            lines += ["", "## Schemas", ""]
            lines.extend(
                f"- {sc.level.label.upper()} `{sc.schema}{sc.pointer}`: {sc.message}"
                for sc in self.schema_changes
            )
        return "\n".join(lines) + "\n"


def _md(value: Any) -> str:
    text = _show(value)
    if len(text) > 200:
        text = text[:197] + "..."
    return "`" + text.replace("`", "'") + "`"


# -- comparing values ---------------------------------------------------------


def same(a: Any, b: Any) -> bool:
    """JSON equality: ``1``, ``1.0`` and ``True`` differ; key order does not matter."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


def _unescape(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


def field_changes(old: Any, new: Any, pointer: str = "") -> list[FieldChange]:
    """Every changed leaf between two JSON values (see the module docstring)."""
    out: list[FieldChange] = []
    _walk(old, new, pointer, out)
    return out


def _walk(old: Any, new: Any, ptr: str, out: list[FieldChange]) -> None:
    if same(old, new):
        return
    if isinstance(old, dict) and isinstance(new, dict):
        keys = list(old) + [k for k in new if k not in old]
        for k in keys:
            _walk(old.get(k, ABSENT), new.get(k, ABSENT), f"{ptr}/{_escape(k)}", out)
    elif isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        for i, (a, b) in enumerate(zip(old, new, strict=True)):
            _walk(a, b, f"{ptr}/{i}", out)
    else:
        out.append(FieldChange(ptr, old, new))


def _index(records: Iterable[Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for r in records:
        out[str(r.get("id"))] = dict(r)
    return out


def diff_records(
    old: Iterable[Mapping[str, Any]],
    new: Iterable[Mapping[str, Any]],
    *,
    old_header: Mapping[str, Any] | None = None,
    new_header: Mapping[str, Any] | None = None,
    old_schemas: Mapping[str, Any] | None = None,
    new_schemas: Mapping[str, Any] | None = None,
) -> Diff:
    """The diff of two sets of records (JSON-ready dicts), matched by ``id``.

    Records are compared as given: pass canonical records (as
    :func:`read_side` does) so that equal facts compare equal. When both
    ``old_schemas`` and ``new_schemas`` are given (schema name → schema), they
    are compared too; headers are compared (but for their ``version``) when
    both are given.
    """
    a, b = _index(old), _index(new)
    added = tuple(b[k] for k in sorted(b.keys() - a.keys()))
    removed = tuple(a[k] for k in sorted(a.keys() - b.keys()))
    changed = []
    for k in sorted(a.keys() & b.keys()):
        fcs = field_changes(a[k], b[k])
        if fcs:
            changed.append(RecordChange(k, _record_type(b[k]), tuple(fcs)))
    oh = _plain_header(old_header)
    nh = _plain_header(new_header)
    header: tuple[FieldChange, ...] = ()
    if oh and nh:  # a side without a header has nothing to compare
        header = tuple(
            field_changes(
                {k: v for k, v in oh.items() if k != "version"},
                {k: v for k, v in nh.items() if k != "version"},
            )
        )
    compared = old_schemas is not None and new_schemas is not None
    schema_changes: tuple[SchemaChange, ...] = ()
    if old_schemas is not None and new_schemas is not None:
        schema_changes = tuple(diff_schemas(old_schemas, new_schemas))
    return Diff(
        added=added,
        removed=removed,
        changed=tuple(changed),
        header=header,
        schema_changes=schema_changes,
        schemas_compared=compared,
        old_version=_version_of(oh),
        new_version=_version_of(nh),
    )


def _plain_header(header: Mapping[str, Any] | None) -> dict[str, Any]:
    return {k: v for k, v in (header or {}).items() if k != "type"}


def _version_of(header: Mapping[str, Any]) -> str | None:
    v = header.get("version")
    return v if isinstance(v, str) else None


def apply(old_records: Iterable[Mapping[str, Any]], diff: Diff) -> list[dict[str, Any]]:
    """Replay ``diff`` on ``old_records``: the new records, sorted by id.

    Raises ``ValueError`` when the diff does not fit the records (a removed or
    changed record is missing, an added one exists, an old value differs).
    """
    by_id = {k: copy.deepcopy(v) for k, v in _index(old_records).items()}
    for r in diff.removed:
        rid = str(r.get("id"))
        if rid not in by_id or not same(by_id[rid], dict(r)):
            raise ValueError(f"cannot remove {rid}: not in the records as the diff saw it")
        del by_id[rid]
    for rc in diff.changed:
        if rc.id not in by_id:
            raise ValueError(f"cannot change {rc.id}: not in the records")
        for fc in rc.changes:
            by_id[rc.id] = _set(by_id[rc.id], fc, rc.id)
    for r in diff.added:
        rid = str(r.get("id"))
        if rid in by_id:
            raise ValueError(f"cannot add {rid}: already in the records")
        by_id[rid] = copy.deepcopy(dict(r))
    return [by_id[k] for k in sorted(by_id)]


def _set(doc: Any, fc: FieldChange, rid: str) -> Any:
    tokens = [_unescape(t) for t in fc.pointer.split("/")[1:]] if fc.pointer else []
    if not tokens:
        if not same(doc, fc.old):
            raise ValueError(f"{rid}: the old value differs from the diff's")
        return copy.deepcopy(fc.new)
    parent = doc
    for t in tokens[:-1]:
        parent = parent[int(t)] if isinstance(parent, list) else parent[t]
    last = tokens[-1]
    current = parent[int(last)] if isinstance(parent, list) else parent.get(last, ABSENT)
    if current is not fc.old and not (
        current is not ABSENT and fc.old is not ABSENT and same(current, fc.old)
    ):
        raise ValueError(f"{rid} {fc.pointer}: the old value differs from the diff's")
    if isinstance(parent, list):
        parent[int(last)] = copy.deepcopy(fc.new)
    elif fc.new is ABSENT:
        del parent[last]
    else:
        parent[last] = copy.deepcopy(fc.new)
    return doc


# -- comparing schemas --------------------------------------------------------

_IGNORED = frozenset(
    {
        "$id",
        "$schema",
        "$comment",
        "title",
        "description",
        "examples",
        "default",
        "deprecated",
        "readOnly",
        "writeOnly",
    }
)
_LOWER = frozenset(
    {"minLength", "minItems", "minimum", "exclusiveMinimum", "minProperties", "minContains"}
)
_UPPER = frozenset(
    {"maxLength", "maxItems", "maximum", "exclusiveMaximum", "maxProperties", "maxContains"}
)
#: Keywords whose value is one subschema, absent meaning "anything" (``{}``).
_SUB = frozenset(
    {
        "items",
        "additionalProperties",
        "unevaluatedProperties",
        "unevaluatedItems",
        "propertyNames",
    }
)
#: Keywords whose value maps names to subschemas.
_NAMED = frozenset({"properties", "patternProperties", "$defs", "definitions"})
_SUB_LISTS = frozenset({"allOf", "anyOf", "oneOf", "prefixItems"})
_URN_VERSION = re.compile(r"^(urn:unionstate:schema:)[^:]+:")


def diff_schemas(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[SchemaChange]:
    """Classified differences between two sets of schemas (name → schema)."""
    out: list[SchemaChange] = []
    for name in sorted(set(old) | set(new)):
        if name not in new:
            out.append(SchemaChange(name, "", Level.MAJOR, "schema removed"))
        elif name not in old:
            out.append(SchemaChange(name, "", Level.MINOR, "schema added"))
        else:
            _schema(old[name], new[name], name, "", out)
    return out


def _as_schema(value: Any) -> Any:
    """Boolean schemas as objects: ``true`` → ``{}``, ``false`` → ``{"not": {}}``."""
    if value is True or value is ABSENT:
        return {}
    if value is False:
        return {"not": {}}
    return value


def _types(value: Any) -> set[str] | None:
    if value is ABSENT:
        return None
    return {value} if isinstance(value, str) else {str(v) for v in value}


def _schema(old: Any, new: Any, name: str, ptr: str, out: list[SchemaChange]) -> None:
    old, new = _as_schema(old), _as_schema(new)
    if not isinstance(old, dict) or not isinstance(new, dict):
        if not same(old, new):
            out.append(SchemaChange(name, ptr, Level.MAJOR, "changed (not a schema object)"))
        return

    def add(level: Level, where: str, message: str) -> None:
        out.append(SchemaChange(name, where, level, message))

    for k in sorted((set(old) | set(new)) - _IGNORED):
        o, n = old.get(k, ABSENT), new.get(k, ABSENT)
        if same(o, n):
            continue
        here = f"{ptr}/{_escape(k)}"
        if k in _NAMED:
            om = o if isinstance(o, dict) else {}
            nm = n if isinstance(n, dict) else {}
            required = new.get("required", [])
            for prop in sorted(set(om) | set(nm)):
                where = f"{here}/{_escape(prop)}"
                if prop not in nm:
                    what = "definition" if k in ("$defs", "definitions") else "property"
                    add(Level.MAJOR, where, f"{what} {prop!r} removed")
                elif prop not in om:
                    if k in ("$defs", "definitions"):
                        continue  # matters only where it is referenced
                    if k == "properties" and prop in required:
                        add(Level.MAJOR, where, f"required property {prop!r} added")
                    else:
                        add(Level.MINOR, where, f"optional property {prop!r} added")
                else:
                    _schema(om[prop], nm[prop], name, where, out)
        elif k == "required":
            o_req = set(o if isinstance(o, list) else [])
            n_req = set(n if isinstance(n, list) else [])
            o_props = old.get("properties", {})
            n_props = new.get("properties", {})
            for prop in sorted(n_req - o_req):
                if prop in o_props:  # a new property is reported with the properties
                    add(Level.MAJOR, here, f"{prop!r} is now required")
            for prop in sorted(o_req - n_req):
                if prop in n_props:
                    add(Level.MINOR, here, f"{prop!r} is no longer required")
        elif k == "enum":
            if o is ABSENT:
                add(Level.MAJOR, here, "enum added")
            elif n is ABSENT:
                add(Level.MINOR, here, "enum removed")
            else:
                gone = [v for v in o if not any(same(v, w) for w in n)]
                extra = [v for v in n if not any(same(v, w) for w in o)]
                if gone:
                    add(Level.MAJOR, here, f"enum narrowed: {_show(gone)} removed")
                if extra:
                    add(Level.MINOR, here, f"enum widened: {_show(extra)} added")
        elif k == "type":
            ot, nt = _types(o), _types(n)
            if nt is not None and (ot is None or nt < ot):
                add(Level.MAJOR, here, f"type narrowed to {_show(n)}")
            elif ot is not None and (nt is None or nt > ot):
                add(Level.MINOR, here, f"type widened to {_show(n) if n is not ABSENT else 'any'}")
            else:
                add(Level.MAJOR, here, f"type changed from {_show(o)} to {_show(n)}")
        elif k in _LOWER or k in _UPPER:
            tighter = o is ABSENT or (n is not ABSENT and (n > o if k in _LOWER else n < o))
            if tighter:
                add(Level.MAJOR, here, f"{k} tightened: {_show(o)} → {_show(n)}")
            else:
                add(Level.MINOR, here, f"{k} loosened: {_show(o)} → {_show(n)}")
        elif k == "uniqueItems":
            if n is True:
                add(Level.MAJOR, here, "items must now be unique")
            else:
                add(Level.MINOR, here, "items need no longer be unique")
        elif k == "$ref":
            if _norm_ref(o) != _norm_ref(n):
                add(Level.MAJOR, here, f"reference changed: {_show(o)} → {_show(n)}")
        elif same(_normalised(o), _normalised(n)):
            continue  # only $id versions in references or wording moved
        elif k in _SUB or (k in ("then", "else") and o is not ABSENT and n is not ABSENT):
            _schema(o, n, name, here, out)
        elif k in _SUB_LISTS and isinstance(o, list) and isinstance(n, list) and len(o) == len(n):
            for i, (a, b) in enumerate(zip(o, n, strict=True)):
                _schema(a, b, name, f"{here}/{i}", out)
        elif n is ABSENT:
            add(Level.MINOR, here, f"{k} removed")
        elif o is ABSENT:
            add(Level.MAJOR, here, f"{k} added: {_show(n)}")
        else:
            add(Level.MAJOR, here, f"{k} changed: {_show(o)} → {_show(n)}")


def _normalised(value: Any) -> Any:
    """A schema with its wording left out and its references version-free."""
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for k, v in value.items():
            if k in _IGNORED:
                continue
            if k == "$ref":
                out[k] = _norm_ref(v)
            elif k in _NAMED and isinstance(v, dict):  # names here are not keywords
                out[k] = {name: _normalised(sub) for name, sub in v.items()}
            else:
                out[k] = _normalised(v)
        return out
    if isinstance(value, list):
        return [_normalised(v) for v in value]
    return value


def _norm_ref(value: Any) -> Any:
    if isinstance(value, str):
        return _URN_VERSION.sub(r"\1", value)
    return value


# -- reading the two sides ----------------------------------------------------


@attrs.frozen(slots=True)
class Side:
    """One side of a diff: its header, canonical records and, for a release,
    its schemas (name → schema)."""

    header: dict[str, Any] | None
    records: list[dict[str, Any]]
    schemas: dict[str, Any] | None = None

    @property
    def version(self) -> str | None:
        return _version_of(self.header or {})


def canonical(data: Mapping[str, Any]) -> dict[str, Any]:
    """The canonical form of a record, or the record as it is when it does
    not structure (an invalid record still compares, field by field)."""
    from unionstate.converter import structure, unstructure

    try:
        return unstructure(structure(data))
    except Exception:
        return dict(data)


def read_schemas(folder: Path) -> dict[str, Any] | None:
    """``schemas/*.schema.json`` of a release, by name; ``None`` without the folder."""
    if not folder.is_dir():
        return None
    out: dict[str, Any] = {}
    for p in sorted(folder.glob("*.schema.json")):
        try:
            out[p.name.removesuffix(".schema.json")] = json.loads(p.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise InputError(f"{p}: not a readable JSON Schema ({exc})") from None
    return out


def read_side(path: str | os.PathLike[str]) -> Side:
    """Read any dataset (directory, document, JSON Lines, release or archive).

    Raises :class:`InputError` when it cannot be read or is not JSON.
    """
    from unionstate.release import release_records

    p = Path(path)
    rel = release_records(p)
    raw = read(rel if rel is not None else p)
    if raw.unusable:
        raise InputError(f"{path}: cannot be read ({', '.join(raw.unusable)})")
    bad = [f for f in raw.findings if f.code in ("US001", "US002", "US003")]
    if bad:
        f = bad[0]
        raise InputError(f"{f.where() or path}: {f.message}")
    seen: dict[str, str] = {}
    for r in raw.records:
        rid = r.data.get("id")
        if isinstance(rid, str):
            where = f"{r.file}:{r.line or '?'}"
            if rid in seen:  # two records with one id: the diff would hide one of them
                raise InputError(
                    f"{where}: the id {rid!r} is also used at {seen[rid]}; "
                    "a dataset to compare has each id once"
                )
            seen[rid] = where
    header = {k: v for k, v in (raw.header or {}).items() if k != "type"} or None
    schemas = read_schemas(rel.parent / "schemas") if rel is not None else None
    return Side(header, [canonical(r.data) for r in raw.records], schemas)


def diff_sides(old: Side, new: Side) -> Diff:
    """The diff of two :class:`Side` values."""
    return diff_records(
        old.records,
        new.records,
        old_header=old.header,
        new_header=new.header,
        old_schemas=old.schemas,
        new_schemas=new.schemas,
    )


def diff(old: str | os.PathLike[str], new: str | os.PathLike[str]) -> Diff:
    """The diff of two datasets on disk."""
    return diff_sides(read_side(old), read_side(new))


# -- command line ---------------------------------------------------------------


def add_arguments(p: argparse.ArgumentParser) -> None:
    """The arguments of ``unionstate diff``."""
    p.add_argument("old", help="the old dataset (directory, document, JSON Lines, release)")
    p.add_argument("new", help="the new dataset")
    p.add_argument(
        "--format", choices=("text", "json"), default="text", help="output (default: text)"
    )
    p.add_argument(
        "--exit-code",
        action="store_true",
        help="exit 1 when the datasets differ (default: 0 whenever the diff ran)",
    )


def cmd_diff(args: argparse.Namespace) -> int:
    """``unionstate diff OLD NEW``: 0 ran (no difference with --exit-code),
    1 differences (with --exit-code only), 2 unusable input."""
    try:
        d = diff(args.old, args.new)
    except InputError as exc:
        print(f"unionstate: {exc}", file=sys.stderr)
        return 2
    print(d.to_json() if args.format == "json" else d.to_text())
    return 1 if getattr(args, "exit_code", False) and not d.empty else 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``diff`` alone (for tests and ``python -m``); prefer ``unionstate diff``."""
    p = argparse.ArgumentParser(prog="unionstate diff")
    add_arguments(p)
    return cmd_diff(p.parse_args(argv))


__all__ = [
    "ABSENT",
    "Diff",
    "FieldChange",
    "Level",
    "RecordChange",
    "SchemaChange",
    "Side",
    "add_arguments",
    "apply",
    "bump",
    "canonical",
    "cmd_diff",
    "diff",
    "diff_records",
    "diff_schemas",
    "diff_sides",
    "field_changes",
    "parse_version",
    "read_schemas",
    "read_side",
    "same",
    "understates",
]
