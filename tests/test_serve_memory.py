"""What keeps `liner serve`'s processes small and its waits short (web/cli.py, web/server.py,
web/resources.py): the first process checks the index in a forked child, so it never holds the
engine's modules; each worker freezes what it made before its first request and keeps to one
malloc arena; an app takes its questions in turn; a worker's loop leaves an answer to the thread
writing it. The checks that change a process run in a new one, as a worker is one, so the test
process is left as it was."""
from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from web.cli import index_warning, index_warning_apart
from web.app import create_app
from web.resources import ENGINE_KEY, Turns
from web.server import _BoundedChannel

linux_only = pytest.mark.skipif(not hasattr(os, "fork") or not Path("/proc/self/maps").exists(),
                                reason="forks, and reads the process's memory map from /proc")


def run_python(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


@linux_only
def test_the_index_check_apart_says_what_the_check_says_without_importing_the_engine(seeds_index, tmp_path):
    missing = tmp_path / "no-index"
    said = json.loads(run_python(
        "import json, sys\n"
        "from pathlib import Path\n"
        "from web.cli import index_warning_apart\n"
        f"said = [index_warning_apart(Path({str(missing)!r})), index_warning_apart(Path({str(seeds_index)!r}))]\n"
        "print(json.dumps([said, 'search.engine' in sys.modules]))\n"
    ))
    assert said == [[index_warning(missing), None], False]
    assert "no index at" in said[0][0]


@linux_only
def test_the_index_check_is_made_here_when_the_child_fails(monkeypatch, tmp_path):
    import web.cli

    parent, checked = os.getpid(), index_warning

    def failing_in_a_child(index_dir: Path) -> str | None:
        if os.getpid() != parent:
            raise RuntimeError("the child cannot check")
        return checked(index_dir)

    monkeypatch.setattr(web.cli, "index_warning", failing_in_a_child)
    assert index_warning_apart(tmp_path / "no-index") == index_warning(tmp_path / "no-index")


def test_a_worker_freezes_what_it_made_before_its_first_request():
    frozen = run_python(
        "import gc\n"
        "from web.app import create_app\n"
        "from web.server import _freeze_long_lived\n"
        "create_app({'INDEX_DIR': '/nonexistent'})\n"
        "_freeze_long_lived()\n"
        "print(gc.get_freeze_count())\n"
    )
    assert int(frozen) > 10_000  # the modules and the app (~42,000 objects on the seeds)


THREAD_ARENAS = """
import re, sys, threading
if {one}:
    from web.server import _one_malloc_arena
    _one_malloc_arena()
started = threading.Barrier(9)

def allocate():
    held = [bytes(1000) + bytes([number % 256]) for number in range(1000)]  # over pymalloc's 512 bytes
    started.wait()  # every thread alive at once: none hands its arena on to another
    del held

threads = [threading.Thread(target=allocate) for _ in range(8)]
for thread in threads:
    thread.start()
started.wait()
for thread in threads:
    thread.join()
arenas = 0
for line in open("/proc/self/maps"):  # glibc's thread arenas: anonymous, aligned to their 64 MB reach
    span, rights, _offset, _device, inode, *name = line.split()
    arenas += inode == "0" and not name and "rw" in rights and int(span.split("-")[0], 16) % (64 << 20) == 0
print(arenas)
"""


@linux_only
@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="glibc's arenas")
def test_a_worker_keeps_its_threads_to_one_malloc_arena():
    assert int(run_python(THREAD_ARENAS.format(one=False))) > 0  # the threads each take one otherwise
    assert int(run_python(THREAD_ARENAS.format(one=True))) == 0



class SlowEngine:
    """The seeds' Engine, taking 50 ms more for each answer while releasing the GIL (as one
    waiting on a cluster's shards over the network does), counting how many it answers at once."""

    def __init__(self, engine) -> None:
        self.engine, self.inside, self.most, self.lock = engine, 0, 0, threading.Lock()

    def __getattr__(self, name: str):
        return getattr(self.engine, name)

    def ask(self, *args, **kwargs):
        return self._slowly(self.engine.ask, *args, **kwargs)

    def search(self, *args, **kwargs):
        return self._slowly(self.engine.search, *args, **kwargs)

    def _slowly(self, answer, *args, **kwargs):
        with self.lock:
            self.inside += 1
            self.most = max(self.most, self.inside)
        time.sleep(0.05)
        with self.lock:
            self.inside -= 1
        return answer(*args, **kwargs)


def most_at_once(engine, config: dict, path: str) -> int:
    """How many of 4 concurrent requests of `path` the app's Engine answered at once, at most."""
    app = create_app(config)
    engine = app.extensions[ENGINE_KEY] = SlowEngine(engine)
    statuses = []

    def get():
        statuses.append(app.test_client().get(path).status_code)

    clients = [threading.Thread(target=get) for _ in range(4)]
    for client in clients:
        client.start()
    for client in clients:
        client.join()
    assert statuses == [200] * 4
    return engine.most


@pytest.mark.parametrize("path", ["/api/ask?q=Who+plays+Nellie", "/api/search?q=Nellie", "/search?q=Who+plays+Nellie",
                                  "/results?q=Who+plays+Nellie"])
def test_an_apps_questions_are_answered_in_turn(engine, seeds_index, path):
    assert most_at_once(engine, {"INDEX_DIR": str(seeds_index)}, path) == 1


def test_questions_take_their_turns_in_the_order_they_came():
    turns, order = Turns(), []
    first_done = threading.Event()

    def question(number):
        with turns:
            order.append(number)
            if number == 0:
                first_done.wait(10)

    threads = [threading.Thread(target=question, args=(0,))]
    threads[0].start()
    while not turns._taken:
        time.sleep(0.001)
    for number in range(1, 6):  # each asks only after the one before it stands in line
        threads.append(threading.Thread(target=question, args=(number,)))
        threads[-1].start()
        while len(turns._waiting) < number:
            time.sleep(0.001)
    first_done.set()
    for thread in threads:
        thread.join(10)
    assert order == [0, 1, 2, 3, 4, 5] and not turns._taken and not turns._waiting


def test_a_turn_is_given_up_when_its_question_fails():
    turns = Turns()
    with pytest.raises(ValueError):
        with turns:
            raise ValueError("the question failed")
    with turns:  # not held by the failed one
        assert turns._taken


def test_a_clusters_questions_overlap(engine, seeds_index):
    assert most_at_once(engine, {"INDEX_DIR": str(seeds_index), "CLUSTER": "127.0.0.1:1"}, "/api/ask?q=Nellie") > 1

def bare_channel(**state):
    """A connection's channel with only what `writable` reads (no socket, no server)."""
    channel = object.__new__(_BoundedChannel)
    channel.outbuf_lock = threading.Condition()
    channel.__dict__.update({"total_outbufs_len": 0, "requests": [], "will_close": False,
                             "close_when_flushed": False, **state})
    return channel


def held_elsewhere(lock, then):
    """`then()` while another thread holds `lock`."""
    taken, done = threading.Event(), threading.Event()

    def hold():
        with lock:
            taken.set()
            done.wait(10)

    holder = threading.Thread(target=hold)
    holder.start()
    taken.wait(10)
    try:
        return then()
    finally:
        done.set()
        holder.join()


def test_the_loop_leaves_an_answer_to_the_thread_writing_it():
    writing = bare_channel(total_outbufs_len=500, requests=["in service"])
    assert writing.writable()  # nobody holds the buffer: the loop sends what is left
    assert not held_elsewhere(writing.outbuf_lock, writing.writable)  # the task thread sends it
    for state in ({"requests": []}, {"will_close": True}, {"close_when_flushed": True}):
        channel = bare_channel(**{"total_outbufs_len": 500, "requests": ["in service"], **state})
        assert held_elsewhere(channel.outbuf_lock, channel.writable)  # as waitress: the loop acts
    assert not bare_channel(requests=["in service"]).writable()  # nothing to send
