"""Names as people write them: the keys that make two spellings of one name
meet, and the tables that find records by them.

Three forms of a name, from strict to loose:

* :func:`fold`: case and diacritics ignored ("Lukašenka" → "lukasenka");
* :func:`key`: also script and romanisation ignored. The name is written in
  ASCII by ``anyascii`` (Cyrillic, and letters folding alone misses: Ł, ø,
  ß, đ), then the spellings that romanisations of Russian and Belarusian
  disagree on are made one: kh/h/g (Х, and Г, which Belarusian writes H),
  x/ks, sh/š, ch/č, zh/ž, ts/c, y/j/i (ya/ia/ja, yu/ju/iu, -y/-i/-iy/-ij),
  ye/ie/e, doubled letters. So "Лукашэнка", "Łukašenka" and "Lukashenka"
  have one key, and so have "Галоўчанка" and "Halouchanka";
* the key's words, with initials ("A.") that stand for any word they begin.

:class:`NameKeys` holds the keys of one record type's names; :func:`match`
answers, tier after tier (:data:`TIERS`), which records a name means, and
:func:`suggest` which names are close to one that means none. The words
"ы"/"и", "о"/"а" that Russian and Belarusian spell apart ("Лукашенко",
"Лукашэнка") are not made one: a record holds both names where it knows them.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable, Iterable

import attrs
from anyascii import anyascii

#: Spellings that romanisations disagree on, made one, in this order.
_SPELLINGS = (
    ("x", "ks"),
    ("kh", "h"),
    ("g", "h"),
    ("w", "v"),
    ("sh", "s"),
    ("ch", "c"),
    ("zh", "z"),
    ("ts", "c"),
    ("j", "i"),
    ("y", "i"),
)
_DOUBLED = re.compile(r"(.)\1+")
_TOKEN = re.compile(r"([a-z0-9]+)(\.?)")
_APOSTROPHES = str.maketrans("", "", "'’ʼ`´\"")

#: A query word of at most this many letters followed by a dot ("Yu.") is
#: an initial, as is a word of one letter.
_INITIAL_LETTERS = 3

#: The least score (0-100, rapidfuzz's ``WRatio`` of the keys; its ``ratio``
#: for a close word) of a "did you mean" candidate, and how many records are
#: named at most.
SUGGEST_CUTOFF = 75
SUGGEST_LIMIT = 3
#: Candidates scoring this much below the best are left out.
SUGGEST_MARGIN = 10


def fold(text: str) -> str:
    """Case- and diacritics-insensitive form of a name: 'Lukašenka' → 'lukasenka'."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.replace("-", " ").replace("’", "'").split())


def word_key(word: str) -> str:
    """The key of one word already in lower-case ASCII: 'yevgeniy' → 'evheni'."""
    for old, new in _SPELLINGS:
        word = word.replace(old, new)
    word = _DOUBLED.sub(r"\1", word).replace("ie", "e")
    return _DOUBLED.sub(r"\1", word)


@functools.lru_cache(maxsize=1 << 14)
def _spelled(text: str) -> tuple[tuple[tuple[str, bool], ...], tuple[str, ...]]:
    """A name's words (each word's key, and whether it is an initial) and
    the first letter of each word as written, in lower-case ASCII.
    Remembered for the names met last."""
    ascii_ = anyascii(text).lower().translate(_APOSTROPHES)
    out, letters = [], []
    for m in _TOKEN.finditer(ascii_):
        w, dot = m.groups()
        initial = w.isalpha() and (len(w) == 1 or (dot == "." and len(w) <= _INITIAL_LETTERS))
        out.append((word_key(w), initial))
        letters.append(w[0])
    return tuple(out), tuple(letters)


def words(text: str) -> list[tuple[str, bool]]:
    """The keys of a name's words, each with whether it is an initial."""
    return list(_spelled(text)[0])


def key(text: str) -> str:
    """A name's key, insensitive to case, diacritics, script and
    romanisation: 'Лукашэнка' and 'Łukašenka' → 'lukasenka'. Remembered for
    the names met last (by :func:`_spelled`): every check against the
    canonical data keys its names again."""
    return " ".join(w for w, _ in _spelled(text)[0])


def _initial_of(initial: str, letter: str, word: str, written: frozenset[str]) -> bool:
    """Whether an initial (its key and its letter as written) stands for a
    word (its key, and the letters its spellings begin with): its key begins
    the word's, or its letter begins a spelling of it ('K.' for 'Khazret',
    whose key 'hazret' 'K.' does not begin, as it does not 'Gleb''s 'hleb');
    'Y.' ('i') also begins 'Yevgeny' ('evheni'), whose ye is e."""
    return (
        word.startswith(initial) or letter in written or (initial == "i" and word.startswith("e"))
    )


def _fits(
    query: list[tuple[str, bool, str]],
    name: list[str],
    letters: list[frozenset[str]],
    used: int = 0,
) -> bool:
    """Whether each query word stands for a distinct word of ``name``, in
    any order: a whole word for an equal one, an initial for one it begins
    (``letters``: the first letters of each word's spellings)."""
    if not query:
        return True
    (w, initial, letter), rest = query[0], query[1:]
    for i, n in enumerate(name):
        free = not used >> i & 1
        fits = _initial_of(w, letter, n, letters[i]) if initial else n == w
        if free and fits and _fits(rest, name, letters, used | 1 << i):
            return True
    return False


@attrs.frozen
class Match:
    """What a query matched: the ids, the names as written that matched
    (one for each name key), those names' keys, and how (``"exact"``,
    ``"key"``, ``"words"``, ``"surname"``, or ``""`` for nothing)."""

    ids: frozenset[str]
    names: tuple[str, ...] = ()
    how: str = ""
    keys: tuple[str, ...] = ()


#: Folded name → the ids of the records with that name.
IdsOf = Callable[[str], Iterable[str]]


@attrs.define(slots=True)
class NameKeys:
    """The keys of a set of names (one record type's), added as the names
    are met, each folded name once; the keys are made on the first query
    (a file that refers by id never needs them: at 1M records making the
    keys of 34,148 names took about a second)."""

    #: Name key → the folded names with that key.
    by_key: dict[str, list[str]] = attrs.field(factory=dict)
    #: Word key → the name keys with that (whole) word.
    by_word: dict[str, list[str]] = attrs.field(factory=dict)
    #: Name key → the name as first written.
    written: dict[str, str] = attrs.field(factory=dict)
    #: Name key → for each of its words, the letters its spellings begin with.
    letters: dict[str, list[frozenset[str]]] = attrs.field(factory=dict)
    #: The names added whose keys are not made yet: (folded, as written).
    pending: list[tuple[str, str]] = attrs.field(factory=list)

    def add(self, folded: str, written: str) -> None:
        """Add a name met for the first time (``folded`` is ``fold(written)``)."""
        self.pending.append((folded, written))

    def settle(self) -> None:
        """Make the keys of the names added since the last query."""
        for folded, written in self.pending:
            k, initials = key(written), _spelled(written)[1]
            same = self.by_key.get(k)
            if same is not None:
                same.append(folded)
                known = self.letters[k]
                self.letters[k] = [known[i] | {c} for i, c in enumerate(initials)]
                continue
            self.by_key[k] = [folded]
            self.written[k] = written
            self.letters[k] = [frozenset(c) for c in initials]
            for w in dict.fromkeys(k.split()):
                self.by_word.setdefault(w, []).append(k)
        self.pending.clear()

    def ids(self, keys: Iterable[str], ids_of: IdsOf) -> set[str]:
        """The ids of the names with these keys."""
        return {i for k in keys for f in self.by_key[k] for i in ids_of(f)}

    def equal(self, text: str) -> list[str]:
        """The name keys equal to the query's."""
        self.settle()
        k = key(text)
        return [k] if k in self.by_key else []

    def containing(self, query: list[tuple[str, bool, str]]) -> list[str]:
        """The name keys that have every word of the query (its words' keys,
        whether each is an initial, and its letter as written; an initial
        standing for a word it begins), in any order; the query needs one
        whole word."""
        self.settle()
        whole = [w for w, initial, _ in query if not initial]
        if not whole:
            return []
        pool = min((self.by_word.get(w, []) for w in whole), key=len)
        ordered = sorted(query, key=lambda q: q[1])  # whole words first
        return [k for k in pool if _fits(ordered, k.split(), self.letters[k])]

    def by_surname(self, query: list[tuple[str, bool]], ids_of: IdsOf) -> dict[str, set[str]]:
        """The one-word names that are a word of a longer query ("Maxim
        Oreshkin" for a record named "Oreshkin" only), each with the ids of
        its records that have no longer name with that word (such a name
        would have matched the query had it meant the same record)."""
        self.settle()
        out: dict[str, set[str]] = {}
        if len(query) < 2:
            return out
        for w, initial in query:
            if initial or w not in self.by_key:
                continue
            longer = [k for k in self.by_word.get(w, []) if k != w]
            ids = self.ids([w], ids_of) - self.ids(longer, ids_of)
            if ids:
                out[w] = ids
        return out


#: The tiers beyond an exact match, in order: an equal key; names with all
#: the query's words; a surname alone (see :meth:`NameKeys.by_surname`).
TIERS = ("key", "words", "surname")


def same_key(tables: Iterable[tuple[NameKeys, IdsOf]], text: str) -> set[str]:
    """The ids of the names equal to ``text`` but for script and romanisation:
    what an exact match also means, so that 'Vladimir Amarin' finds the
    record named so in English and one named 'Владимир Амарин' alone."""
    return {i for table, ids_of in tables for i in table.ids(table.equal(text), ids_of)}


def match(tables: Iterable[tuple[NameKeys, IdsOf]], text: str) -> Match:
    """The ids a query names beyond an exact match, in the tables of several
    record types at once: those of the first tier that matches any."""
    spelled, letters = _spelled(text)
    query = list(spelled)
    lettered = [(w, initial, c) for (w, initial), c in zip(query, letters, strict=True)]
    pairs = list(tables)
    for how in TIERS:
        ids: set[str] = set()
        names: list[str] = []
        keys: list[str] = []
        for table, ids_of in pairs:
            if how == "surname":
                found = table.by_surname(query, ids_of)
            else:
                hit = table.equal(text) if how == "key" else table.containing(lettered)
                found = {k: table.ids([k], ids_of) for k in hit}
            for k, some in found.items():
                if some:
                    ids |= some
                    names.append(table.written[k])
                    keys.append(k)
        if ids:
            return Match(frozenset(ids), tuple(names), how, tuple(keys))
    return Match(frozenset())


def suggest(tables: Iterable[tuple[NameKeys, IdsOf]], text: str) -> list[tuple[str, str]]:
    """ "Did you mean": the records whose names are closest to the query, as
    (its closest name as written, id), best first, across several record
    types' tables; one name for each record. The names scored are those with
    a word close to one of the query's (rapidfuzz's ``ratio`` of the word
    keys), so that the cost follows the words, not the names, of a large
    file; each is scored as a whole by rapidfuzz's ``WRatio``."""
    from rapidfuzz import fuzz, process  # here: 4 MiB a process, for unknown names only

    q = key(text)
    whole = [w for w, initial in words(text) if not initial]
    scored: list[tuple[float, str, str]] = []
    for table, ids_of in tables:
        table.settle()
        vocabulary = list(table.by_word)
        pool: dict[str, None] = {}
        for w in whole:
            for close, _, _ in process.extract(
                w, vocabulary, scorer=fuzz.ratio, limit=None, score_cutoff=SUGGEST_CUTOFF
            ):
                pool.update(dict.fromkeys(table.by_word[close]))
        for k, score, _ in process.extract(
            q, list(pool), scorer=fuzz.WRatio, limit=None, score_cutoff=SUGGEST_CUTOFF
        ):
            scored += [(score, table.written[k], i) for i in sorted(table.ids([k], ids_of))]
    if not scored:
        return []
    scored.sort(key=lambda s: (-s[0], s[2]))
    scored = [s for s in scored if s[0] >= scored[0][0] - SUGGEST_MARGIN]
    best = {i: n for _, n, i in reversed(scored)}  # each id's best name
    ids = list(dict.fromkeys(i for _, _, i in scored))[:SUGGEST_LIMIT]
    return [(best[i], i) for i in ids]
