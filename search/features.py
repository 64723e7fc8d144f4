"""Passage features: what the ranker (search/rank.py) knows of each retrieved passage, as named
numbers. The weights that combine them are learned (`make train`, search/model.json).

Classic evidence of passage retrieval for question answering (Tellex et al. 2003, "Quantitative
Evaluation of Passage Retrieval Algorithms for Question Answering", SIGIR): the BM25F score and
rank, how much of the question's weight the passage covers and where (its text, or only what
describes it: title, section, field name), how close the words stand, whether the question's
word pairs stand together, and whether the passage could hold what is asked: a value of the
expected type, a reason, a definition of the asked term, an instruction or code.
"""
from __future__ import annotations

import math
import re
from functools import lru_cache

from indexer.kinds import PassageKind
from search.answer_features import misses_numbers, question_numbers, with_headings
from search.expansion import canonical
from search.kinds import VALUE_TYPES, AnswerType
from search.passage_analysis import (analyse_text, canonical_set, content_pairs, content_stems as _content_stems,
                                     could_hold, holds, question_positions, title_stems)
from search.patterns import CAUSAL_AS, CAUSAL_SINCE, OTHER_REASONS, wrapped
from search.questions import Question
from search.retrieval import ScoredPassage

# Words that introduce a reason, a definition, an instruction; a negation (for yes/no).
REASON_CUE = re.compile(wrapped(rf"\b(because|{CAUSAL_SINCE}|so that|in order to|due to|the reason|otherwise|therefore|"
                                rf"thus|as a result|to avoid|to prevent|to make sure|to ensure|this means|which means|"
                                rf"{OTHER_REASONS})\b|{CAUSAL_AS}"), re.I)
DEFINITION_CUE = wrapped(r"\b(?:is|are|was|were|means|refers to|stands for|denotes|describes)\b")
INSTRUCTION_CUE = re.compile(r"\b(use|call|run|type|set|pass|add|install|create|write|try|invoke|specify|enable|"
                             r"disable|configure|put|import|load|open|edit|remove|delete|replace|see)\b", re.I)
# Code in running text: reST/Markdown literals, roles, option flags, calls, assignments, sigils.
CODE = re.compile(r"``[^`]+``|`[^`]+`|:\w+:`|(?:^|\s)--?[A-Za-z][\w-]*|\w+\(\)|\w+\s*=\s*\S|[$@%][\w{]|::|=>|->|"
                  r"^\s{3,}\S", re.M)
# Passage lengths are read on a log scale, this many words counting 1.
LENGTH_SCALE_WORDS = 100
# Asked terms whose defining pattern is kept (_defines): a few a question.
TERMS_KEPT = 256


def passage_features(question: Question, passages: list[ScoredPassage], weights: dict[str, float]) -> list[dict[str, float]]:
    """The features of each passage, in the order given (retrieval's)."""
    top_bm25 = max((p.bm25 for p in passages), default=0.0) or 1.0
    by_bm25 = sorted(range(len(passages)), key=lambda i: -passages[i].bm25)
    bm25_rank = {index: rank for rank, index in enumerate(by_bm25)}
    question_stems = _content_stems(question.text)
    rarest = max(weights, key=weights.get) if weights else None
    numbers = question_numbers(question)
    asked_words = frozenset(question.content_words)  # a name made only of these is the question's own
    return [
        {
            "bm25": passage.bm25 / top_bm25,
            "bm25_rank": 1.0 / (1.0 + bm25_rank[index]),
            **_passage_own_features(question, passage, weights, rarest, question_stems, numbers, asked_words),
        }
        for index, passage in enumerate(passages)
    ]


def _passage_own_features(question: Question, passage: ScoredPassage, weights: dict[str, float], rarest: str | None,
                          question_stems: list[str], numbers: list[str],
                          asked_words: frozenset[str]) -> dict[str, float]:
    """What one passage shows of itself, whatever the others are."""
    analysis = analyse_text(passage.text, passage.passage.sentences)  # kept from question to question
    body, positions = question_positions(weights, analysis)  # read by three features: made once
    return {
        **_coverage_features(passage, weights, rarest, analysis.stems),
        "proximity": _proximity(body, weights, positions),
        "bigrams": _pair_share(question_stems, analysis.content_pairs),
        "length": math.log1p(analysis.words) / math.log1p(LENGTH_SCALE_WORDS),
        "density": len(positions) / len(body) if body else 0.0,
        "first_in_file": 1.0 if passage.passage.ordinal == 0 else 0.0,
        "first_in_section": 1.0 if passage.passage.section_position == 0 else 0.0,
        "section_position": math.log1p(passage.passage.section_position),
        "best_sentence": _best_sentence_coverage(analysis.sentence_stems, weights),
        "section_bigrams": _pair_share(question_stems, content_pairs(passage.passage.section or "")),
        "section_is_question": 1.0 if (passage.passage.section or "").rstrip().endswith("?") else 0.0,
        # the version, year or count the question names, missing from the passage and its headings
        "misses_numbers": misses_numbers(numbers, with_headings(passage)) if numbers else 0.0,
        **_kind_features(passage),
        **_answer_form_features(question, passage, asked_words),
    }


def proximity(passage: ScoredPassage, weights: dict[str, float]) -> float:
    """1 when the question's matched words stand side by side, falling as they spread out."""
    return _proximity(canonical(weights, passage.body_stems), weights)


def _proximity(body: list[str], weights: dict[str, float], positions: list[int] | None = None) -> float:
    """`positions`: where the body's stems are the question's, if found already."""
    if positions is None:
        positions = [i for i, s in enumerate(body) if s in weights]
    distinct = {body[i] for i in positions}
    if len(distinct) < 2:
        return 0.5 if distinct else 0.0
    best = len(body)
    for start_index, start in enumerate(positions):  # smallest window holding every matched stem
        seen: set[str] = set()
        for end in positions[start_index:]:
            seen.add(body[end])
            if len(seen) == len(distinct):
                best = min(best, end - start + 1)
                break
    return 1.0 / (1.0 + (best - len(distinct)) / 5.0)


def _coverage_features(passage: ScoredPassage, weights: dict[str, float], rarest: str | None,
                       own_words: frozenset[str]) -> dict[str, float]:
    """`own_words`: the passage's own stems (no alias made canonical)."""
    total = sum(weights.values()) or 1.0
    body = canonical_set(weights, own_words)  # = set(body_stems)
    context = canonical_set(weights, passage.context_stems)
    title = canonical_set(weights, title_stems(passage.passage.title))

    def anywhere(stem: str) -> bool:  # in body | context | title, without making that union (~100 stems)
        return stem in body or stem in context or stem in title

    return {
        "coverage": sum(w for s, w in weights.items() if s in body) / total,
        # ... by the question's own words, not the synonyms and corrections standing in for them
        "own_coverage": sum(w for s, w in weights.items() if s in own_words) / total,
        "context_coverage": sum(w for s, w in weights.items() if s in context and s not in body) / total,
        "title_coverage": sum(w for s, w in weights.items() if s in title) / total,
        "all_words": 1.0 if weights and all(anywhere(s) for s in weights) else 0.0,
        "rarest_missing": 1.0 if rarest is not None and not anywhere(rarest) else 0.0,
    }


def _best_sentence_coverage(sentence_stems: tuple[frozenset[str], ...], weights: dict[str, float]) -> float:
    """The largest share of the question's weight one sentence of the passage covers (each
    sentence's stems: TextAnalysis.sentence_stems): an answer tends to stand in one sentence
    with the question's words."""
    total = sum(weights.values())
    if not total:
        return 0.0
    best = 0.0
    for stems in sentence_stems:
        present = canonical_set(weights, stems)
        best = max(best, sum(w for s, w in weights.items() if s in present) / total)
    return best


def _pair_share(question: list[str], passage_pairs: frozenset[tuple[str, str]] | set) -> float:
    """Share of the question's consecutive content-word pairs that stand side by side in a text
    (stop words between them skipped on both sides), given the text's pairs (content_pairs)."""
    pairs = set(zip(question, question[1:]))
    if not pairs:
        return 0.0
    return len(pairs & passage_pairs) / len(pairs)


_KIND_FEATURES = tuple((f"kind_{kind.value}", kind) for kind in PassageKind)


def _kind_features(passage: ScoredPassage) -> dict[str, float]:
    """kind_* of the passage: 1 for its kind, 0 for the others (read, never changed: merged)."""
    return _FEATURES_OF_KIND.get(passage.kind, _NO_KIND)


def _features_of_kind(kind: PassageKind | None) -> dict[str, float]:
    return {name: 1.0 if kind == each else 0.0 for name, each in _KIND_FEATURES}


# Each kind's features, made once, not for each passage of each question.
_FEATURES_OF_KIND = {kind: _features_of_kind(kind) for kind in PassageKind}
_NO_KIND = _features_of_kind(None)


def _answer_form_features(question: Question, passage: ScoredPassage, asked_words: frozenset[str]) -> dict[str, float]:
    """Whether the passage has the form of what is asked; each only for the questions that ask
    for it (so that each is learned for its kind of question)."""
    text = passage.text
    wanted = question.answer_type
    has_value = wanted in VALUE_TYPES and could_hold(wanted, text, asked_words)
    wants_code = wanted in (AnswerType.INSTRUCTION, AnswerType.IDENTIFIER)
    return {
        "value_present": 1.0 if has_value else 0.0,
        "value_absent": 1.0 if wanted in VALUE_TYPES and not has_value else 0.0,
        "reason_cue": 1.0 if wanted == AnswerType.REASON and holds(REASON_CUE, text) else 0.0,
        "definition_cue": 1.0 if wanted == AnswerType.DEFINITION and _defines(question, text) else 0.0,
        "instruction_cue": 1.0 if wanted == AnswerType.INSTRUCTION and holds(INSTRUCTION_CUE, text) else 0.0,
        "code_for_code": 1.0 if wants_code and holds(CODE, text) else 0.0,
    }


def _defines(question: Question, text: str) -> bool:
    """The passage says what the asked term is: the term, then a defining verb."""
    term = question.content_words[0] if question.content_words else ""
    return bool(term) and _defining_pattern(term).search(text) is not None


@lru_cache(maxsize=TERMS_KEPT)  # asked of each passage of a question: made once a term
def _defining_pattern(term: str) -> re.Pattern:
    return re.compile(rf"\b{re.escape(term)}\w*\W{{0,3}}(?:\w+\W+){{0,2}}{DEFINITION_CUE}", re.I)
