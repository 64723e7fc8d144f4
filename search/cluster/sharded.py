"""A sharded index as the query side sees it: the global generation CURRENT names, followed to
each new one, with the merged term statistics, the vocabulary, synonyms and common words of every
shard, and a runner that fans each query out to the shards that generation pins.

`ShardedIndex` offers what search/engine.py reads of search/index.py's OpenIndex (view, manifest,
generation, document), so `Engine(index=ShardedIndex(...))` runs the whole pipeline (expansion,
re-ranking, answers, conflicts, rendering) once, on the coordinator, as on one index.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Callable

from indexer.layout import current_generation
from search.cluster.layout import read_global, term_statistics_file
from search.cluster.stats import GlobalTermStats, TermStatistics, read_statistics
from search.index import GenerationFiles, IndexCorruptError, IndexMissingError, IndexView, OpenIndex
from search.retrieval import QueryRunner
from search.typos import Vocabulary


@dataclass(frozen=True)
class GlobalGeneration:
    """One global generation: the shard generations it pins and the whole index's statistics."""

    name: str
    folder: Path
    shard_generations: list[str]
    manifest: dict
    stats: TermStatistics


# Makes the runner of a generation: a fan-out through Ray (serving.py) or in-process (fanout.py).
RunnerFactory = Callable[[GlobalGeneration], QueryRunner]


class GlobalFiles(GenerationFiles):
    """The synonym table and common words the build made of every shard's words, and the
    vocabulary for typos from the merged statistics (no Whoosh index to read it from)."""

    def __init__(self, folder: Path, counts: GlobalTermStats) -> None:
        super().__init__(folder, None)
        self._counts = counts

    @cached_property
    def vocabulary(self) -> Vocabulary:
        return self._counts.vocabulary()


class ShardedIndex(OpenIndex):
    """The global generation CURRENT names, opened once and followed to each new one (OpenIndex's
    following of CURRENT, manifest, generation and document, over a global generation)."""

    def __init__(self, index_dir: Path | str, runner_for: RunnerFactory) -> None:
        self._runner_for = runner_for
        super().__init__(index_dir)

    def view(self) -> IndexView:
        """The merged statistics and the fan-out of the current global generation. Nothing in it
        is per thread: the runner keeps no Whoosh objects, and the statistics are read-only."""
        self._refresh()
        with self._lock:
            return self._view

    def _open_current(self) -> None:
        name = current_generation(self.index_dir)
        if name is None:
            raise IndexMissingError(f"no sharded index at {self.index_dir}: build one with "
                                    "`liner index FOLDER --cluster ADDRESS --shards N`")
        meta = read_global(self.index_dir, name)
        try:
            if meta is None:
                raise ValueError("global.json is missing or unreadable")
            stats = read_statistics(term_statistics_file(self.index_dir / name))
        except (OSError, ValueError, KeyError) as error:
            raise IndexCorruptError(f"the sharded index at {self.index_dir} cannot be read ({error}); "
                                    "rebuild it with `liner index --rebuild FOLDER --cluster ADDRESS`") from error
        current = GlobalGeneration(name, self.index_dir / name, meta["shard_generations"], meta["manifest"], stats)
        counts = GlobalTermStats(stats)
        self._view = IndexView(name, None, counts, GlobalFiles(current.folder, counts), self._runner_for(current),
                               manifest=current.manifest)
        self._manifest, self._generation = current.manifest, name
        self._stamp = self._current_stamp()
