"""What keeps `liner serve`'s processes small and its waits short (web/cli.py, web/server.py): the
first process checks the index in a forked child, so it never holds the engine's modules; each
worker freezes what it made before its first request, keeps to one malloc arena and answers one
request at a time. The checks that change a process run in a new one, as a worker is one, so
the test process is left as it was."""
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
from web.server import one_request_at_a_time, worker_app

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


def overlapping_calls(app) -> int:
    """How many of 4 threads' calls of `app` were inside it at once, at most (each waits 50 ms
    inside, releasing the GIL, as a request waits on a file or the network)."""
    inside, most, lock = [0], [0], threading.Lock()

    def slow(environ, start_response):
        with lock:
            inside[0] += 1
            most[0] = max(most[0], inside[0])
        time.sleep(0.05)
        with lock:
            inside[0] -= 1
        return [b""]

    served = app(slow)
    calls = [threading.Thread(target=served, args=({}, None)) for _ in range(4)]
    for call in calls:
        call.start()
    for call in calls:
        call.join()
    return most[0]


def test_a_worker_answers_one_request_at_a_time():
    assert overlapping_calls(lambda slow: slow) > 1  # the threads overlap otherwise
    assert overlapping_calls(one_request_at_a_time) == 1


def test_only_a_cluster_workers_requests_overlap(tmp_path):
    from flask import Flask

    assert isinstance(worker_app({"INDEX_DIR": str(tmp_path), "CLUSTER": "127.0.0.1:1"}), Flask)
    assert not isinstance(worker_app({"INDEX_DIR": str(tmp_path)}), Flask)
