"""The cluster's measured run (docs/cluster.md): on a local 3-node Ray cluster (3 shards,
2 replicas each), every question of every evaluation set answered by the sharded index and by one
index over the same files, compared; then build time and query latency at 100,000 passages.

    python -m bench.cluster                 # everything (about 15 minutes on 2 cores)
    python -m bench.cluster --skip-scale    # only the identity of answers and rankings

Needs the cluster extra (pip install -e '.[cluster]'). Writes its figures as JSON to
bench/.work/cluster.json and prints them.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

from search.cluster.runtime import start_local_cluster, stop_local_cluster

ROOT = Path(__file__).resolve().parent.parent
SHARDS = 3
NODES = 3
SCALE_PASSAGES = 100_000
LATENCY_QUERIES = 150  # per kind, timed; plus bench.latency's warm-up


def evaluation_sets() -> list[tuple[str, Path, Path]]:
    sets = [("seeds", ROOT / "seeds", ROOT / "eval" / "qa_seeds.jsonl"),
            ("notes", ROOT / "tests" / "data" / "notes", ROOT / "tests" / "data" / "notes_qa.jsonl")]
    for qa in sorted((ROOT / "eval" / "qa").glob("*.jsonl")):
        sets.append((qa.stem, ROOT / "eval" / "corpora" / qa.stem, qa))
    return sets


def comparable(response) -> dict:
    """A response as JSON, less what may differ between two runs of one index: the time taken,
    and Whoosh's estimate of how many passages match."""
    data = response.to_dict()
    data.pop("took_ms", None)
    data.pop("total", None)
    return data


def compare_set(cluster, name: str, folder: Path, qa: Path, work: Path) -> dict:
    from indexer.build import build_index
    from search.cluster.client import build_on_cluster, open_cluster_engine
    from search.cluster.layout import read_replica_count
    from search.cluster.serving import stop_replicas
    from search.engine import Engine

    build_index(folder, work / f"{name}-single")
    build_on_cluster(cluster.address, folder, work / f"{name}-sharded", SHARDS)
    single, sharded = Engine(work / f"{name}-single"), open_cluster_engine(cluster.address, work / f"{name}-sharded")
    questions = [json.loads(line)["question"] for line in qa.read_text(encoding="utf-8").splitlines() if line.strip()]
    differ = {"ask": [], "search": []}
    for question in questions:
        for method in differ:
            if comparable(getattr(single, method)(question)) != comparable(getattr(sharded, method)(question)):
                differ[method].append(question)
    stop_replicas(work / f"{name}-sharded", SHARDS, read_replica_count(work / f"{name}-sharded"))
    return {"set": name, "questions": len(questions), "ask_differ": len(differ["ask"]),
            "search_differ": len(differ["search"]), "examples": (differ["ask"] + differ["search"])[:3]}


def scale_run(cluster, work: Path) -> dict:
    from bench.corpus import make_corpus
    from bench.latency import time_queries_in_turn
    from bench.queries import query_sets
    from indexer.build import build_index
    from search.cluster.client import build_on_cluster, open_cluster_engine
    from search.engine import Engine

    corpus = make_corpus(SCALE_PASSAGES)
    started = time.perf_counter()
    single_report = build_index(corpus.folder, work / "scale-single")
    single_s = time.perf_counter() - started
    sharded_report = build_on_cluster(cluster.address, corpus.folder, work / "scale-sharded", SHARDS)
    (corpus.folder / sorted(p.name for p in corpus.folder.iterdir())[0]).touch()  # one changed file
    incremental = build_on_cluster(cluster.address, corpus.folder, work / "scale-sharded", SHARDS)
    single, sharded = Engine(work / "scale-single"), open_cluster_engine(cluster.address, work / "scale-sharded")
    latency = {}
    for kind, (timed, warmup) in query_sets(corpus.passages, LATENCY_QUERIES).items():
        method = "ask" if kind == "question" else "search"
        runs = {"single": getattr(single, method), "cluster": getattr(sharded, method)}
        latency[kind] = {engine: vars(figures) for engine, figures in time_queries_in_turn(runs, timed, warmup).items()}
    return {"passages": len(corpus.passages), "files": corpus.files,
            "single_build_s": round(single_s, 2), "single_workers": single_report.workers,
            "sharded_build_s": round(sharded_report.seconds, 2), "shards": SHARDS, "nodes": NODES,
            "incremental_one_file_s": round(incremental.seconds, 2), "incremental_shards_built": incremental.shards_built,
            "latency_ms": latency}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-scale", action="store_true")
    arguments = parser.parse_args()
    figures: dict = {"sets": []}
    work = Path(tempfile.mkdtemp(prefix="liner-cluster-bench-"))
    cluster = start_local_cluster(NODES)
    try:
        for name, folder, qa in evaluation_sets():
            result = compare_set(cluster, name, folder, qa, work)
            figures["sets"].append(result)
            print(json.dumps(result), flush=True)
        if not arguments.skip_scale:
            figures["scale"] = scale_run(cluster, work)
            print(json.dumps(figures["scale"], indent=1), flush=True)
    finally:
        stop_local_cluster(cluster)
    out = ROOT / "bench" / ".work" / "cluster.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(figures, indent=1), encoding="utf-8")
    return 0 if all(not s["ask_differ"] and not s["search_differ"] for s in figures["sets"]) else 1


if __name__ == "__main__":
    sys.exit(main())
