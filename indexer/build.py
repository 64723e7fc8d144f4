"""Passages -> index: atomic, incremental builds with one writer at a time.

Layout of an index folder:

    CURRENT          name of the generation readers open (replaced atomically)
    gen-<id>/        a complete Whoosh index plus manifest.json (what was indexed, from where)
    write.lock       held (flock) by the one build that may write

A build writes a new generation beside the current one (starting from a copy of it when only some
files changed) and switches CURRENT only once the generation is complete and on disk. A build that
dies at any point leaves CURRENT, and so every reader, on the previous generation; the next build
clears its leftovers. Unchanged files (same size and modification time, or else same SHA-256) are
not re-read or re-indexed.
"""
from __future__ import annotations

import errno
import fcntl
import hashlib
import json
import multiprocessing
import multiprocessing.util
import os
import shutil
import signal
import sys
import threading
import time
import uuid
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterator

from whoosh import index as whoosh_index

from indexer.layout import (
    COMMON_WORDS_FILE,
    CURRENT_FILE,
    GENERATION_PREFIX,
    LOCK_FILE,
    MANIFEST_FILE,
    MANIFEST_FORMAT,
    SYNONYMS_FILE,
    SYNONYMS_FORWARD_FILE,
    check_index_files,
    current_generation,
    read_generation_manifest,
)
from indexer.documents import Document, DocumentError, LoadProblem, SourceFile, find_source_files, read_document
from indexer.passages import make_passages
from indexer.processes import die_with_parent
from indexer.schema import WORDS_FIELD, build_schema, file_words, passage_document
from indexer.structure import parse_structure
from indexer.synonyms import build_lexicon

# Whoosh's writer settings: a generous indexing buffer (fewer flushes to disk).
WRITER_OPTIONS = {"limitmb": 256}
# A full build of at least this much text also indexes in worker processes, one per core (at
# most PARALLEL_PROCS), each writing its own segment (Whoosh's `procs` and `multisegment`):
# this process reads and chunks the files while they index. On 100,000 passages and 2 cores that
# took a third off the build; below a megabyte, starting the workers costs more than it saves.
PARALLEL_FROM_BYTES = 1_000_000
PARALLEL_PROCS = 4
PARALLEL_BATCH = 100  # passages handed to a worker at a time (Whoosh's default)

ProgressCallback = Callable[[int, int, str], None]


class IndexBusyError(Exception):
    """Another build holds the write lock."""


@dataclass
class BuildReport:
    index_dir: Path
    generation: str
    files_total: int = 0
    files_indexed: int = 0  # new or changed, read and (re)indexed
    files_unchanged: int = 0  # skipped without re-reading
    files_removed: int = 0
    passages: int = 0
    problems: list[LoadProblem] = field(default_factory=list)
    seconds: float = 0.0
    full_rebuild: bool = False
    workers: int = 0  # worker processes that indexed beside this one (0: this process alone)


def build_index(
    folder: Path,
    index_dir: Path,
    *,
    rebuild: bool = False,
    progress: ProgressCallback | None = None,
    lock_timeout: float = 10.0,
    select: Callable[[str], bool] | None = None,
    parallel: bool = True,
) -> BuildReport:
    """Index every supported file in `folder` into `index_dir`; return what was done.
    `select` keeps only the files whose display path it accepts (one shard of a sharded index:
    search/cluster/); `parallel=False` indexes in this process alone.

    :raise FileNotFoundError: `folder` is not a folder.
    :raise IndexBusyError: another build held the lock for `lock_timeout` seconds.
    """
    folder = Path(folder).resolve()
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder} is not a folder")
    index_dir = Path(index_dir)
    index_dir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    with write_lock(index_dir, lock_timeout):
        previous = current_generation(index_dir)
        previous_manifest = _intact_manifest(index_dir / previous) if previous else None
        if previous_manifest is not None and (
            previous_manifest.get("root") != str(folder) or previous_manifest.get("indexer") != indexer_fingerprint()
        ):
            previous_manifest = None  # another folder, or passages cut by other code: nothing carries over
        report = _build_generation(folder, index_dir, previous, None if rebuild else previous_manifest, progress,
                                   select, parallel)
        _switch_current(index_dir, report.generation)
        _remove_old_generations(index_dir, keep={report.generation, previous})
    report.seconds = time.perf_counter() - started
    return report


@contextmanager
def write_lock(index_dir: Path, timeout: float) -> Iterator[None]:
    """Hold the index's write lock, waiting up to `timeout` seconds for another build."""
    path = Path(index_dir) / LOCK_FILE
    with open(path, "a+", encoding="utf-8") as handle:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as error:
                if error.errno not in (errno.EAGAIN, errno.EACCES) or time.monotonic() >= deadline:
                    handle.seek(0)
                    holder = handle.read().strip() or "unknown"
                    raise IndexBusyError(
                        f"another `liner index` is writing {index_dir} (pid {holder}); "
                        f"waited {timeout:g} s. Try again when it has finished."
                    ) from None
                time.sleep(0.1)
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        try:
            yield
        finally:
            handle.seek(0)
            handle.truncate()
            fcntl.flock(handle, fcntl.LOCK_UN)


# -- one generation ---------------------------------------------------------------------------


def _build_generation(
    folder: Path,
    index_dir: Path,
    previous: str | None,
    previous_manifest: dict | None,
    progress: ProgressCallback | None,
    select: Callable[[str], bool] | None = None,
    parallel: bool = True,
) -> BuildReport:
    problems: list[LoadProblem] = []
    sources = find_source_files(folder, problems)
    if select is not None:
        sources = [source for source in sources if select(source.display_path)]
        problems[:] = [problem for problem in problems if select(problem.path)]
    known = (previous_manifest or {}).get("files", {})
    generation = f"{GENERATION_PREFIX}{time.strftime('%Y%m%d%H%M%S')}-{uuid.uuid4().hex[:8]}"
    target = index_dir / generation
    # Every file considered, those refused while listing (links out, loops, pipes) included, so
    # that files_total - len(problems) is the number of files in the index.
    report = BuildReport(index_dir, generation, files_total=len(sources) + len(problems), problems=problems)
    report.full_rebuild = previous_manifest is None

    if report.full_rebuild:
        target.mkdir()
        index = whoosh_index.create_in(str(target), build_schema())
    else:
        shutil.copytree(index_dir / previous, target)
        (target / MANIFEST_FILE).unlink(missing_ok=True)
        index = whoosh_index.open_dir(str(target))

    files: dict[str, dict] = {}
    options = _writer_options(report.full_rebuild and parallel, sum(source.size for source in sources))
    report.workers = options.get("procs", 0)
    writer = index.writer(**options)
    held = _ctrl_c_held if report.workers else nullcontext
    try:
        for number, source in enumerate(sources, 1):
            if progress:
                progress(number, len(sources), source.display_path)
            entry = known.get(source.display_path)
            if entry and entry["size"] == source.size and entry["mtime_ns"] == source.mtime_ns:
                files[source.display_path] = entry  # unchanged: not even re-read
                report.files_unchanged += 1
                continue
            document = _read_or_report(source, problems)
            if document is None:
                if entry:
                    writer.delete_by_term("path", source.display_path)
                continue
            if entry and entry["sha256"] == document.content_hash:
                files[source.display_path] = {**entry, "size": source.size, "mtime_ns": source.mtime_ns}
                report.files_unchanged += 1
                continue
            if entry:
                writer.delete_by_term("path", source.display_path)
            passages = make_passages(parse_structure(document))
            with held():
                for number_in_file, passage in enumerate(passages):
                    writer.add_document(**passage_document(passage, file_words(passages) if number_in_file == 0 else None))
            files[source.display_path] = {
                "relative_path": source.relative_path,
                "size": source.size,
                "mtime_ns": source.mtime_ns,
                "sha256": document.content_hash,
                "passages": len(passages),
            }
            report.files_indexed += 1
        for path in set(known) - set(files):
            writer.delete_by_term("path", path)
            report.files_removed += 1
        with held():
            writer.commit()
    except BaseException:
        _cancel(writer)
        raise
    finally:
        index.close()

    report.passages = sum(entry["passages"] for entry in files.values())
    _write_synonyms(target, None if report.full_rebuild else index_dir / previous)
    index_files = _fsync_index_files(target)
    manifest = {
        "format": MANIFEST_FORMAT,
        "indexer": indexer_fingerprint(),
        "root": str(folder),
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "files": files,
        "passages": report.passages,
        "problems": [{"path": problem.path, "reason": problem.reason} for problem in problems],
        "index_files": index_files,
    }
    _write_durably(target / MANIFEST_FILE, json.dumps(manifest, indent=1, sort_keys=True))
    _fsync_folder(target)
    return report


def _writer_options(full_rebuild: bool, total_bytes: int) -> dict:
    procs = min(PARALLEL_PROCS, os.cpu_count() or 1)
    # Only where workers can be tied to the build's life (Linux, forked): _workers_die_with_the_build.
    tied = sys.platform == "linux" and multiprocessing.get_start_method() == "fork"
    if full_rebuild and total_bytes >= PARALLEL_FROM_BYTES and procs > 1 and tied:
        _workers_die_with_the_build()
        return {**WRITER_OPTIONS, "procs": procs, "batchsize": PARALLEL_BATCH, "multisegment": True}
    return dict(WRITER_OPTIONS)  # an update deletes a file's passages: one writer sees them all


class _AfterFork:
    """multiprocessing keeps its after-fork callbacks by weak reference to an object: this one."""


_AFTER_FORK = _AfterFork()


@lru_cache(maxsize=1)
def _workers_die_with_the_build() -> None:
    """Have Linux kill every worker process the build forks when the build process dies, and
    leave Ctrl-C to the build (which stops its workers: _cancel).
    Whoosh's workers wait on a job queue whose pipe they hold open themselves: a build killed
    with SIGKILL would leave them waiting for ever, holding the write lock they inherited, and
    every later build would find the index busy."""
    def in_worker(_: object) -> None:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the build's to handle (it stops them)
        parent = multiprocessing.parent_process()
        if parent is not None:
            die_with_parent(parent.pid)

    multiprocessing.util.register_after_fork(_AFTER_FORK, in_worker)


@contextmanager
def _ctrl_c_held() -> Iterator[None]:
    """Hold Ctrl-C (SIGINT) until the block is over. A parallel writer hands batches to its
    workers through a multiprocessing queue; a KeyboardInterrupt raised inside the queue's put
    leaves the queue's lock held, and Python then hangs at exit, waiting for the queue's thread.
    Held, the Ctrl-C arrives as soon as the block ends, between two files."""
    if threading.current_thread() is not threading.main_thread():
        yield  # only the main thread gets SIGINT
        return
    before = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, before)


def _cancel(writer) -> None:
    """Drop what the writer has written. Whoosh's parallel writer only marks its workers as
    cancelled in this process; they would go on with their work (and fail on the files the
    cancel deletes) or wait for more, and this process would wait for them at exit: they are
    stopped first. A writer already committed (Ctrl-C held through the commit arrives just
    after it) has nothing to drop: its generation is never switched to."""
    for worker in getattr(writer, "tasks", ()):
        if worker.pid is not None:  # started
            worker.terminate()
            worker.join()
    if not writer.is_closed:
        writer.cancel()


def _write_synonyms(target: Path, previous: Path | None) -> None:
    """The synonym table of this generation's vocabulary (indexer/synonyms.py), reusing the
    previous generation's work for words it already had."""
    index = whoosh_index.open_dir(str(target))
    try:
        with index.reader() as reader:
            vocabulary = list(reader.field_terms(WORDS_FIELD))
    finally:
        index.close()
    write_lexicon(target, vocabulary, previous)


def write_lexicon(target: Path, vocabulary: list[str], previous: Path | None) -> None:
    """The synonym table and common words of `vocabulary` (in lexicon order) into `target`,
    reusing what the folder `previous` (a generation before it) knew; also for the whole
    vocabulary of a sharded index (search/cluster/build.py)."""
    known = {}
    if previous is not None:
        try:
            known = json.loads((previous / SYNONYMS_FORWARD_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            known = {}
    lexicon = build_lexicon(vocabulary, known)
    _write_durably(target / SYNONYMS_FORWARD_FILE, json.dumps(lexicon.forward, separators=(",", ":")))
    _write_durably(target / SYNONYMS_FILE, json.dumps(lexicon.synonyms, separators=(",", ":")))
    _write_durably(target / COMMON_WORDS_FILE, json.dumps(lexicon.common_words, separators=(",", ":")))


@lru_cache(maxsize=1)
def indexer_fingerprint() -> str:
    """A hash of the indexer's own code: passages cut by an older version are not reused."""
    digest = hashlib.sha256()
    for source in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(source.read_bytes())
    return digest.hexdigest()[:16]


def _read_or_report(source: SourceFile, problems: list[LoadProblem]) -> Document | None:
    try:
        return read_document(source)
    except DocumentError as error:
        problems.append(LoadProblem(source.display_path, str(error)))
        return None


# -- switching and cleaning up ----------------------------------------------------------------


def _switch_current(index_dir: Path, generation: str) -> None:
    _write_durably(index_dir / (CURRENT_FILE + ".tmp"), generation)
    os.replace(index_dir / (CURRENT_FILE + ".tmp"), index_dir / CURRENT_FILE)
    _fsync_folder(index_dir)


def _remove_old_generations(index_dir: Path, keep: set[str | None]) -> None:
    """Drop generations no reader will open again: all but the new one and the one before it
    (a server may still be answering from that one for a moment) and leftovers of dead builds."""
    for path in index_dir.iterdir():
        if path.is_dir() and path.name.startswith(GENERATION_PREFIX) and path.name not in keep:
            shutil.rmtree(path, ignore_errors=True)


def _intact_manifest(generation_dir: Path) -> dict | None:
    """The manifest of a generation an incremental build may start from; None (so: a full build)
    when it is missing or the generation's files are damaged."""
    manifest = read_generation_manifest(generation_dir)
    if manifest is None:
        return None
    try:
        check_index_files(generation_dir, manifest)
        with whoosh_index.open_dir(str(generation_dir)).searcher() as probe:
            probe.doc_count()
    except Exception:  # whatever Whoosh raises on a damaged index: start afresh
        return None
    return manifest


def _fsync_index_files(generation_dir: Path) -> dict[str, int]:
    """Flush the Whoosh files of a finished generation to disk (so that CURRENT never names a
    generation whose segments are still only in the page cache) and return their sizes."""
    sizes = {}
    for path in sorted(generation_dir.iterdir()):
        if path.name == MANIFEST_FILE or not path.is_file():
            continue
        with open(path, "rb") as handle:
            os.fsync(handle.fileno())
        sizes[path.name] = path.stat().st_size
    return sizes


def _write_durably(path: Path, text: str) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())


def _fsync_folder(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
