"""Consistency rules: chronology and structure checks over a whole dataset.

Each rule is one query over the dataset's tables (:mod:`.frames`), in a
module of its family, registered with :func:`rule` under a stable code
(``US101``...). A rule asks one question of the data; because every date is
an interval of possible days, the answer is *definitely violated* (the rule's
severity, usually error), *possibly violated* (warning: the dates are too
coarse to tell) or *fine* (nothing).

>>> from unionstate.checks import RULES, check
>>> sorted(RULES)[:3]
['US101', 'US102', 'US103']

Findings name the record (``record_id``), the field (``pointer``), the other
records involved (``related``) and the dates compared (``dates``); ``file``
and ``line`` are left for the caller to fill. A finding on a record that
carries a :class:`~unionstate.model.RuleException` for the rule's code (or
whose related records carry one) is still reported, with ``excepted`` set to
the reason.
"""

from __future__ import annotations

from collections.abc import Iterable

# The rule families; importing them fills RULES.
from unionstate.checks import agreements as _agreements
from unionstate.checks import events as _events
from unionstate.checks import histories as _histories
from unionstate.checks import lifetimes as _lifetimes
from unionstate.checks import places as _places
from unionstate.checks import sources as _sources
from unionstate.checks import statements as _statements
from unionstate.checks import tenures as _tenures
from unionstate.checks._registry import RULES, Hit, Rule, order, rule, run
from unionstate.checks.frames import Frames
from unionstate.converter import unstructure
from unionstate.dataset import Dataset
from unionstate.dates import DateRange, EDTFError, parse
from unionstate.report import Finding

__all__ = ["RULES", "Frames", "Hit", "Rule", "check", "order", "rule", "run", "select_rules"]

# Registration follows import order; keep RULES in code order.
_ordered = sorted(RULES.items())
RULES.clear()
RULES.update(_ordered)

_FAMILIES = (_tenures, _lifetimes, _events, _histories, _sources, _agreements, _places, _statements)


def _matches(r: Rule, pattern: str) -> bool:
    return r.name == pattern or r.code.startswith(pattern.upper())


def select_rules(select: Iterable[str] = (), ignore: Iterable[str] = ()) -> list[Rule]:
    """The rules to run, in code order: those matching ``select`` (all when
    empty) minus those matching ``ignore``. A pattern is a code, a code
    prefix (``US10`` selects US100-US109) or a rule name; one that matches no
    rule raises ``ValueError``."""
    sel, ign = list(select), list(ignore)
    for p in (*sel, *ign):
        if not any(_matches(r, p) for r in RULES.values()):
            raise ValueError(f"{p!r} is not a rule code, code prefix or rule name")
    out = []
    for code in sorted(RULES):
        r = RULES[code]
        if sel and not any(_matches(r, p) for p in sel):
            continue
        if any(_matches(r, p) for p in ign):
            continue
        out.append(r)
    return out


def as_of_day(as_of: str | None) -> DateRange | None:
    """The as-of day of a check; ``ValueError`` when it is not an EDTF date."""
    if as_of is None:
        return None
    try:
        return parse(as_of)
    except (EDTFError, TypeError):
        raise ValueError(f"as_of {as_of!r} is not an EDTF date") from None


def check(
    dataset: Dataset,
    *,
    as_of: str | None = None,
    select: Iterable[str] = (),
    ignore: Iterable[str] = (),
) -> list[Finding]:
    """Run the consistency rules over ``dataset`` and return their findings,
    sorted by code, record id, pointer and severity (errors first).

    ``as_of`` (an EDTF day) overrides the dataset header's; the rules that
    need it (US105, US111) check nothing without one. ``select``/``ignore``
    take codes, code prefixes or rule names (see :func:`select_rules`).
    References are expected to resolve (US021 reports those that do not);
    the rules skip dangling ones.
    """
    rules = select_rules(select, ignore)
    day = as_of_day(as_of if as_of is not None else dataset.info.as_of)
    return run(Frames.of(unstructure(r) for r in dataset.records), day, rules)
