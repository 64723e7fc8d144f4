"""Near-duplicate passages (the same paragraph in several files) collapsed into one result that
lists every place it stands.

Passages whose word 3-shingles overlap enough (Jaccard) are the same passage repeated (Broder
1997, "On the resemblance and containment of documents"), unless they state different figures:
then they are sources that disagree, and both are kept. A pair whose index signatures
(indexer/signatures.py) rule a merge out is not compared further: neither passage is read for it.
"""
from __future__ import annotations

from indexer.signatures import SHINGLE_SIZE, Signature, could_be_near_duplicates, figures, shingles
from search.response import SourceRef
from search.retrieval import ScoredPassage

__all__ = ["NEAR_DUPLICATE_JACCARD", "SHINGLE_SIZE", "COLLAPSE_WINDOW", "figures", "shingles",
           "collapse_near_duplicates", "near_duplicates"]

NEAR_DUPLICATE_JACCARD = 0.6
# Only the first this many passages are compared: no one reads further, and each comparison
# costs a shingle set.
COLLAPSE_WINDOW = 24


class _Compared:
    """A passage of the window as compared: its signature read at once, its text (and so its
    shingles and figures) only when a signature cannot rule a comparison out."""

    __slots__ = ("passage", "signature", "_shingles", "_figures")

    def __init__(self, passage: ScoredPassage) -> None:
        self.passage = passage
        self.signature: Signature | None = passage.signature()
        self._shingles: frozenset | None = None
        self._figures: tuple[str, ...] | None = None

    def shingles(self) -> frozenset:
        if self._shingles is None:
            self._shingles = shingles(self.passage.text)
        return self._shingles

    def figures(self) -> tuple[str, ...]:
        if self._figures is None:
            self._figures = figures(self.passage.text)
        return self._figures


def collapse_near_duplicates(passages: list[ScoredPassage], window: int = COLLAPSE_WINDOW) -> list[ScoredPassage]:
    """Keep the best-ranked copy of each repeated passage and list the others as its sources."""
    kept: list[_Compared] = []
    for passage in passages[:window]:
        own = _Compared(passage)
        first = next((other for other in _possible(own, kept)
                      if own.figures() == other.figures() and near_duplicates(own.shingles(), other.shingles())), None)
        if first is None:
            kept.append(own)
        else:
            first.passage.also_in.append(SourceRef(passage.path, passage.passage.line_start,
                                                   passage.passage.line_end, passage.passage.page))
    return [compared.passage for compared in kept] + passages[window:]


def _possible(own: _Compared, kept: list[_Compared]) -> list[_Compared]:
    """The passages of `kept` (in order) that `own` might be a copy of: all of them but those
    the two signatures rule out."""
    signature = own.signature
    if signature is None:
        return kept
    stated = signature.figures
    return [other for other in kept if other.signature is None or (
        other.signature.figures == stated and could_be_near_duplicates(signature, other.signature, NEAR_DUPLICATE_JACCARD))]


def near_duplicates(own: frozenset, other: frozenset) -> bool:
    """Whether two shingle sets overlap by NEAR_DUPLICATE_JACCARD or more (both empty: no)."""
    if not (own or other):
        return False
    # The smaller size over the larger bounds the similarity (they share at most the smaller,
    # their union is at least the larger), divided as it is: division rounds monotonically, so
    # a pair ruled out here fails the similarity too.
    if min(len(own), len(other)) / max(len(own), len(other)) < NEAR_DUPLICATE_JACCARD:
        return False  # too unlike in size to be alike enough: no need to intersect them
    shared = len(own & other)
    return shared / (len(own) + len(other) - shared) >= NEAR_DUPLICATE_JACCARD
