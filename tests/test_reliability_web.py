"""The web app's promises that Flask's test client can check over a real index on disk.

Promises (docs/reliability.md, "Web"):
- the document view shows a file only as it was indexed: a file changed since (grown, edited in
  place at the same size, replaced by a link to other content, deleted) gets 409 and a message
  that says to re-index, and is read no further than its indexed size; a file too large to show
  (over MAX_VIEW_BYTES or MAX_VIEW_LINES) gets 413 without being read; a file whose name is not
  UTF-8 opens under its escaped name;
- the app answers only to the hosts it was started for (localhost, the loopback addresses, the
  address it listens on, --allowed-host names; any IP address when listening on all of them):
  any other Host gets 400 on every route, before a redirect or a link could be built from it;
- `limit` takes ASCII digits only (not "²", "５" or "١"); /healthz and the 503 pages do not
  reveal where the index and the indexed folder are on the machine.
"""
from __future__ import annotations

import json
import os
import re
import urllib.parse
from pathlib import Path

import pytest

import search.document_text as document_text
from indexer.build import build_index
from search.document_text import MAX_VIEW_BYTES, MAX_VIEW_LINES
from web.app import create_app
from web.hosts import HostPolicy

NOTE = "# Herons\n\nThe heron waits by the pond.\nIt waits all morning.\n"
OTHER = "# Egrets\n\nThe egret is whiter than the heron.\nIt waits too.\n"


def client_for(index_dir: Path, **config):
    return create_app({"INDEX_DIR": str(index_dir), "TESTING": True, **config}).test_client()


@pytest.fixture
def indexed(tmp_path):
    """A folder of two notes, indexed; the client; and the view URL of each note."""
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "herons.md").write_text(NOTE, encoding="utf-8")
    (folder / "egrets.md").write_text(OTHER, encoding="utf-8")
    build_index(folder, tmp_path / "index")
    return folder, client_for(tmp_path / "index")


def view_url(path: Path) -> str:
    return "/doc/" + urllib.parse.quote(path.as_posix().lstrip("/"))


@pytest.fixture
def reads(monkeypatch):
    """The byte limits of every read the document view makes."""
    limits: list[int] = []
    real = document_text.read_regular_file

    def spy(path, limit):
        limits.append(limit)
        return real(path, limit)

    monkeypatch.setattr(document_text, "read_regular_file", spy)
    return limits


# -- the document view shows what was indexed -------------------------------------------------------


def test_an_unchanged_file_is_shown(indexed, reads):
    folder, client = indexed
    response = client.get(view_url(folder / "herons.md"))
    assert response.status_code == 200 and "It waits all morning." in response.get_data(as_text=True)
    assert reads and all(limit == len(NOTE) + 1 for limit in reads)  # never past the indexed size


def test_a_file_grown_by_100_mb_is_refused_without_being_read(indexed, reads):
    """Regression: it was served whole (324 MB in 12 s, 2 GB of memory in the worker)."""
    folder, client = indexed
    with open(folder / "herons.md", "r+b") as handle:
        handle.truncate(len(NOTE) + 100 * 1024 * 1024)  # sparse: no time, no space
    response = client.get(view_url(folder / "herons.md"))
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "has changed since it was indexed" in page and "liner index" in page
    assert reads == []


@pytest.mark.parametrize("change", ["same size, other bytes", "hard link to another file", "symbolic link to another file",
                                    "deleted", "replaced by a folder"])
def test_a_file_changed_since_it_was_indexed_is_refused(indexed, change):
    """Regression: a file swapped for a hard link to another file's content showed that content."""
    folder, client = indexed
    note = folder / "herons.md"
    if change == "same size, other bytes":
        note.write_text(NOTE.replace("heron", "HERON"), encoding="utf-8")
    elif change == "hard link to another file":
        note.unlink()
        os.link(folder / "egrets.md", note)
    elif change == "symbolic link to another file":
        note.unlink()
        note.symlink_to("egrets.md")
    elif change == "deleted":
        note.unlink()
    else:
        note.unlink()
        note.mkdir()
    response = client.get(view_url(note))
    assert response.status_code == 409, response.status_code
    page = response.get_data(as_text=True)
    assert "egret" not in page.lower() and "HERON" not in page
    assert "since it was indexed" in page or "cannot be read now" in page


def test_a_file_too_large_to_show_is_refused_without_being_read(tmp_path, reads):
    folder = tmp_path / "notes"
    folder.mkdir()
    big = folder / "big.md"
    big.write_text("# Big\n\n" + ("A line of a long note about herons and egrets.\n" * (MAX_VIEW_BYTES // 40)), encoding="utf-8")
    many = folder / "many.md"
    many.write_text("# Many\n\n" + "x\n" * (MAX_VIEW_LINES + 10), encoding="utf-8")
    build_index(folder, tmp_path / "index")
    client = client_for(tmp_path / "index")
    response = client.get(view_url(big))
    assert response.status_code == 413 and "the document view shows files of up to 2 MB" in response.get_data(as_text=True)
    assert reads == []
    response = client.get(view_url(many))
    assert response.status_code == 413 and f"{MAX_VIEW_LINES:,} lines" in response.get_data(as_text=True)


def test_a_file_whose_name_is_not_utf8_opens_under_its_escaped_name(tmp_path):
    folder = tmp_path / "notes"
    folder.mkdir()
    with open(os.fsencode(folder) + b"/caf\xe9 100%E9.md", "wb") as handle:
        handle.write(b"# Cafe\n\nThe espresso is strong.\n")
    build_index(folder, tmp_path / "index")
    client = client_for(tmp_path / "index")
    response = client.get(view_url(folder) + "/" + urllib.parse.quote("caf%E9 100%25E9.md"))
    assert response.status_code == 200 and "The espresso is strong." in response.get_data(as_text=True)
    found = client.get("/api/search?q=espresso").get_json()
    assert found["results"][0]["path"].endswith("caf%E9 100%25E9.md")


# -- hosts -------------------------------------------------------------------------------------------

ROUTES = ["/", "/?q=heron", "/search?q=heron", "/results?q=heron", "/api/ask?q=heron", "/api/search?q=heron",
          "/api/openapi.json", "/healthz", "/static/liner.css", "/doc/anything.md", "/no-such-page", "//search?q=x"]


@pytest.mark.parametrize("host", ["evil.example", "evil.example:8000", "127.0.0.1.evil.example", "localhost.evil.example",
                                  "evil.example@localhost", "", "[::2]", "10.0.0.1", "LOCALHOST:99999", "local host"])
def test_any_other_host_gets_400_on_every_route(indexed, host):
    folder, client = indexed
    for route in ROUTES + [view_url(folder / "herons.md")]:
        response = client.get(route, headers={"Host": host})
        assert response.status_code == 400, (host, route, response.status_code)
        body = response.get_data(as_text=True)
        assert "evil.example/" not in body and "Location" not in response.headers
        assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("host", ["localhost", "localhost:8000", "LocalHost:8000", "localhost.", "127.0.0.1:8000",
                                  "[::1]:8000", "[::1]"])
def test_the_local_names_are_answered_and_links_use_them(indexed, host):
    _, client = indexed
    response = client.get("/search?q=heron", headers={"Host": host})
    assert response.status_code == 200, host
    links = re.findall(r"https?://([^/\s\"'&<>]+)/doc/", response.get_data(as_text=True))
    assert links and set(links) == {host.lower()}  # the Markdown's links back to the cited lines
    redirect = client.get("/?q=heron", headers={"Host": host})
    assert redirect.status_code in (301, 302, 303, 307, 308)
    location = urllib.parse.urlsplit(redirect.headers["Location"])
    assert location.netloc in ("", host)


def test_allowed_hosts_and_a_server_on_every_address():
    policy = HostPolicy.for_server("192.168.1.20", ["notes.example.org"])
    assert policy.allows("192.168.1.20:8000") and policy.allows("notes.example.org") and policy.allows("localhost")
    assert not policy.allows("10.0.0.1:8000") and not policy.allows("evil.example")
    everywhere = HostPolicy.for_server("0.0.0.0", ["notes.example.org"])
    assert everywhere.allows("10.0.0.1:8000") and everywhere.allows("[fe80::1]:8000") and everywhere.allows("notes.example.org")
    assert not everywhere.allows("evil.example") and not everywhere.allows("10.0.0.1.nip.io")
    assert HostPolicy.for_server("::1").allows("[::1]:80")
    given = HostPolicy.for_server("127.0.0.1", ["Notes.Example.org.", "wiki.test:8080", "[fe80::2]", "fe80::3"])
    assert all(given.allows(host) for host in ("notes.example.org:8000", "wiki.test", "[fe80::2]:80", "[fe80::3]"))


def test_a_request_without_a_host_is_answered(indexed):
    """HTTP/1.0 may omit Host: such a request names nothing to rebind."""
    _, client = indexed
    response = client.get("/healthz", environ_overrides={"HTTP_HOST": None})
    assert response.status_code == 200


# -- small ones -------------------------------------------------------------------------------------


@pytest.mark.parametrize("limit", ["²", "５", "١", "1²", "+5", " 5", "5 ", "0x5", "1e1", "٣"])
def test_limit_takes_ascii_digits_only(indexed, limit):
    """Regression: str.isdigit() takes "²", and int("²") then raised: HTTP 500."""
    _, client = indexed
    response = client.get("/api/search?" + urllib.parse.urlencode({"q": "heron", "limit": limit}))
    assert response.status_code == 400 and "limit must be a whole number" in response.get_json()["error"]


def test_healthz_and_the_503_pages_do_not_reveal_where_things_are(indexed, tmp_path):
    folder, client = indexed
    body = client.get("/healthz").get_data(as_text=True)
    assert "root" not in json.loads(body)["index"]
    assert str(folder) not in body and str(tmp_path) not in body
    missing = client_for(tmp_path / "nothing" / "index")
    for route in ("/healthz", "/api/search?q=heron", "/search?q=heron"):
        response = missing.get(route)
        assert response.status_code == 503
        assert str(tmp_path) not in response.get_data(as_text=True)
        assert "liner index" in response.get_data(as_text=True)
