"""The sharded build: files to shards by a stable hash of their path, the shards whose files
changed built in parallel (each an ordinary atomic, incremental Liner build of its own files:
indexer/build.py), then their statistics merged into a new global generation, switched to
atomically, as one build switches CURRENT.

How the shard builds run is the caller's: Ray tasks on the cluster's nodes (serving.py), or one
after another in this process (`run_here`, for tests). A shard build runs with the working
folder of the command that started it, so that cited paths are the same as one index would cite.
"""
from __future__ import annotations

import json
import os
import shutil
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from indexer.build import BuildReport, build_index, indexer_fingerprint, write_lexicon, write_lock
from indexer.documents import LoadProblem, find_source_files
from indexer.layout import current_generation, read_manifest
from indexer.schema import WORDS_FIELD
from search.cluster.layout import (GLOBAL_FILE, GLOBAL_PREFIX, LAYOUT_FORMAT, SHARD_STATS_SUFFIX, read_global,
                                   read_shard_count, shard_dir, shard_of, shard_statistics_file, switch_current,
                                   term_statistics_file, write_atomically, write_shard_count)
from search.cluster.stats import TermStatistics, merge, read_shard_statistics, read_statistics, write_statistics


class ShardCountError(ValueError):
    """The index was built with another number of shards."""


@dataclass(frozen=True)
class ShardJob:
    """One shard to (re)build: everything a node needs, as plain values."""

    folder: str
    index_dir: str
    shard: int
    shards: int
    cwd: str  # cited paths are relative to it, as in one index built from there
    rebuild: bool
    lock_timeout: float


@dataclass
class ShardedBuildReport:
    index_dir: Path
    generation: str
    shards: int
    shards_built: list[int] = field(default_factory=list)
    files_total: int = 0
    files_indexed: int = 0
    files_unchanged: int = 0
    files_removed: int = 0
    passages: int = 0
    problems: list[LoadProblem] = field(default_factory=list)
    seconds: float = 0.0


ShardRunner = Callable[[list[ShardJob]], list[BuildReport]]


def build_shard(job: ShardJob) -> BuildReport:
    """Build one shard (on whichever node runs it) and record its term statistics."""
    previous = os.getcwd()
    os.chdir(job.cwd)
    try:
        report = build_index(Path(job.folder), shard_dir(Path(job.index_dir), job.shard), rebuild=job.rebuild,
                             lock_timeout=job.lock_timeout, parallel=False,
                             select=lambda path: shard_of(path, job.shards) == job.shard)
    finally:
        os.chdir(previous)
    folder = report.index_dir
    write_statistics(shard_statistics_file(folder, report.generation), read_shard_statistics(folder / report.generation))
    for stale in folder.glob(f"*{SHARD_STATS_SUFFIX}"):  # of generations the build removed
        if not (folder / stale.name[: -len(SHARD_STATS_SUFFIX)]).is_dir():
            stale.unlink(missing_ok=True)
    return report


def run_here(jobs: list[ShardJob]) -> list[BuildReport]:
    return [build_shard(job) for job in jobs]


def build_sharded(folder: Path, index_dir: Path, shards: int, run: ShardRunner, *, rebuild: bool = False,
                  lock_timeout: float = 10.0) -> ShardedBuildReport:
    """Index `folder` into `shards` shards at `index_dir`; only changed shards are rebuilt.

    :raise FileNotFoundError: `folder` is not a folder.
    :raise ShardCountError: the index has another number of shards and `rebuild` is off.
    :raise IndexBusyError: another build held the lock for `lock_timeout` seconds.
    """
    folder, index_dir = Path(folder).resolve(), Path(index_dir)
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder} is not a folder")
    index_dir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    with write_lock(index_dir, lock_timeout):
        existing = read_shard_count(index_dir)
        if existing not in (None, shards):
            if not rebuild:
                raise ShardCountError(f"{index_dir} has {existing} shards, not {shards}: "
                                      f"add --rebuild to cut it into {shards}")
            _remove_shards(index_dir)
        write_shard_count(index_dir, shards)
        todo = range(shards) if rebuild else changed_shards(folder, index_dir, shards)
        jobs = [ShardJob(str(folder), str(index_dir.resolve()), shard, shards, os.getcwd(), rebuild, lock_timeout)
                for shard in todo]
        built = run(jobs)
        report = _merge_generation(index_dir, shards)
    report.shards_built = [job.shard for job in jobs]
    for shard_report in built:
        report.files_indexed += shard_report.files_indexed
        report.files_removed += shard_report.files_removed
        report.problems.extend(shard_report.problems)
    report.files_unchanged = len(report_files(index_dir, report.generation)) - report.files_indexed
    report.files_total = report.files_unchanged + report.files_indexed + len(report.problems)
    report.seconds = time.perf_counter() - started
    return report


def changed_shards(folder: Path, index_dir: Path, shards: int) -> list[int]:
    """The shards whose files were added, removed or changed (size or modification time) since
    their current generation, or that have none yet."""
    found: list[dict[str, tuple[int, int]]] = [{} for _ in range(shards)]
    for source in find_source_files(folder):
        found[shard_of(source.display_path, shards)][source.display_path] = (source.size, source.mtime_ns)
    changed = []
    for shard in range(shards):
        try:
            manifest = read_manifest(shard_dir(index_dir, shard))
        except ValueError:  # damaged: build it again
            manifest = None
        if manifest is None or manifest.get("root") != str(folder) or manifest.get("indexer") != indexer_fingerprint():
            changed.append(shard)
            continue
        indexed = {path: (entry["size"], entry["mtime_ns"]) for path, entry in manifest.get("files", {}).items()}
        if indexed != found[shard]:
            changed.append(shard)
    return changed


def report_files(index_dir: Path, generation: str) -> dict:
    meta = read_global(index_dir, generation) or {}
    return meta.get("manifest", {}).get("files", {})


# -- the merge --------------------------------------------------------------------------------------


def _merge_generation(index_dir: Path, shards: int) -> ShardedBuildReport:
    """A new global generation over every shard's current generation, switched to."""
    previous = current_generation(index_dir)
    generations, manifests, statistics = [], [], []
    for shard in range(shards):
        folder = shard_dir(index_dir, shard)
        generation = current_generation(folder)
        generations.append(generation)
        manifests.append(read_manifest(folder, generation) or {})
        statistics.append(_shard_statistics(folder, generation))
    stats = merge(statistics)
    name = f"{GLOBAL_PREFIX}{time.strftime('%Y%m%d%H%M%S')}-{uuid.uuid4().hex[:8]}"
    target = index_dir / name
    target.mkdir()
    write_statistics(term_statistics_file(target), stats)
    # The same words in the same order as one index's lexicon give the same table.
    write_lexicon(target, sorted(stats.frequency.get(WORDS_FIELD, {})), index_dir / previous if previous else None)
    manifest = _merged_manifest(manifests)
    global_meta = {"format": LAYOUT_FORMAT, "shards": shards, "shard_generations": generations, "manifest": manifest}
    write_atomically(target / GLOBAL_FILE, json.dumps(global_meta, indent=1, sort_keys=True))
    switch_current(index_dir, name)
    for path in index_dir.iterdir():  # keep the new generation and the one readers may still be on
        if path.is_dir() and path.name.startswith(GLOBAL_PREFIX) and path.name not in (name, previous):
            shutil.rmtree(path, ignore_errors=True)
    return ShardedBuildReport(index_dir, name, shards, passages=manifest["passages"])


def _shard_statistics(folder: Path, generation: str) -> TermStatistics:
    """A shard generation's statistics, as its build wrote them (or read again, if it did not)."""
    try:
        return read_statistics(shard_statistics_file(folder, generation))
    except (OSError, ValueError, KeyError):
        stats = read_shard_statistics(folder / generation)
        write_statistics(shard_statistics_file(folder, generation), stats)
        return stats


def _merged_manifest(manifests: list[dict]) -> dict:
    """What one index's manifest says, for all the shards: the files, passages and problems."""
    files, problems = {}, []
    for manifest in manifests:
        files.update(manifest.get("files", {}))
        problems.extend(manifest.get("problems", []))
    return {"root": next((m["root"] for m in manifests if m.get("root")), None),
            "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "files": dict(sorted(files.items())),
            "passages": sum(m.get("passages", 0) for m in manifests), "problems": problems}


def _remove_shards(index_dir: Path) -> None:
    for path in index_dir.iterdir():
        if path.is_dir() and (path.name.startswith("shard-") or path.name.startswith(GLOBAL_PREFIX)):
            shutil.rmtree(path, ignore_errors=True)
