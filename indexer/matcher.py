"""Reading one term's postings (indexer/postings.py) as a Whoosh leaf matcher.

A block's header is one struct read from the mapped postings file: skipping a block, or asking
whether it could reach a score, decodes nothing else. Its document numbers are decoded when the
query needs them, its weights when a posting is scored, its positions only for a phrase.
Inside a block, `skip_to` bisects the decoded numbers where Whoosh's own matcher steps through
them one call at a time.
"""
from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import OrderedDict
from typing import Sequence

from whoosh.matching import LeafMatcher, ReadTooFar
from whoosh.system import pack_uint
from whoosh.util.numeric import byte_to_length

from indexer.postings import (HEADER, LAST_BLOCK, ValueKind, decode_ids, decode_values, decode_weights,
                              decode_weights_at, stored_weights, value_kind, weights_of, weights_of_postings)

_unpack_header = HEADER.unpack_from
_HEADER_SIZE = HEADER.size

# Postings blocks whose document numbers, and whose weights, a term reader keeps decoded for a
# keyword search's words (a reader is one thread's): 128 numbers a block, about 4.6 KB, and 128 or
# 512 bytes of weights. A search's words recur in the searches after it: of the blocks 200 bench
# keyword searches decoded on 100,000 passages, 46% (of their weights, 36%) had been decoded by a
# search before; and one search reads a word's blocks up to three times (intersecting, ranking,
# counting).
DECODED_BLOCKS_CACHED = 1024


class RecentBlocks:
    """One part of the postings blocks of one postings file decoded last, by where each block
    starts; when full, the block used longest ago leaves (emptying it all at once, as it once
    was, cost 1.5-2.3 ms on the search that filled it, and kept half as many)."""

    def __init__(self, capacity: int = DECODED_BLOCKS_CACHED) -> None:
        self.capacity = capacity
        self._parts: OrderedDict[int, object] = OrderedDict()

    def get(self, position: int):
        part = self._parts.get(position)
        if part is not None:
            self._parts.move_to_end(position)
        return part

    def put(self, position: int, part) -> None:
        self._parts[position] = part
        if len(self._parts) > self.capacity:
            self._parts.popitem(last=False)

    def __len__(self) -> int:
        return len(self._parts)


class DecodedBlocks:
    """What a term reader keeps of the postings blocks its matchers decoded: their document
    numbers, and their weights as stored (stored_weights)."""

    def __init__(self, capacity: int = DECODED_BLOCKS_CACHED) -> None:
        self.ids = RecentBlocks(capacity)
        self.weights = RecentBlocks(capacity)


class BlockMatcher(LeafMatcher):
    """The postings of one term in one segment, block by block. `decoded`: where its blocks are
    kept once decoded (its term reader's: indexer/codec.py's decoded_blocks), or None."""

    def __init__(self, buffer, offset: int, format_, term=None, scorer=None,
                 decoded: DecodedBlocks | None = None) -> None:
        self._buffer = buffer
        self._start = offset
        self.format = format_
        self._kind = value_kind(format_)
        self._term = term
        self.scorer = scorer
        self._decoded = decoded
        self.reset()

    def keep_decoded(self, decoded: DecodedBlocks | None) -> None:
        """Keep the blocks it decodes from now on in `decoded` (and read them from there): for a
        keyword search's words, which the searches after it share. Not for every matcher: a
        phrase's common words read hundreds of blocks no other search reads again, and keeping
        them made a phrase search at 100k 5-19% slower."""
        self._decoded = decoded

    def reset(self) -> None:
        self._atend = False
        self._goto(self._start)

    def _goto(self, position: int) -> None:
        (size, self._count, self._first, self._maxid, self._maxweight, self._minlen_byte, self._maxlen_byte,
         self._flags, self._ids_size, self._weights_size) = _unpack_header(self._buffer, position)
        self._position = position
        self._next = position + size
        self._i = 0
        self._ids = self._weights = self._values = None

    def _next_block(self) -> None:
        if self._flags & LAST_BLOCK:
            self._atend = True
        else:
            self._goto(self._next)

    # -- the current posting ------------------------------------------------------------------------

    def is_active(self) -> bool:
        return not self._atend

    def id(self) -> int:
        ids = self._ids
        if ids is None:
            ids = self._read_ids()
        return ids[self._i]

    def _read_ids(self) -> list[int]:
        decoded = self._decoded
        if decoded is None or self._count == 1:  # a block of one posting has nothing to decode
            ids = decode_ids(self._buffer, self._position + _HEADER_SIZE, self._count, self._first, self._flags,
                             self._ids_size)
        else:
            ids = decoded.ids.get(self._position)
            if ids is None:
                ids = decode_ids(self._buffer, self._position + _HEADER_SIZE, self._count, self._first, self._flags,
                                 self._ids_size)
                decoded.ids.put(self._position, ids)
        self._ids = ids
        return ids

    def weight(self) -> float:
        weights = self._weights
        if weights is None:
            weights = self._read_weights()
        return weights[self._i]

    def _read_weights(self) -> Sequence[float]:
        stored = self._stored_weights()
        self._weights = (weights_of(stored, self._flags) if stored is not None else
                         decode_weights(self._buffer, self._weights_start(), self._count, self._flags,
                                        self._weights_size))
        return self._weights

    def _weights_start(self) -> int:
        return self._position + _HEADER_SIZE + self._ids_size

    def _stored_weights(self):
        """The block's stored_weights (None where they are all the same), kept in `decoded`."""
        decoded = self._decoded
        stored = decoded.weights.get(self._position) if decoded is not None else None
        if stored is None:
            stored = stored_weights(self._buffer, self._weights_start(), self._flags, self._weights_size)
            if stored is not None and decoded is not None:
                decoded.weights.put(self._position, stored)
        return stored

    def _block_values(self):
        if self._values is None:
            start = self._position + _HEADER_SIZE + self._ids_size + self._weights_size
            self._values = decode_values(self._kind, self._buffer, start, self._next, self._count, self._flags)
        return self._values

    def value(self):
        """The posting's value encoded as its format encodes it (for Whoosh's generic readers)."""
        value = self._block_values()[self._i]
        if self._kind == ValueKind.POSITIONS:
            return self.format.encode(value)
        if self._kind == ValueKind.COUNTS:
            return pack_uint(value)
        return b"" if value is None else value

    def value_as(self, astype: str):
        if self._kind == ValueKind.POSITIONS and astype == "positions":
            return self._block_values()[self._i]
        if self._kind in (ValueKind.POSITIONS, ValueKind.COUNTS) and astype == "frequency":
            value = self._block_values()[self._i]
            return len(value) if self._kind == ValueKind.POSITIONS else value
        return super().value_as(astype)

    # -- moving ---------------------------------------------------------------------------------------

    def next(self) -> bool:
        self._i += 1
        if self._i == self._count:
            self._next_block()
            return True
        return False

    def skip_to(self, target: int) -> None:
        if self._atend:
            raise ReadTooFar
        if target > self._maxid:
            while target > self._maxid:
                if self._flags & LAST_BLOCK:
                    self._atend = True
                    return
                self._goto(self._next)
        ids = self._ids if self._ids is not None else self._read_ids()
        if target > ids[self._i]:
            self._i = bisect_left(ids, target, self._i)

    def skip_to_quality(self, minquality: float) -> int:
        block_quality = self.block_quality
        if block_quality() > minquality:
            return 0
        skipped = 0
        while not self._atend and block_quality() <= minquality:
            self._next_block()
            skipped += 1
        return skipped

    def all_ids(self):
        while not self._atend:
            ids = self._ids if self._ids is not None else self._read_ids()
            yield from ids[self._i:]
            self._next_block()

    def first_ids(self, cap: int) -> list[int]:
        """all_ids, up to `cap` of them, a block at a time (moving the matcher on)."""
        found: list[int] = []
        while not self._atend and len(found) < cap:
            ids = self._ids if self._ids is not None else self._read_ids()
            found += ids[self._i:] if self._i else ids
            self._next_block()
        return found[:cap]

    # -- a block at a time (search/term_top.py) ------------------------------------------------------------

    def block_ids(self) -> list[int]:
        """The document numbers of the current block, whole."""
        return self._ids if self._ids is not None else self._read_ids()

    def block_weights(self) -> Sequence[float]:
        """The weights of the current block's postings, whole."""
        return self._weights if self._weights is not None else self._read_weights()

    def block_weights_at(self, postings: Sequence[int]) -> list[float]:
        """The weights of the current block's `postings` (their numbers in it)."""
        if self._weights is not None:
            return [self._weights[number] for number in postings]
        stored = self._stored_weights()
        if stored is None:  # every posting's weight the same
            return decode_weights_at(self._buffer, self._weights_start(), self._count, self._flags,
                                     self._weights_size, postings)
        return weights_of_postings(stored, self._flags, postings)

    def next_block(self) -> None:
        """On to the next block (or the end)."""
        self._next_block()

    # -- the block, for scoring bounds ------------------------------------------------------------------

    def block_min_id(self) -> int:
        return self._first

    def block_max_id(self) -> int:
        return self._maxid

    def block_min_length(self) -> int:
        return byte_to_length(self._minlen_byte)

    def block_max_length(self) -> int:
        return byte_to_length(self._maxlen_byte)

    def block_max_weight(self) -> float:
        return self._maxweight


# Candidates of an intersection up to this many in one block of another term's postings are
# looked up by bisection; more, through a set of the block's numbers. Making the set of a block
# of 128 cost 3.9 us, a lookup by bisection 0.32 us and in a set 0.07 (Python 3.11, this
# machine): even at about 15 candidates.
FEW_CANDIDATES = 12

def common_documents(matchers: list[BlockMatcher]) -> list[int]:
    """The documents every one of `matchers` holds (rarest first is fastest): the rarest list is
    read whole; in each other one, only the blocks whose range holds a candidate are decoded, and
    their documents met with the candidates as sets. Whoosh's intersection leapfrogs between the
    lists one posting at a time, in Python. The matchers given do not move (copies are read,
    keeping what they decode where the matchers keep it)."""
    first, *others = [_copy(m) for m in matchers]
    candidates: list[int] = []
    while not first._atend:
        candidates.extend(first.block_ids())
        first._next_block()
    for other in others:
        kept: list[int] = []
        at = 0
        while at < len(candidates) and not other._atend:
            if other._maxid < candidates[at]:
                other._next_block()
                continue
            end = bisect_right(candidates, other._maxid, at)
            ids = other.block_ids()
            if end - at <= FEW_CANDIDATES:  # looked up in the block's sorted numbers
                kept.extend(docnum for docnum in candidates[at:end] if _holds(ids, docnum))
            else:
                present = set(ids)
                kept.extend(docnum for docnum in candidates[at:end] if docnum in present)
            at = end
            other._next_block()
        candidates = kept
    return candidates


def _holds(ids: list[int], docnum: int) -> bool:
    at = bisect_left(ids, docnum)
    return at < len(ids) and ids[at] == docnum


def _copy(matcher: BlockMatcher) -> BlockMatcher:
    """A new cursor on the matcher's postings, at their start."""
    return BlockMatcher(matcher._buffer, matcher._start, matcher.format, term=matcher._term, decoded=matcher._decoded)


def weights_at(matcher: BlockMatcher, documents: list[int]) -> list[float]:
    """The weights of a term's postings at `documents` (ascending, every one of them in its
    postings: an intersection's), a block at a time; `matcher` does not move (a copy reads)."""
    cursor = _copy(matcher)
    found: list[float] = []
    at = 0
    while at < len(documents):
        while cursor._maxid < documents[at]:
            cursor._next_block()  # its header says it holds none of them
        end = bisect_right(documents, cursor._maxid, at)
        ids = cursor.block_ids()
        found += cursor.block_weights_at([bisect_left(ids, docnum) for docnum in documents[at:end]])
        at = end
        cursor._next_block()
    return found
