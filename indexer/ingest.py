"""Files -> segments: read, structure and cut each file into passages, and add them to a segment
buffer (indexer/segments.py) that is written out as a segment each time it reaches its share of
the build's memory budget. One build indexes its files with one Ingest, or a worker process per
share of them (indexer/parallel.py), each with its own.
"""
from __future__ import annotations

import time
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from typing import Callable, Iterator

from indexer.documents import Document, DocumentError, LoadProblem, SourceFile, read_document
from indexer.passages import make_passages
from indexer.schema import file_words, passage_document
from indexer.segments import SegmentBuffer
from indexer.structure import parse_structure


@dataclass
class Ingested:
    """What an Ingest indexed: its segments in document order and the manifest entries of its
    files, with what the build reports about them."""

    segments: list = field(default_factory=list)  # W3Segment
    files: dict[str, dict] = field(default_factory=dict)  # display path -> manifest entry
    problems: list[LoadProblem] = field(default_factory=list)
    notices: list[LoadProblem] = field(default_factory=list)
    indexed: int = 0  # files read and indexed
    passages: int = 0
    phases: dict[str, float] = field(default_factory=dict)  # seconds spent in each step (timed)


@contextmanager
def timed(phases: dict[str, float], phase: str) -> Iterator[None]:
    """Add the seconds the block takes to `phases[phase]` (the build's profile by phase)."""
    started = time.perf_counter()
    try:
        yield
    finally:
        phases[phase] = phases.get(phase, 0.0) + time.perf_counter() - started


class Ingest:
    """Indexes files into new segments of one index folder (Whoosh storage), finishing a
    segment whenever its buffer holds about `memory_bytes`. `held`: a context in which each
    file's passages are added (the build holds Ctrl-C there)."""

    def __init__(self, storage, schema, indexname: str, memory_bytes: int,
                 held: Callable = nullcontext) -> None:
        self._storage, self._schema, self._indexname = storage, schema, indexname
        self._memory_bytes = memory_bytes
        self._held = held
        self._buffer: SegmentBuffer | None = None
        self.done = Ingested()

    def read(self, source: SourceFile) -> Document | None:
        """The file as a Document, or None (a problem is reported) when it cannot be read."""
        try:
            with timed(self.done.phases, "reading files"):
                document = read_document(source)
        except DocumentError as error:
            self.done.problems.append(LoadProblem(source.display_path, str(error)))
            return None
        if document.encoding.endswith("(detected)"):
            self.done.notices.append(LoadProblem(source.display_path, f"not UTF-8; read as {document.encoding}"))
        return document

    def add(self, source: SourceFile, document: Document) -> dict:
        """Index the document's passages; its manifest entry."""
        phases = self.done.phases
        with timed(phases, "structure"):
            structured = parse_structure(document)
        with timed(phases, "passages and sentences"):
            passages = make_passages(structured)
        with self._held(), timed(phases, "analysis and inversion"):
            buffer = self._buffer or self._new_buffer()
            for number, passage in enumerate(passages):
                buffer.add(passage_document(passage, file_words(passages) if number == 0 else None))
        if buffer.memory >= self._memory_bytes:
            self._finish_buffer()
        entry = {"relative_path": source.relative_path, "size": source.size, "mtime_ns": source.mtime_ns,
                 "sha256": document.content_hash, "passages": len(passages)}
        self.done.files[source.display_path] = entry
        self.done.indexed += 1
        self.done.passages += len(passages)
        return entry

    def finish(self) -> Ingested:
        """Write the last segment; everything indexed."""
        self._finish_buffer()
        return self.done

    def discard(self) -> None:
        """Remove the segments written so far (a build that failed)."""
        if self._buffer is not None:
            self._buffer.discard()
        for segment in self.done.segments:
            for name in segment.list_files(self._storage):
                self._storage.delete_file(name)

    def _new_buffer(self) -> SegmentBuffer:
        self._buffer = SegmentBuffer(self._schema, self._storage, self._indexname)
        return self._buffer

    def _finish_buffer(self) -> None:
        with timed(self.done.phases, "writing segments"):
            if self._buffer is not None and self._buffer.documents:
                self.done.segments.append(self._buffer.finish())
            elif self._buffer is not None:
                self._buffer.discard()
        self._buffer = None
