"""`make bench` / `python -m bench.run`: Liner against stock Whoosh, SQLite FTS5 and tantivy over the
same passages, on the seeds and on a scale corpus made from Python's own documentation.

Measures quality on eval/qa_seeds.jsonl, build time, index size and build memory, warm query
latency, `liner ask` cold-process time, serving throughput and latency of GET /api/ask and the
server's memory; prints every figure beside the peers' and as a ratio, checks the targets, and
writes the same report to docs/benchmarks.md.

    python -m bench.run            seeds + the 100,000-passage corpus (+ 10,000 if time is left)
    python -m bench.run --quick    seeds + the 10,000-passage corpus, fewer runs

The whole run keeps to a time budget (10 minutes on a 2-core machine): a step that would not fit
is reported as not measured, never left running.
"""
from __future__ import annotations

import argparse
import json
import os
import pickle
import shutil
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from bench import report
from bench.build_child import LINER, BuildMeasure, build_in_child
from bench.corpus import WORK_DIR, fresh_folder, make_corpus, read_passages
from bench.latency import ColdStart, Latency, cold_start, time_queries_in_turn
from bench.peers import PEERS, Liner
from bench.quality import Quality, score
from bench.queries import QUERY_KINDS, load_qa, make_queries, query_sets
from bench.serving import CONCURRENCY, WARMUP_REQUESTS, Serving, measure_serving

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
QA_FILE = ROOT / "eval" / "qa_seeds.jsonl"
REPORT_FILE = ROOT / "docs" / "benchmarks.md"
ENGINES = (LINER, *PEERS)


@dataclass(frozen=True)
class Settings:
    quick: bool
    sizes: tuple[int, ...]
    seed_queries: int  # per kind, on the seeds
    scale_queries: int  # per kind, on a scale corpus
    cold_runs: int
    requests_per_level: int
    level_time_limit_s: float
    budget_s: float
    warmup_queries: int = 20  # per kind, untimed, before the timed ones

    @classmethod
    def make(cls, quick: bool, budget_s: float | None) -> "Settings":
        if quick:
            return cls(True, (10_000,), 100, 100, 5, 300, 5.0, budget_s or 300.0)
        return cls(False, (100_000, 10_000), 240, 200, 15, 1000, 10.0, budget_s or 570.0)


@dataclass
class Section:
    """One corpus: its size, every engine's build, latency per query kind, and what was skipped."""

    name: str
    target: int | None
    passages: int
    distinct_passages: int
    files: int
    words: int
    builds: dict[str, BuildMeasure] = field(default_factory=dict)
    latency: dict[str, dict[str, Latency]] = field(default_factory=dict)
    reindex: BuildMeasure | None = None
    latency_after_reindex: dict[str, Latency] = field(default_factory=dict)  # Liner, by query kind
    liner_build_at_least_s: float | None = None  # when the budget stopped Liner's build
    cold: ColdStart | None = None  # `liner ask` in a new process on this corpus's index
    index_parts_mb: dict[str, float] = field(default_factory=dict)  # Liner's index on disk, by part
    notes: list[str] = field(default_factory=list)


@dataclass
class Results:
    command: str
    settings: Settings
    machine: dict
    seeds: Section | None = None
    quality: dict[str, Quality] = field(default_factory=dict)
    cold: ColdStart | None = None
    serving: Serving | None = None
    scale: list[Section] = field(default_factory=list)
    seconds: float = 0.0
    load_after: tuple[float, float, float] | None = None


class Budget:
    def __init__(self, seconds: float) -> None:
        self.deadline = time.monotonic() + seconds

    def left(self) -> float:
        return self.deadline - time.monotonic()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="seeds and the 10,000-passage corpus only, fewer runs")
    parser.add_argument("--budget", type=float, default=None, help="seconds the whole run may take")
    parser.add_argument("--output", type=Path, default=REPORT_FILE, help="Markdown report (default docs/benchmarks.md)")
    parser.add_argument("--no-write", action="store_true", help="print the report only")
    arguments = parser.parse_args(argv)
    os.chdir(ROOT)  # cited paths are relative to the working folder, as a user runs Liner
    started = time.monotonic()
    settings = Settings.make(arguments.quick, arguments.budget)
    budget = Budget(settings.budget_s)
    given = sys.argv[1:] if argv is None else argv
    command = "make bench" if os.environ.get("MAKELEVEL") and not given else " ".join(["python -m bench.run", *given])
    results = Results(command.strip(), settings, report.machine_info())
    _say(f"bench: {results.machine['cpu']} x{results.machine['cores']}, budget {settings.budget_s:.0f} s")

    run_seeds(results, settings, budget)
    for size in settings.sizes:
        results.scale.append(run_scale(size, settings, budget))

    results.seconds = time.monotonic() - started
    results.load_after = os.getloadavg()
    text = report.render(results)
    print(text)
    if not arguments.no_write:
        arguments.output.parent.mkdir(parents=True, exist_ok=True)
        arguments.output.write_text(text, encoding="utf-8")
        (WORK_DIR / "last-run.json").write_text(json.dumps(asdict(results), default=str, indent=1), encoding="utf-8")
        _say(f"bench: wrote {arguments.output.relative_to(ROOT) if arguments.output.is_relative_to(ROOT) else arguments.output}")
    return 0


# -- the seeds ------------------------------------------------------------------------------------------


def run_seeds(results: Results, settings: Settings, budget: Budget) -> None:
    passages = read_passages(SEEDS)
    section = Section("seeds", None, len(passages), len(passages), _count_files(SEEDS),
                      sum(len(p.text.split()) for p in passages))
    results.seeds = section
    indexes = WORK_DIR / "index" / "seeds"
    _say(f"seeds: {len(passages)} passages; building")
    for engine in ENGINES:
        section.builds[engine] = build_in_child(engine, SEEDS, fresh_folder(indexes / _slug(engine)))

    searchers = _open_all(indexes, passages)
    qa = load_qa(QA_FILE)
    liner = searchers[LINER]

    def liner_run(item):
        response = liner.response(item.question, "question")
        return [hit.text for hit in response.results], response.answer.text if response.answer else None

    results.quality[LINER] = score(qa, liner_run, answers_too=True)
    for engine in PEERS:
        results.quality[engine] = score(qa, lambda item, s=searchers[engine]: (s.texts(item.question, "question"), None))

    _say("seeds: latency")
    lead = {kind: [item.question for item in qa if item.query_kind == kind] for kind in QUERY_KINDS}
    section.latency = _latencies(searchers, query_sets(passages, settings.seed_queries, settings.warmup_queries, lead))
    for searcher in searchers.values():
        searcher.close()

    _say("seeds: `liner ask` cold start")
    results.cold = cold_start(indexes / _slug(LINER), qa[1].question, settings.cold_runs)
    _say("seeds: serving")
    # Distinct questions throughout (the QA set's first), so a response cache cannot make the figure.
    wanted = settings.requests_per_level * len(CONCURRENCY) + WARMUP_REQUESTS
    questions = make_queries(passages, "question", wanted, [item.question for item in qa if item.query_kind == "question"])
    results.serving = measure_serving(indexes / _slug(LINER), questions, settings.requests_per_level,
                                      settings.level_time_limit_s)


# -- a scale corpus -------------------------------------------------------------------------------------

# Seconds kept back for what follows a scale corpus's builds: re-index, opening, latency.
RESERVE_AFTER_BUILD_S = 75.0
# A scale corpus is not started with less time than this left.
MIN_SCALE_S = 150.0
# Queries per kind timed again on Liner's index after the re-index.
AFTER_REINDEX_QUERIES = 50
# Seconds the cold start on a scale corpus needs: 15 new `liner ask` processes of about 0.3 s at
# 100,000 passages (docs/benchmarks-scale.md: 0.29 s at a million), and as many `python -c pass`.
MIN_COLD_S = 20.0
# Seconds kept at the end of the budget for writing the report.
REPORT_RESERVE_S = 5.0


def run_scale(size: int, settings: Settings, budget: Budget, work_dir: Path = WORK_DIR,
              notes: list[tuple[str, str]] | None = None) -> Section:
    """Make the corpus of `size` passages (from `notes`, by default all of Python's docs) and measure
    every engine on it."""
    name = f"{size:,} passages"
    if budget.left() < MIN_SCALE_S:
        section = Section(name, size, 0, 0, 0, 0)
        section.notes.append(f"not measured: the time budget ({settings.budget_s:.0f} s) ran out before this corpus")
        return section
    _say(f"{name}: making the corpus")
    corpus = make_corpus(size, work_dir, notes)
    section = Section(name, size, len(corpus.passages), corpus.distinct_passages, corpus.files, corpus.words)
    indexes = work_dir / "index" / f"corpus-{size}"
    # The peers index the passages chunked once here (the chunking time counts in each build).
    passages_file = work_dir / f"passages-{size}.pickle"
    with open(passages_file, "wb") as handle:
        pickle.dump(corpus.passages, handle, protocol=pickle.HIGHEST_PROTOCOL)
    for engine in PEERS:
        _say(f"{name}: building {engine}")
        section.builds[engine] = build_in_child(engine, corpus.folder, fresh_folder(indexes / _slug(engine)),
                                                passages_file=passages_file, chunk_seconds=corpus.chunk_seconds)
    passages_file.unlink()
    liner_dir = fresh_folder(indexes / _slug(LINER))
    timeout = max(budget.left() - RESERVE_AFTER_BUILD_S, 5.0)
    _say(f"{name}: building Liner (time left for it: {timeout:.0f} s)")
    try:
        section.builds[LINER] = build_in_child(LINER, corpus.folder, liner_dir, timeout_s=timeout)
    except TimeoutError:
        section.liner_build_at_least_s = timeout
        section.notes.append(f"Liner's full build was stopped after {timeout:.0f} s, all the time the budget left it: "
                             "its build time is at least that; re-index and Liner's latency not measured")
        shutil.rmtree(liner_dir, ignore_errors=True)
        return _peer_latency_only(section, corpus, indexes, settings, budget)
    section.index_parts_mb = index_parts_mb(liner_dir)
    if section.builds[LINER].passages != len(corpus.passages):
        section.notes.append(f"Liner indexed {section.builds[LINER].passages:,} passages, the peers "
                             f"{len(corpus.passages):,}: the chunker changed between runs?")

    # Re-index a copy, so the latency below is measured on the index as built (one segment), like
    # the peers'; then query the copy again: users query their index in that state after an edit.
    reindexed_dir = liner_dir.with_name(liner_dir.name + "-reindexed")
    fresh_folder(reindexed_dir)
    shutil.copytree(liner_dir, reindexed_dir)
    _say(f"{name}: re-index after changing one file")
    section.reindex = _reindex_one_file(corpus.folder, reindexed_dir, budget)
    if section.reindex is None:
        section.notes.append("re-index not measured: no time left in the budget")

    _say(f"{name}: latency")
    sets = query_sets(corpus.passages, settings.scale_queries, settings.warmup_queries)
    searchers = _open_all(indexes, corpus.passages)
    after_share = 0.25 if section.reindex is not None else 0.0
    section.latency = _latencies(searchers, sets, _deadline(budget, 1.0 - after_share))
    for searcher in searchers.values():
        searcher.close()
    if budget.left() > MIN_COLD_S:
        _say(f"{name}: `liner ask` cold start")
        section.cold = cold_start(liner_dir, sets["question"][0][0], settings.cold_runs)
    if section.reindex is not None and budget.left() > 10:
        _say(f"{name}: Liner latency after the re-index")
        liner = Liner().open(reindexed_dir)
        after = {kind: (timed[:AFTER_REINDEX_QUERIES], warm) for kind, (timed, warm) in sets.items() if kind != "phrase"}
        section.latency_after_reindex = _latencies({LINER: liner}, after, _deadline(budget, 1.0))[LINER]
    _counted_notes(section, settings)
    return section


# What each file of a generation holds, by its ending (indexer/codec.py); the rest is the
# generation's tables (files, vocabulary, synonyms, common words, manifest).
INDEX_PARTS = ((".sto", "stored fields"), (".pst", "postings"), (".trm", "term table"),
               ("_len.col", "field lengths"), (".sig", "near-duplicate signatures"))


def index_parts_mb(index_dir: Path) -> dict[str, float]:
    """Where the bytes of Liner's index go: MB per part of INDEX_PARTS, and the rest."""
    parts: dict[str, float] = {}
    for path in index_dir.rglob("*"):
        if path.is_file():
            part = next((name for ending, name in INDEX_PARTS if path.name.endswith(ending)), "tables and the rest")
            parts[part] = parts.get(part, 0.0) + path.stat().st_size / 1e6
    return dict(sorted(parts.items(), key=lambda item: -item[1]))


def _deadline(budget: Budget, share: float) -> float:
    """A monotonic deadline `share` of the way to the budget's end, less a few seconds for the report."""
    return time.monotonic() + max(budget.left() - REPORT_RESERVE_S, 0.0) * share


def _counted_notes(section: Section, settings: Settings) -> None:
    short = sorted({f"{engine} {kind}: {latency.queries}" for engine, kinds in section.latency.items()
                    for kind, latency in kinds.items() if latency.queries < settings.scale_queries})
    if short:
        section.notes.append("the time budget cut some latency samples short (queries timed): " + "; ".join(short))


def _peer_latency_only(section: Section, corpus, indexes: Path, settings: Settings, budget: Budget) -> Section:
    if budget.left() < 20:
        return section
    searchers = {engine: PEERS[engine].open(indexes / _slug(engine), corpus.passages) for engine in PEERS}
    section.latency = _latencies(searchers, query_sets(corpus.passages, settings.scale_queries, settings.warmup_queries),
                                 _deadline(budget, 1.0))
    return section


def _reindex_one_file(folder: Path, index_dir: Path, budget: Budget) -> BuildMeasure | None:
    """Change one file in the middle of the corpus, build again (incrementally), put it back."""
    if budget.left() < 20:
        return None
    files = sorted(folder.iterdir())
    changed = files[len(files) // 2]
    original = changed.read_text(encoding="utf-8")
    try:
        changed.write_text(original + "\nOne more paragraph, added by the benchmark to time a re-index.\n",
                           encoding="utf-8")
        return build_in_child(LINER, folder, index_dir, incremental=True, timeout_s=max(budget.left() - 10, 5.0))
    except TimeoutError:
        return None
    finally:
        changed.write_text(original, encoding="utf-8")


# -- shared ----------------------------------------------------------------------------------------------


def _open_all(indexes: Path, passages) -> dict:
    searchers = {LINER: Liner().open(indexes / _slug(LINER))}
    for engine, peer in PEERS.items():
        searchers[engine] = peer.open(indexes / _slug(engine), passages)
    return searchers


def _latencies(searchers: dict, sets: dict[str, tuple[list[str], list[str]]],
               deadline: float | None = None) -> dict[str, dict[str, Latency]]:
    """Per engine and query kind; Liner answers questions with ask(), the rest with search().
    The engines take turns on each query (bench/latency.py). With a `deadline`, each kind gets an
    equal share of the time still left when it starts."""
    out: dict[str, dict[str, Latency]] = {engine: {} for engine in searchers}
    kinds_left = len(sets)
    for kind, (timed, warm) in sets.items():
        runs = {engine: (lambda q, run=(searcher.response if engine == LINER else searcher.texts), k=kind: run(q, k))
                for engine, searcher in searchers.items()}
        share = None if deadline is None else time.monotonic() + max(deadline - time.monotonic(), 0) / kinds_left
        for engine, latency in time_queries_in_turn(runs, timed, warm, share).items():
            out[engine][kind] = latency
        kinds_left -= 1
    return out


def _slug(engine: str) -> str:
    return engine.lower().replace(" ", "-")


def _count_files(folder: Path) -> int:
    return sum(1 for path in folder.rglob("*") if path.is_file() and not path.name.startswith("."))


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


if __name__ == "__main__":
    sys.exit(main())
