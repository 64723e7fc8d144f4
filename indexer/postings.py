"""Posting blocks: how one term's postings are laid out on disk, in blocks of BLOCK_POSTINGS.

Whoosh's own codec (W3) pickles each block as a tuple of tuples (document numbers, weights, and
every posting's value as a pickled list of positions) and compresses the pickle: to read the
document numbers of a block it must decompress and unpickle everything in it, positions and all.
That was most of the time of a phrase or keyword search on 100,000 passages, and of the bytes on
disk. Here a block is a fixed header (read with one struct call: enough to skip the block, or to
bound its score) followed by three separately decoded parts, each a flat array of small integers:

    header   HEADER: block size, postings, first and last document, highest weight, shortest and
             longest field length (as Whoosh's length bytes), flags, size of parts 1 and 2
    1 ids    the gaps between document numbers after the first (array 'B', 'H' or 'I')
    2        weights: none when all are 1.0, one float when all are equal, else half-units in
             bytes when every weight is a multiple of 0.5 below 128 (the field boosts of
             indexer/schema.py sum to such), else float32 as Whoosh keeps them
    3        values, by the field's format: positions (a count per posting, then the positions),
             counts only (Frequency), nothing (Existence), or each value's bytes (any other)

A weights or values part of COMPRESS_FROM_BYTES or more is zlib-compressed when that makes it
smaller; an ids part never is (IDS_COMPRESSED), but indexes written before may hold some. Arrays are
little-endian. Because document numbers inside a block are gaps from the header's first one,
merging segments copies blocks as they are and rewrites only their headers (indexer/merge.py).
"""
from __future__ import annotations

import struct
import sys
import zlib
from array import array
from itertools import accumulate
from typing import Sequence

from whoosh import formats

# Postings per block, as Whoosh's own codec (its `blocklimit`).
BLOCK_POSTINGS = 128
# Parts this long or longer are compressed (when that saves bytes): shorter ones cost more time
# to compress and decompress than the bytes they would save.
COMPRESS_FROM_BYTES = 96
# zlib level 1: on the 100,000-passage bench corpus the index was 3% larger than at level 6, and
# its build spent a third less time compressing.
ZLIB_LEVEL = 1
# Ids parts are written as they are: an intersection decodes the ids of a common word's blocks (a
# dozen a keyword search on 100,000 passages, where no search before had), and decompressing them
# was a third of decoding. On the 100k bench corpus 17,161 of 173,364 blocks had their ids
# compressed, 3.10 MB to 1.76 MB: 1.35 MB more on disk (the index 3% larger).
IDS_COMPRESSED = False

# size, count, first id, last id, max weight, min length byte, max length byte, flags,
# ids part bytes, weights part bytes (the values part is the rest of the block)
HEADER = struct.Struct("<IHIIfBBBHH")

IDS_TYPE = 0x03  # typecode of the gaps: TYPECODES[flags & IDS_TYPE]
IDS_ZLIB = 0x04
WEIGHTS_MODE = 0x18  # one of W_ONES, W_SAME, W_HALVES, W_FLOATS
W_ONES, W_SAME, W_HALVES, W_FLOATS = 0x00, 0x08, 0x10, 0x18
WEIGHTS_ZLIB = 0x20
VALUES_ZLIB = 0x40
LAST_BLOCK = 0x80

TYPECODES = ("B", "H", "I")
# Postings and stored fields are little-endian on disk; a big-endian machine swaps them.
SWAP_BYTES = sys.byteorder != "little"
_FLOAT = struct.Struct("<f")


class ValueKind:
    """How a format's posting values are kept in a block."""

    POSITIONS = "positions"  # whoosh.formats.Positions: a list of word positions per posting
    COUNTS = "counts"  # whoosh.formats.Frequency: how often the term occurs
    NONE = "none"  # whoosh.formats.Existence: no value
    BYTES = "bytes"  # any other format: each posting's encoded value as it is


def value_kind(format_: formats.Format) -> str:
    kind = type(format_)
    if kind is formats.Positions:
        return ValueKind.POSITIONS
    if kind is formats.Frequency:
        return ValueKind.COUNTS
    if kind is formats.Existence:
        return ValueKind.NONE
    return ValueKind.BYTES


def _typecode(largest: int) -> int:
    return 0 if largest < 0x100 else 1 if largest < 0x10000 else 2


def little_endian_bytes(typecode: str, values) -> bytes:
    packed = array(typecode, values)
    if SWAP_BYTES:
        packed.byteswap()
    return packed.tobytes()


def read_little_endian(typecode: str, data) -> array:
    packed = array(typecode)
    packed.frombytes(data)
    if SWAP_BYTES:
        packed.byteswap()
    return packed


def _squeeze(data: bytes, flag: int) -> tuple[bytes, int]:
    """`data` compressed, with `flag`, when that pays; else as it is, with 0."""
    if len(data) >= COMPRESS_FROM_BYTES:
        packed = zlib.compress(data, ZLIB_LEVEL)
        if len(packed) < len(data):
            return packed, flag
    return data, 0


def _counted_array(values: Sequence[int]) -> bytes:
    """A typecode index byte, then the values."""
    code = _typecode(max(values, default=0))
    return bytes((code,)) + little_endian_bytes(TYPECODES[code], values)


def _encode_weights(weights: Sequence[float]) -> tuple[bytes, int]:
    first = weights[0]
    if all(weight == first for weight in weights):
        return (b"", W_ONES) if first == 1.0 else (_FLOAT.pack(first), W_SAME)
    doubled = [weight * 2 for weight in weights]
    if all(0 < twice < 256 and twice == int(twice) for twice in doubled):
        return little_endian_bytes("B", map(int, doubled)), W_HALVES
    return little_endian_bytes("f", weights), W_FLOATS


def encode_positions(counts: Sequence[int], positions: Sequence[int]) -> bytes:
    """The values part of a block of a positional field: each posting's count of positions, then
    all their positions, in posting order."""
    return _counted_array(counts) + _counted_array(positions)


def encode_counts(counts: Sequence[int]) -> bytes:
    """The values part of a block of a Frequency field."""
    return _counted_array(counts)


def encode_bytes(values: Sequence[bytes]) -> bytes:
    """The values part of a block of any other format: each value's length, then the values."""
    return _counted_array([len(value) for value in values]) + b"".join(values)


def encode_block(ids: Sequence[int], weights: Sequence[float], values: bytes, lengths: tuple[int, int],
                 last: bool) -> bytes:
    """One block: `ids` ascending, `weights` one per posting, `values` from one of the encoders
    above, `lengths` the shortest and longest field length of its documents as length bytes."""
    if len(ids) == 1:
        return _encode_single(ids[0], weights[0], values, lengths, last)
    return _encode_many(ids, weights, values, lengths, last)


def _encode_many(ids: Sequence[int], weights: Sequence[float], values: bytes, lengths: tuple[int, int],
                 last: bool) -> bytes:
    first = ids[0]
    gaps = [b - a for a, b in zip(ids, ids[1:])]
    id_code = _typecode(max(gaps, default=0))
    id_part, id_zip = little_endian_bytes(TYPECODES[id_code], gaps), 0
    if IDS_COMPRESSED:
        id_part, id_zip = _squeeze(id_part, IDS_ZLIB)
    weight_part, weight_mode = _encode_weights(weights)
    weight_part, weight_zip = _squeeze(weight_part, WEIGHTS_ZLIB)
    value_part, value_zip = _squeeze(values, VALUES_ZLIB)
    flags = id_code | id_zip | weight_mode | weight_zip | value_zip | (LAST_BLOCK if last else 0)
    size = HEADER.size + len(id_part) + len(weight_part) + len(value_part)
    header = HEADER.pack(size, len(ids), first, ids[-1], max(weights), lengths[0], lengths[1], flags, len(id_part),
                         len(weight_part))
    return b"".join((header, id_part, weight_part, value_part))


def _encode_single(docnum: int, weight: float, values: bytes, lengths: tuple[int, int], last: bool) -> bytes:
    """encode_block of one posting, the block of most terms: no gaps (an empty ids part), its
    weight one ("all the same"), too short to compress; only its values may be long enough."""
    weight_part, weight_mode = (b"", W_ONES) if weight == 1.0 else (_FLOAT.pack(weight), W_SAME)
    value_part, value_zip = _squeeze(values, VALUES_ZLIB)
    flags = weight_mode | value_zip | (LAST_BLOCK if last else 0)
    size = HEADER.size + len(weight_part) + len(value_part)
    header = HEADER.pack(size, 1, docnum, docnum, weight, lengths[0], lengths[1], flags, 0, len(weight_part))
    return b"".join((header, weight_part, value_part))


def shifted_header(block: bytes | memoryview, offset: int, last: bool) -> bytes:
    """The header of `block` with its document numbers moved up by `offset`, marked as the last
    block of its list or not (merging segments)."""
    size, count, first, final, weight, low, high, flags, ids_bytes, weights_bytes = HEADER.unpack_from(block)
    flags = (flags | LAST_BLOCK) if last else (flags & ~LAST_BLOCK)
    return HEADER.pack(size, count, first + offset, final + offset, weight, low, high, flags, ids_bytes, weights_bytes)


# -- reading -----------------------------------------------------------------------------------------


def _part(buffer, start: int, size: int, compressed: bool):
    data = buffer[start:start + size]
    return zlib.decompress(data) if compressed else data


def decode_ids(buffer, start: int, count: int, first: int, flags: int, size: int) -> list[int]:
    """The document numbers of a block whose ids part starts at `start`."""
    if count == 1:
        return [first]
    gaps = read_little_endian(TYPECODES[flags & IDS_TYPE], _part(buffer, start, size, flags & IDS_ZLIB))
    return list(accumulate(gaps, initial=first))


def decode_weights(buffer, start: int, count: int, flags: int, size: int) -> Sequence[float]:
    mode = flags & WEIGHTS_MODE
    if mode == W_ONES:
        return (1.0,) * count
    if mode == W_SAME:
        return (_FLOAT.unpack_from(_part(buffer, start, size, flags & WEIGHTS_ZLIB))[0],) * count
    return weights_of(stored_weights(buffer, start, flags, size), flags)


def decode_weights_at(buffer, start: int, count: int, flags: int, size: int, postings: Sequence[int]) -> list[float]:
    """decode_weights' values of the `postings` (numbers in the block) only: an intersection
    scores a few postings of a block of 128."""
    mode = flags & WEIGHTS_MODE
    if mode == W_ONES or mode == W_SAME:
        weights = decode_weights(buffer, start, count, flags, size)
        return [weights[number] for number in postings]
    return weights_of_postings(stored_weights(buffer, start, flags, size), flags, postings)


def stored_weights(buffer, start: int, flags: int, size: int) -> array | None:
    """A block's weights part as stored, decompressed: half-units ('B') or float32 ('f') a
    posting; None where every posting has the same weight (nothing is kept a posting)."""
    mode = flags & WEIGHTS_MODE
    if mode == W_ONES or mode == W_SAME:
        return None
    return read_little_endian("B" if mode == W_HALVES else "f", _part(buffer, start, size, flags & WEIGHTS_ZLIB))


def weights_of(stored: array, flags: int) -> list[float]:
    """Every weight of a block from its stored_weights."""
    return [twice / 2 for twice in stored] if flags & WEIGHTS_MODE == W_HALVES else stored.tolist()


def weights_of_postings(stored: array, flags: int, postings: Sequence[int]) -> list[float]:
    """The weights of the `postings` (numbers in the block) from the block's stored_weights."""
    if flags & WEIGHTS_MODE == W_HALVES:
        return [stored[number] / 2 for number in postings]
    return [stored[number] for number in postings]


class PositionLists:
    """The positions of a block's postings, decoded once, each posting's list cut on demand."""

    __slots__ = ("_flat", "_starts")

    def __init__(self, flat: list[int], counts: Sequence[int]) -> None:
        self._flat = flat
        self._starts = list(accumulate(counts, initial=0))

    def __getitem__(self, number: int) -> list[int]:
        return self._flat[self._starts[number]:self._starts[number + 1]]

    def __len__(self) -> int:
        return len(self._starts) - 1


def _read_counted(data, at: int, count: int | None = None) -> tuple[array, int]:
    """An array written by _counted_array at `at`: `count` items, or all that follow."""
    code = TYPECODES[data[at]]
    at += 1
    end = len(data) if count is None else at + count * array(code).itemsize
    return read_little_endian(code, data[at:end]), end


def decode_values(kind: str, buffer, start: int, end: int, count: int, flags: int):
    """The values of a block's postings, indexable by posting: position lists (POSITIONS),
    counts (COUNTS), None (NONE) or bytes (BYTES)."""
    if kind == ValueKind.NONE:
        return (None,) * count
    data = _part(buffer, start, end - start, flags & VALUES_ZLIB)
    counts, at = _read_counted(data, 0, count)
    if kind == ValueKind.COUNTS:
        return counts.tolist()
    if kind == ValueKind.POSITIONS:
        return PositionLists(_read_counted(data, at)[0].tolist(), counts)
    starts = list(accumulate(counts, initial=at))
    return [bytes(data[begin:stop]) for begin, stop in zip(starts, starts[1:])]
