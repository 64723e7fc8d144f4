"""The documents one Whoosh query matches in one searcher: the best few, scored, or the first
many, counted (search/retrieval.py ranks and counts with these).

`top_matches` is Whoosh's TopCollector and its `matches` loop in one function: the same matcher
calls (skipping blocks that cannot reach the current top, replacing exhausted parts of the
matcher tree), the same admission rule (a document enters a full top only with a higher score,
so the earlier of two equal ones stays), without a generator, a wrapper and four method calls
per match. On 100,000 passages that was a third of a keyword search's ranking time.
"""
from __future__ import annotations

import time
from heapq import heappush, heapreplace
from itertools import islice

from whoosh import query as wq

from indexer.codec import decoded_blocks
from indexer.matcher import BlockMatcher

# The clock is read every this many matches (time.monotonic() per match would cost more).
CHECK_EVERY = 256
# Whoosh's collectors try to replace (simplify) the matcher tree every this many matches.
REPLACE_EVERY = 10


def top_matches(searcher, query, depth: int, deadline: float) -> tuple[list[tuple[float, int]], int, bool]:
    """The best `depth` documents for `query`, as (score, docnum) best first (equal scores: lower
    docnum first); how many matches were scored; whether the deadline (time.monotonic()) cut the
    search short."""
    context = searcher.context()
    heap: list[tuple[float, int]] = []  # (score, -docnum): the lowest is the first to leave
    scored = 0
    for subsearcher, offset in searcher.leaf_searchers():
        matcher = query.matcher(subsearcher, context)
        known = _known_scores(matcher)
        if known is not None:
            scored, timed_out = _collect_known(known, matcher.documents(), offset, depth, heap, deadline, scored)
        else:
            scored, timed_out = _collect(matcher, offset, depth, heap, deadline, scored)
        if timed_out:
            break
    else:
        timed_out = False
    heap.sort(reverse=True)
    return [(score, -negated) for score, negated in heap], scored, timed_out


def _collect(matcher, offset: int, depth: int, heap: list, deadline: float, scored: int) -> tuple[int, bool]:
    """One segment's matches into the heap (the body of Whoosh's ScoredCollector.matches)."""
    minscore = heap[0][0] if len(heap) >= depth else 0
    quality = matcher.supports_block_quality()
    check_quality, raised = True, False
    replace_in = 0
    while matcher.is_active():
        if replace_in == 0 or raised:  # Whoosh replaces every few matches, and when the top rises
            matcher = matcher.replace(minscore)
            replace_in = REPLACE_EVERY
            if not matcher.is_active():
                break
            quality = matcher.supports_block_quality()
            check_quality = check_quality or raised
            raised = False
        replace_in -= 1
        if quality and check_quality:
            matcher.skip_to_quality(minscore)
            if not matcher.is_active():
                break
        score = matcher.score()
        if len(heap) < depth:
            heappush(heap, (score, -(offset + matcher.id())))
        elif score > heap[0][0]:
            heapreplace(heap, (score, -(offset + matcher.id())))
            minscore, raised = heap[0][0], True
        scored += 1
        if scored % CHECK_EVERY == 0 and time.monotonic() > deadline:
            return scored, True
        check_quality = matcher.next()
    return scored, False


def _known_scores(matcher) -> list[float] | None:
    """Every score of a matcher that knows its documents and their scores up front (an
    intersection: search/query_nodes.py), when it stands at its first; else None."""
    all_scores = getattr(matcher, "all_scores", None)
    return all_scores() if all_scores is not None and matcher.is_active() and matcher.id() == matcher.documents()[0] \
        else None


def _collect_known(scores: list[float], documents: list[int], offset: int, depth: int, heap: list, deadline: float,
                   scored: int) -> tuple[int, bool]:
    """One segment's scored documents into the heap, as _collect admits them (and as it looks
    at the clock)."""
    for score, docnum in zip(scores, documents):
        if len(heap) < depth:
            heappush(heap, (score, -(offset + docnum)))
        elif score > heap[0][0]:
            heapreplace(heap, (score, -(offset + docnum)))
        scored += 1
        if scored % CHECK_EVERY == 0 and time.monotonic() > deadline:
            return scored, True
    return scored, False


def matching_documents(searcher, query, cap: int) -> list[int]:
    """Up to `cap` documents matching `query`, unscored, in document order (deleted ones left
    out, as Whoosh's term matchers leave them). Whoosh's own `docs_for_query` reads a union to
    its end before it yields the first document."""
    found: list[int] = []
    query = _unscored(query)
    for subsearcher, offset in searcher.leaf_searchers():
        if len(found) >= cap:
            break
        documents = _first_documents(subsearcher, query, cap - len(found))
        found.extend((offset + docnum for docnum in documents) if offset else documents)
    return found


def _first_documents(subsearcher, query, cap: int) -> list[int]:
    """The first `cap` documents of one segment matching `query`. A union's are the first of its
    parts' first ones together (Whoosh's union matcher steps through them a call at a time); a
    term's matcher yields a block's numbers at once (all_ids)."""
    if isinstance(query, wq.Or) and not query.minmatch:
        firsts: set[int] = set()
        for part in query.subqueries:
            firsts.update(_first_documents(subsearcher, part, cap))
        return sorted(firsts)[:cap]
    matcher = query.matcher(subsearcher, subsearcher.boolean_context())
    if type(matcher) is BlockMatcher:  # a word's postings (the first tier decoded them): a block at a time
        matcher.keep_decoded(decoded_blocks(subsearcher.reader()))
        return matcher.first_ids(cap)
    return list(islice(matcher.all_ids(), cap))


def _unscored(query):
    """The part of `query` that decides what matches: an AndMaybe matches what its first part
    does (its second only adds to the score)."""
    while isinstance(query, wq.AndMaybe):
        query = query.a
    return query


def ordered_segments(searcher) -> list[tuple[int, int]]:
    """The (first docnum, end) of each segment of the searcher's index whose documents are in the
    order of their files and places (indexer/segments.py)."""
    ranges = []
    for reader, offset in searcher.reader().leaf_readers():
        segment = getattr(reader, "segment", lambda: None)()
        if getattr(segment, "path_order", None):
            ranges.append((offset, offset + reader.doc_count_all()))
    return ranges
