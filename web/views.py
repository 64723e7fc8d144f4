"""HTML pages: the search page (and its results part, which the page's script swaps in as you
type) and the document view. Each view reads its arguments, calls the Engine once, renders.
"""
from __future__ import annotations

import re

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from search.query import QueryError
from search.render import count_text, markdown_answer, markdown_hit
from search.response import Response
from search.snippets import split_at_highlights
from web.display import file_name, group_hits, line_label, line_segments, query_terms
from web.resources import QueryOptions, get_engine, query_turn, read_options, read_query

bp = Blueprint("views", __name__)

_LINE_RANGE = re.compile(r"\s*(\d{1,9})\s*(?:[-–]\s*L?(\d{1,9}))?\s*")
# Documents whose titles the home page offers as example searches.
EXAMPLE_COUNT = 4


@bp.get("/")
def home() -> ResponseReturnValue:
    """The search page with an empty box (`/?q=...` goes to the shareable `/search?q=...`).

    :raise 503: the index is missing or unreadable.
    """
    if request.args.get("q"):
        return redirect(url_for("views.search", q=read_query()))
    return render_template("search.html", **results_context("", QueryOptions()), autofocus=True)


@bp.get("/search")
def search() -> ResponseReturnValue:
    """The search page with the answer and ranked passages for `q`; 400 with the message for a
    query that cannot be searched.

    :raise 414: `q` is longer than MAX_QUERY_CHARS.
    :raise 503: the index is missing or unreadable.
    """
    context = results_context(read_query(), read_options())
    return render_template("search.html", **context), 400 if context["error"] else 200


@bp.get("/results")
def results() -> ResponseReturnValue:
    """Only the results part of the search page for `q` (what liner.js swaps in as you type).

    :raise 414: `q` is longer than MAX_QUERY_CHARS.
    :raise 503: the index is missing or unreadable.
    """
    context = results_context(read_query(), read_options())
    return render_template("_results.html", **context), 400 if context["error"] else 200


@bp.get("/doc/<path:path>")
def document(path: str) -> ResponseReturnValue:
    """An indexed file with line numbers, the lines in `?lines=12-14` marked (link with `#L12`
    to scroll there without JavaScript), and in them the words of the query `?q=` the reader came
    from and the answer `?answer=`; the search box keeps the query, with a link back to its results.
    For a PDF, the text of page `?page=3`.

    :raise 404: the path is not an indexed file (or tries to leave the indexed folder).
    :raise 503: the index is missing or unreadable.
    """
    # A folder indexed from outside its parent is cited by absolute path; its URL drops the
    # leading slash (see url_path). Only paths the index lists can open (Engine.document).
    page = request.args.get("page", type=int)
    candidates = [p for p in (path, "/" + path) if is_plain_path(p)]
    text = next(filter(None, (get_engine().document(p, page) for p in candidates)), None)
    if text is None:
        abort(404, f"{path} is not an indexed document.")
    cited = parse_line_range(request.args.get("lines", ""), len(text.lines))
    query = read_query()
    return render_template("document.html", document=text, cited=cited, query=query,
                           terms=query_terms(query), answer=request.args.get("answer", "")[:200])


# -- helpers the views share (pure, apart from the one Engine call) ----------------------------


def results_context(query: str, options: QueryOptions) -> dict:
    """What `_results.html` needs for `query`: the Response (None for an empty query) with its
    hits grouped by document, an error message for a query that cannot be searched, the Markdown
    each "Copy" button copies, and the addresses of the next page and of the search as typed."""
    context = {"query": query, "response": None, "error": None, "answer_markdown": None, "hit_markdowns": {},
               "groups": [], "titles": {}, "more_url": None, "exact_url": None, "options": options}
    engine = get_engine()
    if not query.strip():
        context["stats"] = engine.stats
        context["examples"] = engine.titles(EXAMPLE_COUNT)
        return context
    try:
        with query_turn():
            response = engine.ask(query, limit=current_app.config["RESULT_LIMIT"], **options.engine_arguments())
    except QueryError as error:
        context["error"] = str(error)
        return context
    context.update(response=response, groups=group_hits(response.results), count=count_text(response),
                   titles={hit.path: hit.title for hit in reversed(response.results) if hit.title})
    context.update(markdown_for(response))
    if response.has_more:
        context["more_url"] = url_for("views.search", q=query, offset=response.offset + len(response.results),
                                      **({"exact": 1} if options.exact else {}))
    if response.suggestion:
        context["exact_url"] = url_for("views.search", q=query, exact=1)
    return context


def markdown_for(response: Response) -> dict:
    """The Markdown `liner ask --format markdown` prints, per answer and per hit (by rank), with
    links back to this server's document view."""
    answer = markdown_answer(response.answer, response, link=document_link) if response.answer else None
    return {"answer_markdown": answer,
            "hit_markdowns": {hit.rank: markdown_hit(hit, link=document_link) for hit in response.results}}


def document_link(path: str, line_start: int, line_end: int, page: int | None = None) -> str:
    """Absolute URL of the document view at the cited lines (for Markdown pasted elsewhere)."""
    return url_for("views.document", path=url_path(path), lines=f"{line_start}-{line_end}", _anchor=f"L{line_start}",
                   _external=True, **({"page": page} if page else {}))


@bp.app_template_global()
def document_url(path: str, line_start: int, line_end: int, query: str = "", answer: str = "",
                 page: int | None = None) -> str:
    """Relative URL of the document view at the cited lines (and page, for a PDF), for links on
    our own pages, with the query it was found by (kept in the box, its words marked) and the
    answer to mark."""
    extra = {key: value for key, value in (("q", query), ("answer", answer), ("page", page)) if value}
    return url_for("views.document", path=url_path(path), lines=f"{line_start}-{line_end}", **extra,
                   _anchor=f"L{line_start}")


bp.add_app_template_global(line_label, "line_label")
bp.add_app_template_global(file_name, "file_name")
bp.add_app_template_filter(line_segments, "line_segments")


def url_path(path: str) -> str:
    """A cited path as the document route takes it: "/doc//home/..." would be redirected away."""
    return path.lstrip("/")


@bp.app_template_filter()
def marked_segments(text: str, highlights: list[tuple[int, int]]) -> list[tuple[str, bool]]:
    """(piece, is_match) pairs of `text` (search/snippets.py's split_at_highlights), so the
    template puts <mark> around the matches and escapes every piece."""
    return split_at_highlights(text, highlights)


@bp.app_template_filter()
def answer_segments(sentence: str, answer: str) -> list[tuple[str, bool]]:
    """The supporting sentence with the answer in it marked (the first place it stands)."""
    start = sentence.find(answer) if answer else -1
    if start < 0:
        start = sentence.lower().find(answer.lower()) if answer else -1
    return marked_segments(sentence, [(start, start + len(answer))] if start >= 0 else [])


def parse_line_range(text: str, line_count: int) -> tuple[int, int] | None:
    """`"12-14"`, `"12"` or `"L12-L14"` -> (12, 14), clipped to the file; None when absent or not
    a range (the page then marks nothing rather than failing)."""
    match = _LINE_RANGE.fullmatch(text.removeprefix("L")) if text else None
    if not match or line_count < 1:
        return None
    start = int(match.group(1))
    end = int(match.group(2) or start)
    if start > end:
        start, end = end, start
    start, end = max(1, start), min(line_count, end)
    return (start, end) if start <= end else None


def is_plain_path(path: str) -> bool:
    """False for anything that could climb out of a folder: `..` or `.` segments, empty
    segments, `~`, backslashes, NUL. Engine.document opens only indexed files anyway; this keeps
    odd paths from reaching it at all."""
    if not path or path.startswith("~") or "\\" in path or "\x00" in path:
        return False
    return all(part not in ("", ".", "..") for part in path.removeprefix("/").split("/"))
