"""The HTML pages through Flask's test client: the search page and its states, the results
fragment, the document view, path traversal, escaping, security headers, and the error pages."""
from __future__ import annotations

import re
from dataclasses import dataclass
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from search.engine import DocumentText
from search.render import markdown_answer, markdown_hit
from search.response import Answer, Conflict, Hit, Response, SourceRef
from web.app import create_app
from web.resources import ENGINE_KEY
from web.display import group_hits
from web.views import answer_segments, is_plain_path, marked_segments, parse_line_range, url_path

QUESTION = "Who plays Joanna Kassem?"
CAST_FILE = "seeds/003_77ca1b77362e00a9.txt"


class StubEngine:
    """Stands in for Engine where a test needs one exact Response (conflicts, abstention, hostile
    text) or a failure, independent of how the real engine ranks."""

    def __init__(self, response: Response | None = None, document: DocumentText | None = None, error: Exception | None = None):
        self.response, self._document, self.error = response, document, error
        self.stats = {"generation": "gen-test", "files": 1, "passages": 1, "root": "/tmp", "created": None}

    def titles(self, count: int) -> list[str]:
        return ["A note"][:count]

    def ask(self, text: str, limit: int = 10, **options) -> Response:
        if self.error:
            raise self.error
        return self.response

    search = ask

    def document(self, path: str, page: int | None = None) -> DocumentText | None:
        return self._document if self._document and path == self._document.path else None


def stub_client(response=None, document=None, error=None, **config):
    app = create_app({"INDEX_DIR": "/nonexistent", "TESTING": True, **config})
    app.extensions[ENGINE_KEY] = StubEngine(response, document, error)
    return app.test_client()


def make_hit(rank=1, path="notes/a.txt", title="A note", snippet="Nellie sings", highlights=((0, 6),), **extra) -> Hit:
    return Hit(rank=rank, score=1.0, path=path, title=title, section=extra.pop("section", None), line_start=3,
               line_end=4, text=snippet, snippet=snippet, highlights=list(highlights), **extra)


def page_text(response) -> str:
    return response.get_data(as_text=True)


# -- the search page ---------------------------------------------------------------------------


def test_home_shows_the_empty_state_with_index_stats(client):
    response = client.get("/")
    assert response.status_code == 200
    html = page_text(response)
    assert 'data-state="empty"' in html
    assert "Searching 5 files" in html
    assert 'action="/search"' in html and 'name="q"' in html  # a plain GET form works without JS


def test_home_with_a_query_goes_to_the_shareable_search_url(client):
    response = client.get("/?q=Who+plays+Nellie%3F")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/search?q=Who+plays+Nellie?")


@pytest.mark.parametrize("query", ["", "   "])
def test_an_empty_query_shows_the_empty_state(client, query):
    response = client.get("/search", query_string={"q": query})
    assert response.status_code == 200
    assert 'data-state="empty"' in page_text(response)


def test_a_question_shows_the_answer_card_and_highlighted_passages(client):
    response = client.get("/search", query_string={"q": QUESTION})
    assert response.status_code == 200
    html = page_text(response)
    assert 'data-state="answer"' in html
    assert '<p class="answer-text">Jenna Dewan</p>' in html
    assert "% confident" in html
    assert "<mark>Jenna Dewan</mark>" in html  # the answer marked in its supporting sentence
    assert "<mark>Joanna Kassem</mark>" in html  # query terms marked in the passages
    # People read the title and L33; the link keeps the exact path, and the query, to come back.
    assert (f'href="/doc/{CAST_FILE}?lines=33-33&amp;q=Who+plays+Joanna+Kassem?&amp;answer=Jenna+Dewan#L33" '
            f'title="{CAST_FILE}:L33-L33"><span><span class="citation-title">Soundtrack (TV series)</span>, '
            '<span class="citation-lines">L33</span></span></a>') in html
    assert f">{CAST_FILE}:L33-L33<" not in html
    assert "<title>Who plays Joanna Kassem? — Liner</title>" in html


def test_copy_buttons_carry_the_cli_markdown_with_absolute_links(client, engine):
    html = page_text(client.get("/search", query_string={"q": QUESTION}))
    expected = engine.ask(QUESTION)

    def link(path, start, end):
        return f"http://localhost/doc/{path}?lines={start}-{end}#L{start}"

    markdowns = CopyButtons.collect(html)
    assert markdowns[0] == markdown_answer(expected.answer, expected, link=link)
    in_page_order = [hit for group in group_hits(expected.results) for hit in group.hits]
    assert markdowns[1:] == [markdown_hit(hit, link=link) for hit in in_page_order]


def test_results_fragment_is_the_results_part_alone(client):
    response = client.get("/results", query_string={"q": QUESTION})
    assert response.status_code == 200
    html = page_text(response)
    assert "<html" not in html and "<form" not in html
    assert "Jenna Dewan" in html and 'id="result-list"' in html


def test_a_query_that_cannot_be_searched_is_a_400_page_with_the_message(client):
    for url in ("/search", "/results"):
        response = client.get(url, query_string={"q": "!!!"})
        assert response.status_code == 400
        html = page_text(response)
        assert "no words to search for" in html
        assert 'value="!!!"' in html or url == "/results"  # the box keeps the query to edit


def test_no_results_state(client):
    html = page_text(client.get("/search", query_string={"q": "zxqvbn"}))
    assert 'data-state="no-results"' in html
    assert "No passages match “zxqvbn”" in html


def test_abstention_says_the_documents_do_not_answer_and_still_shows_passages():
    response = Response("Who is the king of Mars?", [make_hit()], total=1, took_ms=2.0, question_type="who")
    html = page_text(stub_client(response).get("/search?q=x"))
    assert 'data-state="no-answer"' in html
    assert "The documents do not answer this" in html
    assert 'id="result-1"' in html


def test_a_keyword_query_without_an_answer_does_not_claim_abstention():
    response = Response("nellie", [make_hit()], total=1, took_ms=2.0, question_type="keyword")
    html = page_text(stub_client(response).get("/search?q=x"))
    assert "do not answer" not in html and 'id="result-1"' in html


def test_conflicts_suggestion_and_also_in_are_shown():
    answer = Answer("4.5 stars", 0.7, "Rated 4.5 stars.", "notes/a.txt", 2, 2)
    conflict = Conflict("4.2 stars", "Rated 4.2 stars overall.", "notes/b.txt", 7, 8)
    hit = make_hit(also_in=[SourceRef("notes/copy.txt", 10, 11)], section="Reviews")
    response = Response("What's the rating?", [hit], 1, 1.0, answer=answer, conflicts=[conflict],
                        suggestion="What's the ratings?", question_type="what")
    html = page_text(stub_client(response).get("/search?q=x"))
    assert "Sources disagree" in html and "4.2 stars" in html
    assert 'href="/doc/notes/b.txt?lines=7-8&amp;q=x&amp;answer=4.2+stars#L7"' in html
    assert "b.txt</span>, <span class=\"citation-lines\">L7–L8</span>" in html
    # The results already use the correction: say so, and link the search as typed.
    assert ('Showing results for <strong class="suggestion-text">What&#39;s the ratings?</strong>; search instead for '
            '<a class="suggestion-link" href="/search?q=x&amp;exact=1">What&#39;s the rating?</a>') in html
    assert "Did you mean" not in html
    assert "also in" in html and 'href="/doc/notes/copy.txt?lines=10-11&amp;q=x#L10"' in html
    assert 'title="notes/copy.txt:L10-L11"' in html
    assert '<p class="result-section">Reviews</p>' in html


# -- escaping ----------------------------------------------------------------------------------


def test_a_script_query_is_shown_as_text(client):
    html = page_text(client.get("/search", query_string={"q": "<script>alert(1)</script>"}))
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_document_text_in_results_is_escaped_and_only_highlights_become_marks():
    hostile = '<img src=x onerror=alert(1)> "quoted" & more'
    hit = make_hit(title="<b>bold</b>", snippet=hostile, highlights=[(0, 4)], section="<i>s</i>")
    answer = Answer("<svg onload=alert(2)>", 0.9, 'He said "<svg onload=alert(2)>"', "notes/a.txt", 1, 1)
    response = Response('"><script>', [hit], 1, 1.0, answer=answer, question_type="who")
    html = page_text(stub_client(response).get("/search?q=x"))
    assert "<img" not in html and "<svg" not in html and "<b>bold" not in html and "<i>s" not in html
    assert "<mark>&lt;img</mark> src=x onerror=alert(1)&gt; &#34;quoted&#34; &amp; more" in html
    # The Markdown rides in an attribute: quotes and brackets are escaped there too.
    assert CopyButtons.collect(html)[1] == markdown_hit(hit, link=lambda p, a, b: f"http://localhost/doc/{p}?lines={a}-{b}#L{a}")


def test_document_lines_are_escaped():
    document = DocumentText("notes/evil.txt", "<script>alert(1)</script>", ["<script>alert(1)</script>", "x & y"])
    html = page_text(stub_client(document=document).get("/doc/notes/evil.txt"))
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "x &amp; y" in html


def test_pages_have_no_inline_script_style_or_event_handlers(client):
    for url in ("/", f"/search?q={QUESTION}", f"/doc/{CAST_FILE}?lines=33-33", "/nope"):
        audit = InlineCodeAudit.of(page_text(client.get(url)))
        assert audit.problems == [], url
        assert audit.scripts == ["/static/liner.js"]


# -- the document view -------------------------------------------------------------------------


def test_document_view_numbers_lines_and_marks_the_cited_ones(client, engine):
    response = client.get(f"/doc/{CAST_FILE}?lines=33-34")
    assert response.status_code == 200
    html = page_text(response)
    lines = engine.document(CAST_FILE).lines
    assert html.count('<li id="L') == len(lines)
    assert '<li id="L33" class="line cited"><a class="line-number" href="#L33"' in html
    assert '<li id="L34" class="line cited">' in html
    assert '<li id="L35" class="line">' in html
    assert "Jenna Dewan as Joanna Kassem" in html
    assert 'href="#L33">cited: L33–L34</a>' in html


@pytest.mark.parametrize("lines", ["", "abc", "0-0", "99999", "5-x"])
def test_document_view_ignores_a_line_range_it_cannot_use(client, lines):
    response = client.get(f"/doc/{CAST_FILE}", query_string={"lines": lines})
    assert response.status_code == 200
    assert "line cited" not in page_text(response)


@pytest.mark.parametrize("url", [
    "/doc/../../etc/passwd",
    "/doc/%2e%2e/%2e%2e/etc/passwd",
    "/doc/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd",
    "/doc/seeds/../../../etc/passwd",
    f"/doc/seeds/../{CAST_FILE}",
    f"/doc/./{CAST_FILE}",
    "/doc//etc/passwd",
    "/doc/%2Fetc%2Fpasswd",
    "/doc/..%5c..%5cetc%5cpasswd",
    "/doc/%252e%252e/%252e%252e/etc/passwd",
    f"/doc/{CAST_FILE}%00.txt",
    "/doc/~/.bashrc",
    "/doc/pyproject.toml",  # exists, but is not indexed
    "/doc/seeds",
])
def test_only_indexed_files_open_and_paths_cannot_escape(client, url):
    # Werkzeug first merges `//` with a redirect that stays under /doc/; the end is always a 404.
    response = client.get(url, follow_redirects=True)
    assert response.status_code == 404
    assert response.request.path.startswith("/doc/")
    assert "root:" not in page_text(response)


def test_an_indexed_file_by_its_absolute_path_opens_as_itself(client):
    # Citations are shown from the server's working folder, absolute for files outside it: an
    # indexed file's absolute path is one of its names, and opens that file, nothing else.
    absolute = (Path.cwd() / CAST_FILE).resolve()
    response = client.get(f"/doc/{absolute}", follow_redirects=True)
    assert response.status_code == 200 and CAST_FILE in page_text(response)
    assert client.get(f"/doc/{absolute.parent / 'nothing.txt'}", follow_redirects=True).status_code == 404


# -- errors, limits, headers -------------------------------------------------------------------


def test_unknown_page_is_a_404_page(client):
    response = client.get("/nope")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert "404 Not Found" in page_text(response)


def test_wrong_method_is_a_405_page_with_allow(client):
    response = client.post("/search")
    assert response.status_code == 405
    assert response.mimetype == "text/html"
    assert "GET" in response.headers["Allow"]


def test_a_query_over_the_limit_is_a_414_page(client):
    response = client.get("/search", query_string={"q": "a" * 1001})
    assert response.status_code == 414
    assert "the limit is 1,000" in page_text(response)


def test_the_query_limit_comes_from_config(seeds_index):
    client = create_app({"INDEX_DIR": str(seeds_index), "MAX_QUERY_CHARS": 10}).test_client()
    assert client.get("/search?q=0123456789").status_code in (200, 400)
    assert client.get("/search?q=0123456789x").status_code == 414
    assert client.get("/results?q=0123456789x").status_code == 414


def test_a_url_over_the_limit_is_a_414(client):
    assert client.get("/search", query_string={"q": "nellie", "pad": "x" * 20_000}).status_code == 414


def test_a_request_body_over_the_limit_is_a_413(client):
    response = client.get("/search", data=b"x" * 20_000, content_type="application/octet-stream")
    assert response.status_code == 413
    assert response.mimetype == "text/html"


def test_a_missing_index_is_a_503_page_that_says_how_to_build_one(tmp_path):
    client = create_app({"INDEX_DIR": str(tmp_path / "none")}).test_client()
    for url in ("/", "/search?q=nellie", f"/doc/{CAST_FILE}"):
        response = client.get(url)
        assert response.status_code == 503
        assert "liner index" in page_text(response)


def test_an_unexpected_error_is_a_plain_500_page_without_a_traceback():
    client = stub_client(error=RuntimeError("secret internals at /srv/x.py line 3"), TESTING=False)
    response = client.get("/search?q=nellie")
    assert response.status_code == 500
    html = page_text(response)
    assert "500 Internal Server Error" in html
    assert "Traceback" not in html and "secret internals" not in html


def test_errors_of_the_results_fragment_are_fragments_too(tmp_path):
    """liner.js swaps /results into the page, so its errors must not be whole pages."""
    too_long = create_app({"INDEX_DIR": "/nonexistent", "MAX_QUERY_CHARS": 5}).test_client().get("/results?q=abcdef")
    missing = create_app({"INDEX_DIR": str(tmp_path / "none")}).test_client().get("/results?q=x")
    broken = stub_client(error=RuntimeError("boom"), TESTING=False).get("/results?q=x")
    for response, status in ((too_long, 414), (missing, 503), (broken, 500)):
        html = page_text(response)
        assert response.status_code == status
        assert 'data-state="error"' in html and "<html" not in html and "<form" not in html


@pytest.mark.parametrize("url", ["/", f"/search?q={QUESTION}", "/results?q=x", f"/doc/{CAST_FILE}", "/nope",
                                 "/search?q=!!!", "/static/liner.css", "/static/liner.js"])
def test_every_page_sends_the_security_headers(client, url):
    headers = client.get(url).headers
    policy = headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"


def test_static_files_are_served(client):
    assert client.get("/static/liner.css").mimetype == "text/css"
    assert client.get("/static/liner.js").mimetype in ("text/javascript", "application/javascript")


# -- pure helpers ------------------------------------------------------------------------------


def test_marked_segments_splits_at_highlights():
    assert marked_segments("Who plays Nellie", [(4, 9), (10, 16)]) == [
        ("Who ", False), ("plays", True), (" ", False), ("Nellie", True)]


def test_marked_segments_tolerates_bad_offsets():
    assert marked_segments("abcdef", [(4, 99), (0, 2), (1, 3), (5, 5), (-1, 0)]) == [
        ("ab", True), ("c", True), ("d", False), ("ef", True)]
    assert marked_segments("", [(0, 3)]) == []


def test_answer_segments_marks_the_answer_in_its_sentence():
    assert answer_segments("Jenna Dewan as Joanna", "Jenna Dewan") == [("Jenna Dewan", True), (" as Joanna", False)]
    assert answer_segments("played by JENNA", "Jenna") == [("played by ", False), ("JENNA", True)]
    assert answer_segments("no match here", "Nellie") == [("no match here", False)]


@pytest.mark.parametrize("text, expected", [
    ("12-14", (12, 14)), ("12", (12, 12)), ("L12-L14", (12, 14)), ("14-12", (12, 14)), ("12–14", (12, 14)),
    ("60-99", (60, 64)), ("0-2", (1, 2)), ("", None), ("x", None), ("1-2-3", None), ("65", None), ("-3", None),
])
def test_parse_line_range(text, expected):
    assert parse_line_range(text, 64) == expected


@pytest.mark.parametrize("path, ok", [
    ("seeds/a.txt", True), ("a.txt", True), ("../a.txt", False), ("seeds/../a.txt", False),
    ("/home/me/notes/a.txt", True),  # an index built from elsewhere cites absolute paths; the index decides
    ("/etc/../passwd", False), ("./a.txt", False), ("seeds//a.txt", False), ("a\\..\\b", False), ("a\x00b", False),
    ("~/.ssh", False), ("", False),
])
def test_is_plain_path(path, ok):
    assert is_plain_path(path) is ok


def test_a_document_url_never_has_a_double_slash():
    assert url_path("/home/me/notes/a.txt") == "home/me/notes/a.txt"
    assert url_path("seeds/a.txt") == "seeds/a.txt"


# -- HTML inspection helpers -------------------------------------------------------------------


class CopyButtons(HTMLParser):
    """The data-markdown of every Copy button, in page order (attribute values unescaped)."""

    def __init__(self) -> None:
        super().__init__()
        self.markdowns: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if "copy-button" in (attributes.get("class") or ""):
            self.markdowns.append(attributes["data-markdown"])

    @classmethod
    def collect(cls, html: str) -> list[str]:
        parser = cls()
        parser.feed(html)
        return parser.markdowns


class InlineCodeAudit(HTMLParser):
    """What a strict CSP would block: inline <script>/<style>, style= and on*= attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []
        self.scripts: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "script":
            if attributes.get("src"):
                self.scripts.append(attributes["src"])
            else:
                self.problems.append("inline <script>")
        if tag == "style":
            self.problems.append("<style> element")
        for name, _ in attrs:
            if name == "style" or name.startswith("on"):
                self.problems.append(f"{name}= on <{tag}>")

    @classmethod
    def of(cls, html: str) -> "InlineCodeAudit":
        audit = cls()
        audit.feed(html)
        return audit


# -- issue 14: what a person sees ----------------------------------------------------------------


def test_the_home_page_offers_clickable_examples_and_focuses_the_box(client, engine):
    html = page_text(client.get("/"))
    assert "autofocus" in html and 'class="search-page home-page"' in html
    titles = engine.titles(4)
    assert len(titles) == 4
    links = [parse_qs(urlsplit(unescape(href)).query)["q"][0] for href in re.findall(r'class="example" href="([^"]+)"', html)]
    assert links == titles


def test_several_passages_of_one_document_are_grouped_under_its_title():
    hits = [make_hit(1, path="a.txt", title="Alpha"), make_hit(2, path="b.txt", title="Beta"),
            make_hit(3, path="a.txt", title="Alpha")]
    html = page_text(stub_client(Response("x", hits, 3, 1.0, question_type="keyword")).get("/search?q=x"))
    assert html.count('class="result-group"') == 2 and html.count(">Alpha</a></h2>") == 1
    alpha = html.index(">Alpha</a></h2>")
    assert alpha < html.index('id="result-1"') < html.index('id="result-3"') < html.index(">Beta</a></h2>")


def test_more_results_leads_to_the_next_page_and_the_count_says_which(client, engine):
    total = engine.ask(QUESTION, limit=100).total
    html = page_text(client.get("/search", query_string={"q": QUESTION}))
    assert f"1–10 of {total} passages" in html
    assert f'href="/search?q=Who+plays+Joanna+Kassem?&amp;offset=10" data-offset="10">More results</a>' in html
    second = page_text(client.get("/search", query_string={"q": QUESTION, "offset": 10}))
    assert f"11–{total} of {total} passages" in second and "More results" not in second
    assert second.count('class="result"') == total - 10 and 'id="result-11"' in second


def test_an_unfinished_question_shows_passages_without_an_answer_or_a_verdict(client):
    html = page_text(client.get("/results", query_string={"q": "Who plays Joanna Kass", "typing": "1"}))
    assert 'data-settled="false"' in html and 'data-state="answer"' not in html and "do not answer" not in html
    assert "<mark>Kassem</mark>" not in html and 'id="result-1"' in html  # the prefix found the passages
    spaced = page_text(client.get("/results", query_string={"q": "Who plays Joanna ", "typing": "1"}))
    assert 'data-settled="false"' in spaced and 'data-state="answer"' not in spaced  # the question goes on
    done = page_text(client.get("/results", query_string={"q": "Who plays Joanna Kassem?"}))
    assert 'data-settled="true"' in done and 'data-state="answer"' in done


def test_the_document_view_keeps_the_query_and_marks_the_answer_and_the_words(client):
    html = page_text(client.get(f"/doc/{CAST_FILE}", query_string={"lines": "33-33", "q": QUESTION,
                                                                    "answer": "Jenna Dewan"}))
    assert f'value="{QUESTION}"' in html  # the box keeps the query
    assert 'href="/search?q=Who+plays+Joanna+Kassem?">← Back to the results' in html
    cited = html[html.index('<li id="L33"'):html.index('<li id="L34"')]
    assert '<mark class="answer-mark">Jenna Dewan</mark>' in cited and "<mark>Joanna Kassem</mark>" in cited
    other = html[html.index('<li id="L34"'):html.index('<li id="L35"')]
    assert "<mark" not in other  # only the cited lines are marked within


