"""A bounded HTTP load generator: N client threads, each with its own keep-alive connection, send
GET requests to a server on this machine until a fixed number of requests is done or a time limit
passes, whichever comes first; then it stops by itself.

Latency is measured per request from sending to the last byte of the body (closed loop: a client
sends its next request when the previous one is answered, so requests/s is what the server
sustains at that concurrency).
"""
from __future__ import annotations

import http.client
import socket
import statistics
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

LOOPBACK = "127.0.0.1"


@dataclass
class LoadResult:
    clients: int
    requests: int  # answered with 2xx
    errors: int  # non-2xx answers and failed connections
    seconds: float
    latencies_ms: list[float] = field(default_factory=list, repr=False)
    statuses: dict[int, int] = field(default_factory=dict)
    stopped_by_time_limit: bool = False

    @property
    def requests_per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile_ms(self, share: float) -> float:
        return percentile(self.latencies_ms, share)


def percentile(values: Sequence[float], share: float) -> float:
    """The nearest-rank percentile (share in 0..1) of `values`; NaN for none."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), int(-(-share * len(ordered) // 1))))
    return ordered[rank - 1]


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def run_load(port: int, paths: Sequence[str], clients: int, total_requests: int, time_limit_s: float,
             host: str = LOOPBACK) -> LoadResult:
    """Send `total_requests` GETs (cycling through `paths`) from `clients` threads; stop early at
    `time_limit_s`. Only loopback hosts are accepted: this is a benchmark, not a test of others."""
    if not host.startswith("127.") and host not in ("localhost", "::1"):
        raise ValueError(f"load is only sent to this machine (127.0.0.0/8, localhost, ::1), not {host}")
    lock = threading.Lock()
    next_request = [0]
    result = LoadResult(clients, 0, 0, 0.0)
    started = time.perf_counter()
    deadline = started + time_limit_s

    def take() -> int | None:
        with lock:
            if next_request[0] >= total_requests or time.perf_counter() >= deadline:
                return None
            next_request[0] += 1
            return next_request[0] - 1

    def client() -> None:
        connection = http.client.HTTPConnection(host, port, timeout=10)
        local: list[tuple[int, float]] = []
        failures = 0
        while (number := take()) is not None:
            sent = time.perf_counter()
            try:
                connection.request("GET", paths[number % len(paths)])
                response = connection.getresponse()
                response.read()
                local.append((response.status, (time.perf_counter() - sent) * 1000.0))
                if response.getheader("connection", "").lower() == "close":
                    connection.close()
            except (OSError, http.client.HTTPException):
                failures += 1
                connection.close()
        connection.close()
        with lock:
            result.errors += failures
            for status, latency in local:
                result.statuses[status] = result.statuses.get(status, 0) + 1
                if 200 <= status < 300:
                    result.requests += 1
                    result.latencies_ms.append(latency)
                else:
                    result.errors += 1

    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(time_limit_s + 15)
    result.seconds = time.perf_counter() - started
    result.stopped_by_time_limit = next_request[0] < total_requests
    return result


def free_port(host: str = LOOPBACK) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


def wait_for_port(process: subprocess.Popen, port: int, timeout_s: float, host: str = LOOPBACK) -> bool:
    """True once the server accepts connections; False if it exits or the time runs out first."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.05)
    return False


def get(port: int, path: str, host: str = LOOPBACK, timeout_s: float = 10.0) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection(host, port, timeout=timeout_s)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def peak_rss_mb(pid: int) -> float | None:
    """VmHWM (peak resident set size) of a running process, in MB, from /proc."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    except OSError:
        return None
    return None


def child_pids(pid: int) -> list[int]:
    """The running children of a process (Linux: /proc/PID/task/*/children)."""
    children = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            children += [int(child) for child in (task / "children").read_text().split()]
        except (OSError, ValueError):
            continue
    return children


def tree_peak_rss_mb(pid: int) -> tuple[float | None, int]:
    """The VmHWM of a process plus its children's (a server's worker processes), and how many
    processes that is: an upper bound of their peak together, as pages they share are counted
    in each and their peaks need not fall at the same moment."""
    peaks = [peak_rss_mb(process) for process in [pid, *child_pids(pid)]]
    known = [peak for peak in peaks if peak is not None]
    return (sum(known) if known else None), len(known)
