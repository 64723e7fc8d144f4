"""`liner serve` with several worker processes (web/server.py), as a user starts it: the workers
share one port, a worker that dies is replaced, and stopping or killing the server stops them all."""
from __future__ import annotations

import contextlib
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import quote

import pytest

from web.server import FAILED_START_S, ConnectionCounts

LINER = Path(sys.executable).with_name("liner")

pytestmark = pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads the process tree from /proc")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def children(pid: int) -> set[int]:
    found = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found |= {int(child) for child in (task / "children").read_text().split()}
        except OSError:
            continue
    return found


def alive(pid: int) -> bool:
    """Whether any thread of `pid` still runs. A killed process's main thread can show as a
    zombie while its other threads are still exiting and still hold its files, its socket too."""
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            state = (task / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            return True
    return False


def wait_until(condition, timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def ask(port: int, question: str) -> tuple[int, dict]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", "/api/ask?q=" + quote(question))
        response = connection.getresponse()
        return response.status, json.loads(response.read())
    finally:
        connection.close()


def answers(port: int) -> bool:
    try:
        return ask(port, "Who plays Joanna Kassem?")[0] == 200
    except OSError:
        return False


class Served:
    def __init__(self, index_dir: Path, workers: int = 2) -> None:
        self.port = free_port()
        self.process = subprocess.Popen(
            [str(LINER), "serve", "--index", str(index_dir), "--port", str(self.port), "--workers", str(workers)],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        assert wait_until(lambda: answers(self.port) or self.process.poll() is not None, 60), "did not start"
        assert self.process.poll() is None, self.process.stdout.read()
        assert wait_until(lambda: len(children(self.process.pid)) == workers)

    def stop(self) -> str:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=20)
        return self.process.stdout.read()


@pytest.fixture
def served(seeds_index):
    server = Served(seeds_index)
    try:
        yield server
    finally:
        for pid in children(server.process.pid):
            with contextlib.suppress(ProcessLookupError):  # it exited between the listing and now
                os.kill(pid, signal.SIGKILL)
        server.process.kill()
        server.process.wait()


def test_two_workers_share_the_port_and_answer(served):
    questions = ["Who plays Joanna Kassem?", "Who created Soundtrack?", "Who plays Nellie?"] * 20
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda question: ask(served.port, question), questions))
    assert all(status == 200 for status, _ in results)
    assert {body["answer"]["text"] for status, body in results if body["query"] == "Who plays Joanna Kassem?"} == {"Jenna Dewan"}
    workers = children(served.process.pid)
    assert len(workers) == 2
    output = served.stop()
    assert "2 worker processes" in output and "Traceback" not in output
    assert served.process.returncode == 0
    assert wait_until(lambda: not any(alive(pid) for pid in workers))


def test_keep_alive_connections_are_spread_evenly_over_the_workers(served):
    connections = [http.client.HTTPConnection("127.0.0.1", served.port, timeout=30) for _ in range(8)]
    try:
        for connection in connections:  # each stays open after its answer (keep-alive)
            connection.request("GET", "/api/ask?q=" + quote("Who plays Nellie?"))
            response = connection.getresponse()
            response.read()
            assert response.status == 200
        held = sorted(len(established(pid, served.port)) for pid in children(served.process.pid))
        assert held == [4, 4]
    finally:
        for connection in connections:
            connection.close()


def test_a_worker_takes_a_connection_only_while_it_holds_fewest():
    counts = ConnectionCounts(3)
    first, second, third = counts.of(0), counts.of(1), counts.of(2)
    assert first.may_accept(0) and second.may_accept(0) and third.may_accept(0)
    assert not first.may_accept(1)  # the others hold none
    assert second.may_accept(1) is False and third.may_accept(1) and first.may_accept(1)
    counts.forget(2)  # a worker that died holds nothing: its replacement takes the next one
    assert not first.may_accept(1) and counts.of(2).may_accept(0)


def established(pid: int, port: int) -> set[int]:
    """The sockets of process `pid` that hold an established connection to local `port`
    (Linux: /proc/PID/fd and /proc/net/tcp)."""
    owned = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            owned.add(int(target[8:-1]))
    found = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if fields[3] == "01" and int(fields[1].rsplit(":", 1)[1], 16) == port and int(fields[9]) in owned:
            found.add(int(fields[9]))
    return found


def test_a_worker_that_dies_is_replaced(served):
    # Past the workers' start as the server times it: Served saw them forked, which on a busy
    # machine can be seconds after the server was launched.
    time.sleep(FAILED_START_S + 0.5)
    first = children(served.process.pid)
    victim = min(first)
    os.kill(victim, signal.SIGKILL)
    assert wait_until(lambda: len(children(served.process.pid) - {victim}) == 2)
    assert victim not in children(served.process.pid)
    assert all(answers(served.port) for _ in range(10))
    assert "starting another" in served.stop()


def test_killing_the_server_stops_its_workers(served):
    workers = children(served.process.pid)
    served.process.kill()  # SIGKILL: the first process cannot stop them itself
    served.process.wait()
    assert wait_until(lambda: not any(alive(pid) for pid in workers)), "workers outlived the server"
    assert wait_until(lambda: served.port not in listening_ports()), "something still listens on the server's port"


def listening_ports() -> set[int]:
    """The TCP ports something listens on (Linux: /proc/net/tcp, state 0A). A bind() test would
    also trip on the killed server's connections in TIME_WAIT, which TCP keeps for a minute."""
    ports = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if fields[3] == "0A":
            ports.add(int(fields[1].rsplit(":", 1)[1], 16))
    return ports


def test_a_taken_port_is_a_clear_error(seeds_index):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run([str(LINER), "serve", "--index", str(seeds_index), "--port", str(port)],
                                capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr and "Traceback" not in result.stderr
