"""Passages -> index: atomic, incremental builds with one writer at a time.

Layout of an index folder:

    CURRENT          name of the generation readers open (replaced atomically)
    gen-<id>/        a complete Whoosh index plus manifest.json (what was indexed, from where)
    write.lock       held (flock) by the one build that may write

A build writes a new generation beside the current one (starting from a copy of it when only some
files changed) and switches CURRENT only once the generation is complete, checked and on disk. A
build that fails removes its generation and raises BuildError (one line: what went wrong, what to
do); one that dies at any point leaves CURRENT, and so every reader, on the previous generation,
and the next build clears its leftovers. Unchanged files (same size and modification time, or
else same SHA-256) are not re-read or re-indexed.
"""
from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
import time
import uuid
from contextlib import nullcontext
from functools import lru_cache
from pathlib import Path
from typing import Callable

from whoosh import index as whoosh_index
from whoosh.filedb.filestore import FileStorage

from indexer.documents import LoadProblem, SourceFile, find_source_files, path_text
from indexer.generations import (  # noqa: F401 - write_lock and IndexBusyError are part of this module's API
    IndexBusyError,
    fsync_folder,
    fsync_index_files,
    remove_old_generations,
    switch_current,
    write_durably,
    write_lock,
)
from indexer.layout import (
    COMMON_WORDS_FILE,
    CURRENT_FILE,
    FILES_FILE,
    GENERATION_PREFIX,
    MANIFEST_FILE,
    MANIFEST_FORMAT,
    SYNONYMS_FILE,
    SYNONYMS_FORWARD_FILE,
    VOCABULARY_FILE,
    check_index_files,
    current_generation,
    display_prefix,
    read_generation_manifest,
    read_vocabulary,
    write_vocabulary,
)
from indexer.indexing import ProgressCallback, index_all, link_or_copy, open_generation, update  # noqa: F401 - ProgressCallback: API
from indexer.ingest import timed
from indexer.merge import segment_terms, write_toc
from indexer.parallel import WorkerFailedError
from indexer.reports import BuildReport, PhaseCallback
from indexer.schema import WORDS_FIELD
from indexer.synonyms import build_lexicon


class BuildError(Exception):
    """The build failed and changed nothing: the previous index is still current. The message
    says what went wrong and what to do, in one line."""


def build_index(
    folder: Path,
    index_dir: Path,
    *,
    rebuild: bool = False,
    progress: ProgressCallback | None = None,
    lock_timeout: float = 10.0,
    select: Callable[[str], bool] | None = None,
    parallel: bool = True,
    on_phase: PhaseCallback | None = None,
) -> BuildReport:
    """Index every supported file in `folder` into `index_dir`; return what was done.
    `select` keeps only the files whose display path it accepts (one shard of a sharded index:
    search/cluster/); `parallel=False` indexes in this process alone; `progress` is told of each
    file as it is read, `on_phase` of each later phase (merging, checking, ...) as it starts.

    :raise FileNotFoundError: `folder` is not a folder.
    :raise IndexBusyError: another build held the lock for `lock_timeout` seconds.
    :raise BuildError: the index could not be written (disk full, no permission, a worker process
        failed, ...); nothing was changed.
    """
    folder = Path(folder).resolve()
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder} is not a folder")
    index_dir = Path(index_dir)
    try:
        index_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise BuildError(f"cannot create the index folder {path_text(str(index_dir))}: {_os_reason(error)}. "
                         "Give another with --index DIR.") from None
    started = time.perf_counter()
    try:
        with write_lock(index_dir, lock_timeout):
            report = _build_and_switch(folder, index_dir, rebuild, progress, select, parallel, on_phase)
    except OSError as error:
        raise BuildError(f"cannot write the index at {path_text(str(index_dir))}: {_os_reason(error)}. "
                         f"The previous index is unchanged{_what_to_do(error)}.") from None
    except WorkerFailedError as error:
        raise BuildError(f"{error}; the previous index is unchanged. Run `liner index` again; "
                         "should it fail the same way, run it with --rebuild.") from None
    report.seconds = time.perf_counter() - started
    return report


def _build_and_switch(folder: Path, index_dir: Path, rebuild: bool, progress: ProgressCallback | None,
                      select: Callable[[str], bool] | None, parallel: bool, on_phase: PhaseCallback | None) -> BuildReport:
    """Build a new generation and make it current; on any failure, remove it (the current one
    stays) and raise."""
    previous = current_generation(index_dir)
    previous_manifest = _intact_manifest(index_dir / previous) if previous else None
    if previous_manifest is not None and (
        previous_manifest.get("root") != str(folder) or previous_manifest.get("indexer") != indexer_fingerprint()
    ):
        previous_manifest = None  # another folder, or passages cut by other code: nothing carries over
    generation = f"{GENERATION_PREFIX}{time.strftime('%Y%m%d%H%M%S')}-{uuid.uuid4().hex[:8]}"
    try:
        report = _build_generation(folder, index_dir, generation, previous, None if rebuild else previous_manifest,
                                   progress, select, parallel, on_phase)
        with report.phase("switching to the new index"):
            switch_current(index_dir, generation)
        report.announce = None  # the report outlives the build (it may be pickled: search/cluster/)
    except BaseException:
        _discard(index_dir, generation)
        raise
    remove_old_generations(index_dir, current=generation, previous=previous)
    return report


def _discard(index_dir: Path, generation: str) -> None:
    """Remove what a failed build wrote, unless CURRENT already names it (a failure after the
    switch: readers may be on it)."""
    (index_dir / (CURRENT_FILE + ".tmp")).unlink(missing_ok=True)
    try:
        switched = current_generation(index_dir) == generation
    except OSError:
        switched = False
    if not switched:
        shutil.rmtree(index_dir / generation, ignore_errors=True)


def _os_reason(error: OSError) -> str:
    reason = error.strerror or str(error)
    if isinstance(error.filename, (str, bytes)) and error.filename:
        return f"{reason} ({path_text(os.fsdecode(error.filename))})"
    return reason


def _what_to_do(error: OSError) -> str:
    if error.errno in (errno.ENOSPC, errno.EDQUOT):
        return "; free some space, then run `liner index` again"
    if error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return "; give the index a folder you can write to, with --index DIR"
    return ""


# -- one generation ---------------------------------------------------------------------------


def _build_generation(
    folder: Path,
    index_dir: Path,
    generation: str,
    previous: str | None,
    previous_manifest: dict | None,
    progress: ProgressCallback | None,
    select: Callable[[str], bool] | None = None,
    parallel: bool = True,
    on_phase: PhaseCallback | None = None,
) -> BuildReport:
    problems: list[LoadProblem] = []
    hidden: list[str] = []
    phases: dict[str, float] = {}
    with timed(phases, "listing files"):
        sources = _sources(folder, index_dir, problems, hidden, select)
    target = index_dir / generation
    # Every file considered, those refused while listing (links out, loops, pipes) included, so
    # that files_total - len(problems) is the number of files in the index.
    report = BuildReport(index_dir, generation, files_total=len(sources) + len(problems), problems=problems,
                         hidden=hidden, phases=phases, announce=on_phase)
    report.full_rebuild = previous_manifest is None
    storage, schema, segments = open_generation(target, None if report.full_rebuild else index_dir / previous)
    held = nullcontext
    added = None  # the segments an update only added to the previous ones (None: it merged some)
    if report.full_rebuild:
        files, segments = index_all(sources, storage, schema, report, progress, parallel)
    else:
        kept = {segment.segment_id() for segment in segments}
        files, segments = update(sources, storage, schema, segments, previous_manifest.get("files", {}), report,
                                 progress, held)
        if kept <= {segment.segment_id() for segment in segments}:
            added = [segment for segment in segments if segment.segment_id() not in kept]
    with held():
        write_toc(storage, schema, segments)

    report.passages = sum(entry["passages"] for entry in files.values())
    with report.phase("checking"):
        _check_passages(target, report.passages)
    with report.phase("synonyms and vocabulary"):
        _write_synonyms(target, None if report.full_rebuild else index_dir / previous, added)
    with report.phase("writing the manifest to disk"):
        _write_manifest(target, folder, files, report)
    return report


def _sources(folder: Path, index_dir: Path, problems: list[LoadProblem], hidden: list[str],
             select: Callable[[str], bool] | None) -> list[SourceFile]:
    """The files to index: every document of the folder (those `select` accepts), not the index
    itself when it is kept inside the folder (its CURRENT file is text)."""
    sources = find_source_files(folder, problems, hidden)
    index_root = index_dir.resolve()
    if index_root.is_relative_to(folder) or folder.is_relative_to(index_root):  # else no file can be in it
        sources = [source for source in sources if not source.absolute.resolve().is_relative_to(index_root)]
    if select is not None:
        sources = [source for source in sources if select(source.display_path)]
        problems[:] = [problem for problem in problems if select(problem.path)]
    return sources


def _write_manifest(target: Path, folder: Path, files: dict[str, dict], report: BuildReport) -> None:
    """What was indexed, from where, and every index file's size; the generation is then whole.
    The files' table goes beside it (FILES_FILE), read only by what needs it (a build, the
    document view): a query reads the manifest, which stays small however many files there are."""
    write_durably(target / FILES_FILE, json.dumps(files, separators=(",", ":"), sort_keys=True))
    manifest = {
        "format": MANIFEST_FORMAT,
        "indexer": indexer_fingerprint(),
        "root": str(folder),
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "file_count": len(files),
        "display_prefix": display_prefix(files),
        "passages": report.passages,
        "problems": [{"path": problem.path, "reason": problem.reason} for problem in report.problems],
        "hidden": report.hidden,
        "notices": [{"path": notice.path, "reason": notice.reason} for notice in report.notices],
        "index_files": fsync_index_files(target),
    }
    write_durably(target / MANIFEST_FILE, json.dumps(manifest, indent=1, sort_keys=True))
    fsync_folder(target)


def _check_passages(generation_dir: Path, expected: int) -> None:
    """The committed generation holds every passage the manifest will list, and no other.

    :raise BuildError: it does not (the generation is then never switched to).
    """
    index = whoosh_index.open_dir(str(generation_dir))
    try:
        with index.reader() as reader:
            held = reader.doc_count()
    finally:
        index.close()
    if held != expected:
        raise BuildError(f"the new index holds {held:,} passages where the files gave {expected:,}; "
                         "the previous index is unchanged. Run `liner index --rebuild` to start afresh.")


def _write_synonyms(target: Path, previous: Path | None, added: list | None = None) -> None:
    """The synonym table of this generation's vocabulary (indexer/synonyms.py), reusing the
    previous generation's work for words it already had.

    When an update only added segments (`added`) to the previous generation's, merging none, its
    vocabulary is the previous one and the added segments' words (a segment keeps its terms when
    its passages are deleted, until a merge rewrites it): the whole index is not read, and should
    they bring no new word, the previous generation's files are linked as they are."""
    known_words = read_vocabulary(previous / VOCABULARY_FILE) if previous and added is not None else None
    if known_words is None:
        vocabulary = _index_vocabulary(target)
    else:
        storage = FileStorage(str(target))
        new_words = {word for segment in added for word in segment_terms(storage, segment, WORDS_FIELD)}
        new_words.difference_update(known_words)
        if not new_words and _linked_from(previous, target, LEXICON_FILES):
            return
        # Sorted as the lexicon lists them: by UTF-8 bytes, which is by code point.
        vocabulary = sorted(new_words.union(known_words))
    write_lexicon(target, vocabulary, previous)


def _index_vocabulary(target: Path) -> list[str]:
    index = whoosh_index.open_dir(str(target))
    try:
        with index.reader() as reader:
            return list(reader.field_terms(WORDS_FIELD))
    finally:
        index.close()


def _linked_from(previous: Path, target: Path, names: tuple[str, ...]) -> bool:
    """Whether the files `names` of `previous` are now in `target` too (hard-linked); False,
    with none of them left in `target`, when `previous` lacks one."""
    try:
        for name in names:
            link_or_copy(previous / name, target / name)
    except FileNotFoundError:
        for name in names:
            (target / name).unlink(missing_ok=True)
        return False
    return True


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
    write_vocabulary(target / VOCABULARY_FILE, vocabulary)
    lexicon = build_lexicon(vocabulary, known)
    write_durably(target / SYNONYMS_FORWARD_FILE, json.dumps(lexicon.forward, separators=(",", ":")))
    write_durably(target / SYNONYMS_FILE, json.dumps(lexicon.synonyms, separators=(",", ":")))
    write_durably(target / COMMON_WORDS_FILE, json.dumps(lexicon.common_words, separators=(",", ":")))


# The files write_lexicon writes into a generation.
LEXICON_FILES = (VOCABULARY_FILE, SYNONYMS_FORWARD_FILE, SYNONYMS_FILE, COMMON_WORDS_FILE)


@lru_cache(maxsize=1)
def indexer_fingerprint() -> str:
    """A hash of the indexer's own code: passages cut by an older version are not reused."""
    digest = hashlib.sha256()
    for source in sorted(Path(__file__).parent.rglob("*.py")):  # indexer/formats/ too
        digest.update(source.read_bytes())
    return digest.hexdigest()[:16]


# -- the generation a build may start from ----------------------------------------------------


def _intact_manifest(generation_dir: Path) -> dict | None:
    """The manifest of a generation an incremental build may start from; None (so: a full build)
    when it is missing or the generation's files are damaged."""
    manifest = read_generation_manifest(generation_dir)
    if manifest is None:
        return None
    try:
        check_index_files(generation_dir, manifest)
        manifest["files"]  # noqa: B018 - read now: a damaged table of files means a full build
        with whoosh_index.open_dir(str(generation_dir)).searcher() as probe:
            held = probe.doc_count()
    except Exception:  # whatever Whoosh raises on a damaged index: start afresh
        return None
    # An index that lost passages (as builds before the worker checks could) is not built upon.
    return manifest if held == manifest.get("passages") else None
