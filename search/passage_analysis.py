"""What ranking and answering read of a passage's text whatever the question: its content stems and
their pairs, its word count, the stems of each sentence, whether it could hold a value of a type.

Made once per text and kept: a server retrieves the same passages from question to question (the
generation's PassageCache, search/index.py), and re-ranking read all of this anew for each of the
~18 passages of every question (on the seeds, a fifth of `Engine.ask`'s time). Every value is
what the uncached code computes (tests/test_speed_paths.py compares them).
"""
from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from functools import lru_cache

from indexer.analysis import STOP_WORDS, exact_words, stemmed_terms
from search.kinds import AnswerType
from search.patterns import has_answer_type

# Texts kept: as many as the generation's passage cache keeps passages (search/index.py
# PassageCache.MAX_CACHED; a few KB each).
TEXTS_ANALYSED = 1024


@dataclass(frozen=True)
class TextAnalysis:
    stems: frozenset[str]  # every stem of the text
    stem_list: tuple[str, ...]  # the stems of its words, in order (stemmed_terms)
    positions: dict[str, tuple[int, ...]]  # each stem -> where it stands in stem_list (read, never changed)
    content_stems: tuple[str, ...]  # the stems of its words that are not stop words, in order
    content_pairs: frozenset[tuple[str, str]]  # each content stem with the next
    words: int  # whitespace-separated words
    # the stems of each sentence (the whole text when none), as sets: the ranker asks whether each
    # of the question's stems is among them (features.py _best_sentence_coverage)
    sentence_stems: tuple[frozenset[str], ...]


def analyse_text(text: str, sentences) -> TextAnalysis:
    """`text` analysed; `sentences`: its sentences' [start, end), as the passage keeps them."""
    return _analysed(text, _hashable(sentences))


def sentence_texts(text: str, sentences) -> tuple[SentenceText, ...]:
    """The passage's sentences (the whole text when none) with their stems and line offsets."""
    return _sentence_texts(text, _hashable(sentences))


def _hashable(sentences) -> tuple[tuple[int, int], ...]:
    """A stored passage's sentences are tuples already; one made elsewhere may hold lists."""
    if isinstance(sentences, tuple) and all(type(span) is tuple for span in sentences):
        return sentences
    return tuple(tuple(span) for span in sentences)


@lru_cache(maxsize=TEXTS_ANALYSED)
def _analysed(text: str, sentences: tuple[tuple[int, int], ...]) -> TextAnalysis:
    stems = stemmed_terms(text)
    content = tuple(content_stems(text, stems))
    spans = sentences or ((0, len(text)),)
    return TextAnalysis(frozenset(stems), tuple(stems), stem_positions(stems), content,
                        frozenset(zip(content, content[1:])), len(text.split()),
                        tuple(frozenset(stemmed_terms(text[start:end])) for start, end in spans))


def stem_positions(stems) -> dict[str, tuple[int, ...]]:
    """Each stem -> where it stands in `stems`, in order."""
    positions: dict[str, list[int]] = {}
    for position, stem in enumerate(stems):
        positions.setdefault(stem, []).append(position)
    return {stem: tuple(at) for stem, at in positions.items()}


def content_stems(text: str, stems: list[str] | None = None) -> list[str]:
    """The stems of `text`'s words that are not stop words; `stems`: stemmed_terms(text), if made."""
    stems = stemmed_terms(text) if stems is None else stems
    return [stem for word, stem in zip(exact_words(text), stems) if word not in STOP_WORDS]


@lru_cache(maxsize=TEXTS_ANALYSED)
def could_hold(answer_type: AnswerType, text: str, asked_words: frozenset[str] = frozenset()) -> bool:
    """search/patterns.has_answer_type, kept: a regex over the whole passage, asked of the same
    passages again and again."""
    return has_answer_type(answer_type, text, asked_words)


@lru_cache(maxsize=TEXTS_ANALYSED)
def holds(pattern: re.Pattern, text: str) -> bool:
    """Whether `pattern` occurs in `text` (a cue the ranker looks for), kept."""
    return pattern.search(text) is not None


@dataclass(frozen=True)
class SentenceText:
    """One sentence of a passage as the answer step reads it (search/answers.passage_units)."""

    text: str
    stems: tuple[str, ...]
    first_line: int  # lines the sentence starts after the passage's first: newlines before it
    last_line: int  # ... and before its last character
    positions: dict[str, tuple[int, ...]]  # each stem -> where it stands in `stems` (read, never changed)


@lru_cache(maxsize=TEXTS_ANALYSED)
def _sentence_texts(text: str, sentences: tuple[tuple[int, int], ...]) -> tuple[SentenceText, ...]:
    return tuple(_sentence_text(text, start, end) for start, end in sentences or ((0, len(text)),))


def _sentence_text(text: str, start: int, end: int) -> SentenceText:
    stems = tuple(stemmed_terms(text[start:end]))
    return SentenceText(text[start:end], stems, text.count("\n", 0, start),
                        text.count("\n", 0, max(start, end - 1)), stem_positions(stems))


@lru_cache(maxsize=TEXTS_ANALYSED)
def content_pairs(text: str) -> frozenset[tuple[str, str]]:
    """Each content stem of `text` with the next (a passage's section: the passages of one
    section share it)."""
    content = content_stems(text)
    return frozenset(zip(content, content[1:]))


@lru_cache(maxsize=TEXTS_ANALYSED)
def title_stems(title: str) -> frozenset[str]:
    """The stems of a passage's title (the passages of one document share it)."""
    return frozenset(stemmed_terms(title))


def canonical_set(weights: dict[str, float], stems: frozenset[str] | tuple[str, ...]) -> Collection[str]:
    """What set(search/expansion.canonical(weights, stems)) holds: `stems` itself when no alias of
    the question is among them (nothing to copy; a kept tuple of a few stems is read as a set)."""
    if not holds_alias(weights, stems):  # most texts hold none of the question's aliases
        return stems
    return {weights.aliases.get(s, s) for s in stems}


def holds_alias(weights: dict[str, float], stems: Collection[str]) -> bool:
    """Whether an alias of the question's stems (a synonym's, a correction's) is among `stems`."""
    aliases = getattr(weights, "aliases", None)
    return bool(aliases) and not aliases.keys().isdisjoint(stems)


def question_positions(weights: dict[str, float],
                       analysis: TextAnalysis) -> tuple[list[str] | tuple[str, ...], list[int]]:
    """The text's stems made canonical (search/expansion.canonical) and where the question's
    stems stand in them (in order): read from the kept positions of each stem when no alias of
    the question is in the text (most texts), where a scan of every stem of each of a question's
    ~18 passages was the largest part of their ranking features."""
    aliases = getattr(weights, "aliases", None)
    if aliases and not aliases.keys().isdisjoint(analysis.stems):
        body = [aliases.get(s, s) for s in analysis.stem_list]
        return body, [i for i, s in enumerate(body) if s in weights]
    at = analysis.positions
    return analysis.stem_list, sorted(i for s in weights if s in at for i in at[s])
