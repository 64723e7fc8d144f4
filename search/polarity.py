"""Yes/no answers: "Yes" or "No", with the clause of the sentence that decides it.

A sentence that opens with "Yes" or "No" says so (FAQs do); otherwise a negation in the clause
that covers the question decides "No", its absence "Yes" (the polarity heuristic of early QA
systems for yes/no questions; the answer scorer learns how far to trust it).
"""
from __future__ import annotations

import re
from typing import Iterator

from indexer.analysis import stemmed_terms
from search.expansion import canonical
from search.kinds import AnswerType
from search.phrases import MAX_ANSWER_CHARS, sentence_pieces, shorten
from search.spans import Asked, Span, Unit

EXPLICIT = re.compile(r"^\W*(yes|no|not really|not as such|not exactly)\b", re.I)
# Typeset text writes "don’t" with a right single quotation mark: both apostrophes negate. A
# negation after "or" offers both ways and decides neither: "with or without modification",
# "any price or no price", "whether or not".
NEGATION = re.compile(r"(?<!\bor\s)\b(?:not|no|never|cannot|neither|nor|none|without)\b|n['’]t\b", re.I)
# The answer shows "Yes: " or "No: " before the deciding clause, within the answer's length.
SEPARATOR = ": "


def yes_no(asked: Asked, unit: Unit) -> Iterator[Span]:
    text = unit.text
    explicit = EXPLICIT.match(text)
    start, end = _deciding_clause(asked, unit)
    if explicit:
        verdict = "Yes" if explicit.group(1).lower() == "yes" else "No"
    else:
        verdict = "No" if NEGATION.search(text[start:end]) else "Yes"
    shown = shorten(text[start:end], MAX_ANSWER_CHARS - len(verdict) - len(SEPARATOR))
    yield Span(f"{verdict}{SEPARATOR}{shown}", AnswerType.YES_NO, start, end, "yes_no",
               {"explicit": float(bool(explicit)), "says_no": float(verdict == "No")})


def _deciding_clause(asked: Asked, unit: Unit) -> tuple[int, int]:
    """The clause of the unit that covers most of the question."""
    weights = asked.weights
    best, best_overlap = (0, len(unit.text)), -1.0
    for start, end, _ in sentence_pieces(unit.text):
        stems = set(canonical(weights, stemmed_terms(unit.text[start:end])))
        overlap = sum(w for s, w in weights.items() if s in stems)
        if overlap > best_overlap:
            best, best_overlap = (start, end), overlap
    return best
