"""Ranked passages -> a short answer: candidates, the probability the learned scorer gives each, a
calibrated confidence, abstention, and the values other sources give instead (conflicts).

Candidates come from the text (search/candidates.py, by the answer type the question expects),
from structure (search/structured.py: fields, table cells, bylines) and from lists
(search/lists.py). Each is described by its features (search/answer_features.py) and scored by
the answer model (search/model.py); values given by several documents are merged
(search/values.py), and the most probable value is answered when its calibrated confidence clears
the bar, else Liner abstains. This is the answer-extraction step of the classic pipeline
(Harabagiu et al. 2000, "FALCON: Boosting knowledge for answer engines"), with a learned selector
(Ittycheriah et al. 2001).
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from indexer.analysis import STOP_WORDS, normalize_word, stemmed_terms
from indexer.kinds import PassageKind
from search.answer_features import (UnitReading, by_family, decision_features, features_in_unit, lowered_texts,
                                    misses_numbers, passage_match_features, position_features, question_features,
                                    question_numbers, read_unit, repeated_among, source_features, span_by_family,
                                    support_features, token_positions, top_passage_features, with_headings)
from search.candidates import spans
from search.continuation import continue_announcements
from search.expansion import canonical
from search.headings import asks_of_a_release, heading_units
from search.kinds import AnswerType, QuestionKind
from search.lists import enumerations, item_lists
from search.model import Model
from search.passage_analysis import canonical_set, holds_alias, sentence_texts
from search.phrases import whole_last_word
from search.questions import Question
from search.rank import covered_share
from search.response import Answer, Conflict
from search.retrieval import ScoredPassage
from search.spans import Asked, Span, Unit
from search.structured import structured_facts
from search.technical import code_in, marked_code
from search.values import Candidate, ValueGroup, agreeing_documents, conflicts_with, group_by_value

# How many ranked passages are read for candidates.
ANSWER_DEPTH = 12
# The question words this many tokens either side of a candidate say what it is a value of.
SLOT_WINDOW = 4
# The selector's lead of a value that has no rival (as if the next one scored this much less).
LONE_VALUE_LEAD = 5.0
# The confidence from which the answer's passage is shown first (in_shown_order): even odds.
LEAD_CONFIDENCE = 0.5
# A question that offers a choice between things it names: "Is sorted() or list.sort() faster?".
CHOICE = re.compile(r"\bor\b", re.I)


@dataclass
class AnswerResult:
    answer: Answer | None
    conflicts: list[Conflict]
    passage: ScoredPassage | None  # the passage the answer stands in
    candidates: list[Candidate] = field(default_factory=list)  # every candidate, best first
    confidence: float | None = None  # the best candidate's, also when it did not clear the bar
    bar: float | None = None  # the confidence an answer needed
    decision: dict[str, float] = field(default_factory=dict)  # what the confidence was read from
    reason: str = ""  # why there is no answer


def extract_answer(question: Question, passages: list[ScoredPassage], weights: dict[str, float],
                   missing_names: list[str], model: Model, *, common_words: frozenset[str] = frozenset(),
                   is_search: bool = False, depth: int = ANSWER_DEPTH, absent: float = 0.0) -> AnswerResult:
    """The selector's best answer in the top `depth` passages, or none when the confidence that
    it is right is below the model's bar (higher for a keyword or phrase search) and no other
    source disagrees with it: sources that disagree answer between them, and each value is shown
    with its source. `absent`: the share of the question's weight on words no document holds
    (search/expansion.py)."""
    if missing_names:
        return AnswerResult(None, [], None, reason=f"no document mentions {', '.join(missing_names)}")
    if not passages:
        return AnswerResult(None, [], None, reason="no passage matches")
    if is_search and all(word in STOP_WORDS for word in question.content_words):
        return AnswerResult(None, [], None, reason="only common words were searched for: nothing is asked of them")
    candidates = answer_candidates(Asked(question, weights, common_words), passages[:depth])
    if not candidates:
        numbers = question_numbers(question)
        if numbers:
            return AnswerResult(None, [], None, reason="no candidate of the kind asked for in a passage that names "
                                                        + " or ".join(numbers))
        return AnswerResult(None, [], None, reason="no candidate of the kind asked for")
    for candidate in candidates:
        candidate.score = model.selector.score(candidate.features)
    candidates.sort(key=lambda c: -c.score)
    groups = _shared_out(group_by_value(candidates))
    best = groups[0]
    lead = best.score - groups[1].score if len(groups) > 1 else LONE_VALUE_LEAD
    decision = decision_features(best.best.features, best.score, best.share, lead, len(candidates),
                                 {**question_features(question, is_search), **top_passage_features(passages[0]),
                                  "absent_share": absent})
    confidence = model.calibration(model.confidence.probability(decision))
    bar = model.search_abstain_below if is_search else model.abstain_below
    conflicts = conflicts_with(best, groups[1:])
    if confidence < bar and not conflicts:
        return AnswerResult(None, [], None, candidates, confidence, bar, decision, reason="not sure enough")
    return AnswerResult(_answer(best, confidence), [_conflict(group) for group in conflicts], best.best.passage,
                        candidates, confidence, bar, decision)


def in_shown_order(passages: list[ScoredPassage], result: AnswerResult) -> list[ScoredPassage]:
    """The passages as shown: the answer's first when the answer is likelier right than wrong (an
    answer less sure than that does not reorder the evidence: held out, in make eval's folds,
    moving every answer's passage first put an answer in the first passage for 510 of 789
    questions, and from this confidence on 512, the most of any bar from 0.4 to 0.9)."""
    shown = list(passages)
    if result.passage is not None and result.confidence is not None and result.confidence >= LEAD_CONFIDENCE:
        shown.remove(result.passage)
        shown.insert(0, result.passage)
    return shown


def _shared_out(groups: list[ValueGroup]) -> list[ValueGroup]:
    """Each value's share of the selector's probability (a softmax over its candidates)."""
    top = groups[0].score
    masses = [sum(math.exp(c.score - top) for c in group.members) for group in groups]
    total = sum(masses)
    for group, mass in zip(groups, masses):
        group.share = mass / total
    return groups


def answer_candidates(asked: Asked, passages: list[ScoredPassage]) -> list[Candidate]:
    """Every candidate of the passages, with all its features; none from a passage that holds
    none of the numbers the question names, in its text or its headings: a passage about version
    4.6 does not say when version 5.0 comes out, however well its words match; and none that is
    a number or a piece of code the question names, nor a question; and for a phrase search, none
    without the phrase when some hold it."""
    question = asked.question
    asked_words = set(question.content_words) | {normalize_word(w) for w in question.text.split()}
    top = passages[0].score
    numbers = question_numbers(question)
    named = _values_named(question, numbers)
    candidates: list[Candidate] = []
    for rank, passage in enumerate(passages):
        missing = misses_numbers(numbers, with_headings(passage)) if numbers else 0.0
        if missing == 1.0:
            continue
        placed = {**position_features(rank, passage.score, top), **passage_match_features(passage.features),
                  "misses_numbers": missing}  # the same for every candidate of the passage: made once
        for candidate in passage_candidates(asked, passage, asked_words):
            if candidate.text.removesuffix("()") in named or _asks_back(candidate, question):
                continue
            candidate.features.update(placed)
            candidates.append(candidate)
    if asks_of_a_release(question):
        candidates.extend(heading_candidates(asked, passages, asked_words, numbers, named))
    if question.wants_list:
        for run, joined in item_lists(passages):
            first = run[0]
            unit = passage_units(first, asked.weights)[0]
            features = {**position_features(passages.index(first), first.score, top),
                        **source_features("list_items"), "unit_coverage": unit.coverage, "items": float(len(run))}
            features.update(by_family(features, question))
            candidates.append(Candidate(joined, question.answer_type, "list_items", unit, first, features=features))
    continue_announcements(candidates, passages, lambda passage: passage_units(passage, asked.weights))
    if question.kind == QuestionKind.KEYWORD and any(c.features.get("holds_quoted") for c in candidates):
        # A search for a quoted phrase asks for that phrase: its answer shows the phrase in context.
        candidates = [candidate for candidate in candidates if candidate.features.get("holds_quoted")]
    lowered = lowered_texts(passages)
    for candidate, agreeing in zip(candidates, agreeing_documents(candidates)):
        candidate.features.update(support_features(agreeing))
        candidate.features["repeated"] = repeated_among(candidate.text, candidate.passage, lowered)
    return candidates


def heading_candidates(asked: Asked, passages: list[ScoredPassage], asked_words: set[str], numbers: list[str],
                       named: frozenset[str]) -> list[Candidate]:
    """The dates and versions in the headings over the passages (search/headings.py), each read
    as a sentence of its own at the heading's line; none from a heading that lacks a number the
    question names (the passage under "man-db 2.6.0 (9 April 2011)" does not date 2.11.2); and
    when the question names no number, none from a heading that holds none of its words (a
    release of another program)."""
    question, top = asked.question, passages[0].score
    found = []
    for passage, unit in heading_units(passages, asked.weights):
        if misses_numbers(numbers, unit.text) if numbers else not unit.coverage:
            continue
        placed = {**position_features(passages.index(passage), passage.score, top),
                  **passage_match_features(passage.features), "over_passage": 1.0}
        reading = read_unit(question, [unit], 0, asked.weights, asked_words, PassageKind.TITLE)
        for span in map(lambda found: whole_last_word(found, unit.text), spans(asked, unit)):
            if span.text not in named:
                candidate = _span_candidate(reading, span, passage)
                candidate.features.update(placed)
                found.append(candidate)
    return found


def _asks_back(candidate: Candidate, question: Question) -> bool:
    """Whether the candidate is itself a question (a FAQ's heading: "Why can't I get the output
    of a command with system()?"), which answers no question but whether it is asked."""
    return question.kind != QuestionKind.YES_NO and candidate.text.rstrip().endswith("?")


def _values_named(question: Question, numbers: list[str]) -> frozenset[str]:
    """The numbers and the code a question names: not its answer ("How many people contributed
    to libssh2 1.10?", "Which exception does sys.exit raise?"), unless it offers a choice ("Is
    sorted() or list.sort() faster?")."""
    code = () if CHOICE.search(question.text) else (name.removesuffix("()") for name in code_in(question.text))
    return frozenset((*numbers, *code))


def passage_candidates(asked: Asked, passage: ScoredPassage, asked_words: set[str]) -> list[Candidate]:
    """The candidates of one passage: from its structure when that answers, else from its
    sentences."""
    question, weights = asked.question, asked.weights
    units = passage_units(passage, weights)
    if len(units) == 1:
        facts = structured_facts(question, passage.passage, units[0].coverage, asked.common_words)
        structured = [
            Candidate(fact.text, fact.answer_type, fact.source, units[0], passage, frozenset(stemmed_terms(fact.name)),
                      _structured_features(question, fact.source, fact.match, units[0].coverage,
                                           fact.answer_type == question.answer_type))
            for fact in facts
        ]
        if structured:  # structure already says which part of a field or row answers; its words are not names
            return structured
    found = []
    for index, unit in enumerate(units):
        reading = None  # what the unit's candidates share (span_features): read at its first candidate
        for span in _unit_spans(asked, unit):
            if reading is None:
                reading = read_unit(question, units, index, weights, asked_words, passage.kind)
            found.append(_span_candidate(reading, span, passage))
    return found


def _span_candidate(reading: UnitReading, span: Span, passage: ScoredPassage) -> Candidate:
    """The candidate of one span of the unit `reading` read, with its features."""
    unit, question = reading.unit, reading.question
    first, last = token_positions(unit, span.start, span.end)
    features = features_in_unit(reading, span, first, last)
    features.update(span_by_family(features, span.source, question))
    return Candidate(span.text, span.answer_type, span.source, unit, passage, slot(unit, first, last, reading.weights),
                     features)


def _structured_features(question: Question, source: str, match: float, coverage: float, type_match: bool) -> dict:
    features = {**source_features(source), "field_match": match, "unit_coverage": coverage,
                "type_match": float(type_match), "structured": 1.0}
    features.update(by_family(features, question))
    return features


def _unit_spans(asked: Asked, unit: Unit):
    for span in spans(asked, unit):
        yield whole_last_word(span, unit.text)
    yield from enumerations(asked, unit)


def passage_units(passage: ScoredPassage, weights: dict[str, float]) -> list[Unit]:
    """The passage's sentences (found at index time), each with its line span and how much of
    the question it covers (its passage's section, field name and header at half weight)."""
    start_line = passage.passage.line_start
    context = canonical_set(weights, passage.context_stems)
    quoted = passage.kind == PassageKind.QUOTE
    marked = marked_code(passage.passage.text) if passage.passage.display else ()
    units = []
    for sentence in sentence_texts(passage.text, passage.passage.sentences):  # kept from question to question
        own = not holds_alias(weights, sentence.positions.keys())  # its stems are the sentence's: kept positions hold
        stems = list(sentence.stems) if own else canonical(weights, sentence.stems)
        present = sentence.positions if own else set(stems)  # = set(stems)
        units.append(Unit(sentence.text, start_line + sentence.first_line, start_line + sentence.last_line, stems,
                          covered_share(weights, present, context), quoted, sentence.positions if own else None,
                          tuple(code for code in marked if code.text in sentence.text)))
    return units


def slot(unit: Unit, first: int, last: int, weights: dict[str, float]) -> frozenset[str]:
    """The question's words standing just around a candidate (at tokens [first, last) of its
    unit): what the value is a value of."""
    window = unit.stems[max(0, first - SLOT_WINDOW) : first] + unit.stems[last : last + SLOT_WINDOW]
    return frozenset(s for s in window if s in weights)


def _answer(group: ValueGroup, confidence: float) -> Answer:
    best = group.best
    return Answer(text=best.text, confidence=round(confidence, 3), sentence=best.unit.text, path=best.passage.path,
                  line_start=best.unit.line_start, line_end=best.line_end or best.unit.line_end, answer_type=best.answer_type,
                  page=best.passage.passage.page)


def _conflict(group: ValueGroup) -> Conflict:
    best = group.best
    return Conflict(best.text, best.unit.text, best.passage.path, best.unit.line_start, best.unit.line_end,
                    best.passage.passage.page)


__all__ = ["AnswerResult", "AnswerType", "extract_answer", "answer_candidates", "passage_units", "in_shown_order"]
