"""search/expansion.py: typo corrections, synonyms, term weights and missing words, from term
statistics alone (no index)."""
from __future__ import annotations

import math

from records import Stats

from indexer.analysis import stem
from search import expansion
from search.query import Expansion, parse_query
from search.questions import analyse_question
from search.typos import Vocabulary

WORDS = {"joanna": 3, "jenna": 5, "kassem": 2, "premiere": 4, "garden": 9, "created": 2}
STATS = Stats(stems={stem(w): n for w, n in WORDS.items()}, words=WORDS)


def test_a_misspelt_word_is_corrected_to_the_closest_indexed_words_and_an_indexed_word_never():
    found = expansion.corrections(["jonna", "kasem", "garden", "premeire"], STATS, lambda: Vocabulary(WORDS))
    assert found["jonna"][0] == "joanna"  # one insertion, and more alike than "jenna"
    assert found["kasem"] == ["kassem"]
    assert found["premeire"] == ["premiere"]  # a swap of two letters is one typo
    assert "garden" not in found


def test_short_words_and_numbers_are_never_corrected_and_the_vocabulary_is_read_only_when_needed():
    def vocabulary():
        raise AssertionError("no word needed correcting")

    assert expansion.corrections(["jena", "2019", "garden"], STATS, vocabulary) == {}


def test_a_synonym_is_used_only_where_the_documents_prefer_it():
    question = analyse_question("Who made the show?")
    stats = Stats(stems={stem("made"): 1, stem("created"): 2})
    assert expansion.synonyms(question, {}, {"made": ["created"]}, stats) == {"made": ["created"]}
    rarer = Stats(stems={stem("made"): 5, stem("created"): 2})
    assert expansion.synonyms(question, {}, {"made": ["created"]}, rarer) == {}


def test_rarer_words_weigh_more_and_a_stand_in_shares_its_words_slot():
    question = analyse_question("Who plays Joanna in the garden?")
    weights = expansion.question_weights(question, {}, {"plays": ["acts"]}, STATS)
    assert weights[stem("joanna")] > weights[stem("garden")]
    assert weights.aliases == {stem("acts"): stem("plays")}
    assert math.isclose(weights[stem("garden")], math.log(1 + 101 / 10))


def test_a_corrected_word_weighs_as_its_correction():
    weights = expansion.term_weights({"jonna": ["joanna"]}, STATS.passages, 100)
    assert math.isclose(weights["jonna"], math.log(1 + 101 / 4))


def test_a_name_no_document_holds_is_missing_and_a_corrected_one_is_not():
    question = analyse_question("Who plays Gertrude Kassem?")
    assert expansion.missing_names(question, {}, STATS) == ["Gertrude"]
    assert expansion.missing_names(question, {"gertrude": ["joanna"]}, STATS) == []



def test_a_capitalised_stop_word_is_no_name_even_where_no_document_holds_it():
    # a licence says "you", never "I": "May I copy it?" must still be asked of it
    assert expansion.missing_names(analyse_question("May I plant Gertrude's garden?"), {}, STATS) == ["Gertrude's"]


def test_how_many_asks_about_something_no_document_counts():
    question = analyse_question("How many calories are in the loaf?")
    assert expansion.missing_head(question, {}, {}, STATS) == ["calories"]
    assert expansion.missing_head(question, {}, {}, Stats(stems={stem("calories"): 1})) == []


def test_the_suggestion_uses_the_correction_the_best_passage_holds():
    corrected = {"jonna": ["jenna", "joanna"]}
    assert expansion.suggestion("Who plays Jonna?", corrected, "Dewan plays Joanna") == "Who plays Joanna?"
    assert expansion.suggestion("Who plays Jonna?", corrected, None) == "Who plays Jenna?"
    assert expansion.suggestion("Who plays Joanna?", {}, None) is None


def test_common_words_only_rank_on_a_large_index():
    stats = Stats(stems={"the": 5000, stem("heron"): 3}, doc_count=100_000)
    assert expansion.common_terms(parse_query("the heron"), stats) == frozenset({"the"})
    assert expansion.common_terms(parse_query("the heron"), Stats(stems={"the": 500}, doc_count=1000)) == frozenset()


def test_expansions_carry_the_weight_of_their_kind():
    found = expansion.expansions({"jonna": ["joanna"]}, {"made": ["created"]})
    assert found == {"jonna": [Expansion("joanna", expansion.CORRECTION_WEIGHT)],
                     "made": [Expansion("created", expansion.SYNONYM_WEIGHT)]}


def test_a_yes_no_question_also_finds_the_negated_forms_of_its_words_the_documents_hold():
    stats = Stats(words={"irrevocable": 1, "unsafe": 2, "licence": 3})
    asked = analyse_question("Is the licence revocable and safe?")
    found = expansion.with_negated_forms(asked, {}, {"licence": ["license"]}, stats)
    assert found == {"licence": ["license"], "revocable": ["irrevocable"], "safe": ["unsafe"]}
    # Only a yes/no question: "What is revocable?" asks for the things, not whether.
    assert expansion.with_negated_forms(analyse_question("What is revocable?"), {}, {}, stats) == {}
    # "in", "im", "dis" negate only an adjective: the documents' "display" does not stand for "play".
    played = Stats(words={"display": 4, "invalid": 1})
    assert expansion.with_negated_forms(analyse_question("Does it play and is it valid?"), {}, {}, played) == {
        "valid": ["invalid"]}
