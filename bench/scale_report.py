"""The report of `make bench-scale` (bench/scale.py): targets first, then every figure."""
from __future__ import annotations

from bench.build_child import LINER
from bench.report import Target, cold_start_sentence, phase_table

STOCK = "stock Whoosh"
# The targets of a million passages on one machine (issue 16).
BUILD_MAX_S = 15 * 60
BUILD_MAX_RSS_MB = 2048
QUESTION_P95_MS = 150.0
KEYWORD_P50_MAX_RATIO = 1.5
REINDEX_MAX_S = 5.0
DISK_AFTER_REBUILD_MAX = 1.2  # times one generation


def targets(results) -> list[Target]:
    label = f"{results.builds[LINER].passages:,} passages" if LINER in results.builds else "1,000,000 passages"
    out = []
    build = results.builds.get(LINER)
    if build:
        rss = build.tree_peak_rss_mb or build.peak_rss_mb
        out.append(Target(f"{label}: full build <= {BUILD_MAX_S // 60} min with peak RSS <= {BUILD_MAX_RSS_MB:,} MB",
                          f"{build.seconds / 60:.1f} min, peak RSS {rss:,.0f} MB (all its processes together; "
                          f"upper bound {build.peak_rss_mb:,.0f} MB)",
                          build.seconds <= BUILD_MAX_S and rss <= BUILD_MAX_RSS_MB))
    question = results.latency.get(LINER, {}).get("question")
    out.append(_at_most(f"{label}: question latency p95", question and question.p95_ms, QUESTION_P95_MS, "ms"))
    liner, stock = (results.latency.get(engine, {}).get("keyword") for engine in (LINER, STOCK))
    if liner and stock:
        ratio = liner.p50_ms / stock.p50_ms
        out.append(Target(f"{label}: keyword latency p50 vs stock Whoosh <= {KEYWORD_P50_MAX_RATIO:g}x",
                          f"{liner.p50_ms:.2f} ms vs {stock.p50_ms:.2f} ms = {ratio:.2f}x", ratio <= KEYWORD_P50_MAX_RATIO))
    reindex = results.reindex
    out.append(_at_most(f"{label}: one changed file re-indexed", reindex and reindex.seconds, REINDEX_MAX_S, "s", 2))
    if results.disk_after_rebuild_mb and results.generation_mb:
        ratio = results.disk_after_rebuild_mb / results.generation_mb
        out.append(Target(f"{label}: index folder after a rebuild <= {DISK_AFTER_REBUILD_MAX:g}x one generation",
                          f"{results.disk_after_rebuild_mb:.1f} MB vs {results.generation_mb:.1f} MB = {ratio:.2f}x",
                          ratio <= DISK_AFTER_REBUILD_MAX))
    return out


def _at_most(name: str, value, limit: float, unit: str, digits: int = 1) -> Target:
    title = f"{name} <= {limit:g} {unit}"
    if value is None:
        return Target(title, "not measured", None)
    return Target(title, f"{value:.{digits}f} {unit}", value <= limit)


def render(results) -> str:
    machine, corpus = results.machine, results.corpus
    lines = [
        "# Benchmarks at a million passages",
        "",
        f"Written by `{results.command}` (bench/scale.py) on {machine['date']}, at commit {machine['commit']}; the "
        f"run took {results.seconds / 60:.0f} min on {machine['cores']} cores ({machine['cpu']}, "
        f"{machine['ram_gib']:.1f} GiB), load average {_load(machine['load_before'])} before and "
        f"{_load(results.load_after)} after. docs/benchmarks.md has the seeds and 100,000 passages.",
        "",
        f"The corpus (bench/large_corpus.py): {corpus.get('files', 0):,} files, {corpus.get('bytes', 0) / 1e6:.0f} MB, "
        f"in {corpus.get('editions', 0)} editions of Python's documentation, each after the first with its "
        "uncommon words moved around.",
        "",
        "## Targets",
        "",
        "| target | measured | met? |",
        "| --- | --- | --- |",
    ]
    for target in targets(results):
        verdict = "not measured" if target.met is None else ("met" if target.met else "**not met**")
        lines.append(f"| {target.name} | {target.measured} | {verdict} |")
    lines += ["", *_builds(results), *_latency(results), *_others(results)]
    return "\n".join(lines).rstrip() + "\n"


def _builds(results) -> list[str]:
    lines = ["## Build", "", "| | Liner | stock Whoosh |", "| --- | --- | --- |"]
    liner, stock = results.builds.get(LINER), results.builds.get(STOCK)

    def row(name, value):
        lines.append(f"| {name} | {value(liner) if liner else '–'} | {value(stock) if stock else '–'} |")

    row("passages", lambda b: f"{b.passages:,}")
    row("build wall time", lambda b: f"{b.seconds:.0f} s")
    row("build CPU time (user + system)", lambda b: f"{b.cpu_seconds:.0f} s")
    row("peak RSS, all processes together", lambda b: f"{b.tree_peak_rss_mb:,.0f} MB" if b.tree_peak_rss_mb else "–")
    row("index on disk", lambda b: f"{b.size_mb:.0f} MB")
    lines += ["", "Stock Whoosh indexes Liner's passages read back from Liner's index: its time holds no reading "
              "or chunking of files, Liner's does.", ""]
    if liner and liner.phases:
        lines += phase_table(liner.phases)
    return lines


def _latency(results) -> list[str]:
    lines = ["## Query latency", "", "Warm, in-process, the engines taking turns on each query (bench/latency.py); "
             "Liner: `Engine.search` for keyword and phrase queries, `Engine.ask` for questions.", "",
             "| ms | Liner p50 | Liner p95 | stock Whoosh p50 | stock Whoosh p95 | p50 ratio |",
             "| --- | --- | --- | --- | --- | --- |"]
    for kind, liner in results.latency.get(LINER, {}).items():
        stock = results.latency.get(STOCK, {}).get(kind)
        ratio = f"{liner.p50_ms / stock.p50_ms:.2f}x" if stock and stock.p50_ms else "–"
        lines.append(f"| {kind} ({liner.queries} queries) | {liner.p50_ms:.2f} | {liner.p95_ms:.2f} | "
                     f"{stock.p50_ms if stock else float('nan'):.2f} | {stock.p95_ms if stock else float('nan'):.2f} | {ratio} |")
    return lines + [""]


def _others(results) -> list[str]:
    lines = []
    if results.reindex:
        lines += [f"Re-index after changing one file (`build_index`, an update, in its own process): "
                  f"**{results.reindex.seconds:.2f} s**, peak RSS {results.reindex.tree_peak_rss_mb or 0:.0f} MB.", ""]
    if results.rebuild:
        lines += [f"`--rebuild` (nobody reading the index): {results.rebuild.seconds:.0f} s; the index folder then "
                  f"holds {results.disk_after_rebuild_mb:.1f} MB, one generation {results.generation_mb:.1f} MB.", ""]
    if results.cold:
        lines += [cold_start_sentence(results.cold), ""]
    return lines + [f"_{note}_" for note in results.notes]


def _load(load) -> str:
    return ", ".join(f"{value:.2f}" for value in load) if load else "?"
