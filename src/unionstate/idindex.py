"""Every id of a large dataset and where it is, in about a third of the memory
of a ``dict``.

A streamed run must remember every record's id to the end: to report a
duplicate id, to tell whether a reference points into the dataset, and to
give the line of a record a rule finding names. At a million records a
``dict`` of strings to integers takes about 160 MiB (a string object, a
hash-table slot and an integer object each). :class:`IdIndex` keeps the ids
as UTF-8 bytes in one buffer with their offsets, their locations and their
CRC-32 in arrays of 32-bit numbers while the values fit (D37): about 53 bytes
an id for a million ids of about 35 bytes. It answers exactly: a lookup finds
the candidates by hash with a binary search and compares their bytes, so a
hash collision costs a comparison, never a wrong answer.

Ids are added in file order with :meth:`IdIndex.add`; :meth:`IdIndex.seal`
then sorts the hashes and returns the duplicates. Lookups need a sealed
index. A sealed index pickles (for workers and Dask) as a few flat buffers.
"""

from __future__ import annotations

import zlib
from array import array
from bisect import bisect_left

import attrs

_SHIFT = 16  # a hash's top 16 bits choose its bucket
_BUCKETS = 1 << (32 - _SHIFT)


def _push(arr: array[int], value: int, wide: str) -> array[int]:
    """``arr`` with ``value`` appended: ``arr`` itself, or a copy of it as
    ``wide`` (64-bit) when the value does not fit its type (D37)."""
    try:
        arr.append(value)
    except OverflowError:  # over the type's range, or negative in an unsigned one
        arr = array(wide, arr)
        arr.append(value)
    return arr


@attrs.frozen
class Duplicate:
    """The id at ``where`` (a location code given to :meth:`IdIndex.add`)
    was first seen at ``first``."""

    id: str
    where: int
    first: int


class IdIndex:
    """Ids with a location code each (an integer, e.g. file number and line),
    compact and exact; see the module docstring."""

    __slots__ = ("_blob", "_buckets", "_ends", "_hashes", "_order", "_sealed", "_where", "hot")

    def __init__(self) -> None:
        self._blob: bytes | bytearray = bytearray()  # bytes once sealed: no spare room
        # 32-bit until a value needs more (D37): end offsets up to 4 GiB of
        # ids, location codes up to 2**32 - 1 (a line of one file)
        self._ends = array("I")  # end offset of each id in _blob
        self._where = array("I")  # location code of each id
        self._hashes = array("I")  # CRC-32 of each id; sorted once sealed
        self._order = array("I")  # once sealed: positions in hash order
        #: once sealed: where each value of a hash's top 16 bits starts in _hashes
        self._buckets = array("I")
        self._sealed = False
        #: Ids looked up often (those of the small records, which events and
        #: statements refer to), answered first from this plain set; their
        #: strings are held by the records anyway.
        self.hot: set[str] = set()

    def __len__(self) -> int:
        return len(self._ends)

    def add(self, rid: str, where: int) -> None:
        """Remember ``rid`` at location ``where`` (in file order)."""
        if self._sealed:
            raise RuntimeError("the index is sealed; add ids before seal()")
        b = rid.encode("utf-8", "surrogatepass")
        self._blob += b
        self._ends = _push(self._ends, len(self._blob), "Q")
        self._where = _push(self._where, where, "q")
        self._hashes.append(zlib.crc32(b))

    def seal(self) -> list[Duplicate]:
        """Sort for lookups; every id seen before, with where it was first
        seen, in the order they were added."""
        if self._sealed:
            return []
        hashes = self._hashes
        order = sorted(range(len(hashes)), key=hashes.__getitem__)  # stable: file order kept
        self._order = array("I", order)
        self._hashes = array("I", [hashes[p] for p in order])
        del order
        starts = array("I", bytes(4 * (_BUCKETS + 1)))
        for h in self._hashes:
            starts[(h >> _SHIFT) + 1] += 1
        for b in range(_BUCKETS):
            starts[b + 1] += starts[b]
        self._buckets = starts
        self._sealed = True
        self._blob = bytes(self._blob)
        dups: list[Duplicate] = []
        n, k = len(self._order), 0
        while k < n:
            end = k + 1
            while end < n and self._hashes[end] == self._hashes[k]:
                end += 1
            if end - k > 1:  # a run of equal hashes: the same id, or a collision
                firsts: dict[bytes, int] = {}
                for i in range(k, end):
                    pos = self._order[i]
                    key = self._bytes(pos)
                    if key in firsts:
                        dups.append(
                            Duplicate(self.text(pos), self._where[pos], self._where[firsts[key]])
                        )
                    else:
                        firsts[key] = pos
            k = end
        dups.sort(key=lambda d: d.where)
        return dups

    def _bytes(self, pos: int) -> bytes:
        start = self._ends[pos - 1] if pos else 0
        return bytes(self._blob[start : self._ends[pos]])

    def text(self, pos: int) -> str:
        """The id at a :meth:`position`."""
        ends = self._ends
        return self._blob[ends[pos - 1] if pos else 0 : ends[pos]].decode("utf-8", "surrogatepass")

    def position(self, rid: str) -> int:
        """Where ``rid`` first occurs (0 for the first id added), or -1: a
        number that stands for the id in compact tables (see
        :class:`unionstate.checks.events.Presence`)."""
        return self._find(rid)

    def _find(self, rid: str) -> int:
        """Position of the first occurrence of ``rid``, or -1."""
        if not self._sealed:
            raise RuntimeError("seal() the index before looking ids up")
        b = rid.encode("utf-8", "surrogatepass")
        h = zlib.crc32(b)
        hashes, order, ends, blob = self._hashes, self._order, self._ends, self._blob
        bucket = h >> _SHIFT
        n = self._buckets[bucket + 1]
        i = bisect_left(hashes, h, self._buckets[bucket], n)
        while i < n and hashes[i] == h:
            pos = order[i]
            start = ends[pos - 1] if pos else 0
            end = ends[pos]
            if end - start == len(b) and blob[start:end] == b:
                return pos
            i += 1
        return -1

    def __contains__(self, rid: object) -> bool:
        if rid in self.hot:
            return True
        return isinstance(rid, str) and self._find(rid) >= 0

    def get(self, rid: str) -> int | None:
        """The location code of ``rid``'s first occurrence, or None."""
        pos = self._find(rid)
        return None if pos < 0 else self._where[pos]
