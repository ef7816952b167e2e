"""Check a third party's records against the canonical dataset.

A third-party file may refer to records by id (its own or the canonical
dataset's), or, in any reference field, by a **name as written**: a person by
any name variant ("Lukashenko", "Alyaksandr Lukashenka"), an office by its
title ("Russian PM"), a place or organisation by its name. Each name is
resolved against the third party's own records and the canonical ones:

* exactly one match: the reference is rewritten to that id and an info
  finding (US030) says so;
* no match: an error (US031);
* several matches: an error (US032) listing the candidates. Never a guess.

A name matches a record when, ignoring case and diacritics, it equals one of
the record's names (and then so do the records with a name equal to it
ignoring script and romanisation: "Vladimir Amarin" is ambiguous when one
record is named so and another only "Владимир Амарин"); failing that, when
it does ignoring script and romanisation too ("Лукашэнка", "Łukašenka" for
"Lukashenka"); failing that, when a name of the record has all its words, in
any order, an initial standing for a word it begins ("Lukashenko", "A.
Lukashenko", "Lukashenka, Alyaksandr"); failing that, when one of its words
is the whole name of a record that has no longer name with that word
("Maxim Oreshkin" for a record named "Oreshkin" only). See
:mod:`unionstate.names`. An unknown name's error suggests the closest names
("did you mean").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import attrs

from unionstate.dataset import Dataset
from unionstate.io.read import RawRecord
from unionstate.model import RECORD_TYPES, Record
from unionstate.model._fields import ID_SLUG
from unionstate.names import IdsOf, Match, NameKeys, fold, match, same_key, suggest
from unionstate.references import Ref, refs_of
from unionstate.report import Finding, Severity, _code, finding

NAME_RESOLVED = _code(
    "US030",
    "name-resolved",
    Severity.INFO,
    "Name resolved",
    "A reference given as a name was resolved to exactly one record, of the third party's "
    "or of the canonical dataset; the message says which of its names it matched, unless "
    "it matched as written.",
)
NAME_UNKNOWN = _code(
    "US031",
    "name-unknown",
    Severity.ERROR,
    "Unknown name",
    "A reference given as a name matches no record of the allowed types; the message "
    "suggests the closest names, if any are close.",
)
NAME_AMBIGUOUS = _code(
    "US032",
    "name-ambiguous",
    Severity.ERROR,
    "Ambiguous name",
    "A reference given as a name matches several records; use an id instead.",
)
SHADOWED = _code(
    "US033",
    "shadows-canonical",
    Severity.INFO,
    "Canonical record replaced",
    "A third-party record has the id of a canonical record; the third party's version is "
    "the one checked.",
)

_ID = re.compile(rf"[a-z]+/{ID_SLUG}")
#: How many answers a name index remembers before it forgets them all.
_MEMO_SIZE = 1 << 16


@attrs.frozen
class NameIndex:
    """Folded names → record ids, by record type: one id as itself, more as
    a list in the order they were added (D41: a set of one id takes 216
    bytes, and a list of many about a quarter of a set's room; at 1M records
    30,262 of 34,148 names name one record). An id repeated by the record
    that added it last (two names that fold alike) is held once; lookups
    gather the ids into a set. ``keys`` holds, by record type, the keys
    that match names as people write them (:class:`unionstate.names.NameKeys`),
    each folded name's once."""

    exact: dict[str, dict[str, str | list[str]]] = attrs.field(factory=dict)
    keys: dict[str, NameKeys] = attrs.field(factory=dict)
    #: The answers given so far, by name and types (a file names the same
    #: people again and again), forgotten when a name or an id is added.
    _memo: dict[tuple[str, str, tuple[str, ...]], Any] = attrs.field(
        factory=dict, init=False, eq=False, repr=False
    )

    @classmethod
    def build(cls, raw_records: Iterable[RawRecord], canonical: Dataset | None) -> NameIndex:
        index = cls()
        if canonical is not None:
            index.add_records(canonical.records)
        index.add(raw_records)
        return index

    def add_records(self, records: Iterable[Record]) -> None:
        """Index the names of structured records (the canonical data's)."""
        for rec in records:
            for n in getattr(rec, "names", ()):
                self._put(rec.TYPE, n.value, rec.id)

    def add(self, raw_records: Iterable[RawRecord]) -> None:
        """Index the names of raw records, as they are read: a streamed run
        adds each chunk's and keeps no record for it."""
        for r in raw_records:
            t, rid, names = r.data.get("type"), r.data.get("id"), r.data.get("names")
            if not (isinstance(t, str) and isinstance(rid, str) and isinstance(names, list)):
                continue
            for n in names:
                if isinstance(n, dict) and isinstance(n.get("value"), str):
                    self._put(t, n["value"], rid)

    def _put(self, t: str, name: str, rid: str) -> None:
        key = fold(name)
        by_name = self.exact.get(t)
        if by_name is None:
            by_name = self.exact[t] = {}
            self.keys[t] = NameKeys()
        ids = by_name.get(key)
        if ids is None:
            by_name[key] = rid
            self.keys[t].add(key, name)
        elif isinstance(ids, str):
            if ids == rid:
                return
            by_name[key] = [ids, rid]
        elif ids[-1] != rid:
            ids.append(rid)
        else:
            return
        if self._memo:
            self._memo.clear()  # an answer given may have changed

    def lookup(self, name: str, types: Iterable[str]) -> list[str]:
        """Ids whose names match ``name`` among records of ``types``."""
        return sorted(self.match(name, types).ids)

    def match(self, name: str, types: Iterable[str]) -> Match:
        """What ``name`` matches among records of ``types``: the ids of the
        first tier that matches (see the module's docstring), and how."""
        types = tuple(types)
        memo = ("match", name, types)
        if memo not in self._memo:
            self._remember(memo, self._match(name, types))
        found: Match = self._memo[memo]
        return found

    def _remember(self, memo: tuple[str, str, tuple[str, ...]], answer: Any) -> None:
        if len(self._memo) >= _MEMO_SIZE:
            self._memo.clear()
        self._memo[memo] = answer

    def _match(self, name: str, types: tuple[str, ...]) -> Match:
        q = fold(name)
        hits: set[str] = set()
        for t in types:
            _gather(hits, self.exact.get(t, {}).get(q))
        if not q:
            return Match(frozenset())
        if hits:
            hits |= same_key(self._tables(types), name)
            return Match(frozenset(hits), (name,), "exact")
        return match(self._tables(types), name)

    def suggest(self, name: str, types: Iterable[str]) -> list[tuple[str, str]]:
        """The names closest to ``name`` among records of ``types``, as
        (name as written, id), best first: "did you mean"."""
        types = tuple(types)
        memo = ("suggest", name, types)
        if memo not in self._memo:
            self._remember(memo, suggest(self._tables(types), name))
        close: list[tuple[str, str]] = self._memo[memo]
        return list(close)

    def _tables(self, types: Iterable[str]) -> list[tuple[NameKeys, IdsOf]]:
        return [(self.keys[t], self._ids_of(t)) for t in types if t in self.keys]

    def _ids_of(self, t: str) -> IdsOf:
        by_name = self.exact[t]

        def ids_of(folded: str) -> list[str]:
            ids = by_name[folded]
            return [ids] if isinstance(ids, str) else ids

        return ids_of


def _gather(hits: set[str], ids: str | list[str] | None) -> None:
    if isinstance(ids, str):
        hits.add(ids)
    elif ids is not None:
        hits.update(ids)


def _how(m: Match) -> str:
    """How a name matched, for the message, unless it matched as written."""
    if m.how == "surname":
        return f" (by the surname alone: its only name here is {m.names[0]!r})"
    if m.how in ("key", "words"):
        return f" (as {m.names[0]!r})"
    return ""


def _did_you_mean(close: list[tuple[str, str]]) -> str:
    if not close:
        return ""
    return " Did you mean " + " or ".join(f"{n!r} ({i})" for n, i in close) + "?"


def _set(data: Any, pointer: str, value: str) -> None:
    parts = pointer.split("/")[1:]
    for p in parts[:-1]:
        data = data[int(p)] if isinstance(data, list) else data[p]
    last = parts[-1]
    if isinstance(data, list):
        data[int(last)] = value
    else:
        data[last] = value


def has_names(refs: Iterable[Ref]) -> bool:
    """Whether some of these references are names, not ids (so that
    :func:`resolve_record` has something to do)."""
    return not all(map(_ID.fullmatch, [value for _, value, _ in refs]))


def resolve_record(
    rec: RawRecord, index: NameIndex, refs: list[Ref] | None = None
) -> list[Finding]:
    """Rewrite the name references of one raw record to ids, in place (in
    ``refs`` too, when the caller passes the record's references); the
    findings say what was resolved and what could not be."""
    t = rec.data.get("type")
    if not isinstance(t, str) or t not in RECORD_TYPES:
        return []
    if refs is None:
        refs = refs_of(t, rec.data)
    if not has_names(refs):
        return []
    id_like = _ID.fullmatch
    rid = rec.data.get("id") if isinstance(rec.data.get("id"), str) else None
    out: list[Finding] = []
    where = {"file": rec.file, "line": rec.line, "record_id": rid}
    for k, (ptr, value, targets) in enumerate(refs):
        if id_like(value):
            continue
        kinds = " or ".join(targets)
        m = index.match(value, targets)
        hits = sorted(m.ids)
        if len(hits) == 1:
            _set(rec.data, ptr, hits[0])
            refs[k] = (ptr, hits[0], targets)
            out.append(
                finding(
                    NAME_RESOLVED,
                    f"{value!r} is {hits[0]}{_how(m)}.",
                    pointer=ptr,
                    related=(hits[0],),
                    **where,
                )
            )
        elif not hits:
            close = index.suggest(value, targets)
            out.append(
                finding(
                    NAME_UNKNOWN,
                    f"{value!r} names no {kinds} record "
                    f"known here or in the canonical dataset; use an id.{_did_you_mean(close)}",
                    pointer=ptr,
                    related=tuple(dict.fromkeys(i for _, i in close)),
                    **where,
                )
            )
        else:
            out.append(
                finding(
                    NAME_AMBIGUOUS,
                    f"{value!r} may be any of: {', '.join(hits)}; use one of these ids.",
                    pointer=ptr,
                    related=tuple(hits),
                    **where,
                )
            )
    return out
