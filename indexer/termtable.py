"""A segment's term table read straight through, and term infos merged as bytes: the fast path of
merging segments none of whose documents are deleted (indexer/merge.py).

Whoosh's reader of a term table (`items_from`) seeks and reads each record's lengths, key and
value with a Python call apiece, and decodes each value into a W3TermInfo object; a merge then
built another and encoded it again. On the 100,000-passage bench corpus the merge took 2.8 to
3.0 s of CPU, 1.9 to 2.0 s with this and the faster term table writer (codec._TermTable), with
the same bytes written. Here a table's records are read in file order through one
buffered file, and a merged term's info is packed from the parts' unpacked fields, as
W3TermInfo.from_bytes and to_bytes would give it (tests/test_codec.py checks the merged segment
against one written at once).
"""
from __future__ import annotations

from typing import Iterator

from whoosh.codec.whoosh3 import W3TermInfo
from whoosh.filedb.filetables import _lengths
from whoosh.system import _INT_SIZE, _LONG_SIZE, pack_int, pack_long, unpack_int, unpack_long
from whoosh.util.numeric import byte_to_length, length_to_byte

# A term info's fixed part: inlined flag, total weight, document frequency, shortest and longest
# field length (as length bytes), highest weight, first and last document; then where its
# postings are (offset, length).
_INFO = W3TermInfo._struct
_NO_ID = 0xFFFFFFFF  # W3TermInfo's "no document"
_EXTENT = _LONG_SIZE + _INT_SIZE


def in_name_order(reader) -> bool:
    """Whether the table's records, in file order, are in (field name, term) order: its fields
    were numbered in name order (as Liner's writers number them), since records are ordered by
    (field number, term)."""
    numbers = reader._fieldmap
    return sorted(numbers, key=numbers.get) == sorted(numbers)


def term_records(reader, path: str, number: int) -> Iterator[tuple[str, bytes, int, bytes]]:
    """(field name, term, `number`, info bytes) of every record of an open term table (a
    W3TermsReader over the file at `path`), in file order."""
    table = reader._tindex
    names = reader._fieldunmap
    header = _lengths.size
    with open(path, "rb") as handle:
        handle.seek(table.startofdata)
        at, end = table.startofdata, table.endofdata
        while at < end:
            key_length, data_length = _lengths.unpack(handle.read(header))
            key = handle.read(key_length)
            yield names[int.from_bytes(key[:2], "big")], key[2:], number, handle.read(data_length)
            at += header + key_length + data_length


def extent(info: bytes) -> tuple[int, int]:
    """Where a term's postings are in its segment's postings file: offset and length."""
    size = _INFO.size
    return unpack_long(info[size:size + _LONG_SIZE])[0], unpack_int(info[size + _LONG_SIZE:size + _EXTENT])[0]


def merged_info(parts: list[tuple[bytes, int]]) -> bytes:
    """The fixed part of the info of a term whose postings are the parts' (info bytes, offset of
    its segment's documents) one after another: what merging their W3TermInfos gave."""
    if len(parts) == 1:  # most terms: the same figures, its documents moved up
        info, offset = parts[0]
        flags, weight, frequency, low, high, highest, first, last = _INFO.unpack_from(info)
        if flags:
            raise ValueError("a term with inlined postings (not written by Liner) cannot be merged here")
        # 0 + and max(0, ...) as the sums below start (a length byte is its length's byte).
        return _INFO.pack(0, 0 + weight, frequency, low, high, max(0, highest), _shifted_id(first, offset),
                          _shifted_id(last, offset))
    weight, frequency, shortest, longest, highest = 0, 0, None, 0, 0
    for info, _offset in parts:
        flags, part_weight, part_frequency, low, high, part_highest, _first, _last = _INFO.unpack_from(info)
        if flags:
            raise ValueError("a term with inlined postings (not written by Liner) cannot be merged here")
        weight += part_weight
        frequency += part_frequency
        highest = max(highest, part_highest)
        shortest = byte_to_length(low) if shortest is None else min(shortest, byte_to_length(low))
        longest = max(longest, byte_to_length(high))
    first = _INFO.unpack_from(parts[0][0])[6]
    last = _INFO.unpack_from(parts[-1][0])[7]
    return _INFO.pack(0, weight, frequency, 0 if shortest is None else length_to_byte(shortest), length_to_byte(longest),
                      highest, _shifted_id(first, parts[0][1]), _shifted_id(last, parts[-1][1]))


def _shifted_id(docnum: int, offset: int) -> int:
    return docnum if docnum == _NO_ID else docnum + offset


def fixed_info(weight: float, frequency: int, shortest: int, longest: int, highest: float, first: int, last: int) -> bytes:
    """The fixed part of a term info, its field lengths as length bytes: W3TermInfo.to_bytes of
    a term info with these figures (a length byte is the byte of the length it stands for)."""
    return _INFO.pack(0, weight, frequency, shortest, longest, highest, first, last)


def with_extent(fixed: bytes, offset: int, length: int) -> bytes:
    """A term info's bytes: its fixed part and where its postings are."""
    return fixed + pack_long(offset) + pack_int(length)
