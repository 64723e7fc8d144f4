"""Re-ranking: score the passages BM25F retrieved for a question by how well they answer it.

BM25F finds passages that share words with the question; a passage that answers it also covers
most of the question's content words (weighted by rarity), has them close together, and holds a
candidate of the expected answer type. The final score is a linear mix of those features, the
classic recipe of passage retrieval for QA (Tellex et al. 2003, "Quantitative Evaluation of Passage
Retrieval Algorithms for Question Answering", SIGIR: density and coverage of query terms beat raw
term weighting). Weights were set on our QA set (`liner eval`).
"""
from __future__ import annotations

from typing import Callable

from indexer.analysis import stemmed_terms
from search.expansion import canonical
from search.retrieval import ScoredPassage

WEIGHT_BM25 = 0.35
WEIGHT_COVERAGE = 0.35
WEIGHT_PROXIMITY = 0.05
WEIGHT_ANSWER_TYPE = 0.25
# A question word that stands only in what describes a passage (its title, section, field name)
# counts this much of one in its text.
CONTEXT_WEIGHT = 0.5


def covered_share(weights: dict[str, float], present: set[str], context: set[str]) -> float:
    """Share of the question's weight found in `present` (in full) or only in `context` (at
    CONTEXT_WEIGHT)."""
    total = sum(weights.values())
    if not total:
        return 0.0
    covered = sum(w if s in present else (CONTEXT_WEIGHT * w if s in context else 0.0) for s, w in weights.items())
    return covered / total


def coverage(passage: ScoredPassage, weights: dict[str, float]) -> float:
    """Share of the question's weight the passage covers (its text fully, its context and its
    title at CONTEXT_WEIGHT)."""
    if not weights:
        return 0.0
    body = set(canonical(weights, passage.body_stems))
    context = set(canonical(weights, passage.context_stems | set(stemmed_terms(passage.passage.title))))
    return covered_share(weights, body, context)


def proximity(passage: ScoredPassage, weights: dict[str, float]) -> float:
    """1 when the question's matched words stand side by side, falling as they spread out."""
    body = canonical(weights, passage.body_stems)
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


def rerank(passages: list[ScoredPassage], weights: dict[str, float],
           has_answer_type: Callable[[ScoredPassage], bool]) -> list[ScoredPassage]:
    """Score every passage by the mix of features and sort, best first."""
    if not passages:
        return passages
    top = max(p.bm25 for p in passages) or 1.0
    for passage in passages:
        passage.score = (
            WEIGHT_BM25 * passage.bm25 / top
            + WEIGHT_COVERAGE * coverage(passage, weights)
            + WEIGHT_PROXIMITY * proximity(passage, weights)
            + WEIGHT_ANSWER_TYPE * (1.0 if has_answer_type(passage) else 0.0)
        )
    return sorted(passages, key=lambda p: -p.score)
