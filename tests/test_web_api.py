"""The JSON API through Flask's test client: answers that validate against the contract, JSON
errors with their status codes, /healthz, and the OpenAPI document."""
from __future__ import annotations

import json
import re
import threading
from pathlib import Path

import pytest

from search.engine import MAX_LIMIT
from web.app import create_app
from web.resources import ENGINE_KEY

QUESTION = "Who plays Joanna Kassem?"


def assert_json_error(response, status: int) -> str:
    assert response.status_code == status
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) >= {"error"} and body["error"]
    assert "Traceback" not in body["error"]
    return body["error"]


# -- answers -----------------------------------------------------------------------------------


def test_ask_answers_with_the_contract(client, answer_validator):
    response = client.get("/api/ask", query_string={"q": QUESTION})
    assert response.status_code == 200
    body = response.get_json()
    answer_validator.validate(body)
    assert body["query"] == QUESTION
    assert body["answer"]["text"] == "Jenna Dewan"
    assert body["answer"]["path"] == "seeds/003_77ca1b77362e00a9.txt"
    assert body["results"][0]["highlights"]


def test_ask_is_what_the_engine_returns(client, engine):
    body = client.get("/api/ask", query_string={"q": QUESTION, "limit": 3}).get_json()
    expected = engine.ask(QUESTION, limit=3).to_dict()
    for volatile in (body, expected):
        volatile.pop("took_ms")
    assert body == expected


def test_ask_abstains_with_a_null_answer(client, answer_validator):
    body = client.get("/api/ask", query_string={"q": "Who is the king of Mars?"}).get_json()
    answer_validator.validate(body)
    assert body["answer"] is None


def test_search_returns_ranked_passages_without_an_answer(client, answer_validator):
    response = client.get("/api/search", query_string={"q": '"Pennies From Heaven"', "limit": 2})
    assert response.status_code == 200
    body = response.get_json()
    answer_validator.validate(body)
    assert body["answer"] is None
    assert 1 <= len(body["results"]) <= 2
    assert [hit["rank"] for hit in body["results"]] == list(range(1, len(body["results"]) + 1))


def test_search_with_no_match_is_an_empty_list(client, answer_validator):
    body = client.get("/api/search", query_string={"q": "zxqvbn"}).get_json()
    answer_validator.validate(body)
    assert body["results"] == [] and body["total"] == 0


def test_unicode_and_markup_come_back_as_sent(client, answer_validator):
    query = "<script>alert(1)</script> “Nellie” café"
    body = client.get("/api/search", query_string={"q": query}).get_json()
    answer_validator.validate(body)
    assert body["query"] == query


def test_queries_are_answered_from_worker_threads(seeds_index):
    """waitress answers from worker threads, so nothing on the query path may need the main
    thread (a Whoosh TimeLimitCollector with use_alarm=True calls signal.signal and fails there)."""
    client = create_app({"INDEX_DIR": str(seeds_index)}).test_client()
    statuses = []
    worker = threading.Thread(target=lambda: statuses.append(client.get("/api/ask", query_string={"q": QUESTION}).status_code))
    worker.start()
    worker.join(timeout=60)
    assert statuses == [200]


# -- errors ------------------------------------------------------------------------------------


@pytest.mark.parametrize("route", ["/api/ask", "/api/search"])
@pytest.mark.parametrize("query_string", [{}, {"q": ""}, {"q": "   "}])
def test_an_empty_query_is_a_400(client, route, query_string):
    assert "empty" in assert_json_error(client.get(route, query_string=query_string), 400)


@pytest.mark.parametrize("route", ["/api/ask", "/api/search"])
def test_a_query_with_nothing_to_search_is_a_400(client, route):
    assert "no words to search for" in assert_json_error(client.get(route, query_string={"q": "!!!"}), 400)


@pytest.mark.parametrize("limit", ["0", str(MAX_LIMIT + 1), "-1", "ten", "1.5", ""])
def test_a_bad_limit_is_a_400(client, limit):
    assert "limit" in assert_json_error(client.get("/api/search", query_string={"q": "nellie", "limit": limit}), 400)


@pytest.mark.parametrize("route", ["/api/ask", "/api/search"])
def test_a_query_over_the_limit_is_a_414(client, route):
    error = assert_json_error(client.get(route, query_string={"q": "x" * 1001}), 414)
    assert "1,001 characters" in error and "limit is 1,000" in error


def test_a_query_at_the_limit_is_searched(client):
    assert client.get("/api/search", query_string={"q": "nellie " * 142 + "x"}).status_code == 200


def test_a_url_over_the_limit_is_a_414(client):
    assert_json_error(client.get("/api/search", query_string={"q": "nellie", "pad": "x" * 20_000}), 414)


def test_a_body_over_the_limit_is_a_413(client):
    response = client.get("/api/ask", query_string={"q": "nellie"}, data=b"{" * 20_000, content_type="application/json")
    assert_json_error(response, 413)


@pytest.mark.parametrize("url", ["/api/nope", "/api", "/api/ask/extra", "/api/openapi.yaml"])
def test_an_unknown_api_route_is_a_json_404(client, url):
    assert_json_error(client.get(url), 404)


@pytest.mark.parametrize("method", ["post", "put", "delete", "patch"])
@pytest.mark.parametrize("route", ["/api/ask", "/api/search", "/api/openapi.json", "/healthz"])
def test_a_wrong_method_is_a_json_405_with_allow(client, method, route):
    response = getattr(client, method)(route, query_string={"q": "nellie"})
    assert_json_error(response, 405)
    assert "GET" in response.headers["Allow"]


def test_head_and_options_are_answered(client):
    assert client.head("/api/ask", query_string={"q": "nellie"}).status_code == 200
    assert client.options("/api/ask").status_code == 200


def test_an_unexpected_error_is_a_json_500_without_a_traceback(seeds_index):
    class Broken:
        def ask(self, *args, **kwargs):
            raise RuntimeError("secret internals at /srv/x.py line 3")

    app = create_app({"INDEX_DIR": str(seeds_index)})
    app.extensions[ENGINE_KEY] = Broken()
    error = assert_json_error(app.test_client().get("/api/ask?q=nellie"), 500)
    assert "secret internals" not in error


def test_api_responses_send_the_security_headers(client):
    for url in ("/api/ask?q=nellie", "/api/nope", "/healthz", "/api/openapi.json"):
        headers = client.get(url).headers
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
        assert headers["X-Frame-Options"] == "DENY"


# -- health ------------------------------------------------------------------------------------


def test_healthz_reports_the_index(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ok"
    assert body["index"]["files"] == 5 and body["index"]["passages"] > 0


def test_healthz_and_the_api_are_503_without_an_index(tmp_path):
    client = create_app({"INDEX_DIR": str(tmp_path / "missing")}).test_client()
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["status"] == "unavailable"
    assert "liner index" in assert_json_error(response, 503)
    assert_json_error(client.get("/api/ask?q=nellie"), 503)


def test_healthz_is_503_for_an_unreadable_index(tmp_path):
    (tmp_path / "CURRENT").write_text("gen-broken\n")
    (tmp_path / "gen-broken").mkdir()
    client = create_app({"INDEX_DIR": str(tmp_path)}).test_client()
    assert_json_error(client.get("/healthz"), 503)


def test_the_server_starts_before_the_index_exists_and_finds_it_later(tmp_path):
    from indexer.build import build_index

    index_dir = tmp_path / "index"
    client = create_app({"INDEX_DIR": str(index_dir)}).test_client()
    assert client.get("/healthz").status_code == 503
    build_index("tests/data/notes", index_dir)
    assert client.get("/healthz").status_code == 200


# -- the OpenAPI document ----------------------------------------------------------------------


def test_openapi_document_is_3_1_and_lists_every_route(app, client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    document = json.loads(response.get_data(as_text=True))
    assert document["openapi"].startswith("3.1")
    routes = {re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule) for rule in app.url_map.iter_rules()}
    assert routes == set(document["paths"])
    for rule in app.url_map.iter_rules():
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
        assert set(document["paths"][path]) == {m.lower() for m in rule.methods - {"HEAD", "OPTIONS"}}


def test_openapi_response_schema_is_the_contract(client, answer_validator):
    document = client.get("/api/openapi.json").get_json()
    response_schema = document["components"]["schemas"]["Response"]
    contract = dict(answer_validator.schema)
    contract.pop("$schema"), contract.pop("$id")
    assert response_schema == contract
    type(answer_validator).check_schema(response_schema)


def test_openapi_references_all_resolve(client):
    document = client.get("/api/openapi.json").get_json()

    def references(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "$ref":
                    yield value
                else:
                    yield from references(value)
        elif isinstance(node, list):
            for value in node:
                yield from references(value)

    for reference in references(document):
        assert reference.startswith("#/")
        target = document
        for part in reference[2:].split("/"):
            target = target[part]


def test_docs_describe_every_api_route(app):
    """docs/web.md cannot fall behind the API: every JSON route is named there."""
    docs = (Path(__file__).resolve().parent.parent / "docs" / "web.md").read_text(encoding="utf-8")
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/") or rule.rule == "/healthz":
            assert f"GET {rule.rule}" in docs, rule.rule


def test_offset_pages_through_what_total_counts(client, answer_validator):
    everything = client.get("/api/ask", query_string={"q": "Who plays Joanna Kassem?", "limit": 100}).get_json()
    assert everything["total"] == len(everything["results"])  # limit=100 reaches every passage counted
    page = client.get("/api/ask", query_string={"q": "Who plays Joanna Kassem?", "limit": 3, "offset": 3}).get_json()
    answer_validator.validate(page)
    assert page["offset"] == 3 and page["total"] == everything["total"]
    assert [hit["rank"] for hit in page["results"]] == [4, 5, 6]
    assert [hit["text"] for hit in page["results"]] == [hit["text"] for hit in everything["results"][3:6]]


def test_typing_matches_the_last_word_as_a_prefix_and_looks_for_no_answer(client):
    typed = client.get("/api/search", query_string={"q": "kass", "typing": 1}).get_json()
    assert typed["settled"] is False and typed["total"] > 0
    assert all("Kassem" in hit["text"] for hit in typed["results"])
    assert client.get("/api/search", query_string={"q": "kass"}).get_json()["total"] == 0
    question = client.get("/api/ask", query_string={"q": "Who plays Joanna Kas", "typing": 1}).get_json()
    assert question["answer"] is None and question["settled"] is False


def test_exact_takes_the_words_as_typed(client):
    corrected = client.get("/api/ask", query_string={"q": "who plays jonna kasem"}).get_json()
    exact = client.get("/api/ask", query_string={"q": "who plays jonna kasem", "exact": 1}).get_json()
    assert corrected["suggestion"] == "who plays joanna kassem" and exact["suggestion"] is None


@pytest.mark.parametrize("args", [{"offset": "-1"}, {"offset": "x"}, {"offset": "101"}, {"typing": "maybe"}])
def test_bad_paging_or_flags_are_a_400(client, args):
    response = client.get("/api/search", query_string={"q": "netflix", **args})
    assert response.status_code == 400 and response.get_json()["error"]
