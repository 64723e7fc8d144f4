"""Retrieval: the best passages for a parsed query by BM25F, in tiers, within a time budget.

Tiers as Meilisearch ranks: passages with every word, then (dropping the most frequent word each
time) with the rarer words, the dropped ones only adding to the score; until enough passages are
found. These queries are cheap on a large index, as the rarest word leads them. When they cannot
find enough, those found lead and the passages with any of the words follow.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from functools import lru_cache, partial
from typing import Protocol

from whoosh.collectors import TimeLimit, WrappingCollector

from indexer.analysis import KIND_WORDS, agent_noun_bases, normalize_word, stem, stemmed_terms
from indexer.kinds import PassageKind
from indexer.passages import Passage
from indexer.codec import stored_document, stored_signature
from indexer.schema import passage_from_stored
from indexer.signatures import Signature
from search import collect
from search.collect import matching_documents, ordered_segments, top_matches
from search.expansion import TermStats, common_terms
from search.index import IndexView, PassageCache
from search.kept import kept_property
from search.query import Expansion, ParsedQuery, build_query, content_words
from search.response import SourceRef
from search.term_top import new_passages, term_top

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

    @kept_property  # read for every feature and candidate of a passage
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

    def signature(self) -> Signature | None:
        """Its near-duplicate signature as the index keeps it (indexer/signatures.py); a
        passage that came whole has none."""
        return None

    def source_ref(self) -> SourceRef:
        """Where it stands, as the passage it is a copy of lists it."""
        passage = self.passage
        return SourceRef(passage.path, passage.line_start, passage.line_end, passage.page)

    @kept_property
    def body_stems(self) -> list[str]:
        return stemmed_terms(self.text)

    @kept_property  # read by re-ranking and again by answer extraction
    def context_stems(self) -> frozenset[str]:
        """Stems of what describes the passage without standing in it: section, field name,
        table header, and the verbs behind agent nouns ("Editor" -> "edit")."""
        passage = self.passage
        return context_stems(passage.section, passage.field_name, passage.context, passage.kind)


@lru_cache(maxsize=1024)  # the passages of one section, field or table share theirs
def context_stems(section: str | None, field_name: str | None, context: str, kind: PassageKind) -> frozenset[str]:
    """ScoredPassage.context_stems, of what describes a passage."""
    words = " ".join(filter(None, [section, field_name, context]))
    stems = set(stemmed_terms(words))
    stems.update(stem(normalize_word(base)) for base in agent_noun_bases(words.split()))
    stems.update(stemmed_terms(KIND_WORDS.get(kind, "")))
    return frozenset(stems)


class StoredMatch(ScoredPassage):
    """A match whose passage is read from the index only when something first asks for it: a
    keyword search collects a hundred matches to count what the user can page to, and shows ten;
    reading the other ninety cost more than finding them. Everything else is a ScoredPassage's."""

    def __init__(self, searcher, docnum: int, bm25: float, passages: PassageCache | None = None) -> None:
        """`passages`: the generation's passages read so far, to read this one from (and keep).
        ScoredPassage's fields but `passage` (read on first use: __getattr__) are set here as its
        own __init__ sets them, without it: a keyword search makes one for each of up to 124
        matches, and that call, then deleting `passage`, cost 0.1 ms a search."""
        self.__dict__.update(bm25=bm25, score=0.0, also_in=[], features={}, searcher=searcher,
                             docnum=docnum, passages=passages)

    def signature(self) -> Signature | None:
        """Read in place from its segment, without reading the passage; None where the segment
        has no signatures (written before them)."""
        return stored_signature(self.searcher.reader(), self.docnum)

    def source_ref(self) -> SourceRef:
        """ScoredPassage's, read from its stored fields without making its Passage when it has
        not been read (a keyword search lists about six copies, each read for this only)."""
        if "passage" in self.__dict__:
            return super().source_ref()
        stored = stored_document(self.searcher.reader(), self.docnum)
        return SourceRef(stored["path"], stored["line_start"], stored["line_end"], (stored.get("facts") or {}).get("page"))

    def __getattr__(self, name: str):
        if name != "passage" or "searcher" not in self.__dict__:
            raise AttributeError(name)
        reader = self.searcher.reader()
        passage = self.passage = (self.passages.read(reader, self.docnum) if self.passages is not None
                                  else passage_from_stored(stored_document(reader, self.docnum)))
        return passage


def match_key(passage: ScoredPassage):
    """What tells one match from another without reading it: its document in the searcher, or
    its id (a passage that came whole, from a cluster's shard)."""
    return passage.docnum if isinstance(passage, StoredMatch) else passage.passage_id


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
    # How many of `passages` are in rank order: the rest (retrieve's `ranked`) are matches in no
    # particular order, there to be counted.
    ranked: int | None = None
    # Matches after `passages`, counted only: a search shows none of them, and making each one
    # a passage object (read on demand) cost about a tenth of a search on 100,000 passages.
    unread: int = 0


def retrieve(view: IndexView, parsed: ParsedQuery, expanded: dict[str, list[Expansion]], *,
             limit: int | None = None, all_words_first: bool = True, room: int | None = None,
             ranked: int | None = None) -> Retrieved:
    """The best passages for the query, tier by tier, until `limit` passages (those a search
    shows; by default RETRIEVE_DEPTH, for re-ranking) are found. A tier is only tried when its
    words are in enough passages to fill it; with `all_words_first` (keyword search) the first
    tier is tried in any case, so that passages with every word come first. `room`: how many
    more than `limit` to collect, for near-duplicates merged later (default: as many again).
    `ranked`: how many of them must be in rank order (a page of results and the room before
    it); the others are found and counted but not ranked, which is most of a search's time
    (by default all are ranked), and stand in the result as its `unread` count."""
    wanted = limit or RETRIEVE_DEPTH
    # A search collects room for near-duplicates merged later, and no more: the fewer passages
    # wanted, the sooner Whoosh can skip blocks that cannot make the top.
    depth = (limit + room if room is not None else max(limit * 2, limit + 5)) if limit else RETRIEVE_DEPTH
    if ranked is not None and ranked < depth and view.runner is None:
        return _retrieve_counted(view, parsed, expanded, wanted, depth, max(ranked, 1), all_words_first)
    notices: list[str] = []
    deadline = time.monotonic() + QUERY_TIME_BUDGET_S
    found: dict[str, ScoredPassage] = {}
    total = 0
    common = common_terms(parsed, view.counts)
    for must in tiers(parsed, expanded, view.counts, wanted, all_words_first, common):
        ranked_here = _run(view, build_query(parsed, expanded, must=must), depth, deadline, notices)
        total = max(total, ranked_here.total)
        for passage in ranked_here.passages:
            found.setdefault(match_key(passage), passage)
        if len(found) >= wanted or ranked_here.timed_out:
            return Retrieved(list(found.values()), total, notices)
    ranked_here = _run(view, build_query(parsed, expanded, common=common), depth, deadline, notices)
    passages, total = ranked_here.passages, ranked_here.total
    tiered = list(found.values())
    passages = tiered + [passage for passage in passages if match_key(passage) not in found]
    return Retrieved(passages[: max(depth, len(tiered))], total, notices)


def _retrieve_counted(view: IndexView, parsed: ParsedQuery, expanded: dict[str, list[Expansion]], wanted: int,
                      depth: int, ranked: int, all_words_first: bool) -> Retrieved:
    """retrieve() when only the first `ranked` of `depth` passages need their order: each tier
    is counted (up to `depth` matches, no scores), and ranked only as deep as the page needs.
    The same passages in the same order as ranking every tier `depth` deep, as far as `ranked`,
    and as many passages in all (up to `depth`)."""
    notices: list[str] = []
    deadline = time.monotonic() + QUERY_TIME_BUDGET_S
    found: dict = {}
    matched: dict[int, None] = {}  # every match counted, in the order found
    common = common_terms(parsed, view.counts)
    queries = [build_query(parsed, expanded, must=must)
               for must in tiers(parsed, expanded, view.counts, wanted, all_words_first, common)]
    queries.append(build_query(parsed, expanded, common=common))
    for number, query in enumerate(queries):
        best = _rank_tier(view, queries, number, found, ranked, deadline, notices) if len(found) < ranked else None
        if best is not None and best.timed_out:  # partial: what was ranked, and no more
            found.update((match_key(passage), passage) for passage in best.passages if match_key(passage) not in found)
            ranked_part = list(found.values())
            return Retrieved(ranked_part, len(ranked_part), notices, ranked=len(ranked_part))
        if best is not None and len(best.passages) < ranked:
            matched.update(dict.fromkeys(passage.docnum for passage in best.passages))  # every match
        else:
            matched.update(dict.fromkeys(matching_documents(view.searcher, query, depth)))
        for passage in best.passages if best is not None else ():
            found.setdefault(match_key(passage), passage)
        if len(matched) >= wanted:
            break
    # Every match beyond the ranked ones is only counted (`ranked` ends the page and its room;
    # when fewer were found, every match was ranked).
    passages = list(found.values())[:ranked]
    kept = {match_key(passage) for passage in passages}
    unranked = len(matched) - len(kept.intersection(matched))
    unread = min(unranked, max(0, min(len(matched), depth) - len(passages)))
    return Retrieved(passages, len(matched), notices, ranked=len(kept), unread=unread)


def _rank_tier(view: IndexView, queries: list, number: int, found: dict, ranked: int, deadline: float,
               notices: list[str]) -> Ranked:
    """The best `ranked` matches of `queries[number]`, for _retrieve_counted: those `found`
    before, then the best of the rest, when single words rank the rest (term_top), else
    Whoosh's best `ranked`. Either way the same matches after `found`, in the same order: the
    best of the others are the best the query has beyond the ones found."""
    plan = new_passages(queries, number)
    top = term_top(view.searcher, plan, ranked - len(found), found, deadline) if plan is not None else None
    if top is None:
        return _run(view, queries[number], ranked, deadline, notices)
    items, scored, timed_out = top
    new = in_best_first_order([StoredMatch(view.searcher, docnum, round(score, SCORE_DECIMALS), view.files.passages)
                               for score, docnum in items], ordered_segments(view.searcher))
    passages = list(found.values()) + new
    return Ranked(passages, max(scored, len(passages)), timed_out, _partial(timed_out))


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
    """One query on the view's generation: its searcher (the passages read only when asked
    for), or the runner standing in for one."""
    run = view.runner or partial(_run_on_searcher_lazily, view.searcher, view.files.passages)
    ranked = run(query, depth, deadline)
    notices.extend(notice for notice in ranked.notices if notice not in notices)
    return ranked


def _run_on_searcher_lazily(searcher, cache: PassageCache | None, query, depth: int, deadline: float) -> Ranked:
    """run_on_searcher, with StoredMatch passages (read when first asked for, through `cache`)."""
    items, scored, timed_out = top_matches(searcher, query, depth, deadline)
    passages = in_best_first_order([StoredMatch(searcher, docnum, round(score or 0.0, SCORE_DECIMALS), cache)
                                    for score, docnum in items], ordered_segments(searcher))
    return Ranked(passages, max(scored, len(passages)), timed_out, _partial(timed_out))


def run_on_searcher(searcher, query, depth: int, deadline: float) -> Ranked:
    """The best `depth` matches of `query` in one Whoosh searcher, within the deadline, each
    passage read whole (a shard sends them on: search/cluster/shards.py)."""
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
    return Ranked(passages, _total(results, depth), timed_out, _partial(timed_out))


def _partial(timed_out: bool) -> list[str]:
    return [f"the query took over {QUERY_TIME_BUDGET_S:g} s; results are partial"] if timed_out else []


def in_best_first_order(passages: list[ScoredPassage], segments: list[tuple[int, int]] = ()) -> list[ScoredPassage]:
    """`passages` sorted by best_first, reading only the passages whose scores tie and whose
    order cannot be told from their document numbers: within one of `segments` ((first docnum,
    end) ranges whose documents are in the order of their files and places), document numbers
    are in best_first's order."""
    passages.sort(key=lambda passage: -passage.bm25)
    ordered: list[ScoredPassage] = []
    for start, end in _runs_of_equal_scores(passages):
        run = passages[start:end]
        if len(run) > 1:
            run.sort(key=(lambda match: match.docnum) if _in_one_segment(run, segments) else best_first)
        ordered.extend(run)
    return ordered


def _in_one_segment(run: list[ScoredPassage], segments: list[tuple[int, int]]) -> bool:
    # One list, not three generators: a keyword search has runs of many equal scores (a word's
    # postings of the same weight and length), each checked here.
    docnums = [match.docnum for match in run if isinstance(match, StoredMatch)]
    if len(docnums) != len(run):
        return False
    low, high = min(docnums), max(docnums)
    return any(start <= low and high < end for start, end in segments)


def _runs_of_equal_scores(passages: list[ScoredPassage]):
    start = 0
    for end in range(1, len(passages) + 1):
        if end == len(passages) or passages[end].bm25 != passages[start].bm25:
            yield start, end
            start = end


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

    def __init__(self, child, deadline: float) -> None:
        super().__init__(child)
        self.deadline = deadline

    def collect_matches(self) -> None:
        child = self.child
        for count, sub_docnum in enumerate(child.matches(), 1):
            child.collect(sub_docnum)
            if count % collect.CHECK_EVERY == 0 and time.monotonic() > self.deadline:
                raise TimeLimit
