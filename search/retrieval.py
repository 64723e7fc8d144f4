"""Retrieval: the best passages for a parsed query by BM25F, in tiers, within a time budget.

Tiers as Meilisearch ranks: passages with every word, then (dropping the most frequent word each
time) with the rarer words, the dropped ones only adding to the score; until enough passages are
found. These queries are cheap on a large index, as the rarest word leads them. When they cannot
find enough, those found lead and the passages with any of the words follow.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from functools import cached_property, partial
from typing import Protocol

from whoosh.collectors import TimeLimit, WrappingCollector

from indexer.analysis import KIND_WORDS, agent_noun_bases, normalize_word, stem, stemmed_terms
from indexer.kinds import PassageKind
from indexer.passages import Passage
from indexer.schema import passage_from_stored
from search.expansion import TermStats, common_terms
from search.index import IndexView
from search.query import Expansion, ParsedQuery, build_query, content_words
from search.response import SourceRef

# Passages BM25F hands to re-ranking: enough that the answer is among them, few enough to be fast.
# Over our three QA sets (seeds, dev, notes) the deepest BM25F rank that re-ranking lifted into
# the top 3 was 23; 30 ranked as well as 40 there, and answers 12% faster on 100,000 passages.
RETRIEVE_DEPTH = 30
# A query may spend at most this long in the index before partial results are returned.
QUERY_TIME_BUDGET_S = 2.0
# BM25F scores are kept to this many decimals. Whoosh sums a passage's term scores in an order
# set by the shape of its matcher tree, which follows each segment's term counts: the same
# passage can score a few units in the last place apart in one index and in a shard of a sharded
# one (search/cluster/). Rounded, both paths give the same number, and a tie stays a tie, to be
# broken by the passage's place (best_first). Scores run from about 0.1 to 100, so nine decimals
# keep every difference a ranking can see.
SCORE_DECIMALS = 9


@dataclass
class ScoredPassage:
    """One retrieved passage with everything ranking and answering need."""

    passage: Passage
    bm25: float
    score: float = 0.0
    also_in: list[SourceRef] = field(default_factory=list)
    features: dict[str, float] = field(default_factory=dict)  # what the ranker scored (search/features.py)

    @property
    def text(self) -> str:
        """What is ranked, answered and shown: the display text (markup out); a Hit cites the
        verbatim text (indexer/display.py)."""
        return self.passage.shown

    @property
    def path(self) -> str:
        return self.passage.path

    @property
    def passage_id(self) -> str:
        return self.passage.passage_id

    @property
    def kind(self) -> PassageKind:
        return self.passage.kind

    @cached_property
    def body_stems(self) -> list[str]:
        return stemmed_terms(self.text)

    @cached_property  # read by re-ranking and again by answer extraction
    def context_stems(self) -> frozenset[str]:
        """Stems of what describes the passage without standing in it: section, field name,
        table header, and the verbs behind agent nouns ("Editor" -> "edit")."""
        passage = self.passage
        words = " ".join(filter(None, [passage.section, passage.field_name, passage.context]))
        stems = set(stemmed_terms(words))
        stems.update(stem(normalize_word(base)) for base in agent_noun_bases(words.split()))
        stems.update(stemmed_terms(KIND_WORDS.get(passage.kind, "")))
        return frozenset(stems)


def best_first(passage: ScoredPassage) -> tuple:
    """The order of a query's matches: by score, ties by file and place in it, which is the order
    Whoosh breaks ties in (document number) in an index built in one pass; the sharded path
    merges its shards' matches by the same key."""
    return -passage.bm25, passage.path, passage.passage.ordinal


@dataclass
class Ranked:
    """The matches of one Whoosh query: the best `depth`, best first (best_first)."""

    passages: list[ScoredPassage]
    total: int  # passages that match, as far as Whoosh counted
    timed_out: bool = False
    notices: list[str] = field(default_factory=list)  # e.g. shards that could not answer


class QueryRunner(Protocol):
    """Runs one Whoosh query at a depth on one generation: a searcher (run_on_searcher), or a
    stand-in that fans out to the shards of a cluster (search/cluster/fanout.py)."""

    def __call__(self, query, depth: int, deadline: float) -> Ranked: ...


@dataclass
class Retrieved:
    passages: list[ScoredPassage]
    total: int  # passages that match, as far as Whoosh counted
    notices: list[str]  # limits hit


def retrieve(view: IndexView, parsed: ParsedQuery, expanded: dict[str, list[Expansion]], *,
             limit: int | None = None, all_words_first: bool = True, room: int | None = None) -> Retrieved:
    """The best passages for the query, tier by tier, until `limit` passages (those a search
    shows; by default RETRIEVE_DEPTH, for re-ranking) are found. A tier is only tried when its
    words are in enough passages to fill it; with `all_words_first` (keyword search) the first
    tier is tried in any case, so that passages with every word come first. `room`: how many
    more than `limit` to collect, for near-duplicates merged later (default: as many again)."""
    wanted = limit or RETRIEVE_DEPTH
    # A search collects room for near-duplicates merged later, and no more: the fewer passages
    # wanted, the sooner Whoosh can skip blocks that cannot make the top.
    depth = (limit + room if room is not None else max(limit * 2, limit + 5)) if limit else RETRIEVE_DEPTH
    notices: list[str] = []
    deadline = time.monotonic() + QUERY_TIME_BUDGET_S
    found: dict[str, ScoredPassage] = {}
    total = 0
    common = common_terms(parsed, view.counts)
    for must in tiers(parsed, expanded, view.counts, wanted, all_words_first, common):
        ranked = _run(view, build_query(parsed, expanded, must=must), depth, deadline, notices)
        total = max(total, ranked.total)
        for passage in ranked.passages:
            found.setdefault(passage.passage_id, passage)
        if len(found) >= wanted or ranked.timed_out:
            return Retrieved(list(found.values()), total, notices)
    ranked = _run(view, build_query(parsed, expanded, common=common), depth, deadline, notices)
    passages, total = ranked.passages, ranked.total
    tiered = list(found.values())
    passages = tiered + [passage for passage in passages if passage.passage_id not in found]
    return Retrieved(passages[: max(depth, len(tiered))], total, notices)


def tiers(parsed: ParsedQuery, expanded: dict[str, list[Expansion]], stats: TermStats, wanted: int,
          all_words_first: bool, common: frozenset[str]) -> list[frozenset[str]]:
    """The sets of words that must match, tier by tier: all of them, then the rarer ones. In a
    question, words in very many passages (common_terms) are never required, only ranked:
    intersecting them cost most of a question's time on 100,000 passages."""
    words = content_words(parsed)
    if len(words) < 2:
        return []

    def passages_with(key: str) -> int:  # at most this many passages have the word (or a stand-in)
        forms = [key] + [expansion.word for expansion in expanded.get(key, [])]
        return sum(stats.passages(term) for form in forms for term in stemmed_terms(form)[:1])

    by_rarity = sorted(words, key=passages_with)
    if passages_with(by_rarity[0]) < wanted:  # no tier can fill
        return [frozenset(words)] if all_words_first else []
    if not all_words_first:  # a question's very common words only rank what the others find
        by_rarity = [word for word in by_rarity if word not in common] or by_rarity
    return [frozenset(by_rarity[:size]) for size in range(len(by_rarity), 0, -1)]


def _run(view: IndexView, query, depth: int, deadline: float, notices: list[str]) -> Ranked:
    """One query on the view's generation: its searcher, or the runner standing in for one."""
    run = view.runner or partial(run_on_searcher, view.searcher)
    ranked = run(query, depth, deadline)
    notices.extend(notice for notice in ranked.notices if notice not in notices)
    return ranked


def run_on_searcher(searcher, query, depth: int, deadline: float) -> Ranked:
    """The best `depth` matches of `query` in one Whoosh searcher, within the deadline."""
    collector = BudgetCollector(searcher.collector(limit=depth), deadline)
    timed_out = False
    try:
        searcher.search_with_collector(query, collector)
    except TimeLimit:
        timed_out = True
    results = collector.results()
    passages = [ScoredPassage(passage_from_stored(hit.fields()), round(hit.score or 0.0, SCORE_DECIMALS))
                for hit in results]
    passages.sort(key=best_first)
    notices = [f"the query took over {QUERY_TIME_BUDGET_S:g} s; results are partial"] if timed_out else []
    return Ranked(passages, _total(results, depth), timed_out, notices)


def _total(results, depth: int) -> int:
    """How many passages match. Whoosh skips blocks that cannot reach the top (so it has no exact
    count), and counting would run the query again. Its estimate also counts the passages an
    update deleted, until their segment is merged away: a search that collected fewer than
    `depth` skipped nothing, and what it collected is every passage there is to reach."""
    if results.has_exact_length():
        return len(results)
    if results.scored_length() < depth:
        return results.scored_length()
    return max(results.scored_length(), min(results.estimated_length(), results.searcher.doc_count()))


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
