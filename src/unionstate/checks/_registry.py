"""The rule registry: :class:`Rule`, :data:`RULES` and the :func:`rule` decorator.

A rule is one small generator ``func(ctx) -> Iterable[Finding]``; its
docstring is its description. Registering it also registers its code in
:data:`unionstate.report.CODES`, so findings render with the rule's name.
"""

from __future__ import annotations

import inspect
import json
import re
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

import attrs

from unionstate.dates import MAYBE, NO, YES, Truth
from unionstate.report import CODES, Code, Finding, Severity

if TYPE_CHECKING:
    from unionstate.checks._context import Context

RuleFunc = Callable[["Context"], Iterable[Finding]]

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

    def __call__(self, ctx: Context) -> Iterable[Finding]:
        return self.func(ctx)


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
    """Register the decorated generator as a rule; its docstring is the
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


def graded(truth: Truth, definite: Severity = Severity.ERROR) -> Severity | None:
    """The severity of a violation whose truth is ``truth``: definite →
    ``definite``, possible → warning, none → ``None``."""
    if truth is YES:
        return definite
    if truth is MAYBE:
        return _WARNING
    return None


_WARNING = Severity.WARNING


def worst(*truths: Truth) -> Truth:
    """The strongest of several violation truths (YES > MAYBE > NO)."""
    if YES in truths:
        return YES
    return MAYBE if MAYBE in truths else NO


def both(a: Truth, b: Truth) -> Truth:
    """Tri-state AND: YES when both are, NO when either is not."""
    return min(a, b, key=lambda t: t.value)
