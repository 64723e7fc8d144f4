"""Hand-made passages and term statistics, for the unit tests of the stages after retrieval: they
need no index."""
from __future__ import annotations

from indexer.passages import Passage
from indexer.sentences import sentence_spans
from search.retrieval import ScoredPassage


def scored(text: str, path: str = "a.md", line: int = 1, bm25: float = 1.0, score: float | None = None,
           **fields) -> ScoredPassage:
    """A retrieved passage of `text` (its sentences found as the indexer finds them)."""
    values = {"title": "", "section": None, "kind": "paragraph", "sentences": tuple(sentence_spans(text)), **fields}
    record = Passage(path=path, line_start=line, line_end=line + text.count("\n"), text=text, ordinal=line, **values)
    passage = ScoredPassage(record, bm25)
    passage.score = bm25 if score is None else score
    return passage


class Stats:
    """Term statistics from dictionaries: stem -> passages, word -> files (search/expansion.py's
    TermStats)."""

    def __init__(self, stems: dict[str, int] | None = None, words: dict[str, int] | None = None, doc_count: int = 100):
        self.stems = stems or {}
        self.words = words or {}
        self.doc_count = doc_count

    def passages(self, term: str) -> int:
        return self.stems.get(term, 0)

    def files_with_word(self, word: str) -> int:
        return self.words.get(word, 0)

    def has_live_word(self, word: str) -> bool:
        return word in self.words

    def in_index(self, word: str) -> bool:
        from indexer.analysis import stem

        return word in self.words or stem(word) in self.stems
