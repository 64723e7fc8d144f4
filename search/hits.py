"""Ranked passages -> the Hits every front end renders: each with its snippet, the matched words
highlighted (stems of the query's words, and the words typos were corrected to)."""
from __future__ import annotations

from indexer.analysis import STOP_WORDS, exact_words, stemmed_terms
from search.query import ParsedQuery
from search.response import Hit
from search.retrieval import ScoredPassage
from search.snippets import MatchTerms, cut_snippet


def match_terms(parsed: ParsedQuery, corrections: dict[str, list[str]]) -> MatchTerms:
    """What a snippet highlights for this query: its words but stop words (unless it has no
    others; a phrase keeps its own, and is marked whole), and the words typos were corrected to."""
    fixes = [fixed for options in corrections.values() for fixed in options]
    words = exact_words(parsed.positive_text) + fixes
    content = [word for word in words if word not in STOP_WORDS] or words
    phrases = tuple(tuple(stemmed_terms(phrase)) for phrase in parsed.phrases)
    return MatchTerms(frozenset(stemmed_terms(" ".join(content))), frozenset(fixes), phrases)


def make_hits(passages: list[ScoredPassage], terms: MatchTerms, first_rank: int = 1) -> list[Hit]:
    hits = []
    for rank, scored in enumerate(passages, first_rank):
        passage = scored.passage
        snippet, highlights = cut_snippet(passage.shown, terms)
        hits.append(
            Hit(
                rank=rank,
                score=scored.score or scored.bm25,
                path=passage.path,
                title=passage.title,
                section=passage.section,
                line_start=passage.line_start,
                line_end=passage.line_end,
                text=passage.text,
                snippet=snippet,
                highlights=highlights,
                kind=passage.kind,
                also_in=scored.also_in,
                page=passage.page,
            )
        )
    return hits
