"""Quality on the QA set: hit@1, hit@5, MRR@10 for every engine, answer accuracy and abstention
for Liner.

A hit at rank k: one of the top k passages contains one of the accepted answers, compared case-
insensitively with runs of whitespace folded to one space. Unanswerable items have no accepted
answers and are left out of hit@k and MRR; there Liner must abstain (give no answer).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Sequence

from bench.queries import QAItem

# texts of the ranked passages (best first), and the short answer or None
Run = Callable[[QAItem], tuple[list[str], str | None]]


def fold(text: str) -> str:
    return " ".join(text.lower().split())


def contains_answer(text: str, answers: Sequence[str]) -> bool:
    folded = fold(text)
    return any(fold(answer) in folded for answer in answers if answer.strip())


def first_hit_rank(texts: Sequence[str], answers: Sequence[str], depth: int = 10) -> int | None:
    """1-based rank of the first passage that contains an accepted answer, within `depth`."""
    for rank, text in enumerate(texts[:depth], 1):
        if contains_answer(text, answers):
            return rank
    return None


@dataclass
class Quality:
    answerable: int = 0
    unanswerable: int = 0
    hit_at_1: float = 0.0
    hit_at_5: float = 0.0
    mrr_at_10: float = 0.0
    answer_accuracy: float | None = None  # answerable items whose answer contains an accepted one
    abstention: float | None = None  # unanswerable items with no answer
    misses_at_1: list[str] = field(default_factory=list)


def score(items: Sequence[QAItem], run: Run, answers_too: bool = False) -> Quality:
    quality = Quality()
    hits1 = hits5 = correct = abstained = 0
    reciprocal = 0.0
    for item in items:
        texts, answer = run(item)
        if not item.answers:
            quality.unanswerable += 1
            abstained += answer is None
            continue
        quality.answerable += 1
        rank = first_hit_rank(texts, item.answers)
        hits1 += rank == 1
        hits5 += rank is not None and rank <= 5
        reciprocal += 1.0 / rank if rank else 0.0
        correct += answer is not None and contains_answer(answer, item.answers)
        if rank != 1:
            quality.misses_at_1.append(item.question)
    if quality.answerable:
        quality.hit_at_1 = hits1 / quality.answerable
        quality.hit_at_5 = hits5 / quality.answerable
        quality.mrr_at_10 = reciprocal / quality.answerable
        if answers_too:
            quality.answer_accuracy = correct / quality.answerable
    if answers_too and quality.unanswerable:
        quality.abstention = abstained / quality.unanswerable
    return quality
