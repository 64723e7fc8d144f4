"""The index as the query side sees it: the generation CURRENT names, kept open and followed to a
new one, a Whoosh searcher and term statistics per thread, and the files a build writes beside
each generation (the synonym table, the common words, the vocabulary for typo correction).

A query takes one `IndexView` at its start and works on that generation to its end, while a
build may switch CURRENT under it: the next query moves on (one stat of CURRENT per query, so a
server picks up a re-index without a restart). Whoosh searchers are not shared between threads:
each thread keeps its own, as the WSGI server answers from several.
"""
from __future__ import annotations

import json
import os
import pickle
import struct
import threading
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Callable, Sequence

from whoosh import index as whoosh_index
from whoosh import scoring
from whoosh.filedb.filetables import FileFormatError
from whoosh.index import EmptyIndexError

from indexer.analysis import stem
from indexer.codec import LENGTH_OF_CODE, length_codes, stored_document
from indexer.generations import GenerationGone, GenerationHold, hold_generation, remove_if_unheld
from indexer.layout import (
    COMMON_WORDS_FILE,
    CURRENT_FILE,
    SYNONYMS_FILE,
    VOCABULARY_FILE,
    current_generation,
    read_manifest,
)
from indexer.passages import Passage
from indexer.schema import BM25_B, BM25_K1, RANKED_FIELD, TITLE_B, WORDS_FIELD, passage_from_stored
from search.document_text import DocumentText, indexed_document
from search.typos import Vocabulary

DEFAULT_INDEX_DIR = Path(".liner/index")

# What Whoosh raises on damaged files: truncated pickles and structs, missing segments. Whoosh
# also raises KeyError and IndexError from some damaged tables; a TypeError or AttributeError is a
# bug in Liner, and is left to surface as one rather than be reported as a damaged index.
UNREADABLE_INDEX_ERRORS = (OSError, ValueError, EOFError, EmptyIndexError, KeyError, IndexError, struct.error,
                           pickle.UnpicklingError, FileFormatError)


class IndexMissingError(Exception):
    """No index has been built at the path yet."""


class IndexCorruptError(Exception):
    """The index exists but cannot be read."""


def default_index_dir() -> Path:
    return Path(os.environ.get("LINER_INDEX") or DEFAULT_INDEX_DIR)


def bm25f() -> scoring.BM25F:
    """The ranking model with the parameters documented in indexer/schema.py."""
    return LinerBM25F(B=BM25_B, K1=BM25_K1, title_B=TITLE_B)


class LinerBM25F(scoring.BM25F):
    """Whoosh's BM25F, whose scorer reads a passage's field length straight from its segment's
    length bytes (indexer/codec.py) where Whoosh goes through four calls for it: scoring was a
    fifth of a keyword search. The same formula, term for term, so the same scores to the bit.

    A term's scorer is made once per searcher: it holds only what the searcher's index says of
    the term (idf, average length, best score), and a search asked for one per term and tier,
    ranked and then counted, each looking the term up again (two thirds of making a term's
    matcher)."""

    MAX_CACHED = 10_000  # scorers kept per searcher (a few hundred bytes each); then it starts again

    def scorer(self, searcher, fieldname, text, qf=1):
        made = searcher.__dict__.setdefault("_liner_scorers", {})
        scorer = made.get((fieldname, text, qf))
        if scorer is None:
            if len(made) >= self.MAX_CACHED:
                made.clear()
            scorer = made[(fieldname, text, qf)] = self._scorer(searcher, fieldname, text, qf)
        return scorer

    def _scorer(self, searcher, fieldname, text, qf):
        scorer = super().scorer(searcher, fieldname, text, qf)
        codes = length_codes(searcher.reader(), fieldname) if isinstance(scorer, scoring.BM25FScorer) else None
        if codes is not None:
            scorer.score = _bm25_of(scorer, codes, _length_norms(searcher, scorer))
        return scorer


def _length_norms(searcher, scorer: scoring.BM25FScorer) -> list[float]:
    """K1 * ((1 - B) + B * length / avgfl), the part of whoosh.scoring.bm25 a passage's length
    decides, for each length byte: the same for every term of a field, so made once per searcher
    and field (256 values), where a keyword search computed it for each of about 1,500 postings
    it scored. Each value is the same expression of the same numbers, so the same float."""
    made = searcher.__dict__.setdefault("_liner_length_norms", {})
    B, K1, avgfl = scorer.B, scorer.K1, scorer.avgfl
    norms = made.get((B, K1, avgfl))
    if norms is None:
        one_minus_b = 1 - B
        norms = made[(B, K1, avgfl)] = [K1 * (one_minus_b + B * length / avgfl) for length in LENGTH_OF_CODE]
    return norms


def _bm25_of(scorer: scoring.BM25FScorer, codes, norms: list[float]):
    """whoosh.scoring.bm25 for one term, its constants bound: (K1 + 1) is the value Whoosh
    computes at each call, `norms` the length's part by length byte (_length_norms). Its `many`
    scores many postings at once (bm25_of_many)."""
    idf, k1_plus_one = scorer.idf, scorer.K1 + 1

    def score(matcher) -> float:
        tf = matcher.weight()
        return idf * ((tf * k1_plus_one) / (tf + norms[codes[matcher.id()]]))

    def many(weights: Sequence[float], docnums: Sequence[int]) -> list[float]:
        return [idf * ((tf * k1_plus_one) / (tf + norms[codes[docnum]])) for tf, docnum in zip(weights, docnums)]

    score.many = many  # type: ignore[attr-defined]
    return score


def bm25_of_many(matcher) -> Callable[[Sequence[float], Sequence[int]], list[float]] | None:
    """The scores a leaf matcher would give postings (their weights, their document numbers in
    its segment), computed in one go, the same expression as its `score` so the same floats; None
    where its scorer is not LinerBM25F's (another weighting, an index of another codec)."""
    scorer = getattr(matcher, "scorer", None)
    return getattr(getattr(scorer, "score", None), "many", None)


class TermCounts:
    """How many passages hold a term, in one reader, cached: a question looks the same words up
    many times (typo checks, tiers, term weights, synonyms), and a cached count costs a dictionary
    lookup where Whoosh reads its term table. One per thread and generation. The query side's
    stages see it as their `TermStats` (search/expansion.py)."""

    MAX_CACHED = 200_000

    def __init__(self, reader) -> None:
        self._reader = reader
        self.doc_count: int = reader.doc_count()
        self._has_deletions: bool = reader.has_deletions()
        self._passages: dict[tuple[str, str], int] = {}
        self._live: dict[tuple[str, str], bool] = {}

    def passages(self, term: str) -> int:
        """Passages whose ranked field holds the stem `term` (deleted ones too, until a merge)."""
        return self._count(RANKED_FIELD, term)

    def files_with_word(self, word: str) -> int:
        """Files whose words as written include `word`."""
        return self._count(WORDS_FIELD, word)

    def has_live_word(self, word: str) -> bool:
        """Whether a file still in the index has `word` as written."""
        return self._live_term(WORDS_FIELD, word)

    def in_index(self, word: str) -> bool:
        """Whether a passage has the word, or a word of the same stem, in any searched field."""
        return self._live_term(WORDS_FIELD, word) or self._live_term(RANKED_FIELD, stem(word))

    def _count(self, field: str, term: str) -> int:
        key = (field, term)
        count = self._passages.get(key)
        if count is None:
            if len(self._passages) >= self.MAX_CACHED:
                self._passages.clear()
            count = self._passages[key] = self._reader.doc_frequency(field, term)
        return count

    def _live_term(self, field: str, term: str) -> bool:
        """Whether a passage not deleted holds the term. Whoosh keeps a deleted passage's terms
        (and counts them) until its segment is merged away: a file removed or changed by an
        update would otherwise still lend its words."""
        key = (field, term)
        live = self._live.get(key)
        if live is None:
            if len(self._live) >= self.MAX_CACHED:
                self._live.clear()
            # Without deletions every counted passage is live: no postings to open.
            live = self._live[key] = bool(self._count(field, term)) and (
                not self._has_deletions or self._reader.postings(field, term).is_active())
        return live


class PassageCache:
    """The passages of one generation read so far, by document number, shared by the threads
    that query it: a generation never changes, and a server reads the same passages for question
    after question (each read decompresses and unpickles stored fields and builds a Passage)."""

    MAX_CACHED = 1024  # passages kept (a few KB each, in every worker); then it starts again

    def __init__(self) -> None:
        self._passages: dict[int, Passage] = {}

    def read(self, reader, docnum: int) -> Passage:
        """Passage number `docnum` of the generation `reader` reads."""
        passage = self._passages.get(docnum)
        if passage is None:
            if len(self._passages) >= self.MAX_CACHED:
                self._passages.clear()
            passage = self._passages[docnum] = passage_from_stored(stored_document(reader, docnum))
        return passage


class GenerationFiles:
    """What a build wrote beside one generation's Whoosh index, each loaded once, on first use:
    an index built without WordNet has no synonym files, and then they are empty; and the
    generation's passages as they are read (PassageCache)."""

    def __init__(self, folder: Path, index) -> None:
        self.folder = folder
        self._index = index  # the generation's whoosh.index.Index
        self.passages = PassageCache()

    @cached_property
    def vocabulary(self) -> Vocabulary:
        """The index's words as written, for typo candidates."""
        written = self.folder / VOCABULARY_FILE
        if written.exists():  # a build's, by first letter: only the letters asked for are read
            return Vocabulary.from_file(written)
        with self._index.reader() as reader:
            return Vocabulary.of_field(reader, WORDS_FIELD)

    @cached_property
    def synonym_table(self) -> dict[str, list[str]]:
        return self._json(SYNONYMS_FILE, dict)

    @cached_property
    def common_words(self) -> frozenset[str]:
        return frozenset(self._json(COMMON_WORDS_FILE, list))

    def _json(self, name: str, empty: type):
        try:
            value = json.loads((self.folder / name).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return empty()
        return value if isinstance(value, empty) else empty()


@dataclass(frozen=True)
class IndexView:
    """One generation as one query sees it, from its start to its end."""

    generation: str
    searcher: object  # whoosh.searching.Searcher, this thread's
    counts: TermCounts  # a TermStats (search/expansion.py)
    files: GenerationFiles
    # A retrieval.QueryRunner that stands in for the searcher: a sharded index's fan-out
    # (search/cluster/); None runs queries on `searcher`.
    runner: object = None
    # The generation's manifest (its files and root): a query's citations are made from the
    # generation it searched, not from one a build has switched to since.
    manifest: dict | None = None


class OpenIndex:
    """The index generation CURRENT names, opened once and followed to each new one."""

    def __init__(self, index_dir: Path | str | None = None) -> None:
        self.index_dir = Path(index_dir) if index_dir else default_index_dir()
        self._lock = threading.Lock()
        self._local = threading.local()
        self._stamp: tuple[int, int] | None = None
        self._open_current()

    @property
    def manifest(self) -> dict:
        self._refresh()
        return self._manifest

    @property
    def generation(self) -> str:
        self._refresh()
        return self._generation

    def view(self) -> IndexView:
        """This thread's searcher and term statistics on the current generation."""
        self._refresh()
        local = self._local
        with self._lock:  # the index, its name, its manifest and its files, from one moment
            index, generation, files, manifest = self._index, self._generation, self._files, self._manifest
        if getattr(local, "generation", None) != generation:
            local.searcher = index.searcher(weighting=bm25f())
            local.counts = TermCounts(local.searcher.reader())
            local.generation = generation
        return IndexView(generation, local.searcher, local.counts, files, manifest=manifest)

    def document(self, path: str, page: int | None = None) -> DocumentText | None:
        """An indexed file by its cited path, as it was indexed and as the document view shows it
        (one page of a PDF); None for anything not indexed.

        :raise DocumentChangedError: the file has changed since it was indexed.
        :raise DocumentTooLargeError: the file is larger than the view shows.
        """
        return indexed_document(self.manifest, path, page)

    # -- opening and following CURRENT ----------------------------------------------------------

    # A reader that opens a generation while a build removes it finds it gone and reads CURRENT
    # again: a build makes at most one newer generation current while this one opens.
    OPEN_ATTEMPTS = 3

    def _open_current(self) -> None:
        for attempt in range(self.OPEN_ATTEMPTS):
            generation = self._current_name()
            try:
                hold = hold_generation(self.index_dir / generation)
            except GenerationGone:
                if self._current_name() != generation:
                    continue
                hold = GenerationHold(None)  # not a generation being removed: opening it says what it is
            try:
                opened = self._open_generation(generation)
            except IndexCorruptError:
                hold.release()
                if attempt + 1 < self.OPEN_ATTEMPTS and self._current_name() != generation:
                    continue  # it was removed while we opened it: CURRENT has moved on
                raise
            self._switch_to(generation, hold, *opened)
            return
        raise IndexCorruptError(f"the index at {self.index_dir} changed {self.OPEN_ATTEMPTS} times while it was "
                                "being opened; try again when `liner index` has finished")

    def _current_name(self) -> str:
        try:
            generation = current_generation(self.index_dir)
        except OSError as error:  # CURRENT is a folder, or unreadable
            raise IndexCorruptError(f"the index at {self.index_dir} cannot be read ({error}); "
                                    "rebuild it with `liner index --rebuild FOLDER`") from error
        if generation is None:
            raise IndexMissingError(
                f"no index at {self.index_dir}: build one with `liner index FOLDER` (e.g. `liner index seeds`)"
            )
        return generation

    def _open_generation(self, generation: str) -> tuple:
        """(index, manifest) of one generation.

        :raise IndexCorruptError: it cannot be read.
        """
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
        return index, manifest

    def _switch_to(self, generation: str, hold, index, manifest) -> None:
        """Make `generation` the one this process reads; let go of the one before, and remove it
        if no other reader holds it (a server following a rebuild cleans up after it)."""
        before, held_before = getattr(self, "_generation", None), getattr(self, "_hold", None)
        files = GenerationFiles(self.index_dir / generation, index)
        self._index, self._manifest, self._generation, self._files = index, manifest, generation, files
        self._hold = hold
        self._stamp = self._current_stamp()
        if held_before is not None and before != generation:
            held_before.release()
            if before != current_generation(self.index_dir):
                remove_if_unheld(self.index_dir / before)

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
