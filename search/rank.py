"""Ranked passages: re-rank BM25F hits for a question and collapse near-duplicates.

BM25F finds passages that share words with the question; a passage that answers it also covers
most of the question's content words (weighted by rarity), has them close together, and holds a
candidate of the expected answer type. The final score is a linear mix of those features, the
classic recipe of passage retrieval for QA (Tellex et al. 2003, "Quantitative Evaluation of Passage
Retrieval Algorithms for Question Answering", SIGIR: density and coverage of query terms beat raw
term weighting). Weights were set on our QA set (`liner eval`).
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

from indexer.analysis import (ANALYSED_TEXTS_CACHED, KIND_WORDS, TOKEN_PATTERN, agent_noun_bases, normalize_word, stem,
                              stemmed_terms)
from search.response import SourceRef

WEIGHT_BM25 = 0.35
WEIGHT_COVERAGE = 0.35
WEIGHT_PROXIMITY = 0.05
WEIGHT_ANSWER_TYPE = 0.25

# Passages whose word 3-shingles overlap this much (Jaccard) are the same passage repeated
# (Broder 1997, "On the resemblance and containment of documents").
NEAR_DUPLICATE_JACCARD = 0.6
SHINGLE_SIZE = 3
COLLAPSE_WINDOW = 24

_TOKEN = re.compile(TOKEN_PATTERN)


@dataclass
class ScoredPassage:
    """One retrieved passage with everything ranking and answering need."""

    stored: dict  # the Whoosh stored fields: path, title, section, body, line_start, line_end, kind, facts
    bm25: float
    score: float = 0.0
    also_in: list[SourceRef] = field(default_factory=list)
    _stems: list[str] | None = None

    @property
    def text(self) -> str:
        return self.stored["body"]

    @property
    def passage_id(self) -> str:
        return self.stored["passage_id"]

    @property
    def path(self) -> str:
        return self.stored["path"]

    @property
    def facts(self) -> dict:
        return self.stored.get("facts") or {}

    @property
    def body_stems(self) -> list[str]:
        if self._stems is None:
            self._stems = stemmed_terms(self.text)
        return self._stems

    @cached_property  # read by re-ranking and again by answer extraction
    def context_stems(self) -> frozenset[str]:
        """Stems of what describes the passage without standing in it: section, field name,
        table header, and the verbs behind agent nouns ("Editor" -> "edit")."""
        facts = self.facts
        words = " ".join(filter(None, [self.stored.get("section"), facts.get("field_name"), facts.get("context")]))
        stems = set(stemmed_terms(words))
        stems.update(stem(normalize_word(base)) for base in agent_noun_bases(words.split()))
        stems.update(stemmed_terms(KIND_WORDS.get(self.stored.get("kind"), "")))
        return frozenset(stems)


class TermWeights(dict):
    """Question stem -> weight, plus `aliases`: the stems of words that stand in for a question
    word (its synonyms, the corrections of a typo), each mapped to the stem it stands for, so a
    passage that says "observed" covers the question's "notice"."""

    def __init__(self, weights: dict[str, float], aliases: dict[str, str] | None = None) -> None:
        super().__init__(weights)
        self.aliases = aliases or {}


def canonical(weights: dict[str, float], stems) -> list[str]:
    """`stems` with every alias replaced by the question stem it stands for."""
    aliases = getattr(weights, "aliases", None)
    return [aliases.get(s, s) for s in stems] if aliases else list(stems)


def term_weights(slots: dict[str, list[str]], document_frequency, total: int) -> TermWeights:
    """Inverse document frequency of each question word (rarer words say more). `slots` maps a
    question stem to the stems that may stand in for it; a word is as rare as its commonest form
    that the index has (a typo itself is in no document)."""
    weights, aliases = {}, {}
    for own, others in slots.items():
        frequencies = [document_frequency(s) for s in [own, *others]]
        seen = [f for f in frequencies if f] or [0]
        weights[own] = math.log(1 + (total + 1) / (1 + max(seen)))
        aliases.update({other: own for other in others if other != own})
    return TermWeights(weights, aliases)


def coverage(passage: ScoredPassage, weights: dict[str, float]) -> float:
    """Share of the question's weight the passage covers (its text fully, its context and its
    title at half weight)."""
    if not weights:
        return 0.0
    body = set(canonical(weights, passage.body_stems))
    context = set(canonical(weights, passage.context_stems | set(stemmed_terms(passage.stored.get("title", "")))))
    covered = sum(w if s in body else (0.5 * w if s in context else 0.0) for s, w in weights.items())
    return covered / sum(weights.values())


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


def rerank(passages: list[ScoredPassage], weights: dict[str, float], has_answer_type) -> list[ScoredPassage]:
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


_REFERENCE_MARK = re.compile(r"\[\d+\]")


# Both are cached by text: the passages a server retrieves recur from query to query.
@lru_cache(maxsize=ANALYSED_TEXTS_CACHED)
def figures(text: str) -> tuple[str, ...]:
    """The numbers a passage states (not its reference marks like [12]): copies that state
    different figures are not the same passage, they are sources that disagree."""
    return tuple(sorted(re.findall(r"\d+(?:[.,]\d+)*", _REFERENCE_MARK.sub(" ", text))))


@lru_cache(maxsize=ANALYSED_TEXTS_CACHED)
def shingles(text: str) -> frozenset[tuple[str, ...]]:
    words = [normalize_word(m.group()) for m in _TOKEN.finditer(_REFERENCE_MARK.sub(" ", text))]
    if len(words) < SHINGLE_SIZE:
        return frozenset({tuple(words)}) if words else frozenset()
    return frozenset(tuple(words[i : i + SHINGLE_SIZE]) for i in range(len(words) - SHINGLE_SIZE + 1))


def collapse_near_duplicates(passages: list[ScoredPassage], window: int = COLLAPSE_WINDOW) -> list[ScoredPassage]:
    """Keep the best-ranked copy of each repeated passage and list the others as its sources.
    Only the first `window` passages are compared: no one reads further, and each comparison
    costs a shingle set."""
    kept: list[tuple[ScoredPassage, frozenset, tuple[str, ...]]] = []
    for passage in passages[:window]:
        own, own_figures = shingles(passage.text), figures(passage.text)
        for first, first_shingles, first_figures in kept:
            if own_figures != first_figures or not (own or first_shingles):
                continue
            shared = len(own & first_shingles)
            if shared / (len(own) + len(first_shingles) - shared) >= NEAR_DUPLICATE_JACCARD:
                first.also_in.append(
                    SourceRef(passage.path, passage.stored["line_start"], passage.stored["line_end"],
                              passage.facts.get("page"))
                )
                break
        else:
            kept.append((passage, own, own_figures))
    return [passage for passage, _, _ in kept] + passages[window:]
