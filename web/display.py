"""How the pages show a Response to a person (pure functions, tested alone): results of one
document grouped under its title, a citation as its title and `L33`, and the marks in a cited
line. The exact path stays in every link and in the Markdown the Copy buttons copy."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from search.hits import match_terms
from search.query import QueryError
from search.questions import analyse_question, question_query
from search.response import Hit
from search.snippets import MatchTerms, match_spans

# How a line's pieces are marked: the answer, a word of the query, or nothing.
ANSWER, MATCH = "answer", "match"


@dataclass
class ResultGroup:
    """The hits of one page that come from one document, under its title (Pagefind's
    sub-results), in the order of that document's best hit."""

    path: str
    title: str
    hits: list[Hit] = field(default_factory=list)


def group_hits(hits: list[Hit]) -> list[ResultGroup]:
    groups: dict[str, ResultGroup] = {}
    for hit in hits:
        group = groups.get(hit.path)
        if group is None:
            group = groups[hit.path] = ResultGroup(hit.path, hit.title or file_name(hit.path))
        group.hits.append(hit)
    return list(groups.values())


def line_label(line_start: int, line_end: int) -> str:
    """`L33`, or `L33–L35` for several lines (a person's form of a citation's range)."""
    return f"L{line_start}" if line_start == line_end else f"L{line_start}–L{line_end}"


def file_name(path: str) -> str:
    return PurePosixPath(path).name or path


def query_terms(query: str) -> MatchTerms | None:
    """What the document view marks for the query a page came from, as its results marked it (a
    question's words such as "who" are not searched, so not marked); None for none."""
    try:
        return match_terms(question_query(analyse_question(query)), {}) if query.strip() else None
    except QueryError:
        return None


def line_segments(line: str, terms: MatchTerms | None, answer: str = "") -> list[tuple[str, str | None]]:
    """`line` cut into (piece, mark) pairs: the answer where it stands (case aside), the query's
    words elsewhere, nothing for the rest."""
    spans: list[tuple[int, int, str]] = []
    if answer.strip():
        spans = [(m.start(), m.end(), ANSWER) for m in re.finditer(re.escape(answer.strip()), line, re.IGNORECASE)]
    if terms is not None:
        spans += [(start, end, MATCH) for start, end in match_spans(line, terms)
                  if not any(s < end and start < e for s, e, _ in spans if _ == ANSWER)]
    pieces, position = [], 0
    for start, end, mark in sorted(spans):
        if start < position:
            continue
        if start > position:
            pieces.append((line[position:start], None))
        pieces.append((line[start:end], mark))
        position = end
    if position < len(line) or not pieces:
        pieces.append((line[position:], None))
    return pieces
