"""One query on every shard, merged: what stands in for the searcher of a single index
(retrieval.QueryRunner) when the index is sharded.

Each shard returns its best `depth` passages, scored with the global statistics; the best `depth`
of all of them, in retrieval's order (best_first: score, then file and place), are the best
`depth` a single index over the same files returns. The total is the shards' counts summed.
A shard that gave nothing (no replica answered) is named in a notice: the results are partial.
"""
from __future__ import annotations

import time
from typing import Sequence

from search.cluster.scoring import query_statistics
from search.cluster.shards import ShardSearcher
from search.cluster.stats import TermStatistics
from search.retrieval import Ranked, best_first


def partial_notice(shard: int, shards: int, reason: str) -> str:
    return (f"shard {shard + 1} of {shards} did not answer ({reason}); "
            "results are partial: passages in its files are missing")


def merge_ranked(ranked: Sequence[Ranked | None], depth: int, reasons: dict[int, str] | None = None) -> Ranked:
    """The shards' results as one: the best `depth` passages, best first. `ranked[i]` is None for
    a shard that did not answer, for the reason `reasons[i]`."""
    reasons = reasons or {}
    passages, total, timed_out, notices = [], 0, False, []
    for shard, result in enumerate(ranked):
        if result is None:
            notices.append(partial_notice(shard, len(ranked), reasons.get(shard, "no replica is up")))
            continue
        passages.extend(result.passages)
        total += result.total
        timed_out = timed_out or result.timed_out
        notices.extend(notice for notice in result.notices if notice not in notices)
    passages.sort(key=best_first)
    return Ranked(passages[:depth], total, timed_out, notices)


class LocalFanOut:
    """The fan-out run in this process, one shard after another: the same ranking without a
    cluster (tests, and a sharded index read on one machine)."""

    def __init__(self, searchers: Sequence[ShardSearcher], generations: Sequence[str], stats: TermStatistics) -> None:
        self.searchers = list(searchers)
        self.generations = list(generations)
        self.stats = stats

    def __call__(self, query, depth: int, deadline: float) -> Ranked:
        statistics = query_statistics(self.stats, query)
        results = []
        for searcher, generation in zip(self.searchers, self.generations):
            budget = max(0.0, deadline - time.monotonic())
            results.append(searcher.search(generation, query, depth, budget, statistics))
        return merge_ranked(results, depth)
