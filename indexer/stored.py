"""Stored fields in compressed blocks: what a passage shows and cites, kept once per few passages.

Whoosh pickles each document's stored fields on its own: every passage repeated its file's path
and title and the names of a dozen fields, 39.5 MB of the 95.7 MB index of 100,000 passages.
Here the passages of a block are compressed together, as Lucene keeps its stored fields: what
they repeat (the path, the title, every field name) is kept about once per block. Reading one
passage decompresses its block and unpickles that passage alone; the blocks a process read last
are kept decompressed, since the passages of one file are neighbours and are often read together.

File layout: the blocks, then the first document number of each block (array 'I') and each
block's offset (array 'Q'), then TRAILER: the number of blocks, where the two arrays begin, and
the number of documents.
A block, once decompressed, is the end offset of each of its documents' pickles (array 'I'),
then the pickles.
"""
from __future__ import annotations

import pickle
import struct
import threading
import zlib
from array import array
from bisect import bisect_right
from collections import OrderedDict
from itertools import accumulate

from indexer.postings import SWAP_BYTES, little_endian_bytes, read_little_endian

# A block holds passages until their text reaches about this size. On the 100,000-passage bench
# corpus, 1, 2 and 4 KB blocks made 11.6, 9.6 and 8.3 MB of stored fields, and reading one
# passage at random cost 15.8, 20.9 and 30.3 µs. A keyword search reads about 16 passages, most
# from blocks no search before it read (a block decompresses whole, about three times its text
# with the fields around it): 512 B blocks made 12.3 MB where 2 KB made 8.8 MB of that corpus's
# stored fields, and a random read cost 32 µs where 2 KB cost 62 (same run, busy machine; writing
# them 0.94 s of CPU where 2 KB took 0.78).
BLOCK_BYTES = 512
ZLIB_LEVEL = 6  # stored fields are written once and read a few at a time: worth the squeeze
# Fixed Huffman codes: a block decodes without first building its own code tables, which was
# most of decoding one of 512 B of text (12.5 vs 5.7 us a block of the 100k bench corpus; a
# random passage read 24-27 vs 31-34 us), for 12% more bytes (13.9 vs 12.3 MB there).
ZLIB_STRATEGY = zlib.Z_FIXED
# Decoded blocks a reader keeps (per segment): a question reads about 30 passages.
CACHED_BLOCKS = 64

TRAILER = struct.Struct("<QQQ")  # number of blocks, offset of the arrays, number of documents


class StoredWriter:
    """Appends documents' stored fields (dicts) to a stored-fields file."""

    def __init__(self, dbfile) -> None:
        self._file = dbfile
        self._pending: list[dict] = []
        self._pending_bytes = 0
        self._count = 0
        self._starts = array("I")
        self._offsets = array("Q")
        self._written = 0

    def add(self, stored: dict, size_hint: int) -> None:
        """One document's stored fields; `size_hint`: about how many bytes they take."""
        self._pending.append(stored)
        self._pending_bytes += size_hint
        if self._pending_bytes >= BLOCK_BYTES:
            self._flush()

    def add_block(self, data: bytes, documents: int) -> None:
        """A compressed block as another stored-fields file holds it (merging segments)."""
        self._flush()
        self._append(data, documents)

    def _flush(self) -> None:
        if self._pending:
            pickles = [pickle.dumps(stored, protocol=pickle.HIGHEST_PROTOCOL) for stored in self._pending]
            ends = little_endian_bytes("I", accumulate(map(len, pickles)))
            compressor = zlib.compressobj(ZLIB_LEVEL, zlib.DEFLATED, zlib.MAX_WBITS, zlib.DEF_MEM_LEVEL, ZLIB_STRATEGY)
            data = compressor.compress(ends + b"".join(pickles)) + compressor.flush()
            self._append(data, len(self._pending))
            self._pending, self._pending_bytes = [], 0

    def _append(self, data: bytes, documents: int) -> None:
        self._starts.append(self._count)
        self._offsets.append(self._written)
        self._file.write(data)
        self._written += len(data)
        self._count += documents

    @property
    def count(self) -> int:
        return self._count + len(self._pending)

    def close(self) -> None:
        self._flush()
        at = self._written
        for numbers in (self._starts, self._offsets):
            self._file.write(little_endian_bytes(numbers.typecode, numbers))
        self._file.write(TRAILER.pack(len(self._starts), at, self._count))
        self._file.close()


class StoredReader:
    """The stored fields of one segment's documents, by document number. Its block tables are
    read in place (a view of the map, nothing copied), so opening it costs the same however many
    documents it holds."""

    def __init__(self, buffer) -> None:
        self._buffer = buffer
        blocks, at, self._total = TRAILER.unpack_from(buffer, len(buffer) - TRAILER.size)
        self._starts = _numbers("I", buffer, at, blocks)
        self._offsets = _numbers("Q", buffer, at + 4 * blocks, blocks)
        self._end = at  # where the last block ends
        self._cache: OrderedDict[int, tuple[array, bytes]] = OrderedDict()
        self._lock = threading.Lock()  # the server's threads share a segment's reader

    def __len__(self) -> int:
        return len(self._starts)

    def document(self, docnum: int) -> dict:
        block = bisect_right(self._starts, docnum) - 1
        ends, data = self._block(block)
        number = docnum - self._starts[block]
        start = 4 * len(ends) + (ends[number - 1] if number else 0)
        return pickle.loads(data[start:4 * len(ends) + ends[number]])

    def _block(self, block: int) -> tuple[array, bytes]:
        """A block decompressed: its documents' end offsets, and its bytes."""
        with self._lock:
            found = self._cache.get(block)
            if found is not None:
                self._cache.move_to_end(block)
                return found
        data = zlib.decompress(self.raw_block(block))
        found = (read_little_endian("I", data[:4 * self.block_documents(block)]), data)
        with self._lock:
            self._cache[block] = found
            if len(self._cache) > CACHED_BLOCKS:
                self._cache.popitem(last=False)
        return found

    def raw_block(self, block: int) -> bytes:
        """A block as the file holds it (compressed)."""
        end = self._offsets[block + 1] if block + 1 < len(self._offsets) else self._end
        return self._buffer[self._offsets[block]:end]

    def block_documents(self, block: int) -> int:
        """How many documents block `block` holds."""
        end = self._starts[block + 1] if block + 1 < len(self._starts) else self._total
        return end - self._starts[block]


def _numbers(typecode: str, buffer, at: int, count: int):
    """`count` little-endian numbers at `at`: a view of the buffer where the machine's order is
    little-endian (bisect and indexing read it in place), else a copy."""
    size = array(typecode).itemsize
    if SWAP_BYTES:
        return read_little_endian(typecode, buffer[at:at + size * count])
    return memoryview(buffer)[at:at + size * count].cast(typecode)
