"""search/hits.py: ranked passages become Hits with snippets and highlights."""
from __future__ import annotations

from records import scored

from search.hits import make_hits, match_terms
from search.query import parse_query


def test_hits_keep_rank_citation_and_highlight_the_query_and_its_corrections():
    passages = [scored("Dewan played Joanna Kassem.", path="a.md", line=4, score=0.9),
                scored("A social worker.", path="b.md", line=2, score=0.5)]
    terms = match_terms(parse_query("played jonna"), {"jonna": ["joanna"]})
    first, second = make_hits(passages, terms)
    assert (first.rank, first.citation, second.rank) == (1, "a.md:L4-L4", 2)
    assert [first.snippet[s:e] for s, e in first.highlights] == ["played Joanna"]
    assert second.highlights == []


def test_a_negated_word_is_not_highlighted():
    terms = match_terms(parse_query("garden -heron"), {})
    (hit,) = make_hits([scored("The heron stood in the garden.")], terms)
    assert [hit.snippet[s:e] for s, e in hit.highlights] == ["garden"]


def test_stop_words_are_not_highlighted_but_a_phrase_is_marked_whole():
    terms = match_terms(parse_query('On the ratings for "Pennies From Heaven"'), {})
    (hit,) = make_hits([scored("On the site, ratings for Pennies From Heaven are in from the critics.")], terms)
    assert [hit.snippet[s:e] for s, e in hit.highlights] == ["ratings", "Pennies From Heaven"]


def test_a_query_of_stop_words_only_still_highlights_them():
    terms = match_terms(parse_query("to be"), {})
    (hit,) = make_hits([scored("To be, or not to be.")], terms)
    assert [hit.snippet[s:e] for s, e in hit.highlights] == ["To be", "to be"]


def test_ranks_start_after_the_offset_of_a_page():
    passages = [scored("One lantern."), scored("Two lanterns.")]
    assert [hit.rank for hit in make_hits(passages, match_terms(parse_query("lantern"), {}), first_rank=11)] == [11, 12]
