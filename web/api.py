"""The JSON API: `/api/ask`, `/api/search`, `/api/openapi.json`, and `/healthz`.

Answers are `Response.to_dict()`, the contract in search/answer.schema.json, exactly as
`liner ask --json` prints it. Errors are `{"error": "..."}` with their status code (web/app.py).
"""
from __future__ import annotations

import json
from functools import cache
from importlib import resources

from flask import Blueprint, Flask, current_app, jsonify, request
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import BadRequest

from search.engine import MAX_LIMIT, IndexCorruptError, IndexMissingError
from search.query import QueryError
from web.resources import get_engine, index_error_message, query_turn, read_options, read_query

bp = Blueprint("api", __name__, url_prefix="/api")


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.add_url_rule("/healthz", "healthz", healthz, methods=["GET"])


@bp.get("/ask")
def ask() -> ResponseReturnValue:
    """The answer to the question `q` (or null: the documents do not say) and the ranked passages,
    `limit` of them from `offset`; `typing=1` while the last word is still being typed (no answer
    then: `settled` is false), `exact=1` for no typo correction.

    :raise 400: `q` is empty or cannot be searched, `limit` is not 1..100, `offset` not 0..100.
    :raise 414: `q` is longer than MAX_QUERY_CHARS.
    :raise 503: the index is missing or unreadable.
    """
    query, limit, options = required_query(), read_limit(), read_options()
    with query_turn():
        response = get_engine().ask(query, limit=limit, **options.engine_arguments())
    return jsonify(response.to_dict())


@bp.get("/search")
def search() -> ResponseReturnValue:
    """Ranked passages for the keyword query `q` (no answer extraction: `answer` is null), `limit`
    of them from `offset`, with `typing` and `exact` as for /api/ask.

    :raise 400: `q` is empty or cannot be searched, `limit` is not 1..100, `offset` not 0..100.
    :raise 414: `q` is longer than MAX_QUERY_CHARS.
    :raise 503: the index is missing or unreadable.
    """
    query, limit, options = required_query(), read_limit(), read_options()
    with query_turn():
        response = get_engine().search(query, limit=limit, **options.engine_arguments())
    return jsonify(response.to_dict())


@bp.get("/openapi.json")
def openapi() -> ResponseReturnValue:
    """The OpenAPI 3.1 description of every route."""
    return jsonify(openapi_document())


@bp.errorhandler(QueryError)
def query_error(error: QueryError) -> ResponseReturnValue:
    return jsonify(error=f"bad query: {error}"), 400


def healthz() -> ResponseReturnValue:
    """200 with the index's stats when it opens; 503 with the reason (and the fix) otherwise."""
    try:
        stats = get_engine().stats
    except (IndexMissingError, IndexCorruptError) as error:
        return jsonify(status="unavailable", error=index_error_message(error)), 503
    # Not the indexed folder's absolute path ("root"): it tells a visitor about the machine.
    return jsonify(status="ok", index={key: value for key, value in stats.items() if key != "root"})


# -- arguments ------------------------------------------------------------------------------------


def required_query() -> str:
    """:raise 400: `q` is missing or blank.  :raise 414: `q` is too long."""
    query = read_query()
    if not query.strip():
        raise BadRequest('the query is empty: give one as ?q=..., e.g. /api/ask?q=Who+plays+Nellie%3F')
    return query


def read_limit() -> int:
    """`limit` (default RESULT_LIMIT). :raise 400: not a whole number from 1 to MAX_LIMIT."""
    text = request.args.get("limit")
    if text is None:
        return current_app.config["RESULT_LIMIT"]
    # ASCII digits only: str.isdigit() also takes "²" and "５", which int() then refuses or reads.
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= MAX_LIMIT:
        raise BadRequest(f"limit must be a whole number from 1 to {MAX_LIMIT}, not {text[:20]!r}")
    return int(text)


# -- the OpenAPI document -------------------------------------------------------------------------


@cache
def openapi_document() -> dict:
    """web/openapi.json with the Response schema taken from search/answer.schema.json, so the
    contract is written down once."""
    document = json.loads(resources.files("web").joinpath("openapi.json").read_text(encoding="utf-8"))
    schema = json.loads(resources.files("search").joinpath("answer.schema.json").read_text(encoding="utf-8"))
    schema = {key: value for key, value in schema.items() if key not in ("$schema", "$id")}
    document["components"]["schemas"]["Response"] = schema
    return document
