"""Re-ranking: the passages BM25F retrieved, scored by the learned ranker over their features
(search/features.py), best first.

The ranker is linear, trained pairwise (RankNet's idea, Burges et al. 2005, "Learning to rank
using gradient descent"; a linear model, as Joachims 2002's RankSVM) so that a passage that holds
the answer scores above one of the same question that does not (bench/train.py).
"""
from __future__ import annotations

from search.features import passage_features
from search.model import LinearModel
from search.questions import Question
from search.retrieval import ScoredPassage

# A question word that stands only in what describes a passage (its title, section, field name)
# counts this much of one in its text, where coverage is mixed from the two (search/answers.py).
CONTEXT_WEIGHT = 0.5


def covered_share(weights: dict[str, float], present: set[str], context: set[str]) -> float:
    """Share of the question's weight found in `present` (in full) or only in `context` (at
    CONTEXT_WEIGHT)."""
    total = sum(weights.values())
    if not total:
        return 0.0
    covered = sum(w if s in present else (CONTEXT_WEIGHT * w if s in context else 0.0) for s, w in weights.items())
    return covered / total


def rerank(passages: list[ScoredPassage], question: Question, weights: dict[str, float],
           ranker: LinearModel) -> list[ScoredPassage]:
    """Score every passage by the ranker and sort, best first (ties keep retrieval's order)."""
    for passage, features in zip(passages, passage_features(question, passages, weights)):
        passage.features = features
        passage.score = ranker.score(features)
    return sorted(passages, key=lambda p: -p.score)
