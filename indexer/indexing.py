"""One generation's files indexed into segments: a full build (in worker processes when there is
enough text, indexer/parallel.py) merged into one segment, or an update on the previous
generation's segments (hard-linked: a segment's files never change once written), with the
passages of changed and removed files marked deleted and like-sized segments merged.
"""
from __future__ import annotations

import errno
import multiprocessing
import os
import shutil
import sys
from pathlib import Path
from typing import Callable

from whoosh.filedb.filestore import FileStorage

from indexer.documents import MAX_FILE_BYTES, SourceFile
from indexer.generations import create_readers_lock
from indexer.ingest import Ingest, Ingested
from indexer.merge import delete_documents, merge_segments, read_segments, segments_to_merge
from indexer.parallel import Share, Workers, shares
from indexer.reports import BuildReport, add_ingested
from indexer.schema import build_schema

ProgressCallback = Callable[[int, int, str], None]

# The memory (MB) a build's segment buffers may hold together, all its workers included: a
# segment is written each time a buffer fills, and they are merged at the end, so a build's
# memory is bounded by this and not by the folder (LINER_INDEX_MEMORY_MB sets another).
INDEX_MEMORY_MB = 160
# A full build of at least this much text indexes in worker processes, one per core (at most
# PARALLEL_PROCS), each reading, cutting and indexing its share of the files into segments of
# its own; below a megabyte, starting them costs more than it saves.
PARALLEL_FROM_BYTES = 1_000_000
PARALLEL_PROCS = 4


INDEX_NAME = "MAIN"  # Whoosh's default index name: its files are "_MAIN_<n>.toc" and "MAIN_<segment>.*"


def is_index_file(name: str) -> bool:
    """A file of a generation's Whoosh index (its TOCs and segments), not one Liner writes beside
    it (the manifest, the lexicon files)."""
    return name.startswith((f"_{INDEX_NAME}_", f"{INDEX_NAME}_"))



def open_generation(target: Path, previous: Path | None) -> tuple[FileStorage, object, list]:
    """The new generation's storage, schema and segments: empty, or the previous generation's
    segments, whose files are hard-linked into it (a segment's files never change once written:
    two generations share them, and an update writes only what changed)."""
    target.mkdir()
    create_readers_lock(target)
    storage = FileStorage(str(target))
    if previous is None:
        return storage, build_schema(), []
    for path in previous.iterdir():  # a generation is one flat folder
        if path.is_file() and is_index_file(path.name):
            link_or_copy(path, target / path.name)
    schema, segments = read_segments(storage)
    return storage, schema, segments


# What os.link raises where a file system has no hard links (or not across these folders): the
# file is then copied. Any other error (a full disk) is the build's to report.
_NO_HARD_LINKS = (errno.EXDEV, errno.EPERM, errno.EMLINK, errno.EOPNOTSUPP, errno.ENOTSUP)


def link_or_copy(source: Path, target: Path) -> None:
    """`target` made a hard link to `source`, or a copy where the file system has no links."""
    try:
        os.link(source, target)
    except OSError as error:
        if error.errno not in _NO_HARD_LINKS:
            raise
        shutil.copy2(source, target)


def index_all(sources: list[SourceFile], storage: FileStorage, schema, report: BuildReport,
               progress: ProgressCallback | None, parallel: bool) -> tuple[dict[str, dict], list]:
    """A full build: every file indexed (in worker processes when there is enough to index),
    the segments merged into one."""
    memory = _memory_bytes()
    # Only what will be read counts: a file over the size limit is reported without being read.
    workers = _worker_count(parallel, sum(source.size for source in sources if source.size <= MAX_FILE_BYTES))
    if workers > 1:
        report.workers = workers
        done = _index_in_workers(sources, storage, schema, workers, memory, progress)
    else:
        ingest = Ingest(storage, schema, INDEX_NAME, memory)
        try:
            for number, source in enumerate(sources, 1):
                if progress:
                    progress(number, len(sources), source.display_path)
                document = ingest.read(source)
                if document is not None:
                    ingest.add(source, document)
        except BaseException:
            ingest.discard()
            raise
        done = [ingest.finish()]
    segments = [segment for part in done for segment in part.segments]
    for part in done:
        add_ingested(report, part)
    files = {path: entry for part in done for path, entry in part.files.items()}
    with report.phase("merging segments"):
        return files, _merged(storage, schema, segments)


def _index_in_workers(sources: list[SourceFile], storage: FileStorage, schema, workers: int, memory: int,
                      progress: ProgressCallback | None) -> list[Ingested]:
    runs = shares(sources, workers)
    started = 0

    def file_started(path: str) -> None:
        nonlocal started
        started += 1
        if progress:
            progress(started, len(sources), path)

    pool = Workers(schema)
    try:
        pool.start([Share(number, run, storage.folder, INDEX_NAME, memory // len(runs))
                    for number, run in enumerate(runs)])
        return pool.wait(file_started)
    except BaseException:
        pool.stop()
        raise


def _merged(storage: FileStorage, schema, segments: list) -> list:
    """The full build's segments as one (none for an empty folder)."""
    if len(segments) <= 1:
        return segments
    return [merge_segments(storage, schema, segments, INDEX_NAME)]


def update(sources: list[SourceFile], storage: FileStorage, schema, segments: list, known: dict[str, dict],
            report: BuildReport, progress: ProgressCallback | None, held) -> tuple[dict[str, dict], list]:
    """An update: new and changed files indexed into a new segment, the passages of changed and
    removed files marked deleted, segments merged when enough of them have piled up."""
    ingest = Ingest(storage, schema, INDEX_NAME, _memory_bytes(), held)
    files: dict[str, dict] = {}
    try:
        for number, source in enumerate(sources, 1):
            if progress:
                progress(number, len(sources), source.display_path)
            entry = known.get(source.display_path)
            if entry and entry["size"] == source.size and entry["mtime_ns"] == source.mtime_ns:
                files[source.display_path] = entry  # unchanged: not even re-read
                report.files_unchanged += 1
                continue
            document = ingest.read(source)
            if document is not None and entry and entry["sha256"] == document.content_hash:
                files[source.display_path] = {**entry, "size": source.size, "mtime_ns": source.mtime_ns}
                report.files_unchanged += 1
                continue
            if document is not None:
                ingest.add(source, document)
        done = ingest.finish()
    except BaseException:
        ingest.discard()
        raise
    report.files_removed += len(set(known) - set(files) - set(done.files))  # gone, or unreadable now
    delete_documents(storage, schema, segments, "path", sorted(set(known) - set(files)))
    add_ingested(report, done)
    segments = segments + done.segments
    merging = segments_to_merge(segments)
    with report.phase("merging segments"):
        while merging:
            merged = merge_segments(storage, schema, merging, INDEX_NAME)
            segments = [segment for segment in segments if segment not in merging] + [merged]
            merging = segments_to_merge(segments)
    return {**files, **done.files}, segments


def _memory_bytes() -> int:
    """The build's memory budget for segment buffers (INDEX_MEMORY_MB, or the environment's)."""
    try:
        megabytes = float(os.environ.get("LINER_INDEX_MEMORY_MB") or INDEX_MEMORY_MB)
    except ValueError:
        megabytes = INDEX_MEMORY_MB
    return int(max(megabytes, 1) * 1024 * 1024)


def _worker_count(parallel: bool, total_bytes: int) -> int:
    procs = min(PARALLEL_PROCS, os.cpu_count() or 1)
    # Only where workers can be tied to the build's life (Linux, forked): indexer/parallel.py.
    forks = sys.platform == "linux" and "fork" in multiprocessing.get_all_start_methods()
    if parallel and total_bytes >= PARALLEL_FROM_BYTES and procs > 1 and forks:
        return procs
    return 1
