"""Yes/no answers: "Yes" or "No", with the clause of the sentence that decides it.

A sentence that opens with "Yes" or "No" says so (FAQs do); otherwise a negation in the clause
that covers the question decides "No", its absence "Yes" (the polarity heuristic of early QA
systems for yes/no questions; the answer scorer learns how far to trust it).
"""
from __future__ import annotations

import re
from typing import Iterator

from indexer.analysis import stem, stemmed_terms
from search.expansion import canonical
from search.kinds import AnswerType
from search.phrases import MAX_ANSWER_CHARS, sentence_pieces, shorten
from search.spans import Asked, Span, Unit

EXPLICIT = re.compile(r"^\W*(yes|no|not really|not as such|not exactly)\b", re.I)
# Typeset text writes "don’t" with a right single quotation mark: both apostrophes negate. A
# negation after "or" offers both ways and decides neither: "with or without modification",
# "any price or no price", "whether or not".
NEGATION = re.compile(r"(?<!\bor\s)\b(?:not|no|never|cannot|neither|nor|none|without)\b|n['’]t\b", re.I)
# A word negated by its prefix or suffix: "irrevocable", "non-exclusive", "MT-Unsafe",
# "royalty-free", "passwordless". It says "No" to a question that asks of the bare word ("Is the
# licence revocable?", "Is getopt() thread-safe?", "Do I have to pay royalties?").
NEGATING_AFFIX = re.compile(r"\b(?:un|in|im|il|ir|non|dis)-?(?P<after>[a-z]{3,})|\b(?P<before>[a-z]{3,})-?(?:free|less)\b",
                            re.I)
# The answer shows "Yes: " or "No: " before the deciding clause, within the answer's length.
SEPARATOR = ": "


def yes_no(asked: Asked, unit: Unit) -> Iterator[Span]:
    text = unit.text
    explicit = EXPLICIT.match(text)
    start, end = _deciding_clause(asked, unit)
    if explicit:
        verdict = "Yes" if explicit.group(1).lower() == "yes" else "No"
    else:
        clause = text[start:end]
        verdict = "No" if NEGATION.search(clause) or _negates_an_asked_word(asked, clause) else "Yes"
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


def _negates_an_asked_word(asked: Asked, clause: str) -> bool:
    """Whether the clause holds a word the question asks of with a negating affix, the affixed
    word not asked of itself ("Is it unsafe?" is not answered "No" by "unsafe")."""
    asked_stems = asked.weights.keys()  # the question's own stems (not the words standing in for them)
    for match in NEGATING_AFFIX.finditer(clause):
        bare = stem((match.group("after") or match.group("before")).lower())
        whole = stem(match.group().replace("-", "").lower())
        if bare in asked_stems and whole not in asked_stems:
            return True
    return False
