"""Liner on a real multi-node Ray cluster on this machine (3 nodes, one raylet each, bound to
127.0.0.1, no dashboard, usage reporting off): a sharded index of 3 shards, 2 replicas each.
Started once for the module and shut down at its end. Needs the cluster extra (Ray)."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from search.cluster.runtime import prepare_environment

prepare_environment(local=True)  # before Ray is imported (by importorskip, or any test below)
ray = pytest.importorskip("ray")

from indexer.build import build_index  # noqa: E402
from indexer.documents import display_path_for  # noqa: E402
from search.cluster.layout import shard_of  # noqa: E402
from search.cluster.runtime import add_local_node, start_local_cluster, stop_local_cluster  # noqa: E402
from search.engine import Engine  # noqa: E402
from tests.conftest import NOTES, ROOT, SEEDS  # noqa: E402
from tests.test_cluster_sharded import comparable, questions  # noqa: E402

pytestmark = pytest.mark.cluster

SHARDS = 3
REPLICAS = 2
# The QA sets compared: ours, and two of the benchmark corpora (bench/cluster.py runs them all).
EVALUATION_SETS = {
    "seeds": (SEEDS, ROOT / "eval" / "qa_seeds.jsonl"),
    "notes": (NOTES, ROOT / "tests" / "data" / "notes_qa.jsonl"),
    "pyfaq": (ROOT / "eval" / "corpora" / "pyfaq", ROOT / "eval" / "qa" / "pyfaq.jsonl"),
    "debdocs": (ROOT / "eval" / "corpora" / "debdocs", ROOT / "eval" / "qa" / "debdocs.jsonl"),
}
LOAD_QUESTIONS = 1000


@pytest.fixture(scope="module")
def cluster(_run_from_project_root):
    local = start_local_cluster(nodes=3)
    yield local
    stop_local_cluster(local)


@pytest.fixture(scope="module")
def sharded(cluster, tmp_path_factory):
    """Build a sharded index on the cluster, open it, and stop its replicas afterwards."""
    from search.cluster.client import build_on_cluster, open_cluster_engine
    from search.cluster.serving import stop_replicas

    made = []

    def make(folder: Path, name: str):
        index_dir = tmp_path_factory.mktemp(f"{name}-sharded")
        build_on_cluster(cluster.address, folder, index_dir, SHARDS)
        made.append(index_dir)
        return index_dir, open_cluster_engine(cluster.address, index_dir)

    yield make
    for index_dir in made:
        stop_replicas(index_dir, SHARDS, REPLICAS)


@pytest.mark.parametrize("name", list(EVALUATION_SETS))
def test_answers_and_top_ten_as_one_index(name, sharded, tmp_path):
    folder, qa = EVALUATION_SETS[name]
    build_index(folder, tmp_path / "single")
    single = Engine(tmp_path / "single")
    _, on_cluster = sharded(folder, name)
    for question in questions(qa):
        assert comparable(on_cluster.ask(question)) == comparable(single.ask(question)), question
        assert comparable(on_cluster.search(question)) == comparable(single.search(question)), question


def test_replicas_of_a_shard_are_on_different_nodes(sharded):
    from search.cluster.serving import replica_handles

    index_dir, _ = sharded(NOTES, "placement")
    for row in replica_handles(index_dir, SHARDS, REPLICAS):
        assert len({ray.get(replica.node.remote()) for replica in row}) == REPLICAS


def test_a_node_killed_during_a_load_loses_no_request(cluster, sharded, seeds_index):
    """1,000 questions; a worker node (and the replicas on it) is killed after the first 200:
    every question still gets the answer and top ten of one index, with no partial results."""
    from search.cluster.serving import replica_handles

    single = Engine(seeds_index)
    index_dir, on_cluster = sharded(SEEDS, "load")
    asked = questions(ROOT / "eval" / "qa_seeds.jsonl")
    expected = {question: comparable(single.ask(question)) for question in asked}
    victim = sorted(cluster.worker_nodes, key=lambda node: node.unique_id)[0]
    started = time.monotonic()
    try:
        for number in range(LOAD_QUESTIONS):
            if number == 200:
                cluster.remove_node(victim)
            question = asked[number % len(asked)]
            response = on_cluster.ask(question)
            assert not response.notices, (number, response.notices)
            assert comparable(response) == expected[question], (number, question)
            assert time.monotonic() - started < 300, "the load took over 5 minutes"
        # Ray restarted the replicas that were on the dead node, on the nodes left.
        nodes = {ray.get(replica.node.remote(), timeout=60)
                 for row in replica_handles(index_dir, SHARDS, REPLICAS) for replica in row}
        assert victim.node_id not in nodes and len(nodes) == 2
    finally:
        add_local_node(cluster)  # three nodes again for the tests after this one


def test_a_shard_with_no_live_replica_gives_partial_results(sharded):
    from search.cluster.serving import replica_handles

    index_dir, on_cluster = sharded(NOTES, "partial")
    assert not on_cluster.ask("Who chairs the library committee?").notices
    killed = replica_handles(index_dir, SHARDS, REPLICAS)[1]
    for replica in killed:
        ray.kill(replica, no_restart=True)
    for replica in killed:  # a kill is a message: ask only once every replica of the shard is gone
        _wait_until_dead(replica)
    response = on_cluster.ask("Who chairs the library committee?")
    assert any("shard 2 of 3 did not answer" in notice and "partial" in notice for notice in response.notices)
    assert response.to_dict()["notices"] == response.notices


# How long a killed replica may take to be seen dead (it takes well under a second when idle).
KILL_SECONDS = 60


def _wait_until_dead(replica) -> None:
    deadline = time.monotonic() + KILL_SECONDS
    while time.monotonic() < deadline:
        try:
            ray.get(replica.node.remote(), timeout=KILL_SECONDS)
        except ray.exceptions.RayActorError:
            return
        time.sleep(0.1)
    raise AssertionError(f"a killed replica still answered after {KILL_SECONDS} s")


def test_a_changed_file_reaches_results_while_serving(cluster, sharded, tmp_path):
    """An incremental sharded build while a thread keeps asking: no question fails, only the
    changed file's shard is rebuilt, and the new text is found once the build has switched."""
    from search.cluster.client import build_on_cluster

    folder = tmp_path / "notes"
    shutil.copytree(NOTES, folder)
    index_dir, on_cluster = sharded(folder, "serving")
    failures, answered, stop = [], [0], threading.Event()

    def keep_asking():
        while not stop.is_set():
            try:
                response = on_cluster.ask("Who chairs the library committee?")
                failures.extend(response.notices)
                answered[0] += 1
            except Exception as error:  # noqa: BLE001 - any failure is what this test looks for
                failures.append(repr(error))

    asker = threading.Thread(target=keep_asking)
    asker.start()
    try:
        changed = sorted(folder.rglob("*.md"))[0]
        changed.write_text(changed.read_text(encoding="utf-8") + "\nThe quartermaster is Zebulon Okonkwo.\n",
                           encoding="utf-8")
        report = build_on_cluster(cluster.address, folder, index_dir, SHARDS)
        assert report.shards_built == [shard_of(display_path_for(changed), SHARDS)]
        answer = on_cluster.ask("Who is the quartermaster?").answer
        assert answer is not None and "Zebulon Okonkwo" in answer.text
    finally:
        stop.set()
        asker.join()
    assert not failures and answered[0] > 0


def test_liner_ask_with_cluster(cluster, sharded):
    index_dir, _ = sharded(SEEDS, "cli")
    command = [str(Path(sys.executable).parent / "liner"), "ask", "Who plays Joanna Kassem?", "--json",
               "--index", str(index_dir), "--cluster", cluster.address]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, cwd=ROOT,
                          env={**os.environ, "RAY_USAGE_STATS_ENABLED": "0"})
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout)["answer"]["text"] == "Jenna Dewan"


def test_no_cluster_at_the_address_is_a_one_line_error(tmp_path, seeds_index):
    from click.testing import CliRunner

    from search.cli import main

    (tmp_path / "index").mkdir()
    (tmp_path / "index" / "cluster.json").write_text('{"format": 1, "shards": 3}')
    result = CliRunner().invoke(main, ["ask", "Who?", "--index", str(tmp_path / "index"), "--cluster", "127.0.0.1:9"])
    assert result.exit_code == 3 and "no Ray cluster answers at 127.0.0.1:9" in result.output


def test_liner_serve_with_cluster(cluster, sharded):
    """`liner serve --cluster`: Flask in front, the sharded index behind, over HTTP on 127.0.0.1."""
    import http.client
    import socket
    from urllib.parse import quote

    index_dir, _ = sharded(SEEDS, "serve")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen([str(Path(sys.executable).parent / "liner"), "serve", "--index", str(index_dir),
                               "--cluster", cluster.address, "--port", str(port), "--workers", "1"],
                              cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline, body = time.monotonic() + 120, None
        while body is None and time.monotonic() < deadline and server.poll() is None:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                connection.request("GET", "/api/ask?q=" + quote("Who plays Joanna Kassem?"))
                response = connection.getresponse()
                body = json.loads(response.read()) if response.status == 200 else None
            except OSError:
                time.sleep(0.5)
        assert body is not None, server.stderr.read()[-2000:] if server.poll() is not None else "no answer in 120 s"
        assert body["answer"]["text"] == "Jenna Dewan" and not body.get("notices")
    finally:
        server.terminate()
        server.wait(timeout=30)
