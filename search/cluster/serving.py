"""The sharded index on Ray: shard builds as tasks, each shard served by R replica actors on
different nodes, and the fan-out that asks one replica of every shard per query.

Replicas are named, detached actors (one set per index folder), so every process that serves the
index (each `liner serve` worker, each `liner ask`) finds the same ones instead of starting its
own. Ray restarts a replica whose process or node dies (max_restarts=-1), on another node if its
own is gone (placement groups: replica_handles). Meanwhile a query asks another replica of that shard: one
whose call failed, or that has not answered within HEDGE_AFTER_S, is asked again elsewhere, and
a replica that failed is avoided for SUSPECT_S. A shard none of whose replicas answered before
the query's time budget ran out is named in the response's notices (results are partial).

Ray reads its settings when it is imported: this module is imported only after
runtime.connect (client.py does both).
"""
from __future__ import annotations

import hashlib
import itertools
import threading
import time
from pathlib import Path

import ray
from ray.exceptions import RayError, RayTaskError
from ray.util.placement_group import get_placement_group, placement_group, remove_placement_group
from ray.util.scheduling_strategies import PlacementGroupSchedulingStrategy

from search.cluster.build import ShardJob, build_shard
from search.cluster.fanout import merge_ranked
from search.cluster.layout import read_replica_count
from search.cluster.runtime import NAMESPACE, ClusterUnavailableError
from search.cluster.scoring import QueryStatistics, query_statistics
from search.cluster.sharded import GlobalGeneration, ShardedIndex
from search.cluster.shards import ShardSearcher
from search.engine import Engine
from search.retrieval import Ranked

# A replica that has not answered this long after it was asked is asked again on another one:
# a query on a shard of 100,000 passages takes about 10 ms (docs/cluster.md), so a second means a
# replica that is restarting or whose node is gone.
HEDGE_AFTER_S = 1.0
# A replica whose call failed is asked only when no other is left, for this long: about the time
# Ray takes to restart an actor on another node here.
SUSPECT_S = 10.0
# What a replica's placement reserves of its node's memory: a replica's process held 88 MB here
# serving a corpus of 3,000 passages (ps, resident set).
REPLICA_MEMORY_BYTES = 128 * 1024 * 1024
# Time allowed beyond the query's budget for the replies to come back.
REPLY_GRACE_S = 1.0
# How long opening the index waits for its replicas to start (each imports Liner and Whoosh:
# 2 to 5 s here when several start at once on 2 cores).
REPLICAS_START_S = 60.0


@ray.remote
class ShardReplica:
    """One replica of one shard: its searchers, in a worker process of some node."""

    def __init__(self, index_dir: str, shard: int) -> None:
        self._shard = ShardSearcher(index_dir, shard)

    def search(self, generation: str, query, depth: int, budget_s: float, statistics: QueryStatistics) -> Ranked:
        return self._shard.search(generation, query, depth, budget_s, statistics)

    def node(self) -> str:
        return ray.get_runtime_context().get_node_id()


def replica_handles(index_dir: Path, shards: int, replicas: int) -> list[list]:
    """The replicas of every shard, started where missing. A shard's replicas are the bundles of
    one placement group spread over different nodes (STRICT_SPREAD); when a node dies, Ray moves
    its bundles to another node and restarts the replicas there."""
    handles = []
    for shard in range(shards):
        group = _shard_group(index_dir, shard, replicas)
        handles.append([ShardReplica.options(
            name=replica_name(index_dir, shard, replica), namespace=NAMESPACE, get_if_exists=True,
            lifetime="detached", max_restarts=-1, max_task_retries=0, num_cpus=0,
            scheduling_strategy=PlacementGroupSchedulingStrategy(group, placement_group_bundle_index=replica),
        ).remote(str(Path(index_dir).resolve()), shard) for replica in range(replicas)])
    return handles


def _shard_group(index_dir: Path, shard: int, replicas: int):
    """The placement group of a shard's replicas: found by name, or made (on fewer live nodes
    than replicas, spread as far as they go)."""
    name = replica_name(index_dir, shard, None)
    try:
        return get_placement_group(name)
    except ValueError:  # none yet
        live = sum(1 for node in ray.nodes() if node["Alive"])
        return placement_group([{"memory": REPLICA_MEMORY_BYTES}] * replicas, name=name, lifetime="detached",
                               strategy="STRICT_SPREAD" if live >= replicas else "SPREAD")


def replica_name(index_dir: Path, shard: int, replica: int | None) -> str:
    """The actor name of a replica (its placement group's with None): the same from every
    process that serves the same folder."""
    folder = hashlib.sha256(str(Path(index_dir).resolve()).encode("utf-8")).hexdigest()[:12]
    return f"liner-{folder}-shard{shard}" + ("" if replica is None else f"-replica{replica}")


def stop_replicas(index_dir: Path, shards: int, replicas: int) -> int:
    """Stop the replicas that serve `index_dir` (they are detached: they outlive the processes
    that started them); how many were running."""
    stopped = 0
    for shard in range(shards):
        for replica in range(replicas):
            try:
                ray.kill(ray.get_actor(replica_name(index_dir, shard, replica), namespace=NAMESPACE))
                stopped += 1
            except ValueError:  # not running
                pass
        try:
            remove_placement_group(get_placement_group(replica_name(index_dir, shard, None)))
        except ValueError:
            pass
    return stopped


class ReplicaHealth:
    """Which replicas failed lately, and whose turn it is (queries spread over the replicas)."""

    def __init__(self) -> None:
        self._suspect_until: dict[tuple[int, int], float] = {}
        self._turn = itertools.count()
        self._lock = threading.Lock()

    def choose(self, shard: int, replicas: int, tried: set[int]) -> int | None:
        """The replica of `shard` to ask next, not one in `tried`; None when none is left."""
        with self._lock:
            start = next(self._turn)
            now = time.monotonic()
        order = [(start + step) % replicas for step in range(replicas)]
        left = [replica for replica in order if replica not in tried]
        healthy = [replica for replica in left if self._suspect_until.get((shard, replica), 0.0) <= now]
        return (healthy or left or [None])[0]

    def failed(self, shard: int, replica: int) -> None:
        self._suspect_until[(shard, replica)] = time.monotonic() + SUSPECT_S


class RayFanOut:
    """One query on one replica of every shard of a global generation (a retrieval.QueryRunner)."""

    def __init__(self, replicas: list[list], generation: GlobalGeneration, health: ReplicaHealth) -> None:
        self.replicas = replicas
        self.generation = generation
        self.health = health

    def __call__(self, query, depth: int, deadline: float) -> Ranked:
        statistics = query_statistics(self.generation.stats, query)
        shards = len(self.replicas)
        results: list[Ranked | None] = [None] * shards
        reasons: dict[int, str] = {}
        tried: list[set[int]] = [set() for _ in range(shards)]
        pending: dict = {}  # ObjectRef -> (shard, replica)

        def ask(shard: int) -> None:
            replica = self.health.choose(shard, len(self.replicas[shard]), tried[shard])
            if replica is not None:
                tried[shard].add(replica)
                budget = max(0.0, deadline - time.monotonic())
                call = self.replicas[shard][replica].search.remote(
                    self.generation.shard_generations[shard], query, depth, budget, statistics)
                pending[call] = (shard, replica)

        for shard in range(shards):
            ask(shard)
        while pending:
            left = deadline + REPLY_GRACE_S - time.monotonic()
            ready, _ = ray.wait(list(pending), num_returns=1, timeout=max(0.0, min(HEDGE_AFTER_S, left)))
            if not ready:
                if left <= HEDGE_AFTER_S:
                    break  # out of time: the shards still waited for are missing
                for shard in {shard for shard, _ in pending.values()}:
                    ask(shard)  # slow: another replica too, whichever answers first
                continue
            shard, replica = pending.pop(ready[0])
            if results[shard] is not None:
                continue
            try:
                results[shard] = ray.get(ready[0])
            except RayError as error:
                self.health.failed(shard, replica)
                reasons[shard] = f"{type(error).__name__} on replica {replica + 1}"
                if shard not in {waiting for waiting, _ in pending.values()}:
                    ask(shard)
            else:
                pending = {call: where for call, where in pending.items() if where[0] != shard}
        for shard, result in enumerate(results):
            if result is None:
                reasons.setdefault(shard, "no reply in time")
        return merge_ranked(results, depth, reasons)


def engine(index_dir: Path, shards: int) -> Engine:
    """An Engine over the sharded index at `index_dir`, on the cluster this process joined."""
    handles = replica_handles(index_dir, shards, read_replica_count(index_dir))
    # Started (or found) before the first query, whose time budget would go on starting them.
    ray.wait([replica.node.remote() for row in handles for replica in row],
             num_returns=shards * len(handles[0]), timeout=REPLICAS_START_S)
    health = ReplicaHealth()
    return Engine(index=ShardedIndex(index_dir, lambda generation: RayFanOut(handles, generation, health)))


# -- the build ----------------------------------------------------------------------------------


@ray.remote(num_cpus=1, max_retries=2, scheduling_strategy="SPREAD")
def _build_shard_task(job: ShardJob):
    return build_shard(job)


def run_on_cluster(jobs: list[ShardJob]) -> list:
    """Each shard build as a Ray task, spread over the nodes (retried if its node dies).

    :raise: what a shard build raised (IndexBusyError, FileNotFoundError: build_index), or
        ClusterUnavailableError when a build could not run.
    """
    try:
        return ray.get([_build_shard_task.remote(job) for job in jobs])
    except RayTaskError as error:
        raise error.as_instanceof_cause() from None
    except RayError as error:
        raise ClusterUnavailableError(f"a shard build could not run on the cluster ({type(error).__name__}); "
                                      "run the build again") from None
