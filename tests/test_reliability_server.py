"""The real server (`liner serve`, waitress, a free port on 127.0.0.1) under re-indexing and abuse.

Promises (docs/reliability.md, "Web"):
- a finished re-index is picked up without a restart and without a failed request: concurrent
  GET /api/ask during several re-indexes give no error and no empty answer to questions that
  have one;
- no path traversal out of the indexed folder (`..`, encoded `%2e%2e%2f`, double encoding,
  backslashes, NUL, absolute paths, links out of the folder);
- no XSS: the query, document text and file names are escaped;
- request size limits (413, 414), JSON errors under /api, no traceback and no server version in
  any response, and the security headers on every response, errors included, waitress's own
  (400, 413, 431) too;
- only the hosts the server was started for are answered (400 for any other Host), and
  --allowed-host adds names.

The web engineer's tests (tests/test_web_*.py) use Flask's test client; these go through a socket to
the process a user starts, threads and all.
"""
from __future__ import annotations

import http.client
import json
import random
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

import pytest

from indexer.layout import current_generation
from figures import record_figures

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
LINER = Path(sys.executable).with_name("liner")

pytestmark = pytest.mark.skipif(
    not (ROOT / "web" / "app.py").exists(),
    reason="web/app.py does not exist yet (the web app is being written); these tests run against `liner serve` once it does",
)

# Questions the seeds answer, in files both versions of the served folder keep.
QUESTIONS = ["Who created Soundtrack?", "Who plays Joanna Kassem?", "When did Soundtrack premiere?",
             "How many episodes does Soundtrack have?"]
REINDEXES = 4
CLIENT_THREADS = 3

SECRET = "TOPSECRET-okapi-3141"
XSS_NAME = "<img src=x onerror=alert('name')>.md"
XSS_TEXT = ('# <script>alert("title")</script> Xylophone notes\n\n'
            'The <b>xylophone</b> <script>alert("body")</script> plays <img src=x onerror=alert(2)> loudly.\n')




# -- the served folder and the server ----------------------------------------------------------


def write_version(folder: Path, version: int) -> None:
    """The seeds (with a link out of the folder and a file named and written like an attack);
    odd versions add a note and change one seed, so each re-index has work to do."""
    folder.mkdir(parents=True, exist_ok=True)
    for seed in SEEDS.glob("*.txt"):
        text = seed.read_text(encoding="utf-8")
        if version % 2 and seed.name.startswith("002_"):
            text += f"\nA reader's note added in version {version}.\n"
        if not (folder / seed.name).exists() or (folder / seed.name).read_text(encoding="utf-8") != text:
            (folder / seed.name).write_text(text, encoding="utf-8")
    extra = folder / "extra.md"
    if version % 2:
        extra.write_text(f"# Extra\n\nVersion {version} of an extra note about marimbas.\n", encoding="utf-8")
    else:
        extra.unlink(missing_ok=True)
    if not (folder / XSS_NAME).exists():
        (folder / XSS_NAME).write_text(XSS_TEXT, encoding="utf-8")
    if not (folder / "escape.md").is_symlink():
        (folder / "escape.md").symlink_to("../secret.md")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """`liner serve` in its own process, and plain HTTP requests to it."""

    def __init__(self, base: Path, index_dir: Path) -> None:
        self.base, self.index_dir, self.port = base, index_dir, free_port()
        self.process = subprocess.Popen(
            [str(LINER), "serve", "--index", str(index_dir), "--port", str(self.port), "--threads", "8"],
            cwd=base, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                self.get("/healthz", timeout=5)  # any answer, 503 included: the server is up
                return
            except OSError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"`liner serve` did not start: {self.output}")
            time.sleep(0.1)

    def request(self, method: str, target: str, body: bytes | None = None, headers: dict | None = None,
                timeout: float = 60) -> tuple[int, dict[str, str], str]:
        """Send `target` exactly as given (no normalising of `..` or escapes)."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            given_host = any(name.lower() == "host" for name in headers or {})
            connection.putrequest(method, target, skip_host=given_host, skip_accept_encoding=True)
            for name, value in (headers or {}).items():
                connection.putheader(name, value)
            if body is not None:
                connection.putheader("Content-Length", str(len(body)))
            connection.endheaders(body)
            response = connection.getresponse()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read().decode("utf-8", "replace")
        finally:
            connection.close()

    def get(self, target: str, **kwargs) -> tuple[int, dict[str, str], str]:
        return self.request("GET", target, **kwargs)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.output = self.process.stdout.read() if self.process.stdout else ""


def index(base: Path, *extra: str) -> subprocess.CompletedProcess:
    """`liner index notes` from `base`, so cited paths are relative ("notes/...")."""
    return subprocess.run([str(LINER), "index", "notes", "--index", "index", "-q", *extra],
                          cwd=base, capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    base = tmp_path_factory.mktemp("served")
    (base / "secret.md").write_text(f"# Secret\n\n{SECRET} lives outside the indexed folder.\n", encoding="utf-8")
    write_version(base / "notes", 0)
    result = index(base)
    assert result.returncode == 0, result.stderr
    server = Server(base, base / "index")
    try:
        yield server
    finally:
        server.stop()
        output = server.output
        assert "Traceback" not in output, output


def ask(server: Server, question: str) -> tuple[int, dict]:
    status, _, body = server.get("/api/ask?" + urllib.parse.urlencode({"q": question}))
    return status, json.loads(body) if body.startswith("{") else {"raw": body}


def assert_clean(status: int, headers: dict[str, str], body: str) -> None:
    """No traceback, no server version, and the security headers, whatever the status."""
    assert "Traceback" not in body and 'File "' not in body, body[:500]
    server_header = headers.get("server", "")
    assert "waitress" not in server_header.lower() and not re.search(r"\d", server_header), server_header
    assert headers.get("x-content-type-options") == "nosniff"
    assert headers.get("referrer-policy")
    assert headers.get("x-frame-options") in ("DENY", "SAMEORIGIN") or "frame-ancestors" in headers.get(
        "content-security-policy", "")


# -- re-indexing under load --------------------------------------------------------------------


def test_reindexing_under_load_fails_no_request_and_empties_no_answer(served, tmp_path_factory):
    for question in QUESTIONS:
        status, data = ask(served, question)
        assert status == 200 and data["answer"] and data["answer"]["text"], (question, status, data)

    stop = threading.Event()
    lock = threading.Lock()
    tally = {"requests": 0, "errors": 0, "empty_answers": 0}
    problems: list[str] = []
    generations_seen: set[str] = set()

    def client(seed: int) -> None:
        rng = random.Random(seed)
        while not stop.is_set():
            question = rng.choice(QUESTIONS)
            try:
                status, data = ask(served, question)
            except Exception as error:  # noqa: BLE001 - a refused or dropped connection is an error
                status, data = None, {"exception": repr(error)}
            time.sleep(0.01)  # leave the indexer some of the machine's two cores
            with lock:
                tally["requests"] += 1
                if status != 200:
                    tally["errors"] += 1
                    problems.append(f"{question}: {status} {str(data)[:200]}")
                elif not data.get("answer") or not data["answer"].get("text") or not data.get("results"):
                    tally["empty_answers"] += 1
                    problems.append(f"{question}: empty answer")

    clients = [threading.Thread(target=client, args=(n,)) for n in range(CLIENT_THREADS)]
    for thread in clients:
        thread.start()
    try:
        for number in range(1, REINDEXES + 1):
            time.sleep(0.3)
            write_version(served.base / "notes", number)
            result = index(served.base, *(["--rebuild"] if number % 3 == 0 else []))
            assert result.returncode == 0, result.stderr
            generations_seen.add(json.loads(served.get("/healthz")[2])["index"]["generation"])
        time.sleep(0.3)
    finally:
        stop.set()
        for thread in clients:
            thread.join()

    assert problems == []
    assert tally["requests"] >= 4 * REINDEXES
    health = json.loads(served.get("/healthz")[2])
    assert health["index"]["generation"] == current_generation(served.index_dir)  # no restart needed
    assert len(generations_seen) == REINDEXES
    record_figures(tmp_path_factory, "server_reindex", reindexes=REINDEXES, client_threads=CLIENT_THREADS,
                   requests_during_reindex=tally["requests"], errors=tally["errors"],
                   empty_answers=tally["empty_answers"])


# -- path traversal ----------------------------------------------------------------------------

TRAVERSALS = [
    "/doc/../../etc/passwd",
    "/doc/..%2f..%2f..%2fetc%2fpasswd",
    "/doc/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "/doc/%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "/doc/%252e%252e%252f%252e%252e%252fetc%252fpasswd",
    "/doc/..%252f..%252fsecret.md",
    "/doc/%2fetc%2fpasswd",
    "/doc//etc/passwd",
    "/doc/notes/../secret.md",
    "/doc/notes/%2e%2e/secret.md",
    "/doc/notes/..%2fsecret.md",
    "/doc/notes/..%5csecret.md",
    "/doc/..\\..\\etc\\passwd",
    "/doc/notes%2f..%2f..%2fsecret.md",
    "/doc/notes/escape.md",  # a link in the folder to a file outside it
    "/doc/secret.md",
    "/doc/notes/001_181282d05fb4556f.txt%00.md",
    "/doc/%c0%ae%c0%ae/%c0%ae%c0%ae/etc/passwd",  # overlong UTF-8 dots
    "/doc/~/.bashrc",
    "/static/../secret.md",
    "/static/..%2f..%2fsecret.md",
    "/static/%2e%2e/%2e%2e/web/app.py",
    "/static/..%2fapp.py",
]


def test_no_path_leaves_the_indexed_folder(served, tmp_path_factory):
    secret_path = urllib.parse.quote(str(served.base / "secret.md"))
    status, headers, body = served.get("/doc/notes/001_181282d05fb4556f.txt")
    assert status == 200 and "Joshua Safran" in body  # the document view itself works
    for target in TRAVERSALS + [f"/doc/{secret_path}", f"/doc/{secret_path.lstrip('/')}", "/doc/etc/passwd"]:
        status, headers, body = served.get(target)
        if status in (301, 308):  # Werkzeug merging slashes: follow it, it must stay on this site
            location = urllib.parse.urlsplit(headers["location"])
            assert location.netloc in ("", f"127.0.0.1:{served.port}", f"localhost:{served.port}"), headers["location"]
            status, headers, body = served.get(urllib.parse.urlunsplit(("", "", *location[2:])))
        assert status in (400, 404), (target, status)
        assert SECRET not in body and "root:x:0:0" not in body and "create_app" not in body, target
        assert_clean(status, headers, body)
    record_figures(tmp_path_factory, "server_traversal", paths_tried=len(TRAVERSALS) + 3, leaks=0)


# -- XSS ---------------------------------------------------------------------------------------

RAW_PAYLOADS = ["<script>alert", "<img src=x onerror", "<b>xylophone</b>"]


def assert_escaped(body: str) -> None:
    for payload in RAW_PAYLOADS:
        assert payload not in body, payload


def test_document_text_and_file_names_are_escaped_in_the_document_view(served):
    target = "/doc/" + urllib.parse.quote(f"notes/{XSS_NAME}")
    status, headers, body = served.get(target)
    assert status == 200, body[:300]
    assert_escaped(body)
    # The file's name is shown escaped; its text is shown as Markdown reads, without its HTML tags.
    assert "&lt;img src=x onerror=alert(&#39;name&#39;)&gt;.md" in body and "xylophone" in body
    assert_clean(status, headers, body)


def test_a_refused_query_is_escaped_where_the_page_echoes_it(served):
    """A query with no words is refused before any search, and the page shows it back."""
    payload = "\"'><!--<>"
    status, headers, body = served.get("/search?" + urllib.parse.urlencode({"q": payload}))
    assert status == 400
    assert payload not in body and "\"'><!--" not in body
    assert_clean(status, headers, body)


def test_query_document_text_and_file_names_are_escaped_in_results(served):
    for query in ["<script>alert(1)</script> xylophone", "xylophone <img src=x onerror=alert(1)>"]:
        for page in ("/search", "/results"):
            status, headers, body = served.get(f"{page}?" + urllib.parse.urlencode({"q": query}))
            assert status == 200, (page, query, body[:300])
            assert "ylophone" in body  # the document with the payloads is among the results
            assert_escaped(body)
            assert_clean(status, headers, body)
        status, headers, body = served.get("/api/search?" + urllib.parse.urlencode({"q": query}))
        assert status == 200 and headers["content-type"].startswith("application/json")
        assert any(hit["path"].endswith(XSS_NAME) for hit in json.loads(body)["results"])


# -- limits, JSON errors, headers --------------------------------------------------------------


def test_request_size_limits(served):
    status, headers, body = served.get("/api/ask?" + urllib.parse.urlencode({"q": "a" * 1001}))
    assert status == 414 and "limit" in json.loads(body)["error"]
    assert_clean(status, headers, body)
    status, headers, body = served.get("/api/ask?q=x&pad=" + "a" * 20_000)
    assert status == 414
    assert_clean(status, headers, body)
    status, headers, body = served.request("POST", "/api/ask?q=x", body=b"x" * 100_000,
                                           headers={"Content-Type": "application/octet-stream"})
    assert status == 413 and json.loads(body)["error"]
    assert_clean(status, headers, body)
    # Far over any limit: refused by waitress itself, still without a traceback or version.
    try:
        status, headers, body = served.get("/api/ask?q=" + "a" * 400_000)
        assert status >= 400 and "Traceback" not in body and "waitress" not in headers.get("server", "").lower()
    except (ConnectionError, http.client.HTTPException):
        pass  # waitress may simply close the connection
    assert served.get("/healthz")[0] == 200  # and the server is still up


API_ERRORS = {
    "/api/ask": 400,
    "/api/ask?q=": 400,
    "/api/ask?q=%20%20": 400,
    "/api/ask?q=%00": 400,
    "/api/ask?q=%22%22": 400,
    "/api/ask?q=netflix&limit=abc": 400,
    "/api/ask?q=netflix&limit=0": 400,
    "/api/ask?q=netflix&limit=100000000000000000000": 400,
    "/api/ask?q=netflix&limit=%C2%B2": 400,  # "²": str.isdigit() takes it, int() did not (a 500)
    "/api/search?q=netflix&limit=%EF%BC%95": 400,  # a fullwidth 5
    "/api/search?q=%2B%2D": 400,
    "/api/nothing-here": 404,
    "/api/ask/../../etc/passwd": 404,
}


def test_api_errors_are_json_without_traceback(served):
    for target, expected in API_ERRORS.items():
        status, headers, body = served.get(target)
        assert status == expected, (target, status, body[:200])
        assert headers["content-type"].startswith("application/json"), target
        assert json.loads(body)["error"], target
        assert_clean(status, headers, body)
    status, headers, body = served.request("POST", "/api/ask?q=netflix", body=b"")
    assert status == 405 and json.loads(body)["error"]
    assert_clean(status, headers, body)
    status, headers, body = served.request("DELETE", "/api/ask?q=netflix")
    assert status == 405
    assert_clean(status, headers, body)


def test_every_response_has_the_security_headers_and_no_server_version(served):
    for target in ["/", "/healthz", "/api/openapi.json", "/doc/notes/001_181282d05fb4556f.txt", "/nothing",
                   "/doc/nothing.md", "/api/ask", "/static/nothing.css"]:
        status, headers, body = served.get(target)
        assert status < 500, (target, status)
        assert_clean(status, headers, body)
    # A malformed request line is answered by waitress alone: still no version.
    with socket.create_connection(("127.0.0.1", served.port), timeout=10) as raw:
        raw.sendall(b"GARBAGE \x00\xff HTTP/9.9\r\n\r\n")
        reply = raw.recv(65536).decode("latin-1")
    assert "waitress" not in reply.lower().split("\r\n\r\n")[0]
    assert "Traceback" not in reply


def test_a_server_whose_index_is_damaged_says_so_and_recovers_without_restart(served, tmp_path):
    """503 with the rebuild hint while the index cannot be opened, answers again once rebuilt."""
    copy = tmp_path / "base"
    shutil.copytree(served.base, copy, symlinks=True)
    generation = copy / "index" / current_generation(copy / "index")
    segment = max(generation.glob("*.seg"), key=lambda path: path.stat().st_size)
    segment.write_bytes(b"")
    server = Server(copy, copy / "index")
    try:
        status, headers, body = server.get("/healthz")
        assert status == 503 and "liner index --rebuild" in json.loads(body)["error"]
        assert_clean(status, headers, body)
        status, headers, body = server.get("/api/search?q=netflix")
        assert status == 503 and "liner index --rebuild" in json.loads(body)["error"]
        status, headers, body = server.get("/search?q=netflix")
        assert status == 503 and "liner index --rebuild" in body
        assert_clean(status, headers, body)
        assert index(copy).returncode == 0
        assert server.get("/healthz")[0] == 200
    finally:
        server.stop()


def test_citation_links_open_when_the_index_cites_absolute_paths(tmp_path):
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "note.md").write_text("# Note\n\nThe gharial basks on the sandbank.\n", encoding="utf-8")
    elsewhere = tmp_path / "elsewhere"  # not an ancestor of the folder: cited paths are absolute
    elsewhere.mkdir()
    result = subprocess.run([str(LINER), "index", str(folder), "--index", str(tmp_path / "index"), "-q"],
                            cwd=elsewhere, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    server = Server(tmp_path, tmp_path / "index")
    try:
        status, headers, body = server.get("/search?q=gharial")
        assert status == 200
        links = re.findall(r'href="(/doc/[^"]*)"', body)
        assert links
        for link in links:
            status, headers, body = server.get(link.replace("&amp;", "&").partition("#")[0])
            if status in (301, 308):
                location = urllib.parse.urlsplit(headers["location"])
                status, headers, body = server.get(urllib.parse.urlunsplit(("", "", *location[2:])))
            assert status == 200 and "gharial" in body, (link, status)
    finally:
        server.stop()


# -- waitress's own replies, hosts, what /healthz says -----------------------------------------------

RAW_REQUESTS = {
    # what is sent: the status waitress answers itself, before the app sees anything
    "a malformed request line": (b"GARBAGE \x00\xff HTTP/9.9\r\n\r\n", 400),
    "headers over 64 KB": (b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Pad: " + b"a" * 70_000 + b"\r\n\r\n", 431),
    "a body over 1 MB": (b"POST /api/ask HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 2000000\r\n\r\n", 413),
    "a broken chunked body": (b"POST /api/ask HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400),
}


@pytest.mark.parametrize("name", list(RAW_REQUESTS))
def test_waitress_own_error_replies_carry_the_security_headers(served, name):
    """Regression: waitress answers these before the app, and its replies lacked every security
    header docs/web.md promises."""
    data, expected = RAW_REQUESTS[name]
    with socket.create_connection(("127.0.0.1", served.port), timeout=10) as raw:
        raw.sendall(data)
        reply = b""
        while b"\r\n\r\n" not in reply:
            chunk = raw.recv(65536)
            if not chunk:
                break
            reply += chunk
    head, _, body = reply.decode("latin-1").partition("\r\n\r\n")
    status_line, *header_lines = head.split("\r\n")
    assert status_line.split()[1] == str(expected), status_line
    headers = {name.lower(): value for name, _, value in (line.partition(": ") for line in header_lines)}
    assert_clean(expected, headers, body)
    assert headers.get("content-security-policy", "").startswith("default-src 'self'")


def test_a_host_the_server_was_not_started_for_gets_400_everywhere(served):
    """Regression: `Host: evil.example` got 200 on every route, redirects pointed to it and the
    "Copy as Markdown" links were built from it (DNS rebinding, poisoned links)."""
    for target in ["/", "/?q=netflix", "/search?q=netflix", "/api/ask?q=netflix", "/healthz",
                   "/doc/notes/001_181282d05fb4556f.txt", "//search?q=x", "/static/liner.css"]:
        status, headers, body = served.get(target, headers={"Host": "evil.example"})
        assert status == 400, (target, status)
        assert "evil.example" not in headers.get("location", "") and "http://evil.example" not in body
        assert_clean(status, headers, body)
    status, headers, body = served.get("/search?q=netflix", headers={"Host": f"localhost:{served.port}"})
    assert status == 200 and f"http://localhost:{served.port}/doc/" in body


def test_allowed_host_adds_a_name(seeds_index):
    port = free_port()
    process = subprocess.Popen([str(LINER), "serve", "--index", str(seeds_index), "--port", str(port), "--workers", "1",
                                "--allowed-host", "notes.test", "--allowed-host", "wiki.test"],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                statuses = {}
                for host in ("notes.test", "wiki.test:80", f"127.0.0.1:{port}", "evil.test"):
                    connection.request("GET", "/healthz", headers={"Host": host})
                    response = connection.getresponse()
                    response.read()
                    statuses[host] = response.status
                connection.close()
                break
            except OSError:
                assert process.poll() is None and time.monotonic() < deadline, "the server did not start"
                time.sleep(0.1)
        assert statuses == {"notes.test": 200, "wiki.test:80": 200, f"127.0.0.1:{port}": 200, "evil.test": 400}
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_healthz_does_not_reveal_the_indexed_folder(served):
    """Regression: /healthz gave the absolute path of the indexed folder."""
    status, headers, body = served.get("/healthz")
    assert status == 200 and "root" not in json.loads(body)["index"]
    assert str(served.base) not in body
