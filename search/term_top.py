"""The best passages of one word, scored a block of postings at a time, and where a keyword search
can rank by it: the passages its second tier adds to the first.

A two-word search ranks the passages with both words (its first tier), then, when they are too
few, those with the rarer word that the other only adds to (an AndMaybe: search/retrieval.py).
The second tier's new passages lack the other word, so each scores what the rarer word alone
gives it: ranking them is ranking one word's postings, without the ones already found. Whoosh
walks the AndMaybe a posting at a time through a tree of matchers, most of a search's ranking
time on 100,000 passages; here each block is skipped by its header when it cannot reach the top
(its best weight at its shortest length, as Whoosh bounds it), or scored whole in one list.
"""
from __future__ import annotations

import time
from heapq import heappush, heapreplace
from typing import Callable, Container, Sequence

from whoosh import query as wq
from whoosh.matching import NullMatcher

from indexer.matcher import BlockMatcher
from search.collect import CHECK_EVERY
from search.index import bm25_of_many

Scores = Callable[[Sequence[float], Sequence[int]], list[float]]


def term_top(searcher, term: wq.Term, depth: int, excluded: Container[int],
             deadline: float) -> tuple[list[tuple[float, int]], int, bool] | None:
    """The best `depth` documents holding `term` but those in `excluded`, as (score, docnum)
    best first (equal scores: lower docnum first, as collect.top_matches keeps them); how many
    were scored; whether the deadline (time.monotonic()) cut it short. None where the postings
    cannot be read this way (a segment with deletions, another codec or weighting, a boost)."""
    context = searcher.context()
    heap: list[tuple[float, int]] = []  # (score, -docnum): the lowest is the first to leave
    scored = 0
    for subsearcher, offset in searcher.leaf_searchers():
        if subsearcher.reader().has_deletions():
            return None  # the postings still list deleted passages; Whoosh's matcher filters them
        matcher = term.matcher(subsearcher, context)
        if type(matcher) is type(NullMatcher):  # the word is not in this segment
            continue
        scores = bm25_of_many(matcher) if type(matcher) is BlockMatcher else None
        if scores is None:
            return None
        scored, timed_out = _collect_blocks(matcher, scores, offset, depth, heap, excluded, deadline, scored)
        if timed_out:
            break
    else:
        timed_out = False
    heap.sort(reverse=True)
    return [(score, -negated) for score, negated in heap], scored, timed_out


def _collect_blocks(matcher: BlockMatcher, scores: Scores, offset: int, depth: int, heap: list,
                    excluded: Container[int], deadline: float, scored: int) -> tuple[int, bool]:
    """One segment's postings of the term into the heap, block by block."""
    checked = scored
    while matcher.is_active():
        if len(heap) >= depth and matcher.block_quality() <= heap[0][0]:
            matcher.next_block()  # no posting here can enter the top (it needs a higher score)
            continue
        ids = matcher.block_ids()
        for score, docnum in zip(scores(matcher.block_weights(), ids), ids):
            docnum += offset
            if docnum in excluded:
                continue
            if len(heap) < depth:
                heappush(heap, (score, -docnum))
            elif score > heap[0][0]:
                heapreplace(heap, (score, -docnum))
        scored += len(ids)
        matcher.next_block()
        if scored - checked >= CHECK_EVERY:
            checked = scored
            if time.monotonic() > deadline:
                return scored, True
    return scored, False


def second_tier_term(queries: Sequence[wq.Query], index: int) -> wq.Term | None:
    """The word that ranks the new passages of `queries[index]` on its own, when that query is an
    AndMaybe of two plain words, the first query needs both words, and any other before it is
    the same AndMaybe: the passages found before (all of the first query's, when fewer than a
    page and its room: search/retrieval.py) are then among its matches, and those it adds lack
    its optional word, so each scores what its required word gives it. None otherwise."""
    pair = _optional_pair(queries[index]) if index else None
    first = queries[0]
    if pair is None or not (isinstance(first, wq.And) and len(first.subqueries) == 2 and set(first.subqueries) == set(pair)):
        return None
    if any(_optional_pair(earlier) != pair for earlier in queries[1:index]):
        return None
    return pair[0]


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
