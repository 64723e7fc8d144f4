"""Term statistics of a sharded index: each shard's, read once when its generation is built, and
their sum, merged when a build ends (as Elasticsearch's dfs_query_then_fetch gathers them, but
once per build instead of once per query).

BM25F reads, for a term, the passages that hold it and, for a field, its total length and the
number of passages; a shard alone knows only its own share, and a rare word in one shard would
weigh less there than in the index as a whole. Summed over the shards, each number is the one a
single index over the same files would count (Whoosh counts deleted passages too, until a merge,
and so do these). The query side's stages read the sum through `GlobalTermStats`, the same
`TermStats` protocol the single index's TermCounts follows.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from whoosh import index as whoosh_index

from indexer.analysis import stem
from indexer.schema import RANKED_FIELD, WORDS_FIELD
from search.cluster.layout import write_atomically
from search.typos import Vocabulary

# The fields a query ranks by (the scorable ones), and those the query side counts in.
SCORED_FIELDS = (RANKED_FIELD, "title", "section")
COUNTED_FIELDS = (*SCORED_FIELDS, WORDS_FIELD)
# Fields whose terms the query side asks "is it still in a live passage?" (TermCounts._live_term).
LIVE_CHECKED_FIELDS = (RANKED_FIELD, WORDS_FIELD)


@dataclass
class TermStatistics:
    """The statistics of a shard, or of all of them summed."""

    doc_count: int = 0  # passages not deleted
    doc_count_all: int = 0  # passages, deleted or not (what BM25F divides by)
    field_length: dict[str, int] = field(default_factory=dict)  # total terms per scored field
    frequency: dict[str, dict[str, int]] = field(default_factory=dict)  # field -> term -> passages
    dead: dict[str, set[str]] = field(default_factory=dict)  # field -> terms only deleted passages hold

    def doc_frequency(self, fieldname: str, term: str) -> int:
        return self.frequency.get(fieldname, {}).get(term, 0)

    def is_live(self, fieldname: str, term: str) -> bool:
        return self.doc_frequency(fieldname, term) > 0 and term not in self.dead.get(fieldname, ())

    def to_json(self) -> str:
        dead = {name: sorted(terms) for name, terms in self.dead.items()}
        return json.dumps({"doc_count": self.doc_count, "doc_count_all": self.doc_count_all,
                           "field_length": self.field_length, "frequency": self.frequency, "dead": dead},
                          separators=(",", ":"), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> "TermStatistics":
        data = json.loads(text)
        return cls(data["doc_count"], data["doc_count_all"], data["field_length"], data["frequency"],
                   {name: set(terms) for name, terms in data["dead"].items()})


def read_shard_statistics(generation_dir: Path) -> TermStatistics:
    """The statistics of one shard generation (a Whoosh index folder)."""
    index = whoosh_index.open_dir(str(generation_dir))
    try:
        with index.reader() as reader:
            stats = TermStatistics(reader.doc_count(), reader.doc_count_all())
            stats.field_length = {name: reader.field_length(name) for name in SCORED_FIELDS}
            for name in COUNTED_FIELDS:
                stats.frequency[name] = {_text(term): info.doc_frequency() for term, info in reader.iter_field(name)}
            stats.dead = {name: _dead_terms(reader, name, stats.frequency[name]) for name in LIVE_CHECKED_FIELDS}
    finally:
        index.close()
    return stats


def _dead_terms(reader, fieldname: str, frequency: dict[str, int]) -> set[str]:
    """Terms that only deleted passages hold. A term in more passages than were deleted has a
    live one, so only the rarer terms are looked at (an incremental build deletes few)."""
    if not reader.has_deletions():
        return set()
    deleted = reader.doc_count_all() - reader.doc_count()
    return {term for term, count in frequency.items()
            if count <= deleted and not reader.postings(fieldname, term).is_active()}


def merge(shards: list[TermStatistics]) -> TermStatistics:
    """The statistics of the whole index: the sum of its shards'."""
    total = TermStatistics()
    for shard in shards:
        total.doc_count += shard.doc_count
        total.doc_count_all += shard.doc_count_all
        for name, length in shard.field_length.items():
            total.field_length[name] = total.field_length.get(name, 0) + length
        for name, terms in shard.frequency.items():
            merged = total.frequency.setdefault(name, {})
            for term, count in terms.items():
                merged[term] = merged.get(term, 0) + count
    for name in LIVE_CHECKED_FIELDS:  # dead in the whole index: no shard holds it in a live passage
        total.dead[name] = {term for term in total.frequency.get(name, {})
                            if not any(shard.is_live(name, term) for shard in shards)}
    return total


def write_statistics(path: Path, stats: TermStatistics) -> None:
    write_atomically(Path(path), stats.to_json())


def read_statistics(path: Path) -> TermStatistics:
    """:raise OSError, ValueError, KeyError: the file is missing or damaged."""
    return TermStatistics.from_json(Path(path).read_text(encoding="utf-8"))


class GlobalTermStats:
    """The whole index's term statistics as the query side reads them (expansion.TermStats),
    answering as TermCounts answers on a single index over the same files."""

    def __init__(self, stats: TermStatistics) -> None:
        self.stats = stats
        self.doc_count: int = stats.doc_count

    def passages(self, term: str) -> int:
        return self.stats.doc_frequency(RANKED_FIELD, term)

    def files_with_word(self, word: str) -> int:
        return self.stats.doc_frequency(WORDS_FIELD, word)

    def has_live_word(self, word: str) -> bool:
        return self.stats.is_live(WORDS_FIELD, word)

    def in_index(self, word: str) -> bool:
        return self.stats.is_live(WORDS_FIELD, word) or self.stats.is_live(RANKED_FIELD, stem(word))

    def vocabulary(self) -> Vocabulary:
        """The words of every shard as written, for typo candidates (in lexicon order, as one
        index's `words` field would list them)."""
        return Vocabulary(sorted(self.stats.frequency.get(WORDS_FIELD, {})))


def _text(term) -> str:
    return term.decode("utf-8") if isinstance(term, bytes) else term
