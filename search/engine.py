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
from dataclasses import dataclass, replace
from pathlib import Path

from indexer.analysis import exact_words

from search import expansion
from search.answers import ANSWER_DEPTH, AnswerResult, extract_answer, in_shown_order
from search.duplicates import COLLAPSE_WINDOW, collapse_near_duplicates
from search.hits import make_hits, match_terms
from search.index import DocumentText, IndexCorruptError, IndexMissingError, IndexView, OpenIndex, default_index_dir
from search.paths import CitedPaths
from search.kinds import QuestionKind
from search.explain import explain
from search.model import Model, shipped_model
from search.query import ParsedQuery, QueryError, parse_query
from search.questions import Question, analyse_question, question_query
from search.rank import rerank
from search.response import Response
from search.retrieval import ScoredPassage, retrieve

__all__ = ["Engine", "DocumentText", "IndexCorruptError", "IndexMissingError", "default_index_dir",
           "DEFAULT_LIMIT", "MAX_LIMIT"]

DEFAULT_LIMIT = 10
MAX_LIMIT = 100
# The most results one query can reach by paging (`offset`): a keyword search collects this many
# ranked passages, so its `total` counts what the user can page to, and every page is a slice of
# one ranking (retrieval's tiers depend on how many passages are wanted, so a page retrieved on its
# own would rank differently). A question re-ranks the RETRIEVE_DEPTH passages retrieval gives it,
# and its total is those. Cost, measured on the 15,903 passages of eval/corpora (20 keyword
# queries, 5 rounds, on a busy 2-core machine): a search's median went from 2-3 ms (10 wanted) to
# 6-9 ms, about what a question costs.
MAX_REACHABLE = 100


@dataclass
class Answered:
    """One question's Response and what the pipeline computed on the way to it."""

    response: Response
    question: Question
    weights: dict[str, float]
    ranked: list[ScoredPassage]  # every retrieved passage, ranked, with its features
    missing: list[str]  # the question's names that no document holds
    common_words: frozenset[str]
    absent: float  # the share of the question's weight on words no document holds
    result: AnswerResult  # the answer, its candidates (best first) and the decision


class Engine:
    def __init__(self, index_dir: Path | str | None = None, *, index=None, model: Model | None = None,
                 answer_depth: int = ANSWER_DEPTH) -> None:
        """`index`: an open index other than the folder's own (a cluster's: search/cluster/).
        `model`: the learned scoring (search/model.json by default; the evaluation passes the
        model of each leave-one-corpus-out fold). `answer_depth`: how many ranked passages are
        read for answer candidates (the training reads them all)."""
        self.index = index if index is not None else OpenIndex(index_dir)
        self.index_dir = self.index.index_dir
        self.model = model or shipped_model()
        self.answer_depth = answer_depth
        self._paths: tuple[dict, CitedPaths] | None = None

    def search(self, text: str, limit: int = DEFAULT_LIMIT, *, offset: int = 0, typing: bool = False,
               correct: bool = True) -> Response:
        """Ranked passages for a keyword query (no answer extraction): `limit` of them from
        `offset`, and `total`, how many the user can page to. `typing`: the text is still being
        typed (its last word may be unfinished); `correct=False` takes every word as typed.

        :raise QueryError: the query is empty, too long, or has nothing to search for.
        """
        started = time.perf_counter()
        parsed = parse_query(text, typing=typing and _ends_in_word(text))
        view = self.index.view()
        corrections = self._corrections(parsed, view, correct)
        # Only the first COLLAPSE_WINDOW can be merged away; the passages before the page's end
        # and that room are ranked, the others only counted.
        retrieved = retrieve(view, parsed, expansion.expansions(corrections), limit=MAX_REACHABLE,
                             room=COLLAPSE_WINDOW, ranked=max(0, int(offset)) + _clamp(limit) + COLLAPSE_WINDOW)
        # Only the page's passages list their copies (reading them): the others are not shown.
        collapsed = collapse_near_duplicates(retrieved.passages, cited=_page_places(offset, limit))
        total = min(len(collapsed) + retrieved.unread, MAX_REACHABLE)  # the unread ones come after all
        passages = collapsed[:MAX_REACHABLE]
        shown = _page(passages, offset, limit)
        hits = make_hits(shown, match_terms(parsed, corrections), first_rank=offset + 1)
        suggestion = expansion.suggestion(text, corrections, passages[0].text if passages else None)
        return self._cited(Response(text, hits, total, _ms(started), suggestion=suggestion,
                                    question_type=QuestionKind.KEYWORD, notices=retrieved.notices,
                                    offset=offset, settled=not typing), view)

    def ask(self, text: str, limit: int = DEFAULT_LIMIT, *, offset: int = 0, typing: bool = False,
            correct: bool = True, explain_answer: bool = False) -> Response:
        """A short answer with its citation (or none, when the documents do not say), and the
        ranked passages behind it: `limit` of them from `offset`, of `total`. While the question
        is still being typed (`typing`), there is no answer yet, only passages (the Response is not
        `settled`), and a last word with nothing after it is matched as a prefix too. With
        `explain_answer`, why this answer (Response.explanation).

        :raise QueryError: the question is empty, too long, or has nothing to search for.
        """
        return self.answer(text, limit, offset=offset, typing=typing, correct=correct,
                           explain_answer=explain_answer).response

    def answer(self, text: str, limit: int = DEFAULT_LIMIT, *, offset: int = 0, typing: bool = False,
               correct: bool = True, explain_answer: bool = False) -> Answered:
        """`ask`, with what was computed on the way: the ranked passages with their features and
        every answer candidate (what the evaluation and `make train` learn from)."""
        started = time.perf_counter()
        if not text.strip():
            raise QueryError("the question is empty")
        question = analyse_question(text)
        parsed = question_query(question, typing=typing and _ends_in_word(text))
        view = self.index.view()
        stats = view.counts
        corrections = self._corrections(parsed, view, correct)
        synonyms = expansion.with_negated_forms(
            question, corrections, expansion.synonyms(question, corrections, view.files.synonym_table, stats), stats)
        weights = expansion.question_weights(question, corrections, synonyms, stats)
        question = question.with_alternatives({**synonyms, **corrections})
        retrieved = retrieve(view, parsed, expansion.expansions(corrections, synonyms), all_words_first=False)
        ranked = collapse_near_duplicates(rerank(retrieved.passages, question, weights, self.model.ranker))
        missing = expansion.missing_names(question, corrections, stats) + \
            expansion.missing_head(question, corrections, synonyms, stats)
        settled = not typing
        absent = expansion.absent_share(weights, stats)
        result = (extract_answer(question, ranked, weights, missing, self.model, common_words=view.files.common_words,
                                 is_search=not question.is_question, depth=self.answer_depth, absent=absent)
                  if settled else AnswerResult(None, [], None, reason="still being typed"))
        shown = in_shown_order(ranked, result)
        hits = make_hits(_page(shown, offset, limit), match_terms(parsed, corrections), first_rank=offset + 1)
        suggestion = expansion.suggestion(text, corrections, shown[0].text if shown else None)
        response = Response(text, hits, len(shown), _ms(started), answer=result.answer, conflicts=result.conflicts,
                            suggestion=suggestion, question_type=question.kind, notices=retrieved.notices,
                            offset=offset, settled=settled)
        if explain_answer:
            decision = {"outcome": "answered" if result.answer else "abstained", "confidence": result.confidence,
                        "bar": result.bar, "reason": result.reason}
            response.explanation = explain(question, weights, corrections, synonyms, ranked, result.candidates,
                                           self.model, decision, result.decision)
        return Answered(self._cited(response, view), question, weights, ranked, missing, view.files.common_words, absent,
                        result)

    def document(self, path: str, page: int | None = None) -> DocumentText | None:
        """An indexed file by its cited path (as a Response shows it, relative to the current
        folder), as it was indexed and as the document view shows it (one page of a PDF); None
        for anything not indexed.

        :raise DocumentChangedError: the file has changed since it was indexed.
        :raise DocumentTooLargeError: the file is larger than the view shows.
        """
        paths = self.paths()
        stored = paths.stored(path)
        document = self.index.document(stored, page) if stored is not None else None
        return replace(document, path=paths.shown(stored)) if document is not None else None

    def paths(self, manifest: dict | None = None) -> CitedPaths:
        """A generation's paths, stored <-> shown (made once per generation): those of the
        generation `manifest` describes, or of the current one."""
        manifest = self.index.manifest if manifest is None else manifest
        if self._paths is None or self._paths[0] is not manifest:
            self._paths = (manifest, CitedPaths(manifest))
        return self._paths[1]

    def _cited(self, response: Response, view: IndexView) -> Response:
        """The response's paths as the generation it was found in names them."""
        return self.paths(view.manifest).apply(response)

    @staticmethod
    def _corrections(parsed: ParsedQuery, view, correct: bool) -> dict[str, list[str]]:
        """Typo corrections of the query's words, but not of the word still being typed."""
        if not correct:
            return {}
        words = [word for word in parsed.free_words if " ".join(exact_words(word)) != parsed.prefix]
        return expansion.corrections(words, view.counts, lambda: view.files.vocabulary)

    @property
    def stats(self) -> dict:
        manifest = self.index.manifest
        return {
            "generation": self.index.generation,
            "files": manifest.file_count if hasattr(manifest, "file_count") else len(manifest.get("files", {})),
            "passages": manifest.get("passages", 0),
            "root": manifest.get("root"),
            "created": manifest.get("created"),
        }

    def titles(self, count: int) -> list[str]:
        """The titles of the first `count` indexed documents (as results name them), for a front
        end's examples; one read of stored passages, stopped as soon as there are enough."""
        titles: dict[str, None] = {}
        for stored in self.index.view().searcher.all_stored_fields():
            if stored.get("title"):
                titles.setdefault(stored["title"], None)
            if len(titles) >= count:
                break
        return list(titles)

    def indexed_paths(self) -> list[str]:
        return sorted(self.index.manifest.get("files", {}))


def _clamp(limit: int) -> int:
    return max(1, min(MAX_LIMIT, int(limit)))


def _ends_in_word(text: str) -> bool:
    """Whether text being typed ends inside a word (nothing typed after its last letter yet)."""
    return text[-1:].isalnum()


def _page(passages: list, offset: int, limit: int) -> list:
    """The passages of one page: `limit` of them from `offset`."""
    return passages[_page_places(offset, limit)]


def _page_places(offset: int, limit: int) -> slice:
    offset = max(0, int(offset))
    return slice(offset, offset + _clamp(limit))


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000.0
