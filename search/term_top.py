"""The best passages of single words, scored a block of postings at a time, and where a keyword
search can rank by them: the passages its later tiers add to the first.

A two-word search ranks the passages with both words (its first tier), then, when they are too
few, those with the rarer word that the other only adds to (an AndMaybe), or those with either
word, more being better (a union, scaled by Whoosh's coordination: search/query_nodes.py). The
passages such a tier adds to the first hold one of the words only, so each scores what that word
alone gives it (in a union, passed through the coordination for one word of two): ranking them
is ranking single words' postings, without the passages already found. Whoosh walks the
AndMaybe or union a posting at a time through a tree of matchers, most of a search's ranking
time on 100,000 passages; here each block is skipped by its header when it cannot reach the top
(its best weight at its shortest length, as Whoosh bounds it), or scored whole in one list.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from heapq import heappush, heapreplace
from typing import Callable, Container, Sequence

from whoosh import query as wq
from whoosh.matching import CoordMatcher, NullMatcher

from indexer.codec import decoded_blocks
from indexer.matcher import BlockMatcher
from search.collect import CHECK_EVERY
from search.index import bm25_of_many

Scores = Callable[[Sequence[float], Sequence[int]], list[float]]
Top = tuple[list[tuple[float, int]], int, bool]


@dataclass(frozen=True)
class NewPassages:
    """How the passages a tier adds beyond the first tier's score: each holds one of `words`
    only and scores what that word gives it, through the coordination of `union` for one
    matching word when there is one."""

    words: tuple[wq.Term, ...]
    union: wq.Query | None = None


def term_top(searcher, plan: NewPassages, depth: int, excluded: Container[int], deadline: float) -> Top | None:
    """The best `depth` documents holding one of the plan's words, but those in `excluded`, as
    (score, docnum) best first (equal scores: lower docnum first, as collect.top_matches keeps
    them); how many were scored; whether the deadline (time.monotonic()) cut it short. None where
    the postings cannot be read this way (a segment with deletions, another codec or weighting)."""
    context = searcher.context()
    heap: list[tuple[float, int]] = []  # (score, -docnum): the lowest is the first to leave
    scored, timed_out = 0, False
    for subsearcher, offset in searcher.leaf_searchers():
        if subsearcher.reader().has_deletions():
            return None  # the postings still list deleted passages; Whoosh's matcher filters them
        one_word = _one_word_score(plan, subsearcher, context)
        if one_word is False:
            return None
        for word in plan.words:
            matcher = word.matcher(subsearcher, context)
            if type(matcher) is type(NullMatcher):  # the word is not in this segment
                continue
            scores = bm25_of_many(matcher) if type(matcher) is BlockMatcher else None
            if scores is None:
                return None
            matcher.keep_decoded(decoded_blocks(subsearcher.reader()))  # the first tier decoded its blocks
            scored, timed_out = _collect_blocks(matcher, scores, one_word, offset, depth, heap, excluded, deadline,
                                                scored)
            if timed_out:
                break
        if timed_out:
            break
    heap.sort(reverse=True)
    return [(score, -negated) for score, negated in heap], scored, timed_out


def _one_word_score(plan: NewPassages, subsearcher, context) -> _OneWord | None | bool:
    """What the plan's union makes of one word's score in this segment (its coordination, as its
    own matcher here computes it); None without a union; False for a union matcher of another
    kind."""
    if plan.union is None:
        return None
    union = plan.union.matcher(subsearcher, context)
    if type(union) is type(NullMatcher):  # neither word is in this segment
        return None
    if not isinstance(union, CoordMatcher) or type(union)._sqr is not CoordMatcher._sqr:
        return False
    return _OneWord(union)


class _OneWord:
    """CoordMatcher._sqr(score, 1) of a union: what it makes of one word's score, for one score
    (a block's bound) or a block's at once (`many`: the same expression, its constants made
    once; a call per posting was a fifth of ranking a union's new passages)."""

    def __init__(self, union: CoordMatcher) -> None:
        self._union = union
        termcount, scale = union._termcount, union._scale
        self._zero = termcount == 0 or termcount == scale  # where _sqr gives 0
        if not self._zero:
            self._lift = (1 - 1) / (termcount - scale) ** 2  # _sqr's (matching - 1) / (termcount - scale) ** 2
            self._factor = (termcount - 1) / termcount

    def __call__(self, score: float) -> float:
        return self._union._sqr(score, 1)

    def many(self, scores: Sequence[float]) -> list[float]:
        if self._zero:
            return [0] * len(scores)
        lift, factor = self._lift, self._factor
        return [(score + lift) * factor for score in scores]


def _collect_blocks(matcher: BlockMatcher, scores: Scores, one_word: _OneWord | None, offset: int,
                    depth: int, heap: list, excluded: Container[int], deadline: float, scored: int) -> tuple[int, bool]:
    """One segment's postings of a word into the heap, block by block. A posting enters a full
    heap when it is better than the worst there (a higher score, or the same and a lower docnum:
    several words' postings come in no one order); `one_word` rises with the score, so a block's
    bound passed through it bounds the block."""
    checked = scored
    while matcher.is_active():
        if len(heap) >= depth:
            bound = matcher.block_quality()
            if (one_word(bound) if one_word is not None else bound) < heap[0][0]:
                matcher.next_block()  # no posting here can enter the top
                continue
        ids = matcher.block_ids()
        block = scores(matcher.block_weights(), ids)
        if one_word is not None:
            block = one_word.many(block)
        for number in _contenders(block, heap, depth):
            docnum = ids[number] + offset
            if docnum in excluded:
                continue
            score = block[number]
            if len(heap) < depth:
                heappush(heap, (score, -docnum))
            elif (score, -docnum) > heap[0]:
                heapreplace(heap, (score, -docnum))
        scored += len(ids)
        matcher.next_block()
        if scored - checked >= CHECK_EVERY:
            checked = scored
            if time.monotonic() > deadline:
                return scored, True
    return scored, False


def _contenders(block: list[float], heap: list, depth: int) -> Sequence[int]:
    """The numbers in the block of the postings that may enter the heap: all while it is not
    full, then those scoring at least its lowest (which only rises as postings enter). Most of a
    block scores below it: replaying the 124 term_top calls of the 200 bench keyword searches at
    100k, looking at every posting in full took 220-300 us a call, picking them out first 10% less."""
    if len(heap) < depth:
        return range(len(block))
    lowest = heap[0][0]
    return [number for number, score in enumerate(block) if score >= lowest]


def new_passages(queries: Sequence[wq.Query], index: int) -> NewPassages | None:
    """How the new passages of `queries[index]` score, when the first query needs two plain
    words and this one is an AndMaybe of them or a coordinated union of them, every query between
    being an AndMaybe of them (the same one, before an AndMaybe): the passages found before (all
    of the first query's, when fewer than a page and its room: search/retrieval.py) are then
    among its matches, and those it adds hold one word only. None otherwise."""
    first = queries[0]
    if not index or not (isinstance(first, wq.And) and len(first.subqueries) == 2 and all(map(_plain, first.subqueries))):
        return None
    query, pair = queries[index], set(first.subqueries)
    optional = _optional_pair(query)
    if optional is not None and set(optional) == pair:
        earlier_fit = all(_optional_pair(earlier) == optional for earlier in queries[1:index])
        return NewPassages((optional[0],)) if earlier_fit else None
    if not (_coordinated_union(query) and set(query.subqueries) == pair):
        return None
    if not all(set(_optional_pair(earlier) or ()) == pair for earlier in queries[1:index]):
        return None
    return NewPassages(tuple(query.subqueries), union=query)


def _coordinated_union(query: wq.Query) -> bool:
    """An Or of two plain words with a coordination scale (search/query_nodes.py's any_of)."""
    return isinstance(query, wq.Or) and bool(query.scale) and query.boost == 1.0 and len(query.subqueries) == 2 \
        and all(map(_plain, query.subqueries))


def _optional_pair(query: wq.Query) -> tuple[wq.Term, wq.Term] | None:
    """(required word, optional word) of an AndMaybe of two plain words; None for anything else.
    A tier's required words are an And (search/query.py), of one word here, which matches and
    scores as that word does (Whoosh's compound queries hand a single part its own matcher)."""
    if type(query) is not wq.AndMaybe:
        return None
    required = query.a
    if isinstance(required, wq.And) and len(required.subqueries) == 1:
        required = required.subqueries[0]
    return (required, query.b) if _plain(required) and _plain(query.b) else None


def _plain(query: wq.Query) -> bool:
    """A word's term without a boost (its matcher is the term's own postings)."""
    return type(query) is wq.Term and query.boost == 1.0 and not query.minquality
