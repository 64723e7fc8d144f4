"""The Whoosh query nodes Liner builds (search/query.py), with the matchers that run them faster
than Whoosh's own on a Liner index: a union scored with a coordination bonus, and an intersection
of plain words found a block at a time (indexer/matcher.py)."""
from __future__ import annotations

from bisect import bisect_left

from whoosh import query as wq
from whoosh.matching import CoordMatcher, IntersectionMatcher, NullMatcher, UnionMatcher, WrappingMatcher
from whoosh.matching.binary import AdditiveBiMatcher

from indexer.codec import decoded_blocks
from indexer.matcher import BlockMatcher, common_documents, weights_at
from search.index import bm25_of_many

# The coordination bonus of Whoosh's Or: with scale s, a passage matching m of n words is scaled
# by roughly 1 - s + s*m/n (whoosh.query.Or), like the OrGroup.factory(0.9) its parser suggests.
COORDINATION_SCALE = 0.9


def all_of(subqueries: list[wq.Query]) -> wq.And:
    return _All(subqueries)


class _All(wq.And):
    """Whoosh's And, whose documents are found up front when every part is one term of a Liner
    index (indexer/matcher.py's common_documents): Whoosh steps through an intersection one
    posting at a time in Python, most of a two-word search on 100,000 passages. The matches are
    then scored by Whoosh's own intersection tree, moved straight to each, so a passage scores
    what it scores there."""

    def _matcher(self, subs, searcher, context):
        reader = searcher.reader()
        # The postings still list the passages an update deleted; Whoosh's tree filters them. A
        # phrase, an expansion: Whoosh's own way too.
        if reader.has_deletions() or not all(type(sub) is wq.Term for sub in subs):
            return super()._matcher(subs, searcher, context)
        # Whoosh's tree (And._matcher's: the same shape, so the same sums), its nodes not walked
        # to their first common document: the documents are known.
        matcher = self._tree_matcher(subs, _Unstarted, searcher, context, lambda q: 0 - q.estimate_size(reader))
        leaves = list(matcher.term_matchers())
        if len(leaves) != len(subs) or not all(type(leaf) is BlockMatcher for leaf in leaves):
            return super()._matcher(subs, searcher, context)
        decoded = decoded_blocks(reader)
        for leaf in leaves:  # their words recur in later searches (indexer/matcher.py's DecodedBlocks)
            leaf.keep_decoded(decoded)
        return _Intersected(matcher, self._common_documents(reader, leaves))

    def _common_documents(self, reader, leaves: list[BlockMatcher]) -> list[int]:
        """The documents all the leaves hold in this reader, found once per query: a search runs
        one query twice, ranked and then counted (search/retrieval.py), and intersecting the
        lists again cost as much as ranking their matches. A query is built for one search, on
        one searcher, whose readers outlive it: a reader's id names it while the query lives."""
        found = self.__dict__.setdefault("_intersections", {})
        # The terms too: a copy of the query (Whoosh's copies keep its attributes) may hold others.
        key = (id(reader), tuple(leaf.term() for leaf in leaves))
        if key not in found:
            leaves.sort(key=lambda leaf: reader.doc_frequency(*leaf.term()))
            found[key] = common_documents(leaves)
        return found[key]


class _Unstarted(IntersectionMatcher):
    """Whoosh's intersection node without the walk its __init__ makes to the first document its
    two sides share (a few hundred postings stepped through, decoding their blocks), for an
    _Intersected, which moves the terms to each document itself."""

    def __init__(self, a, b) -> None:
        AdditiveBiMatcher.__init__(self, a, b)


class _Intersected(WrappingMatcher):
    """An intersection matcher whose documents are known: it goes to each in turn, and moves
    Whoosh's tree there only when a score or a position is asked for (counting needs neither)."""

    def __init__(self, child, documents: list[int], at: int = 0) -> None:
        super().__init__(child)
        self._documents = documents
        self._at = at
        self._child_at = -1
        self._leaves = list(child.term_matchers())
        self._scores: list[float] | bool | None = None  # every document's, made when first asked for

    def copy(self):
        return _Intersected(self.child.copy(), self._documents, self._at)

    def _moved(self):
        """The tree, at the current document. Every term holds it, so the tree (intersections of
        the terms, which keep no place of their own) stands there once each term does: the terms
        are moved, not the tree, which would check at each level that its two sides agree."""
        if self._child_at != self._at:
            document = self._documents[self._at]
            for leaf in self._leaves:
                leaf.skip_to(document)
            self._child_at = self._at
        return self.child

    def is_active(self) -> bool:
        return self._at < len(self._documents)

    def id(self) -> int:
        return self._documents[self._at]

    def all_ids(self):
        return iter(self._documents[self._at:])

    def next(self) -> bool:
        self._at += 1
        return False

    def skip_to(self, docnum: int) -> None:
        if self._at < len(self._documents) and docnum > self._documents[self._at]:
            self._at = bisect_left(self._documents, docnum, self._at)

    def score(self) -> float:
        scores = self.all_scores()
        if scores is None:  # a tree _tree_scores does not know: Whoosh's own, document by document
            return self._moved().score()
        return scores[self._at]

    def all_scores(self) -> list[float] | None:
        """The score of each of its documents (from the first, wherever it stands now), made
        once; None where only Whoosh's tree can tell them."""
        if self._scores is None:
            self._scores = _tree_scores(self.child, self._documents) or False
        return self._scores or None

    def documents(self) -> list[int]:
        """Every document it matches, from the first."""
        return self._documents

    def weight(self) -> float:
        return self._moved().weight()

    def value(self):
        return self._moved().value()

    def value_as(self, astype):
        return self._moved().value_as(astype)

    def spans(self):
        return self._moved().spans()

    def matching_terms(self, id=None):
        return self._moved().matching_terms(id)

    def supports_block_quality(self) -> bool:
        return False  # few documents: scoring them all costs less than bounding them

    def replace(self, minquality: float = 0):
        return self

    def skip_to_quality(self, minquality: float) -> int:
        return 0


def _tree_scores(tree, documents: list[int]) -> list[float] | None:
    """The score an intersection tree gives each of `documents` (all of them its matches), made a
    term at a time: each term's postings scored in one list (search/index.py's bm25_of_many),
    then added and boosted as the tree adds and boosts them (IntersectionMatcher: a + b;
    WrappingMatcher: times its boost), in its order, so to the bit what it scores. Moving the
    tree to each passage and asking it was a third of ranking a two-word search's passages with
    both words. None for a tree of anything else."""
    kind = type(tree)
    if kind is IntersectionMatcher or kind is _Unstarted:
        a, b = _tree_scores(tree.a, documents), _tree_scores(tree.b, documents)
        return [x + y for x, y in zip(a, b)] if a is not None and b is not None else None
    if kind is WrappingMatcher:
        child, boost = _tree_scores(tree.child, documents), tree.boost
        return [score * boost for score in child] if child is not None else None
    scores = bm25_of_many(tree) if kind is BlockMatcher else None
    return scores(weights_at(tree, documents), documents) if scores is not None else None


def any_of(subqueries: list[wq.Query], scale: float | None = None) -> wq.Or:
    return _Union(subqueries, scale=scale)


class _Union(wq.Or):
    """Whoosh's Or as a tree of union matchers over the clauses in order. Whoosh's own Or either
    preloads every clause into arrays of 2,048 slots per nested Or on small indexes (which made
    retrieval on the seeds several times slower), or sizes every clause first to balance its
    tree, looking each term up again at every level of nesting (a fifth of retrieval here)."""

    def _matcher(self, subs, searcher, context):
        matcher = self._tree_matcher(subs, UnionMatcher, searcher, context, None)
        if self.scale and any(matcher.term_matchers()):  # the bonus for matching more clauses
            matcher = _CoordMatcher(matcher, scale=self.scale)
        return matcher


class _CoordMatcher(CoordMatcher):
    """Whoosh's CoordMatcher with quality thresholds that mean what its scores mean, and the same
    number of terms for the whole query.

    CoordMatcher rescales its child's scores (the V-Twin "SQR" function) but hands a minimum
    quality to its child unchanged, when the collector skips blocks that cannot make the top
    (`skip_to_quality`, `replace`). Under an AndMaybe (a question's rarer words beside its common
    ones) the child then stops at a block whose own quality passes the threshold but whose
    rescaled quality does not, and AndMaybe asks again, for ever: a question hung there on a
    2,500-passage corpus. Here the threshold is carried back through SQR (which rises with the
    child's score) before it is handed down, with a hair of margin so that rounding cannot leave
    the child where it is.

    Whoosh also counts the terms again when it swaps its child for a smaller tree once a term's
    postings run out (`_replacement`), so a passage's bonus for matching more words depended on
    where it stands in the index (and on how an index is cut into segments or shards:
    search/cluster/scoring.py): the count made for the query is kept."""

    MARGIN = 1e-9

    def __init__(self, child, scale: float = 1.0) -> None:
        super().__init__(child, scale=scale)
        self._leaves = _union_leaves(child)

    def score(self) -> float:
        """CoordMatcher's score: the child's, lifted by how many of the terms match here. Whoosh
        counts them by walking the tree with a generator per node (a third of ranking a union);
        in a tree of unions of terms they are the terms at this document, as counted here."""
        leaves = self._leaves
        if leaves is None:
            return super().score()
        child = self.child
        score = child.score()
        here = child.id()
        return self._sqr(score, sum(1 for leaf in leaves if leaf.is_active() and leaf.id() == here))

    def _child_threshold(self, minquality: float) -> float:
        termcount, scale = self._termcount, self._scale
        if termcount <= 1 or termcount == scale:
            return float("inf") if minquality > 0 else minquality  # SQR is 0 here: nothing reaches a positive bar
        # sqr(s) = (s + (termcount - 1) / (termcount - scale) ** 2) * (termcount - 1) / termcount
        lift = (termcount - 1) / (termcount - scale) ** 2
        return minquality * termcount / (termcount - 1) - lift + self.MARGIN * max(1.0, abs(minquality))

    def skip_to_quality(self, minquality: float) -> int:
        return self.child.skip_to_quality(self._child_threshold(minquality))

    def replace(self, minquality: float = 0):
        replaced = self.child.replace(self._child_threshold(minquality) if minquality else 0)
        return self if replaced is self.child else self._replacement(replaced)

    def _replacement(self, newchild):
        replaced = self.__class__(newchild, scale=self._scale)
        replaced._termcount = self._termcount
        return replaced


def _union_leaves(matcher) -> list[BlockMatcher] | None:
    """The term matchers of a tree of unions of terms, boosted or not (each active one at the
    tree's document is one the tree matches there: a union stands at the lowest of its parts, a
    boost where its term stands; a word no passage holds matches nowhere); None for a tree of
    anything else (a phrase, an intersection), which Whoosh's own count walks."""
    if type(matcher) is UnionMatcher:
        a, b = _union_leaves(matcher.a), _union_leaves(matcher.b)
        return a + b if a is not None and b is not None else None
    if type(matcher) is WrappingMatcher:
        return _union_leaves(matcher.child)
    if type(matcher) is BlockMatcher and matcher.term() is not None:
        return [matcher]
    if type(matcher) is type(NullMatcher):  # Whoosh's one matcher of nothing
        return []
    return None
