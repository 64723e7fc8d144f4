"""The benchmark's code paths on a few hundred passages, so `make bench` cannot rot unnoticed.

No timing is asserted: only that every step runs, counts what it should and stops by itself.
"""
from __future__ import annotations

import sqlite3
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bench import report, serving
from bench.build_child import LINER, build_in_child
from bench.corpus import make_corpus, module_note_text, topic_notes
from bench.latency import Latency, time_queries_in_turn
from bench.load import percentile, run_load
from bench.peers import PEERS, fts5_query, peer_named
from bench.quality import contains_answer, first_hit_rank, score
from bench.queries import QAItem, make_queries, query_sets
from bench.run import Budget, Results, Settings, run_scale

SMALL = 300


@pytest.fixture(scope="module")
def notes():
    return topic_notes()[:40]  # pydoc topics only: no walk over the standard library


@pytest.fixture(scope="module")
def corpus(tmp_path_factory, notes):
    return make_corpus(SMALL, tmp_path_factory.mktemp("bench-corpus"), notes)


def test_corpus_is_cut_to_size_and_repeatable(corpus, tmp_path, notes):
    assert abs(len(corpus.passages) - SMALL) <= 3
    assert corpus.files == len(list(corpus.folder.iterdir()))
    again = make_corpus(SMALL, tmp_path, notes)
    assert [p.text for p in again.passages] == [p.text for p in corpus.passages]


def test_corpus_goes_on_with_copies_when_the_notes_run_out(tmp_path, notes):
    few = notes[:2]
    corpus = make_corpus(SMALL, tmp_path, few)
    assert abs(len(corpus.passages) - SMALL) <= 3
    assert corpus.distinct_passages < len(corpus.passages)
    assert any(path.name.split("_", 1)[1].startswith("copy") for path in corpus.folder.iterdir())


def test_module_note_keeps_docstrings_and_comments_in_line_order():
    source = '''"""Module doc."""
# A comment about the constant.
LIMIT = 3

class Thing:
    """A thing."""

    def method(self):
        """Does it."""
        text = """
# not a comment: inside a string
"""
        # The method's own comment.
        return text
'''
    note = module_note_text(source, "pkg.mod")
    assert note.startswith("# pkg.mod\n")
    assert note.index("Module doc.") < note.index("A comment about") < note.index("## pkg.mod.Thing")
    assert "## pkg.mod.Thing.method" in note and "The method's own comment." in note
    assert "not a comment" not in note


def test_fts5_query_escapes_syntax():
    assert fts5_query('"a data company" who? AND') == '"a data company" OR "who?" OR "AND"'
    assert fts5_query("?? -- ()") == ""
    connection = sqlite3.connect(":memory:")
    connection.execute("CREATE VIRTUAL TABLE t USING fts5(text, tokenize='porter unicode61')")
    connection.execute("INSERT INTO t(text) VALUES ('the data company')")
    for text in ('x AND (y', 'NEAR(a b) "c', "col:value * ^start", 'O\'Brien "said" it'):
        connection.execute("SELECT rowid FROM t WHERE t MATCH ?", (fts5_query(text),)).fetchall()


def test_queries_are_made_from_passages(corpus):
    for kind in ("keyword", "phrase", "question"):
        queries = make_queries(corpus.passages, kind, 30, lead=["lead query"])
        assert len(queries) == 30 and queries[0] == "lead query"
        assert queries == make_queries(corpus.passages, kind, 30, lead=["lead query"])
    assert all(q.startswith('"') and q.endswith('"') for q in make_queries(corpus.passages, "phrase", 10))
    with pytest.raises(ValueError, match="keyword, phrase, question"):
        make_queries(corpus.passages, "fuzzy", 10)
    for timed, warmup in query_sets(corpus.passages, 30, warmup=10).values():
        assert len(set(timed)) == len(timed) == 30 and len(warmup) == 10 and not set(timed) & set(warmup)


def test_quality_counts_hits_answers_and_abstention():
    items = [
        QAItem("Who?", ("Jenna  Dewan",), "who"),
        QAItem("When?", ("2019",), "when"),
        QAItem("Nothing?", (), "unanswerable"),
    ]
    answers = {"Who?": (["no", "played by jenna dewan"], "Jenna Dewan"), "When?": (["x"], None),
               "Nothing?": ([], None)}
    quality = score(items, lambda item: answers[item.question], answers_too=True)
    assert (quality.answerable, quality.unanswerable) == (2, 1)
    assert quality.hit_at_1 == 0 and quality.hit_at_5 == 0.5 and quality.mrr_at_10 == 0.25
    assert quality.answer_accuracy == 0.5 and quality.abstention == 1.0
    assert contains_answer("A\nB  c", ["a b C"]) and first_hit_rank(["x", "y"], ["z"]) is None


def test_peers_build_open_and_answer(corpus, tmp_path):
    keyword = make_queries(corpus.passages, "keyword", 1)[0]
    for name in PEERS:
        peer = peer_named(name)
        peer.build(corpus.passages, tmp_path / name)
        searcher = peer.open(tmp_path / name, corpus.passages)
        for kind, query in (("keyword", keyword.split()[0]), ("question", keyword)):
            texts = searcher.texts(query, kind)
            assert texts and all(text in {p.text for p in corpus.passages} for text in texts)
        searcher.close()
    with pytest.raises(ValueError, match="stock Whoosh"):
        peer_named("lucene")


def test_build_in_child_measures_time_memory_and_size(corpus, tmp_path):
    measure = build_in_child("SQLite FTS5", corpus.folder, tmp_path / "sqlite")
    assert measure.passages == len(corpus.passages)
    assert measure.seconds > 0 and measure.peak_rss_mb > 0 and measure.size_mb > 0 and measure.cpu_seconds > 0
    assert 0 < measure.chunk_seconds <= measure.seconds


def test_time_queries_warms_then_times_each_query():
    calls = []
    latency = time_queries_in_turn({"one": calls.append}, [f"q{n}" for n in range(30)], warmup=["w1", "w2"])["one"]
    assert calls[:2] == ["w1", "w2"] and len(calls) == 32
    assert latency.queries == 30 and latency.p50_ms <= latency.p95_ms
    assert percentile([1, 2, 3, 4], 0.5) == 2 and percentile([1, 2, 3, 4], 0.99) == 4


def test_engines_take_turns_on_each_query_in_a_rotating_order():
    calls = []
    runs = {name: (lambda query, name=name: calls.append((name, query))) for name in ("a", "b", "c")}
    latencies = time_queries_in_turn(runs, ["q0", "q1", "q2", "q3"], warmup=["w"])
    assert calls[:3] == [("a", "w"), ("b", "w"), ("c", "w")]
    timed = calls[3:]
    assert [name for name, _ in timed] == list("abc" "bca" "cab" "abc")
    assert [query for _, query in timed] == ["q0"] * 3 + ["q1"] * 3 + ["q2"] * 3 + ["q3"] * 3
    assert {name: latency.queries for name, latency in latencies.items()} == {"a": 4, "b": 4, "c": 4}


class _Hello(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        body = b"{}" if self.path.startswith("/ok") else b"no"
        self.send_response(200 if self.path.startswith("/ok") else 404)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_load_generator_is_bounded_by_count_and_time():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Hello)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    try:
        counted = run_load(port, ["/ok/1", "/ok/2"], clients=3, total_requests=40, time_limit_s=10)
        assert counted.requests == 40 and counted.errors == 0 and not counted.stopped_by_time_limit
        timed = run_load(port, ["/ok"], clients=2, total_requests=10**9, time_limit_s=0.3)
        assert timed.stopped_by_time_limit and timed.seconds < 5
        missing = run_load(port, ["/missing"], clients=1, total_requests=5, time_limit_s=5)
        assert missing.requests == 0 and missing.errors == 5 and missing.statuses == {404: 5}
    finally:
        server.shutdown()
    with pytest.raises(ValueError, match="only sent to this machine"):
        run_load(port, ["/"], clients=1, total_requests=1, time_limit_s=1, host="10.0.0.1")


def test_serving_says_when_the_web_app_is_missing(monkeypatch, tmp_path):
    monkeypatch.setattr(serving.importlib.util, "find_spec", lambda name: None)
    measured = serving.measure_serving(tmp_path, ["Who?"], requests_per_level=5, time_limit_s=1)
    assert measured.note.startswith(serving.WEB_APP_MISSING) and not measured.loads


def test_scale_run_serving_and_report(tmp_path, notes):
    settings = Settings(quick=True, sizes=(SMALL,), seed_queries=10, scale_queries=10, cold_runs=1,
                        requests_per_level=10, level_time_limit_s=5.0, budget_s=300.0, warmup_queries=2)
    section = run_scale(SMALL, settings, Budget(300), work_dir=tmp_path, notes=notes)
    assert set(section.builds) == {LINER, *PEERS} and not section.notes
    assert section.reindex is not None and section.reindex.passages >= section.passages
    assert set(section.latency_after_reindex) == {"keyword", "question"}
    assert all(isinstance(section.latency[engine]["question"], Latency) for engine in section.builds)
    # 0: answered, 1: nothing found (a made-up question may find no answer); never a bad query or index
    assert section.cold is not None and set(section.cold.exit_codes) <= {0, 1} and section.cold.liner_peak_rss_mb

    liner_index = tmp_path / "index" / f"corpus-{SMALL}" / "liner"
    served = serving.measure_serving(liner_index, ["What is assert?", "Who wrote the with statement?"],
                                     requests_per_level=10, time_limit_s=5, concurrency=(1, 2))
    if served.note is None:
        assert [load.clients for load in served.loads] == [1, 2]
        assert all(load.requests == 10 and load.errors == 0 for load in served.loads)
        assert served.peak_rss_mb and served.peak_rss_mb > 0

    results = Results("pytest", settings, report.machine_info(), serving=served, scale=[section])
    text = report.render(results)
    assert "## Targets" in text and f"Scale corpus: {SMALL:,} passages" in text
    assert all(target.name in text for target in report.targets(results))
    assert "`liner ask` from cold on this index" in text
    assert "Liner's build by phase" in text and "| postings |" in text and "| stored fields |" in text
    assert abs(sum(section.index_parts_mb.values()) - section.builds[LINER].size_mb) < 0.5
    cold_target = next(t for t in report.targets(results) if t.name.startswith(f"{SMALL:,}") and "cold" in t.name)
    assert cold_target.met is not None  # measured, met or not
