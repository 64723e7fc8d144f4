"""search/features.py: what the ranker knows of a passage."""
from __future__ import annotations

from records import scored

from indexer.analysis import stem
from search.features import passage_features, proximity
from search.questions import analyse_question


def weights_of(*words: str) -> dict[str, float]:
    return {stem(word): 1.0 for word in words}


def features(question: str, passage, *words: str) -> dict[str, float]:
    (values,) = passage_features(analyse_question(question), [passage], weights_of(*words))
    return values


def test_proximity_is_highest_when_the_words_stand_together():
    weights = weights_of("joanna", "kassem")
    together = proximity(scored("Dewan played Joanna Kassem on the show"), weights)
    apart = proximity(scored("Joanna was a dancer on the show and later Kassem was her name"), weights)
    assert together == 1.0 and 0 < apart < together
    assert proximity(scored("nothing here"), weights) == 0.0


def test_coverage_counts_the_body_and_the_context_apart():
    in_body = features("Who edited the soundtrack?", scored("Soundtrack editor Bill Henry"), "editor", "soundtrack")
    in_context = features("Who edited the soundtrack?", scored("Bill Henry", section="Soundtrack", field_name="Editor"),
                          "editor", "soundtrack")
    assert in_body["coverage"] == 1.0 and in_body["context_coverage"] == 0.0 and in_body["all_words"] == 1.0
    assert in_context["coverage"] == 0.0 and in_context["context_coverage"] == 1.0 and in_context["all_words"] == 1.0


def test_the_rarest_word_missing_is_its_own_feature():
    question = analyse_question("When was the zephyr garden opened?")
    weights = {stem("zephyr"): 5.0, stem("garden"): 1.0}
    with_rare, without = passage_features(question, [scored("The zephyr garden opened in May."),
                                                     scored("The garden opened in May.")], weights)
    assert with_rare["rarest_missing"] == 0.0 and without["rarest_missing"] == 1.0
    assert with_rare["best_sentence"] == 1.0 and without["best_sentence"] == 1 / 6


def test_bm25_is_read_relative_to_the_best_retrieved_and_by_rank():
    question = analyse_question("garden")
    first, second = passage_features(question, [scored("garden", bm25=2.0), scored("garden beds", bm25=8.0)], weights_of("garden"))
    assert (first["bm25"], second["bm25"]) == (0.25, 1.0)
    assert (first["bm25_rank"], second["bm25_rank"]) == (0.5, 1.0)


def test_answer_form_cues_count_only_for_the_questions_that_ask_for_that_form():
    passage = scored("The beds were closed because the creek flooded them.")
    assert features("Why were the beds closed?", passage, "bed", "closed")["reason_cue"] == 1.0
    assert features("When were the beds closed?", passage, "bed", "closed")["reason_cue"] == 0.0
    dated = scored("The beds were closed on 4 May 2021.")
    assert features("When were the beds closed?", dated, "bed", "closed")["value_present"] == 1.0
    assert features("When were the beds closed?", passage, "bed", "closed")["value_absent"] == 1.0


def test_a_sections_position_and_question_heading_are_features():
    answer = scored("Use a virtual environment.", section="How do I install packages?", section_position=0)
    later = scored("Pip reads requirements files.", section="Installing", section_position=3)
    first, second = passage_features(analyse_question("How do I install packages?"), [answer, later],
                                     weights_of("install", "packages"))
    assert first["first_in_section"] == 1.0 and first["section_is_question"] == 1.0 and first["section_bigrams"] == 1.0
    assert second["first_in_section"] == 0.0 and second["section_position"] > 0
