"""`make bench-scale` / `python -m bench.scale`: Liner on the 1,000,000-passage corpus
(bench/large_corpus.py) beside stock Whoosh on the same passages, against the targets of a
million passages on one machine: the full build's time and memory, question and keyword
latency, re-indexing one changed file, the disk a rebuild leaves, and `liner ask` from cold.
Writes docs/benchmarks-scale.md.

    python -m bench.scale                  the 1,000,000-passage corpus
    python -m bench.scale --passages 200000   a smaller one (the same recipe), e.g. to try it out

Stock Whoosh indexes the passages Liner indexed, read back from Liner's index (chunking a million
passages again would take longer than either build); its build time therefore holds no reading
or chunking. Every step runs in a child process of its own, measured from outside.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from bench import report
from bench.build_child import LINER, BuildMeasure, build_in_child, folder_size
from bench.corpus import WORK_DIR, fresh_folder
from bench.large_corpus import make_large_corpus
from bench.latency import ColdStart, Latency, cold_start, time_queries_in_turn
from bench.peers import PEERS, Liner, passages_of_index
from bench.queries import QUERY_KINDS, query_sets
from bench.scale_report import render

ROOT = Path(__file__).resolve().parent.parent
REPORT_FILE = ROOT / "docs" / "benchmarks-scale.md"
STOCK = "stock Whoosh"
# Queries are made from every SAMPLE_EVERY-th passage (reading a million to make 200 queries
# would take longer than timing them).
SAMPLE_EVERY = 50


@dataclass
class ScaleResults:
    command: str
    machine: dict
    corpus: dict
    builds: dict[str, BuildMeasure] = field(default_factory=dict)
    latency: dict[str, dict[str, Latency]] = field(default_factory=dict)
    cold: ColdStart | None = None
    reindex: BuildMeasure | None = None
    rebuild: BuildMeasure | None = None
    generation_mb: float | None = None  # one generation of Liner's index
    disk_after_rebuild_mb: float | None = None  # the whole index folder after the rebuild
    seconds: float = 0.0
    load_after: tuple | None = None
    notes: list[str] = field(default_factory=list)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.scale", description=__doc__.split("\n\n")[0])
    parser.add_argument("--passages", type=int, default=1_000_000, help="corpus size (default 1,000,000)")
    parser.add_argument("--queries", type=int, default=200, help="timed queries per kind")
    parser.add_argument("--output", type=Path, default=REPORT_FILE)
    parser.add_argument("--no-write", action="store_true", help="print the report only")
    arguments = parser.parse_args(argv)
    os.chdir(ROOT)
    started = time.monotonic()
    given = sys.argv[1:] if argv is None else argv
    command = "make bench-scale" if os.environ.get("MAKELEVEL") and not given else " ".join(["python -m bench.scale", *given])
    results = ScaleResults(command.strip(), report.machine_info(), {})
    _say(f"bench-scale: making the corpus of {arguments.passages:,} passages")
    corpus = make_large_corpus(arguments.passages)
    results.corpus = {"folder": str(corpus.folder.relative_to(ROOT)), "files": corpus.files,
                      "editions": corpus.editions, "bytes": folder_size(corpus.folder)}
    indexes = WORK_DIR / "index" / f"large-{arguments.passages}"
    liner_dir, stock_dir = fresh_folder(indexes / "liner"), fresh_folder(indexes / "stock-whoosh")

    _say("bench-scale: building Liner")
    results.builds[LINER] = build_in_child(LINER, corpus.folder, liner_dir, timeout_s=3600)
    _say("bench-scale: building stock Whoosh (from Liner's passages)")
    results.builds[STOCK] = build_in_child(STOCK, corpus.folder, stock_dir, timeout_s=3600, from_index=liner_dir)
    results.generation_mb = folder_size(_generation(liner_dir)) / 1e6

    _say("bench-scale: latency")
    results.latency = _latency(liner_dir, stock_dir, arguments.queries)
    _say("bench-scale: `liner ask` from cold")
    question = query_sets(list(passages_of_index(liner_dir, every=SAMPLE_EVERY * 10)), 1, 0)["question"][0][0]
    results.cold = cold_start(liner_dir, question, 7)
    _say("bench-scale: re-index after changing one file")
    results.reindex = _reindex_one_file(corpus.folder, liner_dir)
    _say("bench-scale: rebuild")
    results.rebuild = build_in_child(LINER, corpus.folder, liner_dir, timeout_s=3600, rebuild=True)
    results.disk_after_rebuild_mb = folder_size(liner_dir) / 1e6
    results.generation_mb = folder_size(_generation(liner_dir)) / 1e6

    results.seconds = time.monotonic() - started
    results.load_after = os.getloadavg()
    text = render(results)
    print(text)
    if not arguments.no_write:
        arguments.output.write_text(text, encoding="utf-8")
        (WORK_DIR / "last-scale-run.json").write_text(json.dumps(asdict(results), default=str, indent=1),
                                                       encoding="utf-8")
        _say(f"bench-scale: wrote {arguments.output}")
    return 0


def _latency(liner_dir: Path, stock_dir: Path, count: int) -> dict[str, dict[str, Latency]]:
    """Per kind, Liner and stock Whoosh taking turns on each query (bench/latency.py)."""
    sample = list(passages_of_index(liner_dir, every=SAMPLE_EVERY))
    sets = query_sets(sample, count, 20)
    liner = Liner().open(liner_dir)
    stock = PEERS[STOCK].open(stock_dir, None)
    out: dict[str, dict[str, Latency]] = {LINER: {}, STOCK: {}}
    for kind in QUERY_KINDS:
        timed, warm = sets[kind]
        runs = {LINER: lambda query, k=kind: liner.response(query, k), STOCK: lambda query, k=kind: stock.texts(query, k)}
        for engine, latency in time_queries_in_turn(runs, timed, warm).items():
            out[engine][kind] = latency
    stock.close()
    return out


def _reindex_one_file(folder: Path, index_dir: Path) -> BuildMeasure:
    """Change one file in the middle of the corpus, build again (an update), put it back."""
    files = sorted(path for path in folder.rglob("*.txt"))
    changed = files[len(files) // 2]
    original = changed.read_text(encoding="utf-8")
    try:
        changed.write_text(original + "\nOne more paragraph, added by the benchmark to time a re-index.\n",
                           encoding="utf-8")
        return build_in_child(LINER, folder, index_dir, incremental=True, timeout_s=600)
    finally:
        changed.write_text(original, encoding="utf-8")


def _generation(index_dir: Path) -> Path:
    from indexer.layout import current_generation

    return index_dir / current_generation(index_dir)


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


if __name__ == "__main__":
    sys.exit(main())
