"""One shard of a sharded index, as a replica serves it: the shard generation a global generation
pins, opened once, and a query run on it with the global statistics (scoring.py).

This is plain Python (no Ray): serving.py wraps it in a Ray actor, and the tests run it in-process.
"""
from __future__ import annotations

import time
from pathlib import Path

from whoosh import index as whoosh_index

from search.cluster.layout import shard_dir
from search.cluster.scoring import GlobalBM25F, QueryStatistics, with_global_coordination
from search.retrieval import Ranked, run_on_searcher

# Searchers kept open per shard: the global generation being served, and the one before it
# (queries that started before a build switched may still be running).
OPEN_GENERATIONS = 2


class ShardSearcher:
    """The searchers of one shard, by shard generation."""

    def __init__(self, index_dir: Path | str, shard: int) -> None:
        self.folder = shard_dir(Path(index_dir), shard)
        self.shard = shard
        self._open: dict[str, object] = {}  # shard generation -> whoosh Searcher

    def search(self, generation: str, query, depth: int, budget_s: float, statistics: QueryStatistics) -> Ranked:
        """The best `depth` passages of this shard for `query`, scored as one index over every
        shard would score them; `budget_s`: the seconds left of the query's time budget."""
        deadline = time.monotonic() + budget_s
        searcher = self._searcher(generation)
        searcher.weighting.statistics = statistics
        searcher._idf_cache.clear()  # idf is cached per searcher; a shard serves several global generations
        return run_on_searcher(searcher, with_global_coordination(query, statistics), depth, deadline)

    def _searcher(self, generation: str):
        searcher = self._open.pop(generation, None)
        if searcher is not None:
            self._open[generation] = searcher  # the most recently used goes last
        else:
            index = whoosh_index.open_dir(str(self.folder / generation))
            searcher = index.searcher(weighting=GlobalBM25F())
            self._open[generation] = searcher
            while len(self._open) > OPEN_GENERATIONS:
                oldest = next(iter(self._open))
                self._open.pop(oldest).close()
        return searcher

    def close(self) -> None:
        for searcher in self._open.values():
            searcher.close()
        self._open.clear()
