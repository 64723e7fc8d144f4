"""The one Python API under every front end: `Engine(index_dir).search(text)` and `.ask(text)`.

An Engine opens the index generation named by CURRENT and keeps it open across queries; before
each query it checks (one stat) whether a build has switched CURRENT, and moves to the new
generation if so, so a server picks up a re-index without a restart. Whoosh searchers are kept
per thread, as the WSGI server answers from several threads.
"""
from __future__ import annotations

import json
import os
import pickle
import struct
import threading
import time
from difflib import SequenceMatcher
from pathlib import Path
from typing import Callable

from whoosh import index as whoosh_index
from whoosh import scoring
from whoosh.collectors import TimeLimit, WrappingCollector
from whoosh.index import EmptyIndexError

from indexer.analysis import exact_words, normalize_word, stem, stemmed_terms
from indexer.schema import BM25_B, BM25_K1, RANKED_FIELD, TITLE_B, WORDS_FIELD
from indexer.layout import COMMON_WORDS_FILE, CURRENT_FILE, SYNONYMS_FILE, current_generation, read_manifest
from indexer.synonyms import lookup_keys
from search.answers import extract_answer, has_answer_type
from search.document_text import DocumentText, indexed_document  # noqa: F401 - DocumentText: the API's type
from search.query import Expansion, ParsedQuery, QueryError, build_query, content_words, parse_query
from search.questions import Question, analyse_question
from search.rank import ScoredPassage, collapse_near_duplicates, rerank, term_weights
from search.response import Hit, Response
from search.snippets import MatchTerms, cut_snippet
from search.typos import Vocabulary

DEFAULT_LIMIT = 10
MAX_LIMIT = 100
# Passages BM25F hands to re-ranking: enough that the answer is among them, few enough to be fast.
# Over our three QA sets (seeds, dev, notes) the deepest BM25F rank that re-ranking lifted into
# the top 3 was 23; 30 ranked as well as 40 there, and answers 12% faster on 100,000 passages.
RETRIEVE_DEPTH = 30
# A query may spend at most this long in the index before partial results are returned.
QUERY_TIME_BUDGET_S = 2.0
# A word in more passages than both of these only ranks what rarer words find (on a large index:
# scoring its every match in Python would cost tens of milliseconds and find nothing new).
COMMON_TERM_MIN_PASSAGES = 1000
COMMON_TERM_SHARE = 0.01
# Typo tolerance as in Meilisearch: one typo from 5 letters, two from 9; shorter words exact.
ONE_TYPO_FROM = 5
TWO_TYPOS_FROM = 9
# A corrected word counts a little less than the word as typed would have.
CORRECTION_WEIGHT = 0.9
# At most this many indexed words stand in for one misspelt word (the closest, most frequent).
MAX_CORRECTIONS_PER_WORD = 3
# A synonym match counts half as much as the word itself; at most this many per word.
SYNONYM_WEIGHT = 0.5
MAX_SYNONYMS_PER_WORD = 4
DEFAULT_INDEX_DIR = Path(".liner/index")


class IndexMissingError(Exception):
    """No index has been built at the path yet."""


class IndexCorruptError(Exception):
    """The index exists but cannot be read."""


def default_index_dir() -> Path:
    return Path(os.environ.get("LINER_INDEX") or DEFAULT_INDEX_DIR)


class Engine:
    def __init__(self, index_dir: Path | str | None = None) -> None:
        self.index_dir = Path(index_dir) if index_dir else default_index_dir()
        self._lock = threading.Lock()
        self._local = threading.local()
        self._generation: str | None = None
        self._stamp: tuple[int, int] | None = None
        self._index = None
        self._manifest: dict = {}
        self._files: dict[tuple[str, str], object] = {}
        self._open_current()

    # -- public API --------------------------------------------------------------------------

    def search(self, text: str, limit: int = DEFAULT_LIMIT) -> Response:
        """Ranked passages for a keyword query (no answer extraction).

        :raise QueryError: the query is empty, too long, or has nothing to search for.
        """
        started = time.perf_counter()
        parsed = parse_query(text)
        corrections = self._corrections(parsed.free_words)
        passages, total, notices = self._retrieve(parsed, corrections, limit=_clamp(limit))
        passages = collapse_near_duplicates(passages)
        hits = self._hits(passages[: _clamp(limit)], parsed, corrections)
        return Response(text, hits, total, _ms(started), suggestion=_suggestion(text, corrections, passages),
                        question_type="keyword", notices=notices)

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
        corrections = self._corrections(parsed.free_words)
        synonyms = self._synonyms(question, corrections)
        weights = self._weights(question, corrections, synonyms)
        question = question.with_alternatives({**synonyms, **corrections})
        passages, total, notices = self._retrieve(parsed, corrections, synonyms, all_words_first=False)
        passages = rerank(passages, weights, lambda p: has_answer_type(question.answer_type, p.text))
        passages = collapse_near_duplicates(passages)
        missing = self._missing_names(question, corrections) + self._missing_head(question, corrections, synonyms)
        result = extract_answer(question, passages, weights, missing, self._common_words())
        if result.passage is not None:  # the passage that holds the answer leads the results
            passages.remove(result.passage)
            passages.insert(0, result.passage)
        hits = self._hits(passages[: _clamp(limit)], parsed, corrections)
        return Response(text, hits, total, _ms(started), answer=result.answer, conflicts=result.conflicts,
                        suggestion=_suggestion(text, corrections, passages), question_type=question.kind,
                        notices=notices)

    def document(self, path: str) -> DocumentText | None:
        """The text of an indexed file by its cited path, as it was indexed; None for anything
        not indexed.

        :raise DocumentChangedError: the file has changed since it was indexed.
        :raise DocumentTooLargeError: the file is larger than the view shows.
        """
        self._refresh()
        return indexed_document(self._manifest, path)

    @property
    def stats(self) -> dict:
        self._refresh()
        return {
            "generation": self._generation,
            "files": len(self._manifest.get("files", {})),
            "passages": self._manifest.get("passages", 0),
            "root": self._manifest.get("root"),
            "created": self._manifest.get("created"),
        }

    def indexed_paths(self) -> list[str]:
        self._refresh()
        return sorted(self._manifest.get("files", {}))

    # -- opening and refreshing ---------------------------------------------------------------

    def _open_current(self) -> None:
        try:
            generation = current_generation(self.index_dir)
        except OSError as error:  # CURRENT is a folder, or unreadable
            raise IndexCorruptError(f"the index at {self.index_dir} cannot be read ({error}); "
                                    "rebuild it with `liner index --rebuild FOLDER`") from error
        if generation is None:
            raise IndexMissingError(
                f"no index at {self.index_dir}: build one with `liner index FOLDER` (e.g. `liner index seeds`)"
            )
        try:
            manifest = read_manifest(self.index_dir, generation)  # this generation's, not one switched to since
            if manifest is None:
                raise ValueError("manifest.json is missing or unreadable")
            index = whoosh_index.open_dir(str(self.index_dir / generation))
            with index.searcher() as probe:
                probe.doc_count()
        except UNREADABLE_INDEX_ERRORS as error:
            raise IndexCorruptError(
                f"the index at {self.index_dir} cannot be read ({type(error).__name__}: {error}); "
                "rebuild it with `liner index --rebuild FOLDER`"
            ) from error
        if RANKED_FIELD not in index.schema:
            raise IndexCorruptError(f"the index at {self.index_dir} was made by an older Liner; "
                                    "rebuild it with `liner index --rebuild FOLDER`")
        self._index, self._manifest, self._generation = index, manifest, generation
        self._stamp = self._current_stamp()

    def _current_stamp(self) -> tuple[int, int] | None:
        try:
            info = os.stat(self.index_dir / CURRENT_FILE)
        except FileNotFoundError:
            return None
        return info.st_ino, info.st_mtime_ns

    def _refresh(self) -> None:
        if self._current_stamp() == self._stamp:
            return
        with self._lock:
            if self._current_stamp() != self._stamp:
                self._open_current()

    def _searcher(self):
        self._refresh()
        local = self._local
        with self._lock:  # the index and its name, from one moment
            index, generation = self._index, self._generation
        if getattr(local, "generation", None) != generation:
            local.searcher = index.searcher(weighting=bm25f())
            local.counts = TermCounts(local.searcher.reader())
            local.generation = generation
        return local.searcher

    def _counts(self) -> "TermCounts":
        self._searcher()
        return self._local.counts

    # -- the steps of a query ----------------------------------------------------------------

    def _retrieve(self, parsed: ParsedQuery, corrections: dict[str, list[str]],
                  synonyms: dict[str, list[str]] | None = None, limit: int | None = None,
                  all_words_first: bool = True):
        """The best passages for the query, by BM25F, in tiers as Meilisearch ranks: passages
        with every word, then (dropping the most frequent word each time) with the rarer words,
        the dropped ones only adding to the score; until enough passages are found (`limit`, the
        passages a search shows; by default RETRIEVE_DEPTH, for re-ranking). These queries are
        cheap on a large index, as the rarest word leads them. When they cannot find enough
        passages, those found lead and the passages with any of the words follow.

        A tier is only tried when its words are in enough passages to fill it; with
        `all_words_first` (keyword search) the first tier is tried in any case, so that passages
        with every word come first.
        """
        wanted = limit or RETRIEVE_DEPTH
        expansions = {word: [Expansion(fixed, CORRECTION_WEIGHT) for fixed in options] for word, options in corrections.items()}
        for word, options in (synonyms or {}).items():
            expansions.setdefault(word, []).extend(Expansion(option, SYNONYM_WEIGHT) for option in options)
        # A search collects room for near-duplicates merged later, and no more: the fewer
        # passages wanted, the sooner Whoosh can skip blocks that cannot make the top.
        depth = max(limit * 2, limit + 5) if limit else RETRIEVE_DEPTH
        notices: list[str] = []
        deadline = time.monotonic() + QUERY_TIME_BUDGET_S
        found: dict[str, ScoredPassage] = {}
        total = 0
        common = self._common_terms(parsed)
        for must in self._tiers(parsed, expansions, wanted, all_words_first, common):
            results = self._run(build_query(parsed, expansions, must=must), depth, deadline, notices)
            passages, count = self._passages(results, depth)
            total = max(total, count)
            for passage in passages:
                found.setdefault(passage.passage_id, passage)
            if len(found) >= wanted or notices:
                return list(found.values()), total, notices
        results = self._run(build_query(parsed, expansions, common=common), depth, deadline, notices)
        passages, total = self._passages(results, depth)
        tiers = list(found.values())
        passages = tiers + [passage for passage in passages if passage.passage_id not in found]
        return passages[: max(depth, len(tiers))], total, notices

    def _tiers(self, parsed: ParsedQuery, expansions: dict[str, list[Expansion]], wanted: int,
               all_words_first: bool, common: frozenset[str]) -> list[frozenset[str]]:
        """The sets of words that must match, tier by tier: all of them, then the rarer ones. In a
        question, words in very many passages (_common_terms) are never required, only ranked:
        intersecting them cost most of a question's time on 100,000 passages."""
        words = content_words(parsed)
        if len(words) < 2:
            return []
        counts = self._counts()

        def passages_with(key: str) -> int:  # at most this many passages have the word (or a stand-in)
            forms = [key] + [expansion.word for expansion in expansions.get(key, [])]
            return sum(counts.passages(RANKED_FIELD, term) for form in forms for term in stemmed_terms(form)[:1])

        by_rarity = sorted(words, key=passages_with)
        if passages_with(by_rarity[0]) < wanted:  # no tier can fill
            return [frozenset(words)] if all_words_first else []
        if not all_words_first:  # a question's very common words only rank what the others find
            by_rarity = [word for word in by_rarity if word not in common] or by_rarity
        return [frozenset(by_rarity[:size]) for size in range(len(by_rarity), 0, -1)]

    def _run(self, query, depth: int, deadline: float, notices: list[str]):
        searcher = self._searcher()
        collector = BudgetCollector(searcher.collector(limit=depth), deadline)
        try:
            searcher.search_with_collector(query, collector)
        except TimeLimit:
            notices.append(f"the query took over {QUERY_TIME_BUDGET_S:g} s; results are partial")
        return collector.results()

    @staticmethod
    def _passages(results, depth: int) -> tuple[list[ScoredPassage], int]:
        passages = [ScoredPassage(dict(hit.fields()), hit.score or 0.0) for hit in results]
        # Whoosh skips blocks that cannot reach the top (so it has no exact count), and counting
        # would run the query again. Its estimate also counts the passages an update deleted,
        # until their segment is merged away: a search that collected fewer than `depth` skipped
        # nothing, and what it collected is every passage there is to reach.
        if results.has_exact_length():
            total = len(results)
        elif results.scored_length() < depth:
            total = results.scored_length()
        else:
            total = max(results.scored_length(), min(results.estimated_length(), results.searcher.doc_count()))
        return passages, total

    def _common_terms(self, parsed: ParsedQuery) -> frozenset[str]:
        """Free words in so many passages that they only rank what the other words find."""
        counts = self._counts()
        cutoff = self._common_term_cutoff()
        common = set()
        for word in parsed.free_words:
            stems = stemmed_terms(word)
            if len(stems) == 1 and counts.passages(RANKED_FIELD, stems[0]) > cutoff:
                common.add(" ".join(exact_words(word)))
        return frozenset(common)

    def _common_term_cutoff(self) -> float:
        return max(COMMON_TERM_MIN_PASSAGES, COMMON_TERM_SHARE * self._counts().doc_count)

    def _corrections(self, words: list[str]) -> dict[str, list[str]]:
        """The closest indexed words for each query word the index does not have (never
        correcting a word that is in the index), closest and most frequent first."""
        counts = self._counts()
        corrections = {}
        for word in words:
            for token in exact_words(word):
                if len(token) < ONE_TYPO_FROM or token.isdigit() or counts.in_index(token):
                    continue  # the word or an inflection of it is indexed: stemming finds it
                distance = 2 if len(token) >= TWO_TYPOS_FROM else 1
                options = [(t, edits) for t, edits in self._vocabulary().within(token, distance)
                           if counts.in_live_passage(WORDS_FIELD, t)]
                # Fewest edits first; among equals the most alike ("jonna": "joanna" before "jenna"),
                # then the most frequent.
                options.sort(key=lambda option: (option[1], -_similarity(token, option[0]),
                                                 -counts.passages(WORDS_FIELD, option[0])))
                if options:
                    corrections[token] = [t for t, _ in options[:MAX_CORRECTIONS_PER_WORD]]
        return corrections

    def _synonyms(self, question: Question, corrections: dict[str, list[str]]) -> dict[str, list[str]]:
        """Indexed words that WordNet gives as synonyms of the question's words (the table is
        made at index time: indexer/synonyms.py)."""
        table = self._synonym_table()
        counts = self._counts()
        cutoff = self._common_term_cutoff()
        found = {}
        for word in question.content_words:
            if word in corrections:
                continue
            own = stem(word)
            frequency = counts.passages(RANKED_FIELD, own)
            options = [
                option
                for key in lookup_keys(word)
                for option in table.get(key, [])
                # Only where the documents prefer the other word: a word they use as often says
                # what they mean, and its synonyms would only add other senses ("pilot" as "navigate").
                if stem(option) != own and max(1, frequency) <= counts.passages(RANKED_FIELD, stem(option)) <= cutoff
            ]  # a synonym in very many passages would fetch thousands of them for one word
            options = list({stem(option): option for option in reversed(options)}.values())[::-1]
            options = options[:MAX_SYNONYMS_PER_WORD]  # one word per stem, in table order
            if options:
                found[word] = options
        return found

    def _vocabulary(self) -> Vocabulary:
        """The index's words as written, for typo candidates."""
        return self._per_generation(WORDS_FIELD, lambda: Vocabulary.of_field(self._searcher().reader(), WORDS_FIELD))

    def _synonym_table(self) -> dict[str, list[str]]:
        return self._per_generation(SYNONYMS_FILE, lambda: self._generation_file(SYNONYMS_FILE, dict))

    def _common_words(self) -> frozenset[str]:
        return self._per_generation(COMMON_WORDS_FILE, lambda: frozenset(self._generation_file(COMMON_WORDS_FILE, list)))

    def _per_generation(self, name: str, load: Callable[[], object]):
        """What `load` gives, loaded once per index generation (the older generations' dropped)."""
        key = (self._generation, name)
        if key not in self._files:
            value = load()
            self._files = {k: v for k, v in self._files.items() if k[0] == self._generation}
            self._files[key] = value
        return self._files[key]

    def _generation_file(self, name: str, empty: type):
        """A JSON file the build wrote beside the index; an index built without WordNet has
        none, and then it is `empty`."""
        try:
            value = json.loads((self.index_dir / self._generation / name).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return empty()
        return value if isinstance(value, empty) else empty()

    def _weights(self, question: Question, corrections: dict[str, list[str]], synonyms: dict[str, list[str]]):
        counts = self._counts()
        slots: dict[str, list[str]] = {}
        for word in question.content_words:
            others = corrections.get(word, []) + synonyms.get(word, [])
            slots.setdefault(stem(normalize_word(word)), []).extend(stem(o) for o in others)
        total = counts.doc_count or 1

        def frequency(term: str) -> int:
            return counts.passages(RANKED_FIELD, term)

        return term_weights(slots, frequency, total)

    def _missing_names(self, question: Question, corrections: dict[str, list[str]]) -> list[str]:
        """Capitalised words of the question (names, titles) that stand nowhere in the index:
        the documents cannot be about what the question asks."""
        counts = self._counts()
        missing = []
        for raw in question.search_text.split():
            word = raw.strip("?!.,;:\"'“”()")
            if not word[:1].isupper() or normalize_word(word) in corrections:
                continue
            for token in exact_words(word):
                if not counts.in_index(token):
                    missing.append(word)
        return missing

    def _missing_head(self, question: Question, corrections: dict[str, list[str]], synonyms: dict[str, list[str]]) -> list[str]:
        """The thing a "how many" question counts, when no document mentions it, nor any word
        for it ("How many calories ...?" over notes that never speak of calories)."""
        head = question.head_noun
        if question.kind != "how_many" or not head or head in corrections or head in synonyms:
            return []
        counts = self._counts()
        if counts.passages(RANKED_FIELD, stem(head)):
            return []
        return [head]

    def _hits(self, passages: list[ScoredPassage], parsed: ParsedQuery, corrections: dict[str, list[str]]) -> list[Hit]:
        fixes = [fixed for options in corrections.values() for fixed in options]
        words = exact_words(parsed.positive_text) + fixes
        terms = MatchTerms(frozenset(stemmed_terms(" ".join(words))), frozenset(fixes))
        hits = []
        for rank, passage in enumerate(passages, 1):
            stored = passage.stored
            snippet, highlights = cut_snippet(stored["body"], terms)
            hits.append(
                Hit(
                    rank=rank,
                    score=passage.score or passage.bm25,
                    path=stored["path"],
                    title=stored.get("title", ""),
                    section=stored.get("section") or None,
                    line_start=stored["line_start"],
                    line_end=stored["line_end"],
                    text=stored["body"],
                    snippet=snippet,
                    highlights=highlights,
                    kind=stored.get("kind", "paragraph"),
                    also_in=passage.also_in,
                )
            )
        return hits


# What Whoosh raises on damaged files: truncated pickles and structs, missing segments.
UNREADABLE_INDEX_ERRORS = (OSError, ValueError, EOFError, EmptyIndexError, KeyError, IndexError, AttributeError,
                           TypeError, struct.error, pickle.UnpicklingError)


class BudgetCollector(WrappingCollector):
    """Stops collecting at `deadline` (time.monotonic()) by looking at the clock every few
    hundred matches. Whoosh's TimeLimitCollector starts a timer thread per query instead, which
    cost more than a whole query on a small index; signals cannot be used in server threads."""

    CHECK_EVERY = 256

    def __init__(self, child, deadline: float) -> None:
        super().__init__(child)
        self.deadline = deadline

    def collect_matches(self) -> None:
        child = self.child
        for count, sub_docnum in enumerate(child.matches(), 1):
            child.collect(sub_docnum)
            if count % self.CHECK_EVERY == 0 and time.monotonic() > self.deadline:
                raise TimeLimit


def bm25f() -> scoring.BM25F:
    """The ranking model with the parameters documented in indexer/schema.py."""
    return scoring.BM25F(B=BM25_B, K1=BM25_K1, title_B=TITLE_B)


class TermCounts:
    """How many passages hold a term, by field, in one reader, cached: a question looks the same
    words up many times (typo checks, tiers, term weights, synonyms), and a cached count costs a
    dictionary lookup where Whoosh reads its term table. One per thread and generation."""

    MAX_CACHED = 200_000

    def __init__(self, reader) -> None:
        self._reader = reader
        self.doc_count: int = reader.doc_count()
        self._passages: dict[tuple[str, str], int] = {}
        self._live: dict[tuple[str, str], bool] = {}

    def passages(self, field: str, term: str) -> int:
        """Passages with the term, as Whoosh counts them (deleted ones too, until a merge)."""
        key = (field, term)
        count = self._passages.get(key)
        if count is None:
            if len(self._passages) >= self.MAX_CACHED:
                self._passages.clear()
            count = self._passages[key] = self._reader.doc_frequency(field, term)
        return count

    def in_live_passage(self, field: str, term: str) -> bool:
        """Whether a passage not deleted holds the term. Whoosh keeps a deleted passage's terms
        (and counts them) until its segment is merged away: a file removed or changed by an
        update would otherwise still lend its words."""
        key = (field, term)
        live = self._live.get(key)
        if live is None:
            if len(self._live) >= self.MAX_CACHED:
                self._live.clear()
            live = self._live[key] = bool(self.passages(field, term)) and self._reader.postings(field, term).is_active()
        return live

    def in_index(self, word: str) -> bool:
        """Whether a passage has the word, or a word of the same stem, in any searched field."""
        term = stem(word)
        return self.in_live_passage(WORDS_FIELD, word) or self.in_live_passage(RANKED_FIELD, term)


def _suggestion(text: str, corrections: dict[str, list[str]], passages: list[ScoredPassage]) -> str | None:
    """The query with each misspelt word replaced by the correction that the best passage
    uses (so "Jonna Kasem" becomes "Joanna Kassem", not "Jenna Kassem"), else the closest."""
    if not corrections:
        return None
    best_words = set(exact_words(passages[0].text)) if passages else set()
    chosen = {word: next((o for o in options if o in best_words), options[0]) for word, options in corrections.items()}
    out = []
    for raw in text.split(" "):
        core = raw.strip("?!.,;:\"'“”()")
        fixed = chosen.get(normalize_word(core))
        if fixed and core:
            fixed = fixed.capitalize() if core[:1].isupper() else fixed
            raw = raw.replace(core, fixed)
        out.append(raw)
    return " ".join(out)


def _similarity(a: str, b: str) -> float:
    return SequenceMatcher(None, a, b).ratio()


def _clamp(limit: int) -> int:
    return max(1, min(MAX_LIMIT, int(limit)))


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000.0
