"""search/phrases.py: definitions, the clause that answers, and cutting an answer short."""
from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from indexer.analysis import stem, stemmed_terms
from search.phrases import MAX_ANSWER_CHARS, clause_candidates, definition_candidates, shorten
from search.questions import analyse_question


def test_a_definition_is_what_the_text_says_the_name_is():
    question = analyse_question("What is the Depot Loaf?")
    (span,) = definition_candidates(question, "The Depot Loaf is a rye and wheat sourdough baked daily.")
    assert span.text == "a rye and wheat sourdough baked daily"


def test_the_clause_covering_the_question_is_the_answer():
    question = analyse_question("Why was the garden closed?")
    text = "In May, the garden was closed because the creek flooded the beds; it reopened in June."
    weights = {stem(word): 1.0 for word in ("garden", "closed")}
    (span,) = clause_candidates(question, text, stemmed_terms(text), weights)
    assert "garden was closed because the creek flooded the beds" in span.text


def test_a_short_answer_is_never_longer_than_the_limit_and_keeps_whole_words():
    text = "word " * 60
    short = shorten(text)
    assert len(short) <= MAX_ANSWER_CHARS and short.endswith("word…")


@given(st.text(alphabet=st.characters(codec="utf-8", categories=["L", "Zs", "P"]), max_size=400))
def test_shorten_keeps_to_the_limit(text):
    assert len(shorten(text)) <= MAX_ANSWER_CHARS
