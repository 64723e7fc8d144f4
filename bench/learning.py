"""What the scoring models learn from: every benchmark question run once through Liner's own
pipeline, keeping what it computed (the retrieved passages with their features, the question as
analysed), so that any model can then be tried on it without searching again.

A model is tried on a record exactly as `liner ask` would use it: its ranker orders the record's
passages, and the engine's own answer step (search/answers.py) reads the candidates and decides,
so the evaluation and the training see the code users run.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, replace

from bench.benchmark import Corpus, Item, ensure_index
from bench.scoring import answer_is_right, first_hit_rank, fold, is_hit
from search.answers import ANSWER_DEPTH, AnswerResult, answer_candidates, extract_answer, in_shown_order
from search.engine import Engine
from search.model import LinearModel, Model
from search.query import QueryError
from search.questions import Question
from search.retrieval import RETRIEVE_DEPTH, ScoredPassage
from search.spans import Asked
from search.values import Candidate


@dataclass
class Record:
    """One benchmark question as the pipeline saw it, up to the ranking."""

    item: Item
    question: Question | None  # None: the query could not be searched (no words in it)
    weights: dict[str, float]
    passages: list[ScoredPassage]  # every retrieved passage, with its features
    missing: list[str]
    common_words: frozenset[str]
    absent: float = 0.0  # the share of the question's weight no document holds

    @property
    def is_search(self) -> bool:
        return self.question is not None and not self.question.is_question

    @property
    def hits(self) -> list[bool]:
        return [is_hit(passage.text, self.item) for passage in self.passages]


@dataclass
class Outcome:
    """What Liner answered for one record under one model, judged."""

    item: Item
    answer: str | None
    confidence: float | None  # of the best candidate, answered or not
    right: bool
    hit_rank: int | None  # of the first passage shown that holds an accepted answer
    decision: dict[str, float] | None = None  # what the confidence was read from
    conflicts: tuple[str, ...] = ()  # the other values shown as disagreeing

    @property
    def shows_every_value(self) -> bool:
        """For a question whose sources disagree: each accepted value is shown (answer or conflict)."""
        shown = [fold(text) for text in (self.answer or "", *self.conflicts) if text]
        return all(any(fold(value) in text for text in shown) for value in self.item.answers)


# The order records are collected in: retrieval's BM25 alone. The pipeline collapses near-duplicate
# passages in its ranker's order (the first copy stays), so under the shipped ranker the records
# depended on the model the last `make train` wrote, and `make train` run three times on the same
# code wrote three models (bars 0.40, 0.25, 0.45: a few questions moved the flat objective).
COLLECTING_RANKER = LinearModel(("bm25",), (1.0,), (0.0,), (1.0,))


def collect(corpus: Corpus, model: Model) -> list[Record]:
    """Every question of the corpus run through the pipeline (its index built first). The records
    do not depend on `model`'s ranker (COLLECTING_RANKER)."""
    engine = Engine(ensure_index(corpus), model=replace(model, ranker=COLLECTING_RANKER), answer_depth=RETRIEVE_DEPTH)
    records = []
    for item in corpus.items():
        try:
            answered = engine.answer(item.question)
        except QueryError:
            records.append(Record(item, None, {}, [], [], frozenset()))
            continue
        records.append(Record(item, answered.question, answered.weights, answered.ranked, answered.missing,
                              answered.common_words, answered.absent))
    return records


def ranked(record: Record, ranker: LinearModel) -> list[ScoredPassage]:
    """The record's passages ordered by `ranker` (copies: the record keeps its own scores)."""
    passages = []
    for passage in record.passages:
        scored = copy.copy(passage)
        scored.score = ranker.score(passage.features)
        passages.append(scored)
    return sorted(passages, key=lambda p: -p.score)


def candidates(record: Record, ranker: LinearModel) -> list[tuple[Candidate, bool]]:
    """The candidates the answer step reads under `ranker`, each with whether it is right."""
    if record.question is None or record.missing or not record.passages:
        return []
    asked = Asked(record.question, record.weights, record.common_words)
    found = answer_candidates(asked, ranked(record, ranker)[:ANSWER_DEPTH])
    return [(candidate, answer_is_right(candidate.text, record.item)) for candidate in found]


def outcome(record: Record, model: Model) -> Outcome:
    """Liner's answer and shown passages for the record under `model`, judged."""
    if record.question is None:
        return Outcome(record.item, None, None, answer_is_right(None, record.item), None)
    passages = ranked(record, model.ranker)
    result: AnswerResult = extract_answer(record.question, passages, record.weights, record.missing, model,
                                          common_words=record.common_words, is_search=record.is_search,
                                          absent=record.absent)
    shown = in_shown_order(passages, result)  # as the engine shows them
    text = result.answer.text if result.answer else None
    return Outcome(record.item, text, result.confidence, answer_is_right(text, record.item),
                   first_hit_rank([p.text for p in shown], record.item), result.decision,
                   tuple(conflict.text for conflict in result.conflicts))
