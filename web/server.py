"""`liner serve`: the web app under waitress, in one process or in several.

A query holds Python's GIL for the milliseconds it ranks and answers, so the threads of one
process answer one query at a time; they take their questions in turn (web/resources.py
query_turn), so that they do not all share its core and end late together. Several worker
processes use several cores: they share one listening socket, bound before they start, and the
kernel hands each new connection to one of them (as pre-forking servers such as gunicorn do).
Each worker opens the index itself and, as one process does, follows CURRENT to a re-built index.

The kernel hands a new connection to whichever worker takes it first, and a keep-alive client
stays with that worker: 8 clients of two workers fell 6 and 2, and the busier worker's queue set
the latency while the other's core idled. So a worker takes a new connection only while it holds
no more connections than the worker that holds fewest (ConnectionCounts, in memory the workers
share), and a few clients are spread evenly.

The first process only keeps its workers running: it starts another when one dies, and stops
them all on Ctrl-C or SIGTERM. On Linux a worker also dies with it if it is killed outright. It
never imports the engine (web/cli.py checks the index in a forked child), so it stays small.

One client must not starve the others: waitress's defaults let ~200 idle connections (100 a
worker) lock every other client out for two minutes. Here a worker holds up to CONNECTION_LIMIT
connections (poll(), not select(), which fails past 1,024 descriptors), closes one that is idle
for IDLE_TIMEOUT_S and one whose request has not arrived whole REQUEST_DEADLINE_S after its first
byte (a slowloris client sends a byte now and then, so it is never idle), and buffers at most
MAX_REQUEST_HEADER_BYTES of headers and MAX_REQUEST_BODY_BYTES of body per request. waitress's own
error replies (400, 413, 431, 500) carry the app's security headers too.
"""
from __future__ import annotations

import ctypes
import gc
import mmap
import os
import resource
import signal
import socket
import sys
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Callable

from waitress.adjustments import Adjustments
from waitress.channel import HTTPChannel
from waitress.parser import HTTPRequestParser
from waitress.server import TcpWSGIServer
from waitress.task import ErrorTask, ThreadedTaskDispatcher

from indexer.processes import die_with_parent
from web.hosts import LOCAL_HOSTS, WILDCARD_ADDRESSES

# A worker that dies this soon after it started is failing to start: not started again.
FAILED_START_S = 5.0
# Connections one worker holds open (waitress's default is 100). An idle connection costs a
# descriptor and a few KB; a request in flight up to the header and body limits below.
CONNECTION_LIMIT = 1000
# Descriptors kept for the index's files, the threads and the listening socket.
DESCRIPTORS_KEPT = 256
# A connection with nothing to do for this long is closed: Apache httpd's KeepAliveTimeout
# (5 s by default). waitress's channel_timeout, whole seconds.
IDLE_TIMEOUT_S = 5
# A request (headers and body) must arrive whole this long after its first byte: Apache's
# mod_reqtimeout allows a request's headers 20 s by default.
REQUEST_DEADLINE_S = 20
# How often (whole seconds) idle and slow connections are looked for (waitress's cleanup_interval).
CLEANUP_INTERVAL_S = 1
# Request headers buffered at most (waitress's default is 256 KB): a query's URL is at most
# 16 KB (web/app.py MAX_URL_CHARS). Over it, waitress answers 431.
MAX_REQUEST_HEADER_BYTES = 64 * 1024
# A body buffered at most (waitress's default is 1 GB, spilled to disk); the app refuses any over
# 16 KB with a JSON 413, waitress over this with its own 413.
MAX_REQUEST_BODY_BYTES = 1024 * 1024
# Answers waiting for one client before the thread writing more waits for it to read (waitress's
# default, outbuf_high_watermark).
OUTBUF_HIGH_WATERMARK = 16 * 1024 * 1024
# Requests one connection may queue (HTTP/1.1 pipelining; waitress takes every request in what it
# reads, up to 8 KB of them). The last one queued closes the connection, and a client retries the
# others on a new one (RFC 9112, 9.3.2). Browsers do not pipeline.
MAX_PIPELINED_REQUESTS = 8
# How long (seconds) one of several workers waits for its sockets before it looks again whether
# it may take a new connection (waitress waits 1 s): a worker that left a connection to another,
# which then took one, is asleep while it holds fewest. Waking 50 times a second costs nothing
# seen beside a query.
ACCEPT_RECHECK_S = 0.02


def default_workers() -> int:
    """One worker per core, up to four (each keeps its own caches: about 60 MB)."""
    return max(1, min(4, os.cpu_count() or 1))


def serve(index_dir: Path, host: str, port: int, threads: int, workers: int,
          announce: Callable[[str], None], allowed_hosts: Iterable[str] = (), cluster: str | None = None) -> int:
    """Serve until stopped; the exit status. `announce` is told the address once listening. The
    app answers to localhost, the loopback addresses, `host` and `allowed_hosts` (web/hosts.py).
    `cluster`: the Ray cluster that serves the sharded index at `index_dir` (each worker joins it)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listener = socket.create_server((host, port), family=family, backlog=1024)
    announce(f"http://{_url_host(host)}:{listener.getsockname()[1]}/")
    config = {"INDEX_DIR": str(index_dir), "ALLOWED_HOSTS": _allowed_hosts(host, allowed_hosts),
              "ALLOW_ANY_ADDRESS_HOST": host in WILDCARD_ADDRESSES, **({"CLUSTER": cluster} if cluster else {})}
    if workers == 1 or not hasattr(os, "fork"):
        _run_worker(listener, config, threads)
        return 0
    counts = ConnectionCounts(workers)
    return _supervise(lambda worker: _start_worker(listener, config, threads, counts.of(worker)), workers, counts)


def _allowed_hosts(host: str, allowed: Iterable[str]) -> list[str]:
    return [*LOCAL_HOSTS, *allowed, *([] if host in WILDCARD_ADDRESSES else [host])]


def _run_worker(listener: socket.socket, config: dict, threads: int, share: "WorkerConnections | None" = None) -> None:
    from web.app import create_app

    app = create_app(config)
    _freeze_long_lived()
    _one_malloc_arena()
    server = bounded_server(app, listener, threads, share)
    try:
        server.run()
    except KeyboardInterrupt:
        pass


def _freeze_long_lived() -> None:
    """Keep what is made before the first request (the modules and the app, ~42,000 objects,
    kept as long as the worker lives) out of the cyclic collector's full passes: each walks every
    object while the worker's requests wait. A full pass took 40-70 ms, 15-16 ms with them frozen
    (seeds, 1,500 questions in one process, gc.callbacks)."""
    gc.collect()  # nothing collectable is frozen
    gc.freeze()


# glibc's mallopt(M_ARENA_MAX) (malloc.h).
_M_ARENA_MAX = -8


def _one_malloc_arena() -> None:
    """One malloc arena for the worker's threads, before they start. glibc gives each thread that
    allocates its own arena (up to 8 a core), each keeping the memory freed into it; the threads
    run Python one at a time (the GIL), so the arenas buy nothing: they held 4-9 MB of each
    worker's resident memory on the seeds, where the one arena grows by about 3.5 MB instead
    (/proc/PID/smaps). Elsewhere than glibc, nothing."""
    try:
        ctypes.CDLL(None).mallopt(_M_ARENA_MAX, 1)
    except (OSError, AttributeError):  # not glibc (musl, macOS): no such call
        pass


def _start_worker(listener: socket.socket, config: dict, threads: int, share: "WorkerConnections") -> int:
    parent = os.getpid()
    pid = os.fork()
    if pid:
        return pid
    status = 0
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole group: the first process stops us
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        die_with_parent(parent)  # it would otherwise go on serving, holding the port
        _run_worker(listener, config, threads, share)
    except BaseException:  # a worker must never return into the caller's code
        status = 1
        import traceback

        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(status)


def _supervise(start: Callable[[int], int], workers: int, counts: "ConnectionCounts") -> int:
    """Start `workers` workers (numbered from 0) and keep them running; a worker started again
    takes the number of the one it replaces."""
    started = {start(worker): (worker, time.monotonic()) for worker in range(workers)}
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
        worker, began = started.pop(pid, (None, None))
        if worker is None or stopping:
            continue
        counts.forget(worker)  # its connections died with it
        code = os.waitstatus_to_exitcode(wait_status)
        if time.monotonic() - began < FAILED_START_S:
            print(f"liner serve: a worker failed to start (exit status {code}); stopping", file=sys.stderr)
            status = 1
            stop(signal.SIGTERM, None)
            continue
        print(f"liner serve: worker {pid} exited (status {code}); starting another", file=sys.stderr)
        started[start(worker)] = (worker, time.monotonic())
    return status


class ConnectionCounts:
    """How many connections each worker holds, in an anonymous shared map made before the workers
    are forked: each worker writes its own count and reads the others'."""

    def __init__(self, workers: int) -> None:
        self._counts = memoryview(mmap.mmap(-1, 8 * workers)).cast("q")

    def of(self, worker: int) -> "WorkerConnections":
        return WorkerConnections(self._counts, worker)

    def forget(self, worker: int) -> None:
        self._counts[worker] = 0


class WorkerConnections:
    """One worker's place in ConnectionCounts."""

    def __init__(self, counts: memoryview, worker: int) -> None:
        self._counts, self._worker = counts, worker

    def may_accept(self, held: int) -> bool:
        """Record that this worker holds `held` connections; whether it may take another: while
        it holds no more than any other worker. The worker holding fewest always may, so some
        worker always takes a waiting connection."""
        self._counts[self._worker] = held
        return held <= min(self._counts)


# -- waitress, bounded ----------------------------------------------------------------------------


def bounded_server(app, listener: socket.socket, threads: int,
                   share: WorkerConnections | None = None) -> TcpWSGIServer:
    """waitress serving `app` on `listener` with the bounds of this module's docstring; `share`:
    this worker's place among several (a worker then takes its share of new connections)."""
    adjustments = Adjustments(
        sockets=[listener], threads=threads, ident="liner", asyncore_use_poll=True,
        connection_limit=_connection_limit(), channel_timeout=IDLE_TIMEOUT_S, cleanup_interval=CLEANUP_INTERVAL_S,
        max_request_header_size=MAX_REQUEST_HEADER_BYTES, max_request_body_size=MAX_REQUEST_BODY_BYTES,
        outbuf_high_watermark=OUTBUF_HIGH_WATERMARK,
    )
    if share is not None:
        adjustments.asyncore_loop_timeout = ACCEPT_RECHECK_S  # set past Adjustments, which takes whole seconds
    dispatcher = ThreadedTaskDispatcher()
    dispatcher.set_thread_count(threads)
    sockinfo = (listener.family, listener.type, listener.proto, listener.getsockname())
    server = _BoundedServer(app, map={}, _sock=listener, dispatcher=dispatcher, adj=adjustments, bind_socket=False,
                            sockinfo=sockinfo)
    server.share = share
    return server


def _connection_limit() -> int:
    """CONNECTION_LIMIT, within the descriptors this process may open (raising its soft limit
    towards the hard one: 1,024 is a common soft limit)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        return CONNECTION_LIMIT
    wanted = CONNECTION_LIMIT + DESCRIPTORS_KEPT
    if soft < wanted:
        raised = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (raised, hard))
            soft = raised
        except (ValueError, OSError):  # not allowed here: live within the soft limit
            pass
    return max(1, min(CONNECTION_LIMIT, soft - DESCRIPTORS_KEPT))


class _TimedParser(HTTPRequestParser):
    """A request being received, with the time its first byte came."""

    def __init__(self, adj) -> None:
        super().__init__(adj)
        self.began = time.time()


class _SecureErrorTask(ErrorTask):
    """waitress's own error reply (a malformed request, headers or body too large, a crash),
    with the headers every reply of the app carries."""

    def execute(self) -> None:
        from web.app import SECURITY_HEADERS

        self.response_headers.extend(SECURITY_HEADERS.items())
        super().execute()


class _BoundedChannel(HTTPChannel):
    parser_class = _TimedParser
    error_task_class = _SecureErrorTask

    def writable(self) -> bool:
        """waitress's, but not while a task thread holds the answer's buffer: that thread sends
        what it writes itself (and wakes the loop for what it could not send, and once its
        request is done), and the loop could only try the lock and fail. Waiting for its socket
        to be writable then returned at once, so the loop went round and round, keeping the GIL
        from the very thread it waited for: 60-90 rounds a request, 2 with this (a count of
        poll()s in each of 2 workers, 8 clients on the seeds); the worker's loop thread took
        0.6 s of CPU for 750 questions, 0.1 s with this."""
        if not self.total_outbufs_len or not self.requests or self.will_close or self.close_when_flushed:
            return super().writable()
        if not self.outbuf_lock.acquire(False):
            return False
        self.outbuf_lock.release()
        return True

    def received(self, data: bytes) -> bool:
        """waitress's, keeping at most MAX_PIPELINED_REQUESTS queued: the rest are dropped and the
        last one kept closes the connection (only requests[0] is being answered: the one marked
        is never in service yet)."""
        result = super().received(data)
        with self.requests_lock:
            if len(self.requests) > MAX_PIPELINED_REQUESTS:
                for dropped in self.requests[MAX_PIPELINED_REQUESTS:]:
                    dropped.close()
                del self.requests[MAX_PIPELINED_REQUESTS:]
                self.requests[-1].headers["CONNECTION"] = "close"
        return result


class _BoundedServer(TcpWSGIServer):
    channel_class = _BoundedChannel
    share: WorkerConnections | None = None

    def readable(self) -> bool:
        """Whether to accept connections now: waitress's answer (below its connection limit), and
        for one of several workers, only while it holds no more than the others (the module's
        docstring says why). Asked before each wait for the sockets, so the count is current."""
        accepting = super().readable()
        return accepting and (self.share is None or self.share.may_accept(len(self._map)))

    def maintenance(self, now: float) -> None:
        """Close what waitress closes (connections idle IDLE_TIMEOUT_S), and also a connection
        whose request is late (REQUEST_DEADLINE_S after its first byte), or whose client has taken
        none of the answer waiting for it for IDLE_TIMEOUT_S: the thread writing a large answer
        waits for the client to read, and a few such clients would hold every thread."""
        super().maintenance(now)
        late, idle = now - REQUEST_DEADLINE_S, now - IDLE_TIMEOUT_S
        for channel in list(self.active_channels.values()):
            request = channel.request
            if request is not None and not request.completed and request.began < late:
                channel.will_close = True
            elif channel.total_outbufs_len and channel.last_activity < idle:
                # Closed here, not marked: a mark is acted on when the socket can be written
                # to, and a client that reads nothing keeps it from ever being so.
                channel.handle_close()


def _signal(pid: int, signum: int) -> None:
    try:
        os.kill(pid, signum)
    except ProcessLookupError:
        pass


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host
