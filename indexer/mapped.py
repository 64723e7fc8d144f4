"""Index files read through a memory map, never copied into the process.

Whoosh reads a segment's files either through a buffered file (a system call per read) or, for
a compound segment, through a memory map that its BufferFile then copies whole into a BytesIO:
every `liner ask` on 100,000 passages copied 94 MB of postings and stored fields into memory
before answering (0.1 s, and most of its 228 MB). A MappedFile is a StructFile whose reads are
slices of a read-only map: the pages a query touches are read from the page cache, shared by
every process that has the index open, and nothing else is.
"""
from __future__ import annotations

import mmap
import os
from pathlib import Path

from whoosh.filedb.filestore import FileStorage
from whoosh.filedb.structfile import StructFile


class _MappedReader:
    """The file-object side of a MappedFile: read, seek and tell over a memoryview."""

    def __init__(self, buffer) -> None:
        self._buffer = buffer  # an mmap or bytes: both have find()
        self._view = memoryview(buffer)
        self._at = 0

    def read(self, size: int = -1) -> bytes:
        end = len(self._view) if size is None or size < 0 else min(self._at + size, len(self._view))
        data = bytes(self._view[self._at:end])
        self._at = end
        return data

    def readline(self, size: int = -1) -> bytes:
        newline = self._buffer.find(b"\n", self._at)
        stop = len(self._view) if newline < 0 else newline + 1
        if size is not None and size >= 0:
            stop = min(stop, self._at + size)
        return self.read(stop - self._at)

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        base = {os.SEEK_SET: 0, os.SEEK_CUR: self._at, os.SEEK_END: len(self._view)}[whence]
        self._at = base + offset
        return self._at

    def tell(self) -> int:
        return self._at

    def close(self) -> None:
        self._buffer, self._view = b"", memoryview(b"")


class MappedFile(StructFile):
    """A read-only StructFile over a memory map; `buffer` is the map itself, for readers that
    decode in place (indexer/matcher.py)."""

    def __init__(self, buffer, name: str) -> None:
        self.buffer = buffer
        self._map = buffer if isinstance(buffer, mmap.mmap) else None
        super().__init__(_MappedReader(buffer), name=name)
        self.is_real = False

    def get(self, position: int, length: int) -> bytes:
        return self.buffer[position:position + length]

    def subset(self, position: int, length: int, name: str | None = None) -> "MappedFile":
        return MappedFile(self.buffer[position:position + length], name or self._name)

    def close(self) -> None:
        # The map stays open while any memoryview of it lives (a matcher may still hold one); it
        # is unmapped when the last reference goes.
        self.is_closed = True


def open_mapped(storage, name: str) -> MappedFile:
    """`name` in `storage` as a MappedFile (an empty file, or one of a storage that is not a
    folder, read into memory)."""
    if isinstance(storage, FileStorage):
        with open(Path(storage.folder) / name, "rb") as handle:
            if os.fstat(handle.fileno()).st_size:
                return MappedFile(mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ), name)
            return MappedFile(b"", name)
    with storage.open_file(name) as handle:
        return MappedFile(handle.read(), name)
