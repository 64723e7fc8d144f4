"""The one Python API under every front end: `Engine(index_dir).search(text)` and `.ask(text)`.

Each is a short pipeline over the stage modules, in the order data flows:

    text -> questions.analyse_question -> query.parse_query
         -> expansion (typo corrections, synonyms, term weights; from the index's term statistics)
         -> retrieval.retrieve (BM25F, in tiers) -> rank.rerank -> duplicates.collapse_near_duplicates
         -> answers.extract_answer -> hits.make_hits -> Response

The index (search/index.py) is opened once and followed to each new generation a build writes;
a query works on one generation from its start to its end.
"""
from __future__ import annotations

import time
from pathlib import Path

from search import expansion
from search.answers import extract_answer
from search.duplicates import collapse_near_duplicates
from search.hits import make_hits, match_terms
from search.index import DocumentText, IndexCorruptError, IndexMissingError, OpenIndex, default_index_dir
from search.kinds import QuestionKind
from search.patterns import has_answer_type
from search.query import QueryError, parse_query
from search.questions import analyse_question
from search.rank import rerank
from search.response import Response
from search.retrieval import retrieve

__all__ = ["Engine", "DocumentText", "IndexCorruptError", "IndexMissingError", "default_index_dir",
           "DEFAULT_LIMIT", "MAX_LIMIT"]

DEFAULT_LIMIT = 10
MAX_LIMIT = 100


class Engine:
    def __init__(self, index_dir: Path | str | None = None, *, index=None) -> None:
        """`index`: an open index other than the folder's own (a cluster's: search/cluster/)."""
        self.index = index if index is not None else OpenIndex(index_dir)
        self.index_dir = self.index.index_dir

    def search(self, text: str, limit: int = DEFAULT_LIMIT) -> Response:
        """Ranked passages for a keyword query (no answer extraction).

        :raise QueryError: the query is empty, too long, or has nothing to search for.
        """
        started = time.perf_counter()
        parsed = parse_query(text)
        view = self.index.view()
        corrections = expansion.corrections(parsed.free_words, view.counts, lambda: view.files.vocabulary)
        retrieved = retrieve(view, parsed, expansion.expansions(corrections), limit=_clamp(limit))
        passages = collapse_near_duplicates(retrieved.passages)
        hits = make_hits(passages[: _clamp(limit)], match_terms(parsed, corrections))
        suggestion = expansion.suggestion(text, corrections, passages[0].text if passages else None)
        return Response(text, hits, retrieved.total, _ms(started), suggestion=suggestion,
                        question_type=QuestionKind.KEYWORD, notices=retrieved.notices)

    def ask(self, text: str, limit: int = DEFAULT_LIMIT) -> Response:
        """A short answer with its citation (or none, when the documents do not say), and the
        ranked passages behind it.

        :raise QueryError: the question is empty, too long, or has nothing to search for.
        """
        started = time.perf_counter()
        if not text.strip():
            raise QueryError("the question is empty")
        question = analyse_question(text)
        parsed = parse_query(question.search_text)
        view = self.index.view()
        stats = view.counts
        corrections = expansion.corrections(parsed.free_words, stats, lambda: view.files.vocabulary)
        synonyms = expansion.synonyms(question, corrections, view.files.synonym_table, stats)
        weights = expansion.question_weights(question, corrections, synonyms, stats)
        question = question.with_alternatives({**synonyms, **corrections})
        retrieved = retrieve(view, parsed, expansion.expansions(corrections, synonyms), all_words_first=False)
        passages = rerank(retrieved.passages, weights, lambda p: has_answer_type(question.answer_type, p.text))
        passages = collapse_near_duplicates(passages)
        missing = expansion.missing_names(question, corrections, stats) + \
            expansion.missing_head(question, corrections, synonyms, stats)
        result = extract_answer(question, passages, weights, missing, view.files.common_words)
        if result.passage is not None:  # the passage that holds the answer leads the results
            passages.remove(result.passage)
            passages.insert(0, result.passage)
        hits = make_hits(passages[: _clamp(limit)], match_terms(parsed, corrections))
        suggestion = expansion.suggestion(text, corrections, passages[0].text if passages else None)
        return Response(text, hits, retrieved.total, _ms(started), answer=result.answer, conflicts=result.conflicts,
                        suggestion=suggestion, question_type=question.kind, notices=retrieved.notices)

    def document(self, path: str, page: int | None = None) -> DocumentText | None:
        """An indexed file by its cited path, as the document view shows it (one page of a PDF);
        None for anything not indexed."""
        return self.index.document(path, page)

    @property
    def stats(self) -> dict:
        manifest = self.index.manifest
        return {
            "generation": self.index.generation,
            "files": len(manifest.get("files", {})),
            "passages": manifest.get("passages", 0),
            "root": manifest.get("root"),
            "created": manifest.get("created"),
        }

    def indexed_paths(self) -> list[str]:
        return sorted(self.index.manifest.get("files", {}))


def _clamp(limit: int) -> int:
    return max(1, min(MAX_LIMIT, int(limit)))


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000.0
