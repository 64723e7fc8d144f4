"""Timing: warm in-process query latency, and the wall time of a fresh `liner ask` process."""
from __future__ import annotations

import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

from bench.load import median, percentile

WARMUP_QUERIES = 20


@dataclass(frozen=True)
class Latency:
    queries: int
    p50_ms: float
    p95_ms: float

    @classmethod
    def of(cls, samples_ms: Sequence[float]) -> "Latency":
        return cls(len(samples_ms), percentile(samples_ms, 0.50), percentile(samples_ms, 0.95))


def time_queries_in_turn(runs: dict[str, Callable[[str], object]], queries: Sequence[str], warmup: Sequence[str] = (),
                        deadline: float | None = None) -> dict[str, Latency]:
    """Run the `warmup` queries untimed (lazy imports, file caches), then time each of `queries`
    once per engine, stopping early at `deadline` (time.monotonic()). Warm-up queries are other
    queries, so a result cache cannot turn timed ones into hits. Each query is run by every engine
    in turn, the order rotating from one query to the next, so that a slow spell of a shared
    machine falls on all of them alike and their ratios hold."""
    names = list(runs)
    for query in warmup:
        if deadline is not None and time.monotonic() > deadline:
            break
        for name in names:
            runs[name](query)
    samples: dict[str, list[float]] = {name: [] for name in names}
    for number, query in enumerate(queries):
        if deadline is not None and number and time.monotonic() > deadline:
            break
        turn = number % len(names)
        for name in names[turn:] + names[:turn]:
            started = time.perf_counter()
            runs[name](query)
            samples[name].append((time.perf_counter() - started) * 1000.0)
    return {name: Latency.of(samples[name]) for name in names}


@dataclass(frozen=True)
class ColdStart:
    runs: int
    liner_median_s: float
    python_median_s: float  # `python -c pass`: the floor any Python command stands on
    exit_codes: tuple[int, ...]
    liner_peak_rss_mb: float | None = None  # the largest VmHWM of a `liner ask` process seen


def liner_command() -> list[str]:
    """The installed `liner` script beside this Python (as a user runs it)."""
    script = Path(sys.executable).parent / "liner"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from search.cli import main; main()"]


def cold_start(index_dir: Path, question: str, runs: int) -> ColdStart:
    """Median wall time of `liner ask QUESTION --index DIR` in a new process, `runs` times, beside
    `python -c pass` run as often (interleaved, so both see the same machine)."""
    liner = liner_command() + ["ask", question, "--index", str(index_dir)]
    python = [sys.executable, "-c", "pass"]
    liner_times, python_times, codes, peaks = [], [], [], []
    for _ in range(runs):
        for command, times in ((liner, liner_times), (python, python_times)):
            started = time.perf_counter()
            code, peak = _run_watching_memory(command)
            times.append(time.perf_counter() - started)
            if command is liner:
                codes.append(code)
                peaks.append(peak)
    known = [peak for peak in peaks if peak]
    return ColdStart(runs, median(liner_times), median(python_times), tuple(codes), max(known) if known else None)


def _run_watching_memory(command: list[str]) -> tuple[int, float | None]:
    """Run `command`; its exit code and its peak resident memory (VmHWM, read from /proc until it
    exits: the high-water mark only rises, so the last reading is the peak but for its last
    moments). getrusage cannot tell: Linux carries the parent's high-water mark over exec."""
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak = None
    while process.poll() is None:
        try:
            for line in open(f"/proc/{process.pid}/status", encoding="ascii"):
                if line.startswith("VmHWM:"):
                    peak = int(line.split()[1]) / 1024.0
        except OSError:
            pass
        time.sleep(0.002)
    return process.returncode, peak
