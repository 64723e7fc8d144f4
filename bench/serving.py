"""Serving: `liner serve` as a subprocess on a free loopback port, GET /api/ask under 1, 8 and 32
concurrent clients (bench/load.py), and the server's peak RSS (VmHWM) afterwards.

Until the web app exists (`web.app` missing, or /api/ask answering 404) the section says
"not measured: web app missing" instead of failing.
"""
from __future__ import annotations

import importlib.util
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence
from urllib.parse import quote

from bench.latency import liner_command
from bench.load import LoadResult, free_port, get, run_load, tree_peak_rss_mb, wait_for_port

CONCURRENCY = (1, 8, 32)
WARMUP_REQUESTS = 20  # untimed, before the first level: the server opens the index and fills caches
WEB_APP_MISSING = "not measured: web app missing"


@dataclass
class Serving:
    note: str | None = None  # why it was not measured, when it was not
    loads: list[LoadResult] = field(default_factory=list)
    peak_rss_mb: float | None = None  # the server's processes together (an upper bound)
    processes: int = 1
    threads: int | None = None

    def at(self, clients: int) -> LoadResult | None:
        return next((load for load in self.loads if load.clients == clients), None)


def ask_paths(questions: Sequence[str]) -> list[str]:
    return [f"/api/ask?q={quote(question, safe='')}" for question in questions]


def measure_serving(index_dir: Path, questions: Sequence[str], requests_per_level: int, time_limit_s: float,
                    concurrency: Sequence[int] = CONCURRENCY, startup_timeout_s: float = 30.0) -> Serving:
    if importlib.util.find_spec("web.app") is None:
        return Serving(note=WEB_APP_MISSING + " (no module web.app)")
    port = free_port()
    log = index_dir.parent / f".serve-{port}.log"
    with open(log, "w+", encoding="utf-8") as output:
        process = subprocess.Popen(
            liner_command() + ["serve", "--index", str(index_dir), "--port", str(port)],
            stdout=output, stderr=subprocess.STDOUT,
        )
        try:
            if not wait_for_port(process, port, startup_timeout_s):
                output.seek(0)
                said = output.read()
                if "web.app" in said or "No module named 'web" in said:
                    return Serving(note=WEB_APP_MISSING + " (`liner serve` cannot import web.app)")
                return Serving(note=f"not measured: `liner serve` did not start ({said.strip()[-300:]!r})")
            return _measure(process, port, ask_paths(questions), requests_per_level, time_limit_s, concurrency)
        finally:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            log.unlink(missing_ok=True)


def _measure(process: subprocess.Popen, port: int, paths: list[str], requests_per_level: int, time_limit_s: float,
             concurrency: Sequence[int]) -> Serving:
    status, _body = get(port, paths[0])
    if status == 404:
        return Serving(note=WEB_APP_MISSING + " (GET /api/ask answers 404)")
    if status != 200:
        return Serving(note=f"not measured: GET /api/ask answers {status}")
    for path in paths[1:WARMUP_REQUESTS]:
        get(port, path)
    serving = Serving()
    offset = WARMUP_REQUESTS
    for clients in concurrency:
        # Each level asks questions no earlier request asked (while the list lasts).
        level_paths = (paths[offset:] + paths[:offset])[:requests_per_level] or paths
        serving.loads.append(run_load(port, level_paths, clients, requests_per_level, time_limit_s))
        offset = (offset + requests_per_level) % len(paths)
        time.sleep(0.2)
    serving.peak_rss_mb, serving.processes = tree_peak_rss_mb(process.pid)
    return serving
