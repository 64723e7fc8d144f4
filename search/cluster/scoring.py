"""BM25F in a shard with the statistics of the whole index, so that a passage scores in its shard
what it would score in one index over the same files.

Whoosh's BM25F scorer reads a term's document frequency, the document count and a field's
average length from the searcher it runs in: a shard's own. `GlobalBM25F` reads them from the
`QueryStatistics` the coordinator sends with each query (the global numbers for the query's
terms: stats.py), with the same formulas Whoosh uses, so the numbers are equal to the last bit.

One more number is local in Whoosh: a `CoordMatcher` (the bonus for matching more of a question's
words: search/query_nodes.py's `_Union`) divides by the number of the query's terms the index holds. In a
shard that lacks a word the count would be smaller; `with_global_coordination` counts the terms
the whole index holds instead.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass
from math import log

from whoosh import query as wq
from whoosh import scoring
from whoosh.matching import CoordMatcher

from indexer.schema import BM25_B, BM25_K1, TITLE_B
from search.cluster.stats import TermStatistics
from search.query_nodes import _Union


@dataclass(frozen=True)
class QueryStatistics:
    """The global statistics one query's scorers read: small enough to send with the query."""

    doc_count_all: int
    field_length: dict[str, int]
    frequency: dict[tuple[str, str], int]  # (field, term) -> passages, for the query's terms

    def doc_frequency(self, fieldname: str, term) -> int:
        term = term.decode("utf-8") if isinstance(term, bytes) else term
        try:
            return self.frequency[(fieldname, term)]
        except KeyError:
            raise LookupError(f"no global statistics were sent for {fieldname}:{term}") from None

    def avg_field_length(self, fieldname: str) -> float:
        """As Whoosh's Searcher.avg_field_length, and BM25FScorer's `or 1`."""
        return self.field_length.get(fieldname, 0) / (self.doc_count_all or 1) or 1


def query_statistics(stats: TermStatistics, query) -> QueryStatistics:
    """What the shards need to score `query` as one index would."""
    terms = {(name, text.decode("utf-8") if isinstance(text, bytes) else text)
             for name, text in query.iter_all_terms(phrases=True)}
    return QueryStatistics(stats.doc_count_all, dict(stats.field_length),
                           {term: stats.doc_frequency(*term) for term in terms})


class GlobalBM25F(scoring.BM25F):
    """Whoosh's BM25F (the parameters of search/index.py's bm25f) reading `statistics`, which the
    shard sets before each query."""

    def __init__(self) -> None:
        super().__init__(B=BM25_B, K1=BM25_K1, title_B=TITLE_B)
        self.statistics: QueryStatistics | None = None

    def idf(self, searcher, fieldname, text):
        """WeightingModel.idf's formula on the global counts."""
        n = self.statistics.doc_frequency(fieldname, text)
        return log(self.statistics.doc_count_all / (n + 1)) + 1

    def scorer(self, searcher, fieldname, text, qf=1):
        if not searcher.schema[fieldname].scorable:
            return scoring.WeightScorer.for_(searcher, fieldname, text)
        B = self._field_B.get(fieldname, self.B)
        return _GlobalBM25FScorer(searcher, fieldname, text, B, self.K1, qf, self.statistics)


class _GlobalBM25FScorer(scoring.BM25FScorer):
    def __init__(self, searcher, fieldname, text, B, K1, qf, statistics: QueryStatistics) -> None:
        self.idf = searcher.get_parent().idf(fieldname, text)  # GlobalBM25F.idf, cached per searcher
        self.avgfl = statistics.avg_field_length(fieldname)
        self.B, self.K1, self.qf = B, K1, qf
        self.setup(searcher, fieldname, text)


def with_global_coordination(query, statistics: QueryStatistics):
    """A copy of `query` with each coordinated union counting the terms the whole index holds.
    (Whoosh's own tree rewriting, Query.accept, rebuilds a union without its `scale`.)"""
    def globalise(node):
        if type(node) is _Union and node.scale:
            node = _GlobalUnion(node.subqueries, boost=node.boost, scale=node.scale,
                                term_count=global_term_count(node, statistics))
        for name in _CHILD_LISTS:
            if isinstance(getattr(node, name, None), list):
                setattr(node, name, [globalise(child) for child in getattr(node, name)])
        for name in _CHILDREN:
            if isinstance(getattr(node, name, None), wq.Query):
                setattr(node, name, globalise(getattr(node, name)))
        return node

    return globalise(copy.deepcopy(query))


# Where Whoosh's query classes keep their subqueries: CompoundQuery, BinaryQuery (AndMaybe,
# AndNot, ...), WrappingQuery and Not.
_CHILD_LISTS = ("subqueries",)
_CHILDREN = ("a", "b", "child", "query")


def global_term_count(query, statistics: QueryStatistics) -> int:
    """The term matchers Whoosh would build for `query` on one index over all the files
    (Matcher.term_matchers: a term the index lacks, or a phrase with a word it lacks, has none)."""
    if isinstance(query, wq.Term):
        return 1 if statistics.doc_frequency(query.fieldname, query.text) else 0
    if isinstance(query, wq.Phrase):
        present = all(statistics.doc_frequency(query.fieldname, word) for word in query.words)
        return len(query.words) if present else 0
    if isinstance(query, wq.Or):
        return sum(global_term_count(sub, statistics) for sub in query.subqueries)
    raise TypeError(f"cannot count the terms of a {type(query).__name__} in a coordinated union")


class _GlobalUnion(_Union):
    """search/query_nodes.py's union, coordinated over `term_count` terms."""

    def __init__(self, subqueries, boost=1.0, scale=None, term_count: int = 0) -> None:
        super().__init__(subqueries, boost=boost, scale=scale)
        self.term_count = term_count

    def _matcher(self, subs, searcher, context):
        matcher = super()._matcher(subs, searcher, context)
        if isinstance(matcher, CoordMatcher):
            matcher._termcount = self.term_count
        return matcher
