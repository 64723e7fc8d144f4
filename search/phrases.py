"""Answers that are phrases, not values: what the text says a name is (a definition), or the
clause (or quotation) of a sentence that best covers the question; and the one rule for cutting
an answer to a short one.
"""
from __future__ import annotations

import re
from typing import Iterator

from indexer.analysis import stemmed_terms
from search.expansion import canonical
from search.patterns import CAPITALISED_RUN, CLAUSE_BREAK, QUOTE_VERBS, QUOTED
from search.questions import Question
from search.spans import Span

MAX_ANSWER_CHARS = 120
# A definition or a clause found by its form earns this structure bonus (search/candidates.py).
DEFINITION_BONUS = 0.8
# A quotation, when the question asks what someone said: added to its clause's coverage when
# choosing, and its structure bonus once chosen.
QUOTATION_BONUS = 0.3
# Pieces of a sentence shorter than this are not answers ("in 2019").
MIN_CLAUSE_CHARS = 8
# A clause shorter than this grows into its neighbours while it stays a short answer.
GROW_BELOW_CHARS = 40
# A name in the question shorter than this is not looked up for a definition.
MIN_DEFINED_NAME_CHARS = 3
# A cut answer ends at a comma, semicolon or space found after this many characters.
MIN_CUT_CHARS = 40


def definition_candidates(question: Question, text: str) -> Iterator[Span]:
    """What the text says a name the question asks about is: an appositive or a copula
    ("the Depot Loaf, a rye and wheat sourdough"; "Flirty Dancing is a reality series")."""
    for match in CAPITALISED_RUN.finditer(question.text[1:]):  # not the question's first word
        name = match.group()
        if len(name) < MIN_DEFINED_NAME_CHARS:
            continue
        pattern = rf"{re.escape(name)}['’]?s?\s*(?:,|\(|\bis\b|\bwas\b|\bare\b|\bwere\b)\s+(?P<what>(?:a|an|the)\s[^,.;()]{{3,100}})"
        for found in re.finditer(pattern, text):
            yield Span(found.group("what").strip(), question.answer_type, found.start("what"), found.end("what"), DEFINITION_BONUS)


def clause_candidates(question: Question, text: str, stems: list[str], weights: dict[str, float],
                      quoted: bool = False) -> Iterator[Span]:
    """The clause (or quotation) of a sentence that best covers the question, as a short phrase.
    `stems` are the sentence's canonical stems; `quoted`: the sentence is a quotation."""
    total = sum(weights.values()) or 1.0
    if not set(weights) & set(stems):
        return
    wants_quote = bool(QUOTE_VERBS.search(question.text))
    best = None
    for start, end, is_quotation in _pieces(text):
        piece = text[start:end].strip()
        if len(piece) < MIN_CLAUSE_CHARS:
            continue
        piece_stems = set(canonical(weights, stemmed_terms(piece)))
        overlap = sum(w for s, w in weights.items() if s in piece_stems) / total
        bonus = QUOTATION_BONUS if (is_quotation or quoted) and wants_quote else 0.0
        key = overlap + bonus
        if best is None or key > best[0]:
            best = (key, start, end)
    if best is None or best[0] <= 0:
        return
    _, start, end = best
    start, end = _grow_clause(text, start, end)
    clause = text[start:end].strip(" ,;:“”\"")
    yield Span(shorten(clause), question.answer_type, start, end, QUOTATION_BONUS if wants_quote else 0.0)


def _pieces(text: str) -> list[tuple[int, int, bool]]:
    """The quotations of a sentence, then its clauses: (start, end, is a quotation)."""
    pieces = [(m.start(1), m.end(1), True) for m in QUOTED.finditer(text)]
    position = 0
    for match in list(CLAUSE_BREAK.finditer(text)) + [None]:
        end = match.start() if match else len(text)
        if end > position:
            pieces.append((position, end, False))
        position = match.end() if match else len(text)
    return pieces


def _grow_clause(text: str, start: int, end: int) -> tuple[int, int]:
    """Widen a short clause to its neighbours while it stays a short answer."""
    while end - start < GROW_BELOW_CHARS:
        grown = False
        following = CLAUSE_BREAK.search(text, end + 1)
        if end < len(text):
            new_end = following.start() if following else len(text)
            if new_end - start <= MAX_ANSWER_CHARS - 10:
                end, grown = new_end, True
        if not grown:
            break
    return start, end


def shorten(text: str) -> str:
    """The text on one line, cut to MAX_ANSWER_CHARS at a clause or word boundary."""
    text = " ".join(text.split())
    if len(text) <= MAX_ANSWER_CHARS:
        return text
    cut = text[: MAX_ANSWER_CHARS - 1]
    for mark in (", ", "; ", " "):
        if mark in cut[MIN_CUT_CHARS:]:
            cut = cut[: cut.rfind(mark)]
            break
    return cut.rstrip(" ,;") + "…"
