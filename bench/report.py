"""The benchmark report: machine and versions, targets (met / not met), then every figure beside
the peers' with Liner's ratio to each. One Markdown text, printed and written to
docs/benchmarks.md by the same run.
"""
from __future__ import annotations

import math
import os
import platform
import sqlite3
import subprocess
import time
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from bench.build_child import LINER
from bench.peers import PEERS
from bench.queries import QUERY_KINDS

ENGINES = (LINER, *PEERS)

# The targets (the issue that asked for this benchmark).
SEED_QUESTION_P95_MS = 15.0
COLD_ASK_MEDIAN_S = 0.35
SERVE_CLIENTS = 8
SERVE_MIN_RPS = 300.0
SERVE_MAX_P99_MS = 50.0
SERVE_MAX_RSS_MB = 150.0
SCALE_TARGET_PASSAGES = 100_000
REINDEX_MAX_SHARE = 0.05
# At 100,000 passages (issue 16).
KEYWORD_P50_MAX_RATIO = 1.5
PHRASE_P50_MAX_RATIO = 2.0
BUILD_CPU_MAX_RATIO = 2.0
DISK_MAX_RATIO = 2.5
BUILD_MAX_RSS_MB = 500.0
SCALE_COLD_ASK_MAX_S = 0.5
SCALE_COLD_ASK_MAX_RSS_MB = 200.0
SCALE_QUESTION_P95_MS = 25.0


def machine_info() -> dict:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram_gib = float("nan")
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram_gib = int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    return {
        "cores": os.cpu_count(),
        "cpu": cpu,
        "ram_gib": ram_gib,
        "os": f"{platform.system()} {platform.release()}",
        "load_before": os.getloadavg(),
        "python": platform.python_version(),
        "whoosh": _version("whoosh-reloaded") or _version("whoosh"),
        "tantivy": _version("tantivy"),
        "sqlite": sqlite3.sqlite_version,
        "nltk": _version("nltk"),
        "commit": _git_commit(),
        "date": time.strftime("%Y-%m-%d %H:%M %Z"),
    }


def _version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def _git_commit() -> str:
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, timeout=5)
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], capture_output=True,
                               text=True, timeout=5)
        return commit.stdout.strip() + (" (with uncommitted changes)" if dirty.stdout.strip() else "")
    except (OSError, subprocess.SubprocessError):
        return "unknown"


# -- targets ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    name: str
    measured: str
    met: bool | None  # None: not measured


def targets(results) -> list[Target]:
    out: list[Target] = []
    seeds = results.seeds
    question = seeds.latency.get(LINER, {}).get("question") if seeds else None
    out.append(_at_most("seeds: question latency p95, in-process", question and question.p95_ms,
                        SEED_QUESTION_P95_MS, "ms"))
    cold = results.cold
    out.append(_at_most("seeds: `liner ask` cold wall time, median", cold and cold.liner_median_s,
                        COLD_ASK_MEDIAN_S, "s", digits=3))
    serving = results.serving
    load = serving.at(SERVE_CLIENTS) if serving else None
    if load is None:
        out.append(Target(f"seeds: /api/ask >= {SERVE_MIN_RPS:.0f} req/s and p99 <= {SERVE_MAX_P99_MS:.0f} ms at "
                          f"{SERVE_CLIENTS} clients", (serving.note if serving else None) or "not measured", None))
    else:
        p99 = load.percentile_ms(0.99)
        out.append(Target(
            f"seeds: /api/ask >= {SERVE_MIN_RPS:.0f} req/s and p99 <= {SERVE_MAX_P99_MS:.0f} ms at {SERVE_CLIENTS} clients",
            f"{load.requests_per_second:.0f} req/s, p99 {p99:.1f} ms",
            load.requests_per_second >= SERVE_MIN_RPS and p99 <= SERVE_MAX_P99_MS and load.errors == 0,
        ))
    out.append(_at_most("seeds: `liner serve` peak RSS (VmHWM)", serving and serving.peak_rss_mb,
                        SERVE_MAX_RSS_MB, "MB", note=serving.note if serving else None))

    scale = _largest(results)
    label = f"{scale.target:,}" if scale else f"{SCALE_TARGET_PASSAGES:,}"
    if scale and scale.target != SCALE_TARGET_PASSAGES:
        label += f" (indicative: the {SCALE_TARGET_PASSAGES:,}-passage corpus was not run)"
    liner_build = scale.builds.get(LINER) if scale else None
    whoosh_build = scale.builds.get("stock Whoosh") if scale else None
    out += _scale_build_targets(label, scale, liner_build, whoosh_build)
    out += _scale_query_targets(label, scale)
    if scale and scale.reindex and liner_build:
        share = scale.reindex.seconds / liner_build.seconds
        out.append(Target(f"{label}: re-index after changing one file <= {REINDEX_MAX_SHARE:.0%} of a full build",
                          f"{scale.reindex.seconds:.2f} s = {share:.1%} of {liner_build.seconds:.1f} s",
                          share <= REINDEX_MAX_SHARE))
    else:
        out.append(Target(f"{label}: re-index after changing one file <= {REINDEX_MAX_SHARE:.0%} of a full build",
                          "not measured", None))

    quality = results.quality
    if LINER in quality and all(peer in quality for peer in PEERS):
        best_peer = max(PEERS, key=lambda peer: quality[peer].hit_at_1)
        margin = quality[LINER].hit_at_1 - quality[best_peer].hit_at_1
        out.append(Target("seeds: hit@1 above every peer",
                          f"Liner {quality[LINER].hit_at_1:.3f} vs best peer {best_peer} "
                          f"{quality[best_peer].hit_at_1:.3f}: margin {margin:+.3f}", margin > 0))
    else:
        out.append(Target("seeds: hit@1 above every peer", "not measured", None))
    return out


def _scale_build_targets(label: str, scale, liner_build, whoosh_build) -> list[Target]:
    if scale and scale.liner_build_at_least_s:
        return [Target(f"{label}: full build", f"stopped after {scale.liner_build_at_least_s:.0f} s by the time budget",
                       None)]
    return [
        _ratio_at_most(f"{label}: build CPU time (user + system) vs stock Whoosh",
                       liner_build and liner_build.cpu_seconds, whoosh_build and whoosh_build.cpu_seconds,
                       BUILD_CPU_MAX_RATIO, "s"),
        _ratio_at_most(f"{label}: index on disk vs stock Whoosh", liner_build and liner_build.size_mb,
                       whoosh_build and whoosh_build.size_mb, DISK_MAX_RATIO, "MB"),
        _at_most(f"{label}: build peak RSS", liner_build and liner_build.peak_rss_mb, BUILD_MAX_RSS_MB, "MB", digits=0),
    ]


def _scale_query_targets(label: str, scale) -> list[Target]:
    liner = scale.latency.get(LINER, {}) if scale else {}
    whoosh = scale.latency.get("stock Whoosh", {}) if scale else {}
    out = []
    for kind, limit in (("keyword", KEYWORD_P50_MAX_RATIO), ("phrase", PHRASE_P50_MAX_RATIO)):
        out.append(_ratio_at_most(f"{label}: {kind} latency p50 vs stock Whoosh", kind in liner and liner[kind].p50_ms,
                                  kind in whoosh and whoosh[kind].p50_ms, limit, "ms"))
    question = liner.get("question")
    out.append(_at_most(f"{label}: question latency p95", question and question.p95_ms, SCALE_QUESTION_P95_MS, "ms"))
    cold = scale.cold if scale else None
    title = f"{label}: `liner ask` cold <= {SCALE_COLD_ASK_MAX_S:g} s wall (median) and <= {SCALE_COLD_ASK_MAX_RSS_MB:g} MB RSS"
    if cold is None or cold.liner_peak_rss_mb is None:
        out.append(Target(title, "not measured", None))
    else:
        out.append(Target(title, f"{cold.liner_median_s:.3f} s, {cold.liner_peak_rss_mb:.0f} MB",
                          cold.liner_median_s <= SCALE_COLD_ASK_MAX_S
                          and cold.liner_peak_rss_mb <= SCALE_COLD_ASK_MAX_RSS_MB))
    return out


def _where_the_build_goes(section) -> list[str]:
    """Liner's build CPU by phase and its index's bytes by part (issue 16: where they go)."""
    liner = section.builds.get(LINER)
    lines = phase_table(liner.phases) if liner and liner.phases else []
    if section.index_parts_mb:
        lines += ["Liner's index on disk by part (MB):", "", "| part | MB |", "| --- | --- |"]
        lines += [f"| {part} | {mb:.1f} |" for part, mb in section.index_parts_mb.items()]
        lines.append("")
    return lines


def phase_table(phases: dict[str, float]) -> list[str]:
    """Liner's build by phase (BuildReport.phases), for this report and bench/scale_report.py."""
    return (["Liner's build by phase (seconds, summed over the processes that indexed):", "",
             "| phase | s |", "| --- | --- |"]
            + [f"| {phase} | {seconds:.1f} |" for phase, seconds in phases.items()] + [""])


def cold_start_sentence(cold) -> str:
    """`liner ask` from cold on a scale corpus's index (a ColdStart), for both reports."""
    rss = f", peak RSS {cold.liner_peak_rss_mb:.0f} MB" if cold.liner_peak_rss_mb else ""
    return (f"`liner ask` from cold on this index, median of {cold.runs} runs: **{cold.liner_median_s:.3f} s** "
            f"(`python -c pass`: {cold.python_median_s:.3f} s){rss}.")


def _largest(results):
    measured = [section for section in results.scale if section.builds or section.latency]
    return max(measured, key=lambda section: section.target or 0) if measured else None


def _at_most(name: str, value: float | None, limit: float, unit: str, digits: int = 1, note: str | None = None) -> Target:
    title = f"{name} <= {limit:g} {unit}"
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return Target(title, note or "not measured", None)
    return Target(title, f"{value:.{digits}f} {unit}", value <= limit)


def _ratio_at_most(name: str, liner: float | None, peer: float | None, limit: float, unit: str) -> Target:
    title = f"{name} <= {limit:g}x"
    if not liner or not peer:
        return Target(title, "not measured", None)
    ratio = liner / peer
    return Target(title, f"{liner:.2f} {unit} vs {peer:.2f} {unit} = {ratio:.2f}x", ratio <= limit)


# -- rendering -------------------------------------------------------------------------------------------


def render(results) -> str:
    machine = results.machine
    lines = [
        "# Benchmarks",
        "",
        f"Written by `{results.command}` (bench/run.py) on {machine['date']}, at commit {machine['commit']}; "
        f"the run took {results.seconds:.0f} s. Run it again to refresh this page; `python -m bench.run --quick` "
        "does the seeds and the 10,000-passage corpus only, with fewer runs.",
        "",
        "## Machine and versions",
        "",
        "| | |",
        "| --- | --- |",
        f"| cores | {machine['cores']} |",
        f"| CPU | {machine['cpu']} |",
        f"| RAM | {machine['ram_gib']:.1f} GiB |",
        f"| OS | {machine['os']} |",
        f"| load average (1, 5, 15 min) before / after the run | {_load(machine['load_before'])} / "
        f"{_load(results.load_after)} |",
        f"| Python | {machine['python']} |",
        f"| Whoosh | whoosh-reloaded {machine['whoosh']} |",
        f"| tantivy | {machine['tantivy']} (Python package) |",
        f"| SQLite | {machine['sqlite']} (stdlib sqlite3, FTS5) |",
        f"| NLTK | {machine['nltk']} |",
        "",
    ]
    if results.load_after and results.machine["cores"] and max(results.load_after[0], machine["load_before"][0]) > 1.5:
        lines += ["Other processes were using the machine during the run (load average above 1.5 on "
                  f"{machine['cores']} cores): times are noisier and higher than on an idle machine.", ""]
    lines += _targets_table(results)
    lines += _quality_table(results)
    if results.seeds:
        lines += _section(results.seeds, "Seeds")
        lines += _cold_table(results)
        lines += _serving_table(results)
    for section in results.scale:
        lines += _section(section, "Scale corpus")
    lines += _notes(results)
    return "\n".join(lines).rstrip() + "\n"


def _load(load) -> str:
    return ", ".join(f"{value:.2f}" for value in load) if load else "?"


def _targets_table(results) -> list[str]:
    lines = ["## Targets", "", "| target | measured | met? |", "| --- | --- | --- |"]
    for target in targets(results):
        verdict = "not measured" if target.met is None else ("met" if target.met else "**not met**")
        lines.append(f"| {target.name} | {target.measured} | {verdict} |")
    return lines + [""]


def _quality_table(results) -> list[str]:
    quality = results.quality
    if not quality:
        return []
    liner = quality.get(LINER)
    first = next(iter(quality.values()))
    lines = [
        "## Quality on the seeds",
        "",
        f"eval/qa_seeds.jsonl: {first.answerable} answerable questions (hit@k, MRR@10, answer accuracy) and "
        f"{first.unanswerable} unanswerable ones (where Liner must abstain). A hit: one of the top k passages "
        "contains an accepted answer (case-insensitive, whitespace folded). Liner answers every item with "
        "`Engine.ask`; the peers get the item's text as their query.",
        "",
        "| engine | hit@1 | hit@5 | MRR@10 | answer accuracy | abstains on unanswerable |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for engine, measured in quality.items():
        def cell(value, liner_value):
            if engine == LINER or liner_value is None:
                return f"{value:.3f}"
            return f"{value:.3f} (Liner {liner_value - value:+.3f})"

        lines.append(
            f"| {engine} | {cell(measured.hit_at_1, liner and liner.hit_at_1)} | "
            f"{cell(measured.hit_at_5, liner and liner.hit_at_5)} | {cell(measured.mrr_at_10, liner and liner.mrr_at_10)} | "
            f"{_maybe(measured.answer_accuracy)} | {_maybe(measured.abstention)} |"
        )
    if liner and liner.misses_at_1:
        lines += ["", f"Liner's misses at rank 1 ({len(liner.misses_at_1)}): "
                  + "; ".join(f"“{question}”" for question in liner.misses_at_1)]
    return lines + [""]


def _maybe(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


def _section(section, kind: str) -> list[str]:
    if kind == "Seeds":
        title = f"## Seeds: {section.passages:,} passages from {section.files} files ({section.words:,} words)"
    else:
        repeats = section.passages - section.distinct_passages
        title = f"## Scale corpus: {section.target:,} passages"
        if section.passages:
            title += (f" ({section.passages:,} cut, from {section.files:,} files, {section.words:,} words)")
    lines = [title, ""]
    if kind != "Seeds" and section.passages:
        repeats = section.passages - section.distinct_passages
        lines += [
            "Python's own documentation (pydoc topics, standard-library docstrings and comments, the bundled pip "
            "and setuptools wheels), chunked by Liner's chunker"
            + (f"; {repeats:,} passages come from second copies of the first notes, as the documentation ran out"
               if repeats else "")
            + ". Made by bench/corpus.py into bench/.work/.",
            "",
        ]
    for note in section.notes:
        lines += [f"_{note}_", ""]
    if section.builds:
        lines += _build_table(section)
    if section.reindex is not None and LINER in section.builds:
        full = section.builds[LINER].seconds
        lines += [
            f"Re-index after changing one file (incremental `build_index`, in its own process): "
            f"**{section.reindex.seconds:.2f} s**, {section.reindex.seconds / full:.1%} of the full build "
            f"({full:.1f} s); peak RSS {section.reindex.peak_rss_mb:.0f} MB.",
            "",
        ]
    lines += _where_the_build_goes(section)
    if section.cold is not None:
        lines += [cold_start_sentence(section.cold), ""]
    if section.latency:
        lines += _latency_table(section)
    if section.latency_after_reindex:
        after = section.latency_after_reindex
        before = section.latency.get(LINER, {})
        lines += [
            f"Liner after the re-index (its index now has a second segment), the first "
            f"{next(iter(after.values())).queries} queries of each kind again:",
            "",
            "| ms | p50 | p95 | p50 before | p95 before |",
            "| --- | --- | --- | --- | --- |",
        ]
        for kind, latency in after.items():
            earlier = before.get(kind)
            lines.append(f"| {kind} | {latency.p50_ms:.2f} | {latency.p95_ms:.2f} | "
                         f"{earlier.p50_ms if earlier else float('nan'):.2f} | {earlier.p95_ms if earlier else float('nan'):.2f} |")
        lines.append("")
    return lines


def _build_table(section) -> list[str]:
    builds = section.builds
    engines = [engine for engine in ENGINES if engine in builds]
    liner = builds.get(LINER)
    lines = [
        "### Build",
        "",
        "Each build runs in a fresh process. Liner's build reads and chunks the files itself. The peers index "
        "the same passages, cut by Liner's chunker: on the seeds each peer's process chunks the files itself; "
        "on a scale corpus they are chunked once by the benchmark and the time that took is counted in each "
        "peer's “files → index” (its CPU time and peak RSS then cover indexing only). Cells of the peers give "
        "Liner's figure divided by theirs.",
        "",
        "| | " + " | ".join(engines) + " |",
        "| --- |" + " --- |" * len(engines),
    ]
    rows = [
        ("build, files → index (s)", lambda b: b.seconds, 2),
        ("build CPU time, user + system (s)", lambda b: b.cpu_seconds, 2),
        ("of which reading + chunking (s)", lambda b: b.chunk_seconds, 2),
        ("indexing only (s)", lambda b: b.index_seconds if b.chunk_seconds is not None else None, 2),
        ("index on disk (MB)", lambda b: b.size_mb, 1),
        ("build peak RSS (MB)", lambda b: b.peak_rss_mb, 0),
    ]
    for label, get, digits in rows:
        cells = []
        for engine in engines:
            value = get(builds[engine])
            reference = get(liner) if liner else None
            if value is None:
                cells.append("–")
            elif engine == LINER or reference is None or not value:
                cells.append(f"{value:.{digits}f}")
            else:
                cells.append(f"{value:.{digits}f} ({reference / value:.2f}x)")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return lines + [""]


def _latency_table(section) -> list[str]:
    latency = section.latency
    engines = [engine for engine in ENGINES if engine in latency]
    liner = latency.get(LINER)
    count = next(iter(latency.values()))["keyword"].queries
    lines = [
        "### Query latency",
        "",
        f"Warm, in-process, {count} distinct queries per kind (after 20 other, untimed ones), top 10. Liner: `Engine.search` for keyword "
        "and phrase queries, `Engine.ask` for questions (with answer extraction); peers: one query each. "
        "The engines take turns on each query, in an order that rotates, so a slow spell of the machine falls on all of them alike. "
        "Cells of the peers give Liner's figure divided by theirs.",
        "",
        "| ms | " + " | ".join(engines) + " |",
        "| --- |" + " --- |" * len(engines),
    ]
    for kind in QUERY_KINDS:
        for label, get in (("p50", lambda l: l.p50_ms), ("p95", lambda l: l.p95_ms)):
            cells = []
            for engine in engines:
                value = get(latency[engine][kind])
                reference = get(liner[kind]) if liner else None
                if engine == LINER or reference is None or not value:
                    cells.append(f"{value:.2f}")
                else:
                    cells.append(f"{value:.2f} ({reference / value:.1f}x)")
            lines.append(f"| {kind} {label} | " + " | ".join(cells) + " |")
    return lines + [""]


def _cold_table(results) -> list[str]:
    cold = results.cold
    if cold is None:
        return []
    return [
        "### `liner ask` cold start",
        "",
        f"Wall time of a new process answering one question on the seeds index, median of {cold.runs} runs, "
        "beside the bare interpreter.",
        "",
        "| `liner ask QUESTION --index DIR` | `python -c pass` | ratio | Liner's own share |",
        "| --- | --- | --- | --- |",
        f"| {cold.liner_median_s:.3f} s | {cold.python_median_s:.3f} s | "
        f"{cold.liner_median_s / cold.python_median_s:.1f}x | {cold.liner_median_s - cold.python_median_s:.3f} s |",
        "",
    ]


def _serving_table(results) -> list[str]:
    serving = results.serving
    lines = ["### Serving: GET /api/ask against `liner serve`", ""]
    if serving is None or serving.note:
        return lines + [(serving.note if serving else "not measured") + ".", ""]
    lines += [
        "`liner serve --index DIR --port N` (waitress; its defaults: one worker process per core, up to 4, of 8 "
        "threads each) on 127.0.0.1; the load generator "
        "(bench/load.py) runs closed-loop client threads with keep-alive connections in the benchmark's process. "
        "Every request asks a question no earlier request asked (the QA set's questions, then questions made from "
        "the seed passages), so a response cache cannot make the figure. Each level stops at its request count "
        "or its time limit, whichever comes first.",
        "",
        "| clients | requests | requests/s | p50 (ms) | p99 (ms) | errors | stopped by |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for load in serving.loads:
        lines.append(
            f"| {load.clients} | {load.requests} | {load.requests_per_second:.0f} | {load.percentile_ms(0.5):.1f} | "
            f"{load.percentile_ms(0.99):.1f} | {load.errors} | {'time limit' if load.stopped_by_time_limit else 'count'} |"
        )
    rss = f"{serving.peak_rss_mb:.0f} MB" if serving.peak_rss_mb else "unknown"
    processes = (f", the sum over its {serving.processes} processes (the first and its workers): an upper bound"
                 if serving.processes > 1 else "")
    return lines + ["", f"`liner serve` peak RSS (VmHWM) after the load: **{rss}**{processes}.", ""]


def _notes(results) -> list[str]:
    return [
        "## How this is measured",
        "",
        "- Same passages for everyone: Liner's own chunker (`make_passages(parse_structure(document))`) cuts the "
        "files; the peers index exactly those Passage texts and are judged on them.",
        "- stock Whoosh: one TEXT field (StandardAnalyzer), default BM25F, `QueryParser` with defaults (its "
        "default AND of terms), no boosts, no question handling. SQLite FTS5: `tokenize='porter unicode61'`, "
        "`ORDER BY bm25()`, the query as an OR of quoted words and phrases. tantivy: one `en_stem` text field, "
        "BM25, `parse_query_lenient` (OR by default).",
        "- Build peak RSS: VmHWM of the child process that ran the build, read by that process at its end "
        "(`ru_maxrss` from os.wait4 is kept as the fallback only: Linux carries the parent's high-water mark "
        "over the child's exec, so it reports at least the benchmark's own size). When Liner's build indexes "
        "in worker processes (a full build of 1 MB or more), their number times the largest one's peak "
        "(getrusage of the waited-for children) is added: an upper bound, as pages they share with the "
        "build process are counted in each. Build CPU time includes the workers'. Server RSS: VmHWM from "
        "/proc/<pid>/status after the load, summed over the server's processes (also an upper bound).",
        "- Percentiles are nearest-rank. Query sets are made from the passages with a fixed seed "
        "(bench/queries.py); on the seeds the QA set's own items lead each set.",
    ]
