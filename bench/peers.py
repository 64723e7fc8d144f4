"""The engines compared, each behind the same two steps: build an index of the passages, then open
it and answer queries with the passage numbers of the top hits.

- Liner: `indexer.build.build_index` over the corpus folder (it reads and chunks the files itself),
  `search.engine.Engine`: `search()` for keyword and phrase queries, `ask()` for questions.
- stock Whoosh: the same library with its defaults: one TEXT field (StandardAnalyzer), default
  BM25F, `QueryParser` with default settings, no boosts, no question handling.
- SQLite FTS5 (stdlib sqlite3): `tokenize='porter unicode61'`, ranked by `bm25()`; the query is
  an OR of the words (quoted phrases kept as phrases), FTS5 syntax escaped.
- tantivy (the `tantivy` package): one text field with the `en_stem` tokenizer, BM25, its own
  query parser in lenient mode (OR of the terms by default).

Peers index the very Passage objects Liner's chunker cut from the same files; a peer's hit is the
passage's number in that list, so quality is judged on the same texts for everyone.
"""
from __future__ import annotations

import re
import shutil
import sqlite3
from pathlib import Path
from typing import Protocol, Sequence

from indexer.passages import Passage

LIMIT = 10


class Searcher(Protocol):
    def texts(self, query: str, kind: str, limit: int = LIMIT) -> list[str]:
        """Texts of the top `limit` passages for `query` (kind: keyword | phrase | question)."""

    def close(self) -> None: ...


class Peer(Protocol):
    name: str

    def build(self, passages: Sequence[Passage], index_dir: Path) -> None: ...

    def open(self, index_dir: Path, passages: Sequence[Passage]) -> Searcher: ...


# -- stock Whoosh -----------------------------------------------------------------------------------


class StockWhoosh:
    name = "stock Whoosh"

    def build(self, passages: Sequence[Passage], index_dir: Path) -> None:
        from whoosh import index
        from whoosh.fields import STORED, TEXT, Schema

        _fresh(index_dir)
        schema = Schema(number=STORED(), text=TEXT())
        writer = index.create_in(str(index_dir), schema).writer()
        for number, passage in enumerate(passages):
            writer.add_document(number=number, text=passage.text)
        writer.commit()

    def open(self, index_dir: Path, passages: Sequence[Passage]) -> Searcher:
        return _WhooshSearcher(index_dir, passages)


class _WhooshSearcher:
    def __init__(self, index_dir: Path, passages: Sequence[Passage]) -> None:
        from whoosh import index
        from whoosh.qparser import QueryParser

        self._index = index.open_dir(str(index_dir))
        self._searcher = self._index.searcher()
        self._parser = QueryParser("text", self._index.schema)
        self._passages = passages

    def texts(self, query: str, kind: str, limit: int = LIMIT) -> list[str]:
        """The texts of the top passages (their numbers, when opened without the passages)."""
        try:
            parsed = self._parser.parse(query)
        except Exception:  # stock behaviour on odd input: nothing found
            return []
        results = self._searcher.search(parsed, limit=limit)
        if self._passages is None:
            return [hit["number"] for hit in results]
        return [self._passages[hit["number"]].text for hit in results]

    def close(self) -> None:
        self._searcher.close()
        self._index.close()


# -- SQLite FTS5 ------------------------------------------------------------------------------------

_PHRASE_OR_WORD = re.compile(r'"([^"]*)"|(\S+)')
_WORD_CHARS = re.compile(r"\w")


def fts5_query(text: str) -> str:
    """User text as an FTS5 query: every word and every quoted phrase as an FTS5 string (so no
    character means syntax), joined with OR. Empty when the text has no words."""
    parts = []
    for match in _PHRASE_OR_WORD.finditer(text):
        phrase, word = match.group(1), match.group(2)
        piece = phrase if phrase is not None else word.replace('"', "")
        if piece and _WORD_CHARS.search(piece):
            parts.append('"' + piece.replace('"', '""') + '"')
    return " OR ".join(parts)


class SqliteFts5:
    name = "SQLite FTS5"
    FILE = "passages.sqlite"

    def build(self, passages: Sequence[Passage], index_dir: Path) -> None:
        _fresh(index_dir)
        connection = sqlite3.connect(index_dir / self.FILE)
        try:
            connection.execute("CREATE VIRTUAL TABLE passages USING fts5(text, tokenize='porter unicode61')")
            with connection:
                connection.executemany(
                    "INSERT INTO passages(rowid, text) VALUES (?, ?)",
                    ((number, passage.text) for number, passage in enumerate(passages)),
                )
        finally:
            connection.close()

    def open(self, index_dir: Path, passages: Sequence[Passage]) -> Searcher:
        return _SqliteSearcher(index_dir / self.FILE, passages)


class _SqliteSearcher:
    SQL = "SELECT rowid FROM passages WHERE passages MATCH ? ORDER BY bm25(passages) LIMIT ?"

    def __init__(self, path: Path, passages: Sequence[Passage]) -> None:
        self._connection = sqlite3.connect(path, check_same_thread=False)
        self._passages = passages

    def texts(self, query: str, kind: str, limit: int = LIMIT) -> list[str]:
        match = fts5_query(query)
        if not match:
            return []
        rows = self._connection.execute(self.SQL, (match, limit)).fetchall()
        return [self._passages[row[0]].text for row in rows]

    def close(self) -> None:
        self._connection.close()


# -- tantivy ----------------------------------------------------------------------------------------


class Tantivy:
    name = "tantivy"

    def build(self, passages: Sequence[Passage], index_dir: Path) -> None:
        import tantivy

        _fresh(index_dir)
        builder = tantivy.SchemaBuilder()
        builder.add_text_field("text", stored=False, tokenizer_name="en_stem")
        builder.add_integer_field("number", stored=True, indexed=False)
        index = tantivy.Index(builder.build(), path=str(index_dir))
        # One indexing thread: with several, how documents split into segments depends on timing,
        # and with it the order of equal scores (the seeds' hit@1 was 0.732 in one run, 0.720 in another).
        writer = index.writer(num_threads=1)
        for number, passage in enumerate(passages):
            writer.add_document(tantivy.Document(number=number, text=passage.text))
        writer.commit()
        writer.wait_merging_threads()

    def open(self, index_dir: Path, passages: Sequence[Passage]) -> Searcher:
        return _TantivySearcher(index_dir, passages)


class _TantivySearcher:
    def __init__(self, index_dir: Path, passages: Sequence[Passage]) -> None:
        import tantivy

        self._index = tantivy.Index.open(str(index_dir))
        self._index.reload()
        self._searcher = self._index.searcher()
        self._passages = passages

    def texts(self, query: str, kind: str, limit: int = LIMIT) -> list[str]:
        parsed, _errors = self._index.parse_query_lenient(query, ["text"])
        hits = self._searcher.search(parsed, limit).hits
        return [self._passages[self._searcher.doc(address)["number"][0]].text for _score, address in hits]

    def close(self) -> None:
        pass


# -- Liner ------------------------------------------------------------------------------------------


class Liner:
    """Liner builds from the folder (reading and chunking are part of its build)."""

    name = "Liner"

    def build_folder(self, folder: Path, index_dir: Path, rebuild: bool = False):
        from indexer.build import build_index

        return build_index(folder, index_dir, rebuild=rebuild)

    def open(self, index_dir: Path, passages: Sequence[Passage] = ()) -> Searcher:
        return _LinerSearcher(index_dir)


class _LinerSearcher:
    def __init__(self, index_dir: Path) -> None:
        from search.engine import Engine

        self.engine = Engine(index_dir)

    def texts(self, query: str, kind: str, limit: int = LIMIT) -> list[str]:
        return [hit.text for hit in self.response(query, kind, limit).results]

    def response(self, query: str, kind: str, limit: int = LIMIT):
        from search.query import QueryError

        try:
            if kind == "question":
                return self.engine.ask(query, limit=limit)
            return self.engine.search(query, limit=limit)
        except QueryError:
            from search.response import Response

            return Response(query, [], 0, 0.0)

    def close(self) -> None:
        pass


PEERS: dict[str, Peer] = {peer.name: peer for peer in (StockWhoosh(), SqliteFts5(), Tantivy())}


def passages_of_index(index_dir: Path, every: int = 1):
    """The passages of a Liner index, read back from its stored fields in index order (every
    `every`-th one): the corpus a peer indexes at a size where chunking it again would take longer
    than building, and a sample to make queries from."""
    from search.engine import Engine
    from indexer.codec import stored_document
    from indexer.schema import passage_from_stored

    reader = Engine(index_dir).index.view().searcher.reader()
    for docnum in range(0, reader.doc_count_all(), every):
        if not reader.is_deleted(docnum):
            yield passage_from_stored(stored_document(reader, docnum))


def peer_named(name: str) -> Peer:
    """A peer by name; a wrong name lists the right ones."""
    try:
        return PEERS[name]
    except KeyError:
        raise ValueError(f"unknown peer {name!r}; choose one of {', '.join(PEERS)}") from None


def _fresh(index_dir: Path) -> None:
    if index_dir.exists():
        shutil.rmtree(index_dir)
    index_dir.mkdir(parents=True)
