"""The heading a passage stands under, as a sentence of its own: a changelog or NEWS file gives a
release's date and version in the heading over its entries ("man-db 2.11.2 (8 January 2023)",
"Version 4.0 (09 Oct 2013)", "tmux (3.3a-3) unstable; urgency=medium"), not in the entries, so
"When was man-db 2.11.2 released?" and "Which make version added Guile?" are answered there.

The indexer keeps the heading's line (indexer/passages.py `heading_line`): an answer read from
it cites that line.
"""
from __future__ import annotations

import re

from indexer.analysis import stemmed_terms
from indexer.blocks import SECTION_SEPARATOR
from indexer.passages import Passage
from search.candidates import ASKS_WHEN_CHANGED
from search.expansion import canonical
from search.kinds import AnswerType
from search.questions import Question
from search.rank import covered_share
from search.retrieval import ScoredPassage
from search.spans import Unit

# "Since which version ...?" asks which release changed something, as "Which make version added
# Guile?" does (ASKS_WHEN_CHANGED). Another question for a version asks what a thing needs or runs
# ("Which mozjs version does polkit need?"), which a release's heading does not say.
SINCE = re.compile(r"\bsince\b", re.I)


def asks_of_a_release(question: Question) -> bool:
    """Whether a release's heading may answer the question: it asks a date, or which version
    changed something."""
    if question.answer_type == AnswerType.DATE:
        return True
    asks_of_a_change = ASKS_WHEN_CHANGED.search(question.text) or SINCE.search(question.text)
    return question.answer_type == AnswerType.VERSION and asks_of_a_change is not None


def own_heading(passage: Passage) -> str:
    """The text of the heading right over the passage: its section's innermost, else the
    document's title ("" when the indexer kept no heading line for it)."""
    if passage.heading_line is None:
        return ""
    if passage.section:
        return passage.section.rsplit(SECTION_SEPARATOR, 1)[-1]
    return passage.title


def heading_units(passages: list[ScoredPassage], weights: dict[str, float]) -> list[tuple[ScoredPassage, Unit]]:
    """Each distinct heading over the passages as a unit at its own line, with the best-ranked
    passage under it (the passages come best first)."""
    seen: set[tuple[str, int]] = set()
    units = []
    for passage in passages:
        described = passage.passage
        text = own_heading(described)
        key = (described.path, described.heading_line)
        if not text or key in seen:
            continue
        seen.add(key)
        stems = canonical(weights, stemmed_terms(text))
        line = described.heading_line
        units.append((passage, Unit(text, line, line, stems, covered_share(weights, set(stems), set()))))
    return units
