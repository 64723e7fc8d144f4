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
import os
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


def open_idle(port: int, count: int, opened: list[socket.socket], receive_buffer: int | None = None) -> None:
    """Open `count` connections; `receive_buffer` shrinks their receive window (set before the
    connection, as the window is agreed then), so that little of an unread answer fits in it."""
    for _ in range(count):
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if receive_buffer:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
        sock.settimeout(10)
        sock.connect(("127.0.0.1", port))
        opened.append(sock)


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


def test_clients_that_never_read_their_answers_are_closed_and_others_answered(seeds_index, sockets):
    """A client may ask for large answers and never read them: the server's buffers fill, its
    threads must not wait on such a client, and the connection ends when idle."""
    server = Served(seeds_index, workers=1, patch=SMALL_LIMITS)
    request = b"GET /api/search?q=soundtrack&limit=100 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    try:
        open_idle(server.port, 30, sockets, receive_buffer=4096)  # over the limit of 20
        for sock in sockets:
            sock.sendall(request * 100)  # 100 answers of about 60 KB each, pipelined, none read
        waited = answered_within(server.port, 25)
        assert waited is not None, "a client was locked out by clients that do not read"
        assert closed_by_server(sockets[0], within=20), "a connection that reads nothing stayed open"
    finally:
        server.stop()
    assert "Traceback" not in server.output


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wait_until_idle(pid: int, still_for: float = 2.0, within: float = 120.0) -> None:
    """Wait until process `pid` has used no CPU for `still_for` seconds."""
    deadline = time.monotonic() + within
    last, since = cpu_seconds(pid), time.monotonic()
    while time.monotonic() < deadline:
        time.sleep(0.25)
        now = cpu_seconds(pid)
        if now != last:
            last, since = now, time.monotonic()
        elif time.monotonic() - since >= still_for:
            return
    raise AssertionError(f"the server kept working for {within:g} s")


@pytest.fixture(scope="module")
def big_note_index(tmp_path_factory) -> tuple[Path, str]:
    """An index of one note just under the document view's 2 MB (its page: about 6 MB), and the
    page's URL."""
    from indexer.build import build_index
    from search.document_text import MAX_VIEW_BYTES

    base = tmp_path_factory.mktemp("big-note")
    (base / "notes").mkdir()
    line = "A long line of the big note, about herons, egrets and the pond they share. " * 3 + "\n"  # < 25,000 lines
    (base / "notes" / "big.md").write_text("# Big\n\n" + line * (MAX_VIEW_BYTES // len(line) - 1), encoding="utf-8")
    build_index(base / "notes", base / "index")
    return base / "index", "/doc/" + (base / "notes" / "big.md").as_posix().lstrip("/")


def test_the_big_note_is_shown(big_note_index):
    index_dir, view = big_note_index
    server = Served(index_dir, workers=1)
    try:
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
        connection.request("GET", view)
        response = connection.getresponse()
        assert response.status == 200 and len(response.read()) > 3_000_000
    finally:
        server.stop()


def test_clients_that_never_read_do_not_hold_the_threads_that_write_to_them(big_note_index, sockets):
    """A thread writing answers waits once OUTBUF_HIGH_WATERMARK of them wait for the client to
    read (16 MB; patched here to 64 KB, so that one large page does it, beyond what the kernel's
    socket buffers take). More such clients than threads held every thread for as long as they
    kept their connections open, and nobody else was answered."""
    index_dir, view = big_note_index
    patch = SMALL_LIMITS + "; s.OUTBUF_HIGH_WATERMARK = 64 * 1024"
    server = Served(index_dir, workers=1, patch=patch)
    request = f"GET {view} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode()
    try:
        open_idle(server.port, 10, sockets, receive_buffer=4096)  # more than the server's 8 threads
        for sock in sockets:
            sock.sendall(request * 2)  # two pages of about 6 MB, none read
        wait_until_idle(server.process.pid)  # every thread has written all it could
        waited = answered_within(server.port, 20)
        assert waited is not None, "clients that do not read held every thread"
        assert closed_by_server(sockets[0], within=20)
    finally:
        server.stop()
    assert "Traceback" not in server.output


def test_a_connection_queues_at_most_8_pipelined_requests_then_closes(seeds_index):
    """waitress took every request in what it read (8 KB: hundreds of small ones) onto one
    connection's queue; here the eighth is answered with `Connection: close`, the rest dropped."""
    server = Served(seeds_index, workers=1)
    try:
        with socket.create_connection(("127.0.0.1", server.port), timeout=30) as sock:
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n" * 20)
            received = b""
            while True:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                received += chunk
        assert received.count(b"HTTP/1.1 200 OK") == 8
        assert received.rsplit(b"HTTP/1.1 200 OK", 1)[1].lower().count(b"connection: close") == 1
    finally:
        server.stop()
