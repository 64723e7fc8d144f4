"""One client cannot lock the others out of `liner serve` (real server, real sockets, 127.0.0.1).

Promises (docs/reliability.md, "Web"):
- 300 idle connections (more than waitress's default limit of 100 a worker allowed for two
  workers) do not keep a new client from an answer;
- past a worker's connection limit, idle connections are closed after IDLE_TIMEOUT_S and the
  waiting client is answered;
- a client that sends its request a byte at a time (headers or body: slowloris) is closed
  REQUEST_DEADLINE_S after its first byte, however steadily it trickles, and the others are
  answered meanwhile.
The limits are patched small (seconds, tens of connections) for the last two, so the tests take
seconds; every wait has a deadline.
"""
from __future__ import annotations

import http.client
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from figures import record_figures

ROOT = Path(__file__).resolve().parent.parent

# `liner serve` with the module's limits patched first: {patch} is Python run before main().
SERVE = "import web.server as s; {patch}; from search.cli import main; main(sys.argv[1:])"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def healthz(port: int, timeout: float) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", "/healthz")
        return connection.getresponse().status
    finally:
        connection.close()


class Served:
    def __init__(self, index_dir: Path, workers: int, patch: str = "pass") -> None:
        self.port = free_port()
        code = "import sys; " + SERVE.format(patch=patch)
        self.process = subprocess.Popen(
            [sys.executable, "-c", code, "serve", "--index", str(index_dir), "--port", str(self.port),
             "--workers", str(workers)], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        deadline = time.monotonic() + 60
        while True:
            try:
                if healthz(self.port, timeout=5) == 200:
                    return
            except OSError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"the server did not start: {self.output}")
            time.sleep(0.1)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.output = self.process.stdout.read()


@pytest.fixture
def sockets():
    """Client sockets the test opens; all closed after it."""
    opened: list[socket.socket] = []
    yield opened
    for sock in opened:
        sock.close()


def open_idle(port: int, count: int, opened: list[socket.socket]) -> None:
    for _ in range(count):
        opened.append(socket.create_connection(("127.0.0.1", port), timeout=10))


def closed_by_server(sock: socket.socket, within: float) -> bool:
    """Whether the server closes `sock` within `within` seconds (what it may have sent is read)."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        sock.settimeout(max(0.05, deadline - time.monotonic()))
        try:
            if sock.recv(65536) == b"":
                return True
        except socket.timeout:
            return False
        except OSError:
            return True
    return False


def answered_within(port: int, seconds: float) -> float | None:
    """Seconds a new client waited for /healthz's 200, or None if not answered within `seconds`."""
    started = time.monotonic()
    try:
        status = healthz(port, timeout=seconds)
    except OSError:
        return None
    return time.monotonic() - started if status == 200 else None


def test_300_idle_connections_do_not_lock_a_new_client_out(seeds_index, sockets, tmp_path_factory):
    """Regression: about 200 idle connections (waitress's 100 a worker, two workers) kept every
    other client waiting for waitress's two-minute channel timeout."""
    server = Served(seeds_index, workers=2)
    try:
        open_idle(server.port, 300, sockets)
        waited = answered_within(server.port, 10)
        assert waited is not None, "a new client was not answered within 10 s of 300 idle connections"
        assert all(answered_within(server.port, 10) is not None for _ in range(5))
    finally:
        server.stop()
    assert "Traceback" not in server.output
    record_figures(tmp_path_factory, "connections_idle", idle_connections=300, new_client_waited_s=round(waited, 2))


SMALL_LIMITS = "s.CONNECTION_LIMIT = 20; s.IDLE_TIMEOUT_S = 2; s.REQUEST_DEADLINE_S = 3; s.CLEANUP_INTERVAL_S = 1"


def test_past_the_connection_limit_idle_connections_are_closed_and_the_client_answered(seeds_index, sockets):
    server = Served(seeds_index, workers=1, patch=SMALL_LIMITS)
    try:
        open_idle(server.port, 40, sockets)  # twice the limit: the last 20 wait in the backlog
        waited = answered_within(server.port, 20)
        assert waited is not None, "the waiting client was not answered"
        assert closed_by_server(sockets[0], within=10), "an idle connection was kept open"
    finally:
        server.stop()


def trickle(sock: socket.socket, head: bytes, data: bytes, stop: threading.Event, every: float = 0.5) -> None:
    """Send `head`, then `data` a byte every `every` seconds, until stopped or closed."""
    try:
        sock.sendall(head)
    except OSError:
        return
    for byte in data:
        if stop.wait(every):
            return
        try:
            sock.sendall(bytes([byte]))
        except OSError:
            return


SLOW_REQUESTS = {  # what is sent at once, then what is sent a byte at a time
    "headers a byte at a time": (b"", b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Pad: " + b"a" * 200),
    "body a byte at a time": (b"POST /api/ask HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 500\r\n\r\n", b"a" * 500),
}


@pytest.mark.parametrize("kind", list(SLOW_REQUESTS))
def test_slow_clients_are_closed_at_the_request_deadline_and_others_answered(seeds_index, sockets, kind,
                                                                             tmp_path_factory):
    """A slowloris client is never idle (a byte every half second), so only a deadline on the
    whole request closes it; with more of them than the connection limit, nobody else got in."""
    server = Served(seeds_index, workers=1, patch=SMALL_LIMITS)
    stop = threading.Event()
    try:
        open_idle(server.port, 30, sockets)  # over the limit of 20
        threads = [threading.Thread(target=trickle, args=(sock, *SLOW_REQUESTS[kind], stop)) for sock in sockets]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        waited = answered_within(server.port, 25)
        assert waited is not None, "a client was locked out by slow ones"
        closed = [closed_by_server(sock, within=max(0.1, 20 - (time.monotonic() - started))) for sock in sockets[:20]]
        assert all(closed), f"{closed.count(False)} slow connections were still open 20 s on"
    finally:
        stop.set()
        server.stop()
    assert "Traceback" not in server.output
    record_figures(tmp_path_factory, f"connections_slow_{kind.split()[0]}", slow_connections=30,
                   connection_limit=20, new_client_waited_s=round(waited, 2))
