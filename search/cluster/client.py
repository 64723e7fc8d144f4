"""What the `--cluster` options call: join the cluster first (Ray reads its settings when it is
imported), then build or open the sharded index on it."""
from __future__ import annotations

from pathlib import Path

from search.cluster.build import ShardedBuildReport, build_sharded
from search.cluster.layout import read_shard_count
from search.cluster.runtime import connect
from search.engine import Engine
from search.index import IndexMissingError


def open_cluster_engine(address: str, index_dir: Path | str) -> Engine:
    """An Engine over the sharded index at `index_dir` (on storage the nodes share), served by
    the cluster at `address`.

    :raise ClusterUnavailableError: Ray is missing or the cluster does not answer.
    :raise IndexMissingError, IndexCorruptError: no sharded index there, or a damaged one.
    """
    index_dir = Path(index_dir)
    shards = read_shard_count(index_dir)
    if shards is None:
        raise IndexMissingError(f"no sharded index at {index_dir}: build one with "
                                "`liner index FOLDER --cluster ADDRESS --shards N`")
    connect(address)
    from search.cluster import serving

    return serving.engine(index_dir, shards)


def build_on_cluster(address: str, folder: Path, index_dir: Path, shards: int, *, rebuild: bool = False,
                     lock_timeout: float = 10.0) -> ShardedBuildReport:
    """Build (or update) the sharded index, each changed shard as a task on the cluster.

    :raise ClusterUnavailableError, FileNotFoundError, ShardCountError, IndexBusyError.
    """
    connect(address)
    from search.cluster import serving

    return build_sharded(folder, index_dir, shards, serving.run_on_cluster, rebuild=rebuild,
                         lock_timeout=lock_timeout)
