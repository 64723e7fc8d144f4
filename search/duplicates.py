"""Near-duplicate passages (the same paragraph in several files) collapsed into one result that
lists every place it stands.

Passages whose word 3-shingles overlap enough (Jaccard) are the same passage repeated (Broder
1997, "On the resemblance and containment of documents"), unless they state different figures:
then they are sources that disagree, and both are kept. A pair whose index signatures
(indexer/signatures.py) rule a merge out is not compared further, nor a pair the index knows to
have the same text: neither passage is read for it.
"""
from __future__ import annotations

from indexer.signatures import SHINGLE_SIZE, Signature, figures, possible_near_duplicates, shingles
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


def collapse_near_duplicates(passages: list[ScoredPassage], window: int = COLLAPSE_WINDOW, *,
                             cited: slice | None = None) -> list[ScoredPassage]:
    """Keep the best-ranked copy of each repeated passage and list the others as its sources.
    `cited`: the places in the result of the passages whose sources are listed (a page of
    results; by default all): listing a copy reads it, and a copy known to be one by its
    signature need not be read otherwise."""
    kept: list[_Compared] = []
    signatures: list[Signature | None] = []  # kept's, in its order
    listed = range(window)[cited] if cited is not None else range(window)
    for passage in passages[:window]:
        own = _Compared(passage)
        place = _original(own, kept, signatures)
        if place is None:
            kept.append(own)
            signatures.append(own.signature)
        elif place in listed:
            kept[place].passage.also_in.append(passage.source_ref())
    return [compared.passage for compared in kept] + passages[window:]


def _original(own: _Compared, kept: list[_Compared], signatures: list[Signature | None]) -> int | None:
    """The place in `kept` (whose signatures are `signatures`) of the first passage `own` is a
    near-duplicate of; None if none."""
    for number in _possible(own, signatures):
        other = kept[number]
        if _same_text(own, other) or (own.figures() == other.figures() and
                                      near_duplicates(own.shingles(), other.shingles())):
            return number
    return None


def _possible(own: _Compared, signatures: list[Signature | None]) -> list[int]:
    """The places (in order) of the passages with these signatures that `own` might be a copy
    of: all of them but those the two signatures rule out."""
    signature = own.signature
    if signature is None:
        return list(range(len(signatures)))
    return possible_near_duplicates(signature, signatures, NEAR_DUPLICATE_JACCARD)


def _same_text(own: _Compared, other: _Compared) -> bool:
    """Whether the index knows the two passages to have the very same text, not empty (then
    they are near-duplicates, with neither read)."""
    mine, theirs = own.signature, other.signature
    return mine is not None and theirs is not None and mine.copy_of == theirs.copy_of >= 0 and mine.size > 0


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
