"""`liner serve`: the web app under waitress, in one process or in several.

A query holds Python's GIL for the milliseconds it ranks and answers, so the threads of one
process answer one query at a time. Several worker processes use several cores: they share one
listening socket, bound before they start, and the kernel hands each new connection to one of
them (as pre-forking servers such as gunicorn do). Each worker opens the index itself and, as
one process does, follows CURRENT to a re-built index.

The first process only keeps its workers running: it starts another when one dies, and stops
them all on Ctrl-C or SIGTERM. On Linux a worker also dies with it if it is killed outright.
"""
from __future__ import annotations

import os
import signal
import socket
import sys
import time
from pathlib import Path
from typing import Callable

from indexer.processes import die_with_parent

# A worker that dies this soon after it started is failing to start: not started again.
FAILED_START_S = 5.0


def default_workers() -> int:
    """One worker per core, up to four (each keeps its own caches: about 60 MB)."""
    return max(1, min(4, os.cpu_count() or 1))


def serve(index_dir: Path, host: str, port: int, threads: int, workers: int,
          announce: Callable[[str], None], cluster: str | None = None) -> int:
    """Serve until stopped; the exit status. `announce` is told the address once listening.
    `cluster`: the Ray cluster that serves the sharded index at `index_dir` (each worker joins it)."""
    config = {"INDEX_DIR": str(index_dir), **({"CLUSTER": cluster} if cluster else {})}
    from waitress.server import create_server

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listener = socket.create_server((host, port), family=family, backlog=1024)
    announce(f"http://{_url_host(host)}:{listener.getsockname()[1]}/")
    if workers == 1 or not hasattr(os, "fork"):
        _run_worker(create_server, listener, config, threads)
        return 0
    return _supervise(lambda: _start_worker(create_server, listener, config, threads), workers)


def _run_worker(create_server, listener: socket.socket, config: dict, threads: int) -> None:
    from web.app import create_app

    app = create_app(config)
    server = create_server(app, sockets=[listener], threads=threads, ident="liner")
    try:
        server.run()
    except KeyboardInterrupt:
        pass


def _start_worker(create_server, listener: socket.socket, config: dict, threads: int) -> int:
    parent = os.getpid()
    pid = os.fork()
    if pid:
        return pid
    status = 0
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole group: the first process stops us
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        die_with_parent(parent)  # it would otherwise go on serving, holding the port
        _run_worker(create_server, listener, config, threads)
    except BaseException:  # a worker must never return into the caller's code
        status = 1
        import traceback

        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(status)


def _supervise(start: Callable[[], int], workers: int) -> int:
    started = {start(): time.monotonic() for _ in range(workers)}
    stopping = False

    def stop(signum, frame) -> None:
        nonlocal stopping
        stopping = True
        for pid in started:
            _signal(pid, signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    status = 0
    while started:
        try:
            pid, wait_status = os.wait()
        except ChildProcessError:
            break
        began = started.pop(pid, None)
        if began is None or stopping:
            continue
        code = os.waitstatus_to_exitcode(wait_status)
        if time.monotonic() - began < FAILED_START_S:
            print(f"liner serve: a worker failed to start (exit status {code}); stopping", file=sys.stderr)
            status = 1
            stop(signal.SIGTERM, None)
            continue
        print(f"liner serve: worker {pid} exited (status {code}); starting another", file=sys.stderr)
        started[start()] = time.monotonic()
    return status


def _signal(pid: int, signum: int) -> None:
    try:
        os.kill(pid, signum)
    except ProcessLookupError:
        pass


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host
