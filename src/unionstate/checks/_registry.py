"""The rule registry: :class:`Rule`, :data:`RULES`, the :func:`rule`
decorator, and :func:`run`, which runs rules over a dataset's tables.

A rule is a function ``func(frames, as_of) -> Iterable[Hit]``: a query over
the tables of :mod:`unionstate.checks.frames` that yields one :class:`Hit`
per violation, worded only for the rows that violate. Its docstring is its
description. The registry stamps the rule's code and severity on the hits
(a definite violation the rule's severity, a possible one a warning) and
marks excepted those on a record that carries an exception for the rule.
Registering a rule also registers its code in
:data:`unionstate.report.CODES`, so findings render with the rule's name.
"""

from __future__ import annotations

import inspect
import json
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import attrs
import polars as pl

from unionstate.checks.frames import Frames
from unionstate.dates import DateRange
from unionstate.report import CODES, UNUSED_EXCEPTION, Code, Finding, Severity


@attrs.frozen(slots=True)
class Hit:
    """One violation a rule found: the record and field, a plain sentence,
    whether it is definite (else possible), the other records involved and
    the dates compared. ``severity`` overrides the graded one (a note, or a
    warning that is never an error)."""

    record: str
    pointer: str
    message: str
    definite: bool = True
    related: tuple[str, ...] = ()
    dates: Mapping[str, str] = attrs.field(factory=dict)
    severity: Severity | None = None


RuleFunc = Callable[[Frames, DateRange | None], Iterable[Hit]]

_CODE_RE = re.compile(r"^US1[0-9]{2}$")
_NAME_RE = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")


@attrs.frozen(slots=True)
class Rule:
    """A consistency rule: a stable code, a kebab-case name, a title, a
    description, the severity of a definite violation, a minimal bad example
    and its fixed form (both JSON Lines text), and the function that checks."""

    code: str
    name: str
    title: str
    description: str
    severity: Severity
    bad: str
    good: str
    func: RuleFunc = attrs.field(eq=False, repr=False)

    def findings(self, frames: Frames, as_of: DateRange | None) -> Iterable[Finding]:
        """The rule's findings over ``frames`` (exceptions not yet applied)."""
        for h in self.func(frames, as_of):
            if h.severity is not None:
                sev = h.severity
            else:
                sev = self.severity if h.definite else Severity.WARNING
            related = tuple(dict.fromkeys(r for r in h.related if r and r != h.record))
            yield Finding(
                code=self.code,
                severity=sev,
                message=h.message,
                record_id=h.record,
                pointer=h.pointer,
                related=related,
                dates=dict(h.dates),
            )


#: Every rule by code, in registration (= code) order.
RULES: dict[str, Rule] = {}


def rule(
    *,
    code: str,
    name: str,
    title: str,
    bad: str,
    good: str,
    severity: Severity = Severity.ERROR,
) -> Callable[[RuleFunc], RuleFunc]:
    """Register the decorated function as a rule; its docstring is the
    description."""

    def register(func: RuleFunc) -> RuleFunc:
        if not _CODE_RE.fullmatch(code):
            raise ValueError(f"rule code {code!r} is not of the form US1nn")
        if not _NAME_RE.fullmatch(name):
            raise ValueError(f"rule name {name!r} is not kebab-case")
        if code in RULES or code in CODES:
            raise ValueError(f"rule code {code} is registered twice")
        if any(r.name == name for r in RULES.values()):
            raise ValueError(f"rule name {name!r} is registered twice")
        description = inspect.cleandoc(func.__doc__ or "")
        RULES[code] = Rule(code, name, title, description, severity, bad, good, func)
        CODES[code] = Code(code, name, severity, title, description)
        return func

    return register


def jsonl(*records: Mapping[str, Any]) -> str:
    """JSON Lines text of example records (one compact object a line)."""
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)


def order(f: Finding) -> tuple[str, str, str, int, str]:
    """The order of :func:`run`'s findings: code, record id, pointer,
    errors first, message."""
    return (f.code, f.record_id or "", f.pointer or "", -f.severity.rank, f.message)


def run(frames: Frames, as_of: DateRange | None, rules: Iterable[Rule]) -> list[Finding]:
    """The findings of ``rules`` over ``frames``, those on a record (or with a
    related record) that carries an exception for the rule marked excepted,
    and a note (US012) on each exception that excuses nothing, in
    :func:`order`."""
    rules = list(rules)
    out = [f for r in rules for f in r.findings(frames, as_of)]
    table = frames["exceptions"].unique(["id", "rule"], keep="first", maintain_order=True)
    if out and table.height:
        involved = {i for f in out for i in (f.record_id, *f.related) if i}
        table = table.filter(pl.col("id").is_in(list(involved)))
        reasons = {(i, code): why for i, code, why in table.select("id", "rule", "reason").rows()}
        out = [_excepted(reasons, f) for f in out]
    out += _unused(frames["exceptions"], out, {r.code for r in rules})
    out.sort(key=order)
    return out


def _unused(table: pl.DataFrame, found: list[Finding], ran: set[str]) -> list[Finding]:
    """US012 for each exception of a rule in ``ran`` that excuses none of
    ``found`` (no finding of the rule names its record), for each that repeats
    an earlier one of its record, and for each that names no rule."""
    used = {(i, f.code) for f in found for i in (f.record_id, *f.related) if i}
    seen: set[tuple[str, str]] = set()
    out = []
    for rid, at, code in table.select("id", "at", "rule").rows():
        if code in RULES and code not in ran:
            continue
        key = (rid, code)
        repeated = key in seen
        seen.add(key)
        if code not in RULES:
            why = f"{code!r} is not a rule's code (they run from {min(RULES)} to {max(RULES)})"
        elif repeated:
            why = f"it repeats an earlier exception of this record for {code}"
        elif key in used:
            continue
        else:
            why = f"{code} ({RULES[code].name}) finds nothing on this record"
        out.append(
            Finding(
                code=UNUSED_EXCEPTION.code,
                severity=UNUSED_EXCEPTION.severity,
                message=f"The exception excuses nothing: {why}.",
                record_id=rid,
                pointer=f"/exceptions/{at}",
            )
        )
    return out


def _excepted(reasons: Mapping[tuple[str, str], str], f: Finding) -> Finding:
    for rid in (f.record_id, *f.related):
        reason = reasons.get((rid or "", f.code))
        if reason is not None:
            return attrs.evolve(f, excepted=reason)
    return f
