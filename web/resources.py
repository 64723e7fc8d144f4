"""What the views share: the app's one Engine (opened on first use, kept on the app) and the
query argument of a request. Like flaskr's `db.py`: a resource with one owner and a visible
lifecycle, which the views import and `create_app` wires in (web/app.py)."""
from __future__ import annotations

import os
import threading
from collections import deque
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass

from flask import Flask, current_app, request
from werkzeug.exceptions import BadRequest, RequestURITooLarge

from search.engine import MAX_REACHABLE, Engine

ENGINE_KEY = "liner.engine"
ENGINE_LOCK_KEY = "liner.engine_lock"
QUERY_TURN_KEY = "liner.query_turn"


def init_engine(app: Flask) -> None:
    """Give the app a slot for its one Engine. It is opened on first use, not here, so the server
    starts (and /healthz says 503) even before `liner index` has been run."""
    app.extensions[ENGINE_KEY] = None
    app.extensions[ENGINE_LOCK_KEY] = threading.Lock()
    # A cluster's shards answer over the network: there, questions overlap while they wait.
    app.extensions[QUERY_TURN_KEY] = nullcontext() if app.config.get("CLUSTER") else Turns()


class Turns:
    """A lock its threads hold in the order they asked for it. threading.Lock promises no order:
    under load, a thread that has just given it up (its client's next question) can take it again
    ahead of one that has waited for several turns, and that question ends late."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._waiting: deque[threading.Lock] = deque()  # one lock a waiting thread, held until its turn
        self._taken = False

    def __enter__(self) -> "Turns":
        with self._guard:
            if not self._taken:
                self._taken = True
                return self
            turn = threading.Lock()
            turn.acquire()
            self._waiting.append(turn)
        turn.acquire()  # released by the thread before it in line, which hands the turn over
        return self

    def __exit__(self, *exception) -> None:
        with self._guard:
            if self._waiting:
                self._waiting.popleft().release()  # still taken: by the next in line
            else:
                self._taken = False


def query_turn() -> AbstractContextManager:
    """Held while the app's Engine answers a question or a search: its threads take them in turn,
    in the order they came (Turns). They run Python one at a time anyway (the GIL), but they take
    turns every few milliseconds (sys.getswitchinterval()), so the questions in flight all shared
    the core and each ended only as late as the last of them, and more runnable threads contended
    for the cores. Only questions: a large document view (a second or more) must not hold up the
    questions behind it. A lock around the whole app, 8 clients of 2 workers on the seeds:
    median p99 98 against 122 ms and 258 against 234 requests/s (7 interleaved runs each, 1,500
    questions a run, 2 cores at a load of 5-8)."""
    return current_app.extensions[QUERY_TURN_KEY]


def get_engine() -> Engine:
    """The current app's Engine, opened on first use.

    :raise IndexMissingError: no index at INDEX_DIR yet (a 503).
    :raise IndexCorruptError: the index cannot be read (a 503).
    """
    extensions = current_app.extensions
    engine = extensions[ENGINE_KEY]
    if engine is None:
        with extensions[ENGINE_LOCK_KEY]:
            engine = extensions[ENGINE_KEY]
            if engine is None:
                engine = _open_engine(current_app.config)
                extensions[ENGINE_KEY] = engine
    return engine


def _open_engine(config) -> Engine:
    """The folder's own index, or with CLUSTER the sharded index a Ray cluster serves."""
    if not config.get("CLUSTER"):
        return Engine(config["INDEX_DIR"])
    from search.cluster.client import open_cluster_engine
    from search.cluster.runtime import ClusterUnavailableError
    from search.engine import IndexCorruptError

    try:
        return open_cluster_engine(config["CLUSTER"], config["INDEX_DIR"])
    except ClusterUnavailableError as error:  # a 503, as an index that cannot be read
        raise IndexCorruptError(str(error)) from None


def read_query() -> str:
    """The `q` argument ("" when absent).

    :raise 414: it is longer than MAX_QUERY_CHARS.
    """
    query = request.args.get("q", "")
    limit = current_app.config["MAX_QUERY_CHARS"]
    if len(query) > limit:
        raise RequestURITooLarge(f"The query is {len(query):,} characters; the limit is {limit:,}. Shorten it.")
    return query


def index_error_message(error: Exception) -> str:
    """The error's message without the index folder's path (it tells a visitor where things are
    on this machine); the terminal that started the server shows it."""
    message = str(error)
    configured = str(current_app.config["INDEX_DIR"])
    for path in sorted({configured, os.path.abspath(configured), os.path.realpath(configured)}, key=len, reverse=True):
        message = message.replace(path, "the server's index folder")
    return message


@dataclass(frozen=True)
class QueryOptions:
    """How a page or the API asks: from which result (`offset`), whether the text is still being
    typed (`typing=1`: the last word may be unfinished), and whether to take it as typed
    (`exact=1`: no typo correction)."""

    offset: int = 0
    typing: bool = False
    exact: bool = False

    def engine_arguments(self) -> dict:
        return {"offset": self.offset, "typing": self.typing, "correct": not self.exact}


def read_options() -> QueryOptions:
    """:raise 400: `offset` is not a whole number from 0 to MAX_REACHABLE, or a flag not 0 or 1."""
    text = request.args.get("offset", "0") or "0"
    if not text.isdigit() or int(text) > MAX_REACHABLE:
        raise BadRequest(f"offset must be a whole number from 0 to {MAX_REACHABLE}, not {text[:20]!r}")
    return QueryOptions(int(text), read_flag("typing"), read_flag("exact"))


def read_flag(name: str) -> bool:
    """`name=1` (or true) is on; absent, empty or 0 is off. :raise 400: anything else."""
    text = request.args.get(name, "").lower()
    if text not in ("", "0", "1", "true", "false"):
        raise BadRequest(f"{name} must be 1 or 0, not {text[:20]!r}")
    return text in ("1", "true")
