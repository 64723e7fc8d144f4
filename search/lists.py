"""List answers, for questions that ask for several things ("Which options ...?", "What are the
STATUS values?"): an enumeration in a sentence ("success, notfound, unavail or tryagain"), or the
items of a bulleted list, each by its leading term.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Iterator

from indexer.kinds import PassageKind
from search.patterns import wrapped
from search.phrases import shorten
from search.retrieval import ScoredPassage
from search.spans import Asked, Span, Unit
from search.technical import MARKED_CODE

# One item of an enumeration: a code literal, or a few words.
_ITEM = r"(?:``[^`]+``|`[^`]+`|[\w$@%./+*-]+(?:[ \t][\w$@%./+*-]+){0,3})"
ENUMERATION = re.compile(rf"{_ITEM}(?:,\s+{_ITEM})+,?\s+(?:and|or|and/or)\s+{_ITEM}|{_ITEM}(?:,\s+{_ITEM}){{2,}}")
# Words that lead into an enumeration and are not its first item.
LEAD_IN = re.compile(wrapped(r"^(?:\w+\s+){0,3}(?:one of|any of|either|such as|including|namely|along with|together with|as well as|are|is|be|of)\s+"), re.I)
# The leading term of a list item: a code literal, or the words before a colon or a dash.
_LEADING_TERM = re.compile(r"^\s*(?:[-*+•]|\d{1,3}[.)])?\s*(?P<term>[^:—–\n]{1,60}?)\s*(?:[:—–]|\s-\s|$)", re.M)
# A list of items from the pool holds at most this many.
MAX_LIST_ITEMS = 12
# Items of one list stand at most this many lines apart.
ITEM_GAP_LINES = 3
# Sentences whose enumerations are kept: those of a few hundred passages.
SENTENCES_KEPT = 2048


def enumerations(asked: Asked, unit: Unit) -> Iterator[Span]:
    if not asked.question.wants_list:  # most questions: no generator started for every sentence
        return iter(())
    return _enumerations(asked, unit)


def _enumerations(asked: Asked, unit: Unit) -> Iterator[Span]:
    for start, end, shown in _enumerations_in(unit.text):
        yield Span(shown, asked.question.answer_type, start, end, "enumeration")


@lru_cache(maxsize=SENTENCES_KEPT)
def _enumerations_in(text: str) -> tuple[tuple[int, int, str], ...]:
    """[start, end) and shown text of each enumeration of a sentence, whatever the question: every
    question that asks for a list reads the same sentences (ENUMERATION backtracks on long ones)."""
    found = []
    for match in ENUMERATION.finditer(text):
        start = match.start() + _lead_in_length(match.group())
        items = text[start:match.end()].rstrip(".")
        if len(items.split()) >= 2:
            found.append((start, match.end(), shorten(items)))
    return tuple(found)


def _lead_in_length(text: str) -> int:
    """How many characters of words lead into the first item ("is one of success, ..."): the
    function words before it, and the words before a lead-in such as "one of" or "such as"."""
    lead = LEAD_IN.match(text)
    return lead.end() if lead else 0


def item_lists(passages: list[ScoredPassage]) -> list[tuple[list[ScoredPassage], str]]:
    """Runs of list items of one document that stand together, with their leading terms joined
    ("a, b, c"): each run one candidate answer."""
    runs: list[list[ScoredPassage]] = []
    items = sorted((p for p in passages if p.kind == PassageKind.LIST_ITEM), key=lambda p: (p.path, p.passage.line_start))
    for passage in items:
        last = runs[-1][-1] if runs else None
        if last is not None and last.path == passage.path and 0 <= passage.passage.line_start - last.passage.line_end <= ITEM_GAP_LINES:
            runs[-1].append(passage)
        else:
            runs.append([passage])
    found = []
    for run in runs:
        if len(run) >= 2:
            terms = [_leading_term(p.text) for p in run[:MAX_LIST_ITEMS]]
            joined = ", ".join(term for term in terms if term)
            if joined:
                found.append((run, shorten(joined)))
    return found


def _leading_term(text: str) -> str:
    marked = MARKED_CODE.search(text)
    if marked and marked.start() < 4:
        return next(group for group in marked.groups() if group)
    match = _LEADING_TERM.match(text)
    return match.group("term").strip() if match else ""
