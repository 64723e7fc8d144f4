"""The application factory and what every request shares: the one Engine, limits, headers, errors.

`create_app(config)` builds the app from a mapping (INDEX_DIR, the host names it answers to, and
the limits below), so tests pass their own index. The Engine is opened on first use and kept on the app: it is thread-safe and moves
to a new index generation by itself, so nothing needs closing per request (unlike flaskr's `g.db`).
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask, current_app, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import BadRequest, HTTPException, RequestEntityTooLarge, RequestURITooLarge

from search.document_text import DocumentChangedError, DocumentTooLargeError
from search.engine import DEFAULT_LIMIT, IndexCorruptError, IndexMissingError, default_index_dir
from search.query import MAX_QUERY_CHARS
from web import api, views
from web.hosts import LOCAL_HOSTS, HostPolicy
from web.resources import index_error_message, init_engine

HOSTS_KEY = "liner.hosts"

# A query of MAX_QUERY_CHARS characters can take up to 12 bytes each once percent-encoded.
MAX_URL_CHARS = 16 * 1024
# Every route is a GET; a body is never needed, so a large one is refused before anything reads it.
MAX_CONTENT_LENGTH = 16 * 1024

# Only our own files; no inline script or style (the templates use classes), no framing.
CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])

SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the web app. `config` overrides the defaults: INDEX_DIR (the index folder; with
    CLUSTER, a Ray cluster's address, the sharded index that cluster serves), ALLOWED_HOSTS (the
    names a request's Host may carry; localhost and the loopback addresses by default),
    ALLOW_ANY_ADDRESS_HOST (also any IP address, for a server on every address),
    MAX_QUERY_CHARS, MAX_URL_CHARS, MAX_CONTENT_LENGTH, RESULT_LIMIT."""
    app = Flask(__name__)
    app.config.from_mapping(
        INDEX_DIR=str(default_index_dir()),
        ALLOWED_HOSTS=list(LOCAL_HOSTS),
        ALLOW_ANY_ADDRESS_HOST=False,
        MAX_QUERY_CHARS=MAX_QUERY_CHARS,
        MAX_URL_CHARS=MAX_URL_CHARS,
        MAX_CONTENT_LENGTH=MAX_CONTENT_LENGTH,
        RESULT_LIMIT=DEFAULT_LIMIT,
    )
    if config is not None:
        app.config.from_mapping(config)
    app.json.sort_keys = False  # keep the contract's field order
    app.json.ensure_ascii = False

    init_engine(app)
    app.extensions[HOSTS_KEY] = HostPolicy.for_server("localhost", app.config["ALLOWED_HOSTS"])
    if app.config["ALLOW_ANY_ADDRESS_HOST"]:
        app.extensions[HOSTS_KEY] = HostPolicy(app.extensions[HOSTS_KEY].names, any_address=True)
    app.before_request(refuse_unknown_host)
    app.before_request(refuse_oversized_request)
    app.after_request(add_security_headers)
    app.register_error_handler(HTTPException, render_http_error)
    app.register_error_handler(IndexMissingError, render_index_error)
    app.register_error_handler(IndexCorruptError, render_index_error)
    app.register_error_handler(DocumentChangedError, render_document_error)
    app.register_error_handler(DocumentTooLargeError, render_document_error)

    app.register_blueprint(views.bp)
    api.init_app(app)
    return app


# -- request limits --------------------------------------------------------------------------------


def refuse_unknown_host() -> None:
    """Refuse a Host the server was not started for (web/hosts.py), before anything uses it. A
    request without one (HTTP/1.0) names no host to rebind, and is answered.

    :raise 400: the Host header names another host.
    """
    host = request.headers.get("Host")
    if host is not None and not current_app.extensions[HOSTS_KEY].allows(host):
        raise BadRequest(f"This server does not answer to the host {host[:100]!r}. Use the address `liner serve` "
                         "printed, or start it with --allowed-host NAME to answer to that name.")


def refuse_oversized_request() -> None:
    """Refuse a long URL or a large body before any view reads it.

    :raise 413: the declared body is larger than MAX_CONTENT_LENGTH.
    :raise 414: the URL is longer than MAX_URL_CHARS.
    """
    body_limit = current_app.config["MAX_CONTENT_LENGTH"]
    if request.content_length and request.content_length > body_limit:
        raise RequestEntityTooLarge(f"The request body is over {body_limit:,} bytes; Liner only needs a URL.")
    url_limit = current_app.config["MAX_URL_CHARS"]
    if len(request.full_path) > url_limit:
        raise RequestURITooLarge(f"The URL is over {url_limit:,} characters. Shorten the query.")


def add_security_headers(response):
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


# -- errors: JSON under /api and for /healthz, a plain page everywhere else; never a traceback ----


def wants_json() -> bool:
    return request.path == "/api" or request.path.startswith("/api/") or request.path == "/healthz"


def render_http_error(error: HTTPException) -> ResponseReturnValue:
    """Every HTTP error (including the 500 Flask makes of an unhandled exception) as a short
    message, keeping headers such as Allow on a 405."""
    if wants_json():
        response = jsonify(error=error.description)
    else:
        response = current_app.make_response(
            render_template(error_template(), title=f"{error.code} {error.name}", message=error.description)
        )
    response.status_code = error.code or 500
    for name, value in error.get_headers():
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


def render_index_error(error: Exception) -> ResponseReturnValue:
    """The index is missing or unreadable: 503, with the message that says how to fix it."""
    message = index_error_message(error)
    if wants_json():
        return jsonify(status="unavailable", error=message), 503
    return render_template(error_template(), title="The index is not available", message=message), 503


def render_document_error(error: Exception) -> ResponseReturnValue:
    """The document view refuses a file that changed since it was indexed (409: the file's state
    conflicts with the index's) or one too large to show (413, "Content Too Large", here said of
    the content the view would send)."""
    if isinstance(error, DocumentChangedError):
        title, status = "The file has changed since it was indexed", 409
    else:
        title, status = "The file is too large to show here", 413
    return render_template(error_template(), title=title, message=str(error)), status


def error_template() -> str:
    """A whole page, or only the notice where the page's script asked for the results part."""
    return "_error.html" if request.endpoint == "views.results" else "error.html"
