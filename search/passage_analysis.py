"""What ranking and answering read of a passage's text whatever the question: its content stems and
their pairs, its word count, the stems of each sentence, whether it could hold a value of a type.

Made once per text and kept: a server retrieves the same passages from question to question (the
generation's PassageCache, search/index.py), and re-ranking read all of this anew for each of the
~18 passages of every question (on the seeds, a fifth of `Engine.ask`'s time). Every value is
what the uncached code computes (tests/test_passage_analysis.py compares them).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from indexer.analysis import STOP_WORDS, exact_words, stemmed_terms
from search.index import PassageCache
from search.kinds import AnswerType
from search.patterns import has_answer_type

# Texts kept: as many as the generation's passage cache keeps passages (a few KB each).
TEXTS_ANALYSED = PassageCache.MAX_CACHED


@dataclass(frozen=True)
class TextAnalysis:
    stems: frozenset[str]  # every stem of the text
    content_stems: tuple[str, ...]  # the stems of its words that are not stop words, in order
    content_pairs: frozenset[tuple[str, str]]  # each content stem with the next
    words: int  # whitespace-separated words
    sentence_stems: tuple[frozenset[str], ...]  # the stems of each sentence (the whole text when none)


@lru_cache(maxsize=TEXTS_ANALYSED)
def analyse_text(text: str, sentences: tuple[tuple[int, int], ...]) -> TextAnalysis:
    """`text` analysed; `sentences`: its sentences' [start, end), as the passage keeps them."""
    stems = stemmed_terms(text)
    content = tuple(content_stems(text, stems))
    spans = sentences or ((0, len(text)),)
    return TextAnalysis(frozenset(stems), content, frozenset(zip(content, content[1:])), len(text.split()),
                        tuple(frozenset(stemmed_terms(text[start:end])) for start, end in spans))


def content_stems(text: str, stems: list[str] | None = None) -> list[str]:
    """The stems of `text`'s words that are not stop words; `stems`: stemmed_terms(text), if made."""
    stems = stemmed_terms(text) if stems is None else stems
    return [stem for word, stem in zip(exact_words(text), stems) if word not in STOP_WORDS]


@lru_cache(maxsize=TEXTS_ANALYSED)
def could_hold(answer_type: AnswerType, text: str) -> bool:
    """search/patterns.has_answer_type, kept: a regex over the whole passage, asked of the same
    passages again and again."""
    return has_answer_type(answer_type, text)


@lru_cache(maxsize=TEXTS_ANALYSED)
def holds(pattern: re.Pattern, text: str) -> bool:
    """Whether `pattern` occurs in `text` (a cue the ranker looks for), kept."""
    return pattern.search(text) is not None
