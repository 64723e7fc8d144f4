"""Typo candidates: the indexed words (as written) within a few edits of a word the index lacks.

The words come from the `words` field's lexicon, read once per index generation and kept by
first letter: as Lucene's fuzzy query does with its prefix, the first letter is taken as typed,
so a word is compared with a twentieth of the vocabulary (and a swap of the first two letters
is looked up directly). The comparison is RapidFuzz's
optimal string alignment distance, in C++: a swap of neighbouring letters counts as one edit,
as in Meilisearch ("premeire"). Whoosh's own `terms_within` walks a Levenshtein automaton in
Python: 50 to 260 ms a word on 100,000 passages, where this takes under 10 ms.
RapidFuzz is imported on the first word to correct, so a query without typos never loads it.
"""
from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

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

    @classmethod
    def from_file(cls, path: Path) -> "Vocabulary":
        """The vocabulary a build wrote (indexer/layout.py's write_vocabulary), each letter's
        words read when a word that starts with it is first corrected."""
        return _FileVocabulary(path)

    def _words(self, prefix: str) -> list[str]:
        return self._by_prefix.get(prefix, [])

    def within(self, word: str, edits: int) -> list[tuple[str, int]]:
        """(indexed word, edits) for each indexed word other than `word` within `edits` edits
        that starts as `word` does, or that is `word` with its first two letters swapped (the
        one typo that changes the first letter), fewest edits first."""
        from rapidfuzz import process
        from rapidfuzz.distance import OSA

        candidates = self._words(word[:TYPO_PREFIX])
        found = {match: int(distance) for match, distance, _ in
                 process.extract(word, candidates, scorer=OSA.distance, score_cutoff=edits, limit=None)}
        swapped = word[1:2] + word[:1] + word[2:]
        if swapped[:TYPO_PREFIX] != word[:TYPO_PREFIX] and swapped in self._words(swapped[:TYPO_PREFIX]):
            found[swapped] = 1
        found.pop(word, None)
        return sorted(found.items(), key=lambda item: (item[1], item[0]))


class _FileVocabulary(Vocabulary):
    """A Vocabulary read from a build's vocabulary file one first letter at a time."""

    def __init__(self, path: Path) -> None:
        self._path = Path(path)
        with open(self._path, "rb") as handle:
            header = handle.readline()
        self._letters: dict[str, list[int]] = json.loads(header)["letters"]
        self._body_start = len(header)
        self._by_prefix = {}

    def _words(self, prefix: str) -> list[str]:
        words = self._by_prefix.get(prefix)
        if words is None:
            offset, length = self._letters.get(prefix, (0, 0))
            with open(self._path, "rb") as handle:
                handle.seek(self._body_start + offset)
                words = self._by_prefix[prefix] = handle.read(length).decode("utf-8").split("\n")[:-1]
        return words
