"""Near-duplicate passages (the same paragraph in several files) collapsed into one result that
lists every place it stands.

Passages whose word 3-shingles overlap enough (Jaccard) are the same passage repeated (Broder
1997, "On the resemblance and containment of documents"), unless they state different figures:
then they are sources that disagree, and both are kept.
"""
from __future__ import annotations

import re
from functools import lru_cache

from indexer.analysis import ANALYSED_TEXTS_CACHED, TOKEN_PATTERN, normalize_word
from search.response import SourceRef
from search.retrieval import ScoredPassage

NEAR_DUPLICATE_JACCARD = 0.6
SHINGLE_SIZE = 3
# Only the first this many passages are compared: no one reads further, and each comparison
# costs a shingle set.
COLLAPSE_WINDOW = 24

_TOKEN = re.compile(TOKEN_PATTERN)
_REFERENCE_MARK = re.compile(r"\[\d+\]")
_FIGURE = re.compile(r"\d+(?:[.,]\d+)*")


# Both are cached by text: the passages a server retrieves recur from query to query.
@lru_cache(maxsize=ANALYSED_TEXTS_CACHED)
def figures(text: str) -> tuple[str, ...]:
    """The numbers a passage states (not its reference marks like [12]): copies that state
    different figures are not the same passage, they are sources that disagree."""
    unmarked = _REFERENCE_MARK.sub(" ", text) if "[" in text else text
    return tuple(sorted(_FIGURE.findall(unmarked)))


@lru_cache(maxsize=ANALYSED_TEXTS_CACHED)
def shingles(text: str) -> frozenset[tuple[str, ...]]:
    unmarked = _REFERENCE_MARK.sub(" ", text) if "[" in text else text  # most passages have no marks
    words = list(map(normalize_word, _TOKEN.findall(unmarked)))
    if len(words) < SHINGLE_SIZE:
        return frozenset({tuple(words)}) if words else frozenset()
    return frozenset(zip(*(words[start:] for start in range(SHINGLE_SIZE))))  # each run of SHINGLE_SIZE words


def collapse_near_duplicates(passages: list[ScoredPassage], window: int = COLLAPSE_WINDOW) -> list[ScoredPassage]:
    """Keep the best-ranked copy of each repeated passage and list the others as its sources."""
    kept: list[tuple[ScoredPassage, frozenset, tuple[str, ...]]] = []
    for passage in passages[:window]:
        own, own_figures = shingles(passage.text), figures(passage.text)
        for first, first_shingles, first_figures in kept:
            if own_figures != first_figures or not (own or first_shingles):
                continue
            # The smaller size over the larger bounds the similarity (they share at most the
            # smaller, their union is at least the larger), divided as it is: division rounds
            # monotonically, so a pair ruled out here fails the similarity too.
            if min(len(own), len(first_shingles)) / max(len(own), len(first_shingles)) < NEAR_DUPLICATE_JACCARD:
                continue  # too unlike in size to be alike enough: no need to intersect them
            shared = len(own & first_shingles)
            if shared / (len(own) + len(first_shingles) - shared) >= NEAR_DUPLICATE_JACCARD:
                first.also_in.append(SourceRef(passage.path, passage.passage.line_start, passage.passage.line_end,
                                                passage.passage.page))
                break
        else:
            kept.append((passage, own, own_figures))
    return [passage for passage, _, _ in kept] + passages[window:]

