"""indexer/watch.py and `--watch`: a file added, changed or removed under a watched folder is in
(or out of) the results within seconds, while a server answers every request."""
from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote

import pytest

from indexer.build import build_index
from indexer.watch import is_relevant, out_of_date, watch_folder
from search.engine import Engine

LINER = Path(sys.executable).with_name("liner")
# The promise: a change is searchable within 5 s.
REFLECTED_WITHIN_S = 5.0


def wait_until(condition, timeout: float) -> float | None:
    """Seconds until `condition()` held, or None when it did not within `timeout`."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if condition():
            return time.monotonic() - started
        time.sleep(0.05)
    return None


def test_only_changes_to_documents_outside_the_index_and_hidden_folders_count(tmp_path):
    folder, index = tmp_path / "notes", tmp_path / "notes" / "idx"
    (folder / "idx").mkdir(parents=True)
    assert is_relevant(folder / "a.md", folder, index)
    assert is_relevant(folder / "NEWS", folder, index)
    assert is_relevant(folder / "sub", folder, index)  # a removed folder: its files went with it
    assert not is_relevant(folder / "photo.png", folder, index)
    assert not is_relevant(folder / ".git" / "x.md", folder, index)
    assert not is_relevant(folder / "idx" / "CURRENT", folder, index)
    assert not is_relevant(tmp_path / "elsewhere.md", folder, index)


def test_a_change_made_before_the_watch_began_is_indexed_once_it_has(tmp_path):
    folder, index = tmp_path / "notes", tmp_path / "index"
    folder.mkdir()
    (folder / "one.md").write_text("# One\n\nThe heron waits.\n", encoding="utf-8")
    build_index(folder, index)
    assert not out_of_date(folder.resolve(), index.resolve())
    (folder / "two.md").write_text("# Two\n\nThe egret fishes.\n", encoding="utf-8")  # before any watch
    assert out_of_date(folder.resolve(), index.resolve())
    stop, reports = threading.Event(), []
    thread = threading.Thread(target=watch_folder, args=(folder, index, lambda r, e: reports.append((r, e)), stop))
    thread.start()
    try:
        assert wait_until(lambda: Engine(index).search("egret").results, REFLECTED_WITHIN_S) is not None
        time.sleep(1.5)  # quiet spells after it build nothing more
        assert len(reports) == 1
    finally:
        stop.set()
        thread.join(timeout=10)


def test_watch_folder_indexes_a_new_file_and_stops_when_told(tmp_path):
    folder, index = tmp_path / "notes", tmp_path / "index"
    folder.mkdir()
    (folder / "one.md").write_text("# One\n\nThe heron waits.\n", encoding="utf-8")
    build_index(folder, index)
    stop, reports = threading.Event(), []
    thread = threading.Thread(target=watch_folder, args=(folder, index, lambda r, e: reports.append((r, e)), stop))
    thread.start()
    try:
        time.sleep(0.5)  # the watch is set up
        (folder / "two.txt").write_text("Two\n\nThe kingfisher dives.\n", encoding="utf-8")
        (folder / "ignored.png").write_bytes(b"\x89PNG kingfisher")
        engine = Engine(index)
        assert wait_until(lambda: engine.search("kingfisher").results, REFLECTED_WITHIN_S) is not None
        assert [hit.path.rsplit("/", 1)[-1] for hit in engine.search("kingfisher").results] == ["two.txt"]
        assert reports and reports[-1][1] is None and reports[-1][0].files_indexed == 1
    finally:
        stop.set()
        thread.join(timeout=10)
    assert not thread.is_alive()


class Poller(threading.Thread):
    """GETs /api/search?q=WORD over and over, keeping the last result paths and every failure."""

    def __init__(self, port: int, word: str) -> None:
        super().__init__(daemon=True)
        self.port, self.word = port, word
        self.stop = threading.Event()
        self.requests = 0
        self.failures: list[str] = []
        self.paths: list[str] = []

    def run(self) -> None:
        while not self.stop.is_set():
            connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
            try:
                connection.request("GET", "/api/search?q=" + quote(self.word))
                response = connection.getresponse()
                body = response.read()
                self.requests += 1
                if response.status != 200 and not (response.status == 404 and not self.paths):
                    self.failures.append(f"HTTP {response.status}: {body[:200]!r}")
                else:
                    self.paths = [hit["path"].rsplit("/", 1)[-1] for hit in json.loads(body).get("results", [])]
            except (OSError, ValueError) as error:
                self.failures.append(repr(error))
            finally:
                connection.close()
            time.sleep(0.02)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.skipif(not hasattr(os, "fork"), reason="liner serve's workers are forked")
def test_serve_watch_reflects_an_added_changed_and_removed_file_within_5_s_without_a_failed_request(tmp_path):
    folder, index = tmp_path / "notes", tmp_path / "index"
    folder.mkdir()
    (folder / "harbor.md").write_text("# Harbor\n\nThe ferry leaves at nine.\n", encoding="utf-8")
    build_index(folder, index)
    port = free_port()
    server = subprocess.Popen([str(LINER), "serve", "--index", str(index), "--port", str(port), "--workers", "2",
                               "--watch"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    poller = Poller(port, "zebrafinch")
    try:
        assert wait_until(lambda: _up(port) or server.poll() is not None, 60) is not None and server.poll() is None
        time.sleep(1.0)  # the watcher process has set up its watch
        poller.start()
        steps = {
            "added": (lambda: (folder / "birds.txt").write_text("Birds\n\nA zebrafinch sings.\n", encoding="utf-8"),
                      lambda paths: paths == ["birds.txt"]),
            "changed": (lambda: (folder / "harbor.md").write_text("# Harbor\n\nA zebrafinch nests on the pier.\n",
                                                                   encoding="utf-8"),
                        lambda paths: sorted(paths) == ["birds.txt", "harbor.md"]),
            "removed": (lambda: (folder / "birds.txt").unlink(), lambda paths: paths == ["harbor.md"]),
        }
        seconds = {}
        for name, (change, reflected) in steps.items():
            change()
            seconds[name] = wait_until(lambda: reflected(poller.paths), REFLECTED_WITHIN_S)
            assert seconds[name] is not None, f"{name}: not in /api/search within {REFLECTED_WITHIN_S} s ({poller.paths})"
    finally:
        poller.stop.set()
        if poller.is_alive():
            poller.join(timeout=15)  # its last request answered before the server stops
        server.send_signal(signal.SIGTERM)
        try:
            output = server.communicate(timeout=20)[0]
        except subprocess.TimeoutExpired:
            server.kill()
            output = server.communicate()[0]
    assert poller.failures == [], poller.failures[:5]
    assert poller.requests > 20, poller.requests
    assert "indexed changes" in output, output
    print(f"reflected after (s): {seconds}; {poller.requests} requests, 0 failed")


def _up(port: int) -> bool:
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        connection.request("GET", "/healthz")
        return connection.getresponse().status == 200
    except OSError:
        return False
