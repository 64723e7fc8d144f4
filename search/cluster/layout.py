"""The folders of a sharded index, on storage every node mounts at the same path:

    cluster.json     how many shards (fixed when the index is first built)
    shard-000/ ...   one ordinary Liner index each (CURRENT, gen-*/, write.lock: indexer/build.py),
                     of the files whose path hashes to it, and beside each generation its term
                     statistics (gen-*.stats.json: stats.py; outside the generation, which the
                     next incremental build of the shard starts from a copy of)
    CURRENT          the global generation readers open (replaced atomically)
    global-<id>/     global.json (the shard generations it pins, the merged manifest), the merged
                     term statistics, and the synonym table and common words of the whole vocabulary
    write.lock       held by the one sharded build that may write

A query reads the shard generations its global generation pins, so a shard that a build has moved
on is never read with statistics of another moment.
"""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from indexer.layout import CURRENT_FILE, current_generation

CLUSTER_FILE = "cluster.json"
GLOBAL_FILE = "global.json"
TERM_STATS_FILE = "term-stats.json"
SHARD_STATS_SUFFIX = ".stats.json"
GLOBAL_PREFIX = "global-"
LAYOUT_FORMAT = 1
# Replicas of each shard a cluster serves, unless cluster.json says otherwise: two survive the
# loss of any one node.
DEFAULT_REPLICAS = 2


def shard_of(path: str, shards: int) -> int:
    """The shard of a file, by a hash of its cited path that is the same on every machine and
    every run (Python's own hash() is salted per process)."""
    digest = hashlib.sha256(path.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % shards


def shard_dir(index_dir: Path, shard: int) -> Path:
    return Path(index_dir) / f"shard-{shard:03d}"


def shard_statistics_file(shard_folder: Path, generation: str) -> Path:
    return Path(shard_folder) / f"{generation}{SHARD_STATS_SUFFIX}"


def term_statistics_file(global_folder: Path) -> Path:
    return Path(global_folder) / TERM_STATS_FILE


def is_sharded(index_dir: Path) -> bool:
    return (Path(index_dir) / CLUSTER_FILE).is_file()


def read_shard_count(index_dir: Path) -> int | None:
    """The number of shards of the sharded index at `index_dir`; None when there is none."""
    try:
        settings = json.loads((Path(index_dir) / CLUSTER_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    shards = settings.get("shards") if isinstance(settings, dict) else None
    return shards if isinstance(shards, int) and shards > 0 else None


def read_replica_count(index_dir: Path) -> int:
    """Replicas per shard: cluster.json's "replicas" (edit it to serve more), or DEFAULT_REPLICAS."""
    try:
        replicas = json.loads((Path(index_dir) / CLUSTER_FILE).read_text(encoding="utf-8")).get("replicas")
    except (OSError, ValueError, AttributeError):
        replicas = None
    return replicas if isinstance(replicas, int) and replicas > 0 else DEFAULT_REPLICAS


def write_shard_count(index_dir: Path, shards: int) -> None:
    settings = {"format": LAYOUT_FORMAT, "shards": shards, "replicas": read_replica_count(index_dir)}
    write_atomically(Path(index_dir) / CLUSTER_FILE, json.dumps(settings))


def read_global(index_dir: Path, generation: str | None = None) -> dict | None:
    """global.json of the current global generation (or of `generation`); None when missing."""
    generation = generation or current_generation(index_dir)
    if not generation:
        return None
    try:
        data = json.loads((Path(index_dir) / generation / GLOBAL_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("format") == LAYOUT_FORMAT else None


def write_atomically(path: Path, text: str) -> None:
    """Write a file so that readers see the old one or the whole new one, never a part."""
    temporary = path.with_name(path.name + ".tmp")
    with open(temporary, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


def switch_current(index_dir: Path, generation: str) -> None:
    write_atomically(Path(index_dir) / CURRENT_FILE, generation)
