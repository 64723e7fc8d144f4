"""Typo candidates: the indexed words (as written) within a few edits of a word the index lacks.

The words come from the `words` field's lexicon, read once per index generation and kept by
first letter: as Lucene's fuzzy query does with its prefix, the first letter is taken as typed,
so a word is compared with a twentieth of the vocabulary. The comparison is RapidFuzz's
optimal string alignment distance, in C++: a swap of neighbouring letters counts as one edit,
as in Meilisearch ("premeire"). Whoosh's own `terms_within` walks a Levenshtein automaton in
Python: 50 to 260 ms a word on 100,000 passages, where this takes under 10 ms.
RapidFuzz is imported on the first word to correct, so a query without typos never loads it.
"""
from __future__ import annotations

from collections import defaultdict

# The first letters taken as typed.
TYPO_PREFIX = 1


class Vocabulary:
    """The distinct words of one index generation, grouped by their first letter."""

    def __init__(self, words) -> None:
        self._by_prefix: dict[str, list[str]] = defaultdict(list)
        for word in words:
            self._by_prefix[word[:TYPO_PREFIX]].append(word)

    @classmethod
    def of_field(cls, reader, fieldname: str) -> "Vocabulary":
        return cls(term.decode("utf-8") if isinstance(term, bytes) else term for term in reader.lexicon(fieldname))

    def within(self, word: str, edits: int) -> list[tuple[str, int]]:
        """(indexed word, edits) for each indexed word other than `word` within `edits` edits
        that starts as `word` does, fewest edits first."""
        from rapidfuzz import process
        from rapidfuzz.distance import OSA

        candidates = self._by_prefix.get(word[:TYPO_PREFIX], [])
        found = process.extract(word, candidates, scorer=OSA.distance, score_cutoff=edits, limit=None)
        return sorted((match, int(distance)) for match, distance, _ in found if match != word)

    def __len__(self) -> int:
        return sum(len(words) for words in self._by_prefix.values())


def edit_distance(a: str, b: str) -> int:
    """Edits between two words, a swap of neighbouring letters counting as one."""
    from rapidfuzz.distance import OSA

    return int(OSA.distance(a, b))
