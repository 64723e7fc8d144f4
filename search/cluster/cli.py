"""The `--cluster` side of the `liner` commands (search/cli.py calls these): a sharded build, and
an Engine served by the cluster, with the CLI's one-line errors and exit codes."""
from __future__ import annotations

from pathlib import Path

import click

from search.exits import EXIT_BAD_QUERY, EXIT_INDEX_PROBLEM, LinerError

# Shards of a new sharded index when --shards is not given.
DEFAULT_SHARDS = 3


def index_on_cluster(folder: Path, index_dir: Path, cluster: str | None, shards: int | None, rebuild: bool,
                     wait: float, quiet: bool) -> None:
    """`liner index FOLDER --cluster ADDRESS [--shards N]`."""
    from indexer.build import IndexBusyError
    from search.cluster.build import ShardCountError
    from search.cluster.layout import read_shard_count
    from search.cluster.runtime import ClusterUnavailableError

    if not cluster:
        raise LinerError("--shards builds a sharded index on a cluster: add --cluster ADDRESS "
                         "(host:port of a Ray head; docs/cluster.md)", EXIT_BAD_QUERY)
    from search.cluster.client import build_on_cluster

    shards = shards or read_shard_count(index_dir) or DEFAULT_SHARDS
    try:
        report = build_on_cluster(cluster, folder, index_dir, shards, rebuild=rebuild, lock_timeout=wait)
    except ClusterUnavailableError as error:
        raise LinerError(str(error), EXIT_INDEX_PROBLEM) from None
    except ShardCountError as error:
        raise LinerError(str(error), EXIT_BAD_QUERY) from None
    except FileNotFoundError as error:  # the folder, as a node sees it
        raise LinerError(f"{error}: the folder and the index must be on storage every node mounts at the "
                         "same path (docs/cluster.md)", EXIT_BAD_QUERY) from None
    except IndexBusyError as error:
        raise LinerError(str(error), EXIT_INDEX_PROBLEM) from None
    for problem in report.problems:
        click.echo(f"skipped {problem.path}: {problem.reason}", err=True)
    if not quiet:
        built = ", ".join(str(shard + 1) for shard in report.shards_built) or "none"
        click.echo(
            f"Indexed {report.files_total - len(report.problems)} files into {index_dir} in {report.shards} shards "
            f"(rebuilt: {built}): {report.files_indexed} read, {report.files_unchanged} unchanged, "
            f"{report.files_removed} removed; {report.passages} passages in {report.seconds:.2f} s."
        )


def open_engine(cluster: str, index_dir: Path):
    """The Engine of `liner ask/search --cluster ADDRESS`."""
    from search.cluster.client import open_cluster_engine
    from search.cluster.runtime import ClusterUnavailableError
    from search.engine import IndexCorruptError, IndexMissingError

    try:
        return open_cluster_engine(cluster, index_dir)
    except (ClusterUnavailableError, IndexMissingError, IndexCorruptError) as error:
        raise LinerError(str(error), EXIT_INDEX_PROBLEM) from None
