"""Ranked passages -> a short answer: candidates of the expected type, their scores, a calibrated
confidence, abstention, and the values other sources give instead (conflicts).

Candidates come from the text (search/candidates.py, by answer type) and from structure
(search/structured.py: fields, table cells, bylines). Each is scored by how well its sentence
covers the question, how close it stands to the question's words, how well its passage ranked
and whether structure vouches for it. Values given by several sources add up (search/values.py);
the best one is answered, or abstained from, by its calibrated confidence (search/confidence.py).
This is the answer-extraction step of the classic pipeline (Harabagiu et al. 2000, "FALCON:
Boosting knowledge for answer engines").
"""
from __future__ import annotations

from dataclasses import dataclass

from indexer.analysis import normalize_word, stemmed_terms
from indexer.kinds import PassageKind
from search.candidates import spans
from search.confidence import confidence, should_abstain
from search.expansion import canonical
from search.kinds import QuestionKind
from search.patterns import TOKEN, mostly_in_question
from search.questions import Question
from search.rank import covered_share
from search.response import Answer, Conflict
from search.retrieval import ScoredPassage
from search.spans import Asked, Unit
from search.structured import structured_facts
from search.values import Candidate, ValueGroup, conflicts_with, group_by_value

# How many ranked passages are read for candidates.
ANSWER_DEPTH = 12

# Score weights of a candidate (set on our QA set, see docs/evaluation.md).
W_COVERAGE = 0.25
W_NEARNESS = 0.15
W_PASSAGE = 0.25
W_STRUCTURE = 0.35
# A candidate in running text counts its passage's rank twice as much as a structured one: the
# code these weights were set with added W_PASSAGE to every candidate a second time (the text
# candidates shared one list with the structured ones), and the QA figures rest on that.
W_PASSAGE_TEXT = 2 * W_PASSAGE
# A sentence's coverage counts its neighbours' at this share: an answer's sentence may leave
# the question's words to the sentence before it.
NEIGHBOUR_SHARE = 0.5
# Question words farther than this many tokens from a candidate do not vouch for it; nearer ones
# count less the farther they are (1 at the candidate, 1/2 four tokens away).
NEAR_WINDOW = 8
NEAR_DECAY_TOKENS = 3.0
# The question words this many tokens either side of a candidate say what it is a value of.
SLOT_WINDOW = 4


@dataclass
class AnswerResult:
    answer: Answer | None
    conflicts: list[Conflict]
    passage: ScoredPassage | None  # the passage the answer stands in


NO_ANSWER = AnswerResult(None, [], None)


def extract_answer(question: Question, passages: list[ScoredPassage], weights: dict[str, float],
                   missing_names: list[str], common_words: frozenset[str] = frozenset()) -> AnswerResult:
    """Pick the best-supported short answer from the top passages, or abstain. `common_words`
    are indexed words that are ordinary English words (not names): "Depot Street" is no person."""
    if missing_names or not passages:
        return NO_ANSWER
    top_score = passages[0].score or 1.0
    asked = Asked(question, weights, common_words)
    candidates: list[Candidate] = []
    for passage in passages[:ANSWER_DEPTH]:
        if passage.kind == PassageKind.CODE:
            continue  # code is found and shown, but a line of it is no short answer
        candidates.extend(passage_candidates(asked, passage, passage.score / top_score))
    if not candidates:
        return NO_ANSWER
    groups = group_by_value(candidates)
    best = groups[0]
    if should_abstain(best.score):
        return NO_ANSWER
    conflicts = conflicts_with(best, groups[1:])
    answer = Answer(
        text=best.text,
        confidence=round(confidence(best.score, disputed=bool(conflicts)), 3),
        sentence=best.unit.text,
        path=best.passage.path,
        line_start=best.unit.line_start,
        line_end=best.unit.line_end,
        answer_type=best.answer_type,
        page=best.passage.passage.page,
    )
    return AnswerResult(answer, [_conflict(group) for group in conflicts], best.passage)


def passage_candidates(asked: Asked, passage: ScoredPassage, passage_rank: float) -> list[Candidate]:
    """Every scored candidate of one passage: from its structure when that answers, else from its
    sentences."""
    units = passage_units(passage, asked.weights)
    if len(units) == 1:
        structured = [
            Candidate(fact.text, fact.answer_type,
                      W_COVERAGE * units[0].coverage + W_NEARNESS + W_STRUCTURE * fact.match + W_PASSAGE * passage_rank,
                      units[0], passage, frozenset(stemmed_terms(fact.name)))
            for fact in structured_facts(asked.question, passage.passage, units[0].coverage, asked.common_words)
        ]
        if structured:  # structure already says which part of a field or row answers; its words are not names
            return structured
    question = asked.question
    question_words = set(question.content_words) | {normalize_word(w) for w in question.text.split()}
    found = []
    for index, unit in enumerate(units):
        neighbours = [units[j].coverage for j in (index - 1, index + 1) if 0 <= j < len(units)]
        context = max([unit.coverage] + [(1 - NEIGHBOUR_SHARE) * unit.coverage + NEIGHBOUR_SHARE * c for c in neighbours])
        for span in spans(asked, unit):
            if question.kind != QuestionKind.KEYWORD and mostly_in_question(span.text, question_words):
                continue
            near = nearness(unit, span.start, span.end, asked.weights)
            score = W_COVERAGE * context + W_NEARNESS * near + W_PASSAGE_TEXT * passage_rank + W_STRUCTURE * span.bonus
            found.append(Candidate(span.text, span.answer_type, score, unit, passage, slot(unit, span.start, span.end, asked.weights)))
    return found


def passage_units(passage: ScoredPassage, weights: dict[str, float]) -> list[Unit]:
    """The passage's sentences (found at index time), each with its line span and how much of
    the question it covers (its passage's section, field name and header at half weight)."""
    text = passage.text
    start_line = passage.passage.line_start
    sentences = [tuple(span) for span in passage.passage.sentences] or [(0, len(text))]
    context = set(canonical(weights, passage.context_stems))
    quoted = passage.kind == PassageKind.QUOTE
    units = []
    for start, end in sentences:
        sentence = text[start:end]
        stems = canonical(weights, stemmed_terms(sentence))
        line_start = start_line + text.count("\n", 0, start)
        line_end = start_line + text.count("\n", 0, max(start, end - 1))
        units.append(Unit(sentence, line_start, line_end, stems, covered_share(weights, set(stems), context), quoted))
    return units


def nearness(unit: Unit, start: int, end: int, weights: dict[str, float]) -> float:
    """How much of the question stands close around the candidate: each question word within
    NEAR_WINDOW tokens counts with its weight, less the farther it is (each word once, nearest)."""
    first, last = _token_positions(unit, start, end)
    nearest: dict[str, int] = {}
    for i, s in enumerate(unit.stems):
        if s in weights and not first <= i < last:
            distance = first - i if i < first else i - last + 1
            nearest[s] = min(distance, nearest.get(s, distance))
    total = sum(weights.values()) or 1.0
    return sum(weights[s] / (1.0 + (d - 1) / NEAR_DECAY_TOKENS) for s, d in nearest.items() if d <= NEAR_WINDOW) / total


def slot(unit: Unit, start: int, end: int, weights: dict[str, float]) -> frozenset[str]:
    """The question's words standing just around a candidate: what the value is a value of."""
    first, last = _token_positions(unit, start, end)
    window = unit.stems[max(0, first - SLOT_WINDOW) : first] + unit.stems[last : last + SLOT_WINDOW]
    return frozenset(s for s in window if s in weights)


def _token_positions(unit: Unit, start: int, end: int) -> tuple[int, int]:
    first = len(TOKEN.findall(unit.text[:start]))
    last = first + max(1, len(TOKEN.findall(unit.text[start:end])))
    return first, last


def _conflict(group: ValueGroup) -> Conflict:
    return Conflict(group.text, group.unit.text, group.passage.path, group.unit.line_start, group.unit.line_end,
                    group.passage.passage.page)
