"""Answer candidates from structure: a field whose name matches what the question asks (`Editor:`
for "Who edited ...?"), the table cell under a matching column header, a byline.

Structure says which part of a field or row answers, so these candidates need no pattern over
the text; how well the name matches the question is their structure score (0..1).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterator

from indexer.analysis import KIND_WORDS, agent_noun_bases, exact_words, normalize_word, stem, stemmed_terms
from indexer.passages import Passage
from search.kinds import VALUE_TYPES, AnswerType
from search.patterns import QUOTED, REFERENCE_MARK, TYPE_FIELD_NAMES, mostly_in_question, type_of_value
from search.phrases import shorten
from search.questions import Question

# A field name that matches only the noun of the answer's type ("Company" for "Which company
# ...?") counts this much of a match on the question's other words.
TYPE_NOUN_MATCH = 0.6
# A title in a table row that covers this much of the question counts as an example of what is
# asked, with this match, even under a column the question does not name.
TITLE_ROW_COVERAGE = 0.3
TITLE_ROW_MATCH = 0.6
# Questions any field value may answer, whatever its form (an organisation's name has none).
ANY_VALUE_ANSWERS = frozenset({AnswerType.ORGANISATION}) | (frozenset(AnswerType) - VALUE_TYPES)
# Words of a field name that say nothing of what it holds.
NAME_FILLER_WORDS = ("of", "by", "no", "num", "the")
# Field names, and field values and cells, whose analysis is kept: those of a few hundred passages.
NAMES_KEPT = 4096
# Column headers under which a cell names a work.
TITLE_HEADER_STEMS = frozenset({"titl", "name", "episod"})


@dataclass(frozen=True)
class Fact:
    """A value structure vouches for, with what it is a value of (its field name or header)."""

    text: str
    answer_type: AnswerType
    match: float  # how much of the name the question asks for, 0..1
    name: str
    source: str  # "field" or "cell"


def structured_facts(question: Question, passage: Passage, coverage: float, common: frozenset[str]) -> Iterator[Fact]:
    """Field values, table cells and bylines whose name matches what the question asks;
    `coverage` is how much of the question the passage covers."""
    asked = set(question.content_stems) | TYPE_FIELD_NAMES.get(question.answer_type, set())
    type_only = _type_noun(question)
    question_words = set(question.content_words)
    if passage.field_name and passage.field_value:
        match = name_match(passage.field_name, asked, KIND_WORDS.get(passage.kind, ""), type_only)
        value = REFERENCE_MARK.sub("", passage.field_value).strip()
        if match > 0 and not mostly_in_question(value, question_words):
            answer_type = _type_of_value(value, question.answer_type, common)
            if answer_type == question.answer_type or question.answer_type in ANY_VALUE_ANSWERS:
                shown_type = answer_type if answer_type != AnswerType.PHRASE else question.answer_type
                yield Fact(shorten(value), shown_type, match, passage.field_name, "field")
    for header, cell in passage.cells:
        if not header or mostly_in_question(cell, question_words):
            continue
        match = name_match(header, asked, type_only=type_only)
        answer_type = _type_of_value(cell, question.answer_type, common)
        if answer_type == AnswerType.TITLE and not _is_title_cell(header, cell):
            answer_type = AnswerType.PHRASE
        cell_text = _shown_cell(cell)
        if match > 0 and (answer_type == question.answer_type or question.answer_type not in VALUE_TYPES):
            yield Fact(cell_text, answer_type, match, header, "cell")
        elif answer_type == question.answer_type == AnswerType.TITLE and coverage > TITLE_ROW_COVERAGE:
            yield Fact(cell_text, answer_type, TITLE_ROW_MATCH, header, "cell")


def name_match(name: str, asked: set[str], related: str = "", type_only: set[str] = frozenset()) -> float:
    """How much of a field name or column header the question asks for (0..1); `related` are
    words that mean the same as the name here (a byline's "wrote"). A name matched only by
    `type_only` (the question's answer-type noun) counts TYPE_NOUN_MATCH as much."""
    count, stems = _name_stems(name, related)
    if not count:
        return 0.0
    matched = stems & asked
    share = min(1.0, len(matched) / count)
    return share * TYPE_NOUN_MATCH if matched and matched <= type_only else share


@lru_cache(maxsize=NAMES_KEPT)
def _name_stems(name: str, related: str) -> tuple[int, frozenset[str]]:
    """How many words of a field name or header count, and the stems it matches by (its words',
    `related`'s, and the verbs behind its agent nouns): the same names recur question after question."""
    words = [w for w in re.findall(r"[A-Za-z]+", name) if w.lower() not in NAME_FILLER_WORDS]
    if not words:
        return 0, frozenset()
    return len(words), frozenset({stem(normalize_word(w)) for w in words + related.split()}
                                 | {stem(b) for b in agent_noun_bases(words)})


@lru_cache(maxsize=NAMES_KEPT)  # the same cells are read question after question
def _shown_cell(cell: str) -> str:
    return shorten(cell.strip('"“” '))


@lru_cache(maxsize=NAMES_KEPT)
def _type_of_value(value: str, expected: AnswerType, common: frozenset[str]) -> AnswerType:
    """search/patterns.type_of_value, kept: the same fields and cells are read again and again."""
    return type_of_value(value, expected, common)


def _type_noun(question: Question) -> set[str]:
    """The stem of the noun right after "which"/"what" when words follow it: in "Which company
    distributes Soundtrack?" it says what kind of answer is wanted, and names many fields
    ("Company"); the words after it say which one ("Distributor"). In "What is the star
    rating?" the noun is what is asked."""
    words = exact_words(question.text)
    if question.head_noun and len(words) > 2 and words[0] in ("which", "what") and words[1] == question.head_noun:
        return {stem(normalize_word(question.head_noun))}
    return set()


def _is_title_cell(header: str, cell: str) -> bool:
    """A cell that names a work: quoted, or under a "Title"/"Name"/"Episode" column."""
    return bool(QUOTED.fullmatch(cell.strip())) or bool(set(stemmed_terms(header)) & TITLE_HEADER_STEMS)
