"""search/answer_features.py: the named numbers the answer step learns from, each on its own."""
from __future__ import annotations

from indexer.analysis import stem, stemmed_terms
from indexer.kinds import PassageKind
from search.answer_features import (NEAR_WINDOW, REPEAT_MIN_CHARS, by_family, decision_features, misses_numbers,
                                    nearness, preceded, question_numbers, repeated_in, span_features,
                                    stems_before, support_features)
from search.kinds import AnswerType
from search.spans import Span
from search.questions import analyse_question
from search.spans import Unit


def unit(text: str) -> Unit:
    return Unit(text, 1, 1, stemmed_terms(text))


def test_question_words_near_a_candidate_count_more_than_far_ones():
    weights = {stem("heron"): 1.0}
    near = unit("The heron was seen by Ada Lovelace at dawn.")
    far = unit("The heron was seen at the old pond by Ada Lovelace.")
    at_near = near.text.index("Ada")
    at_far = far.text.index("Ada")
    assert nearness(near, at_near, at_near + 12, weights) > nearness(far, at_far, at_far + 12, weights) > 0


def test_question_words_beyond_the_window_do_not_vouch():
    words = " ".join(["filler"] * (NEAR_WINDOW + 2))
    text = f"The heron {words} Ada Lovelace."
    start = text.index("Ada")
    assert nearness(unit(text), start, start + 12, {stem("heron"): 1.0}) == 0.0


def test_the_candidates_own_words_are_not_its_neighbours():
    text = "Ada Lovelace wrote notes."
    assert nearness(unit(text), 0, 12, {stem("lovelace"): 1.0}) == 0.0


def test_a_candidate_holding_the_quoted_phrase_is_marked_and_one_without_it_is_not():
    question = analyse_question('"careful muddle"')
    text = "The treasurer called the ledger a careful muddle, and then the fire came."
    units = [unit(text)]

    def holds(start: int, end: int) -> float:
        span = Span(text[start:end], AnswerType.PHRASE, start, end, "window_clause")
        return span_features(question, span, units, 0, {}, set(), PassageKind.PARAGRAPH)["holds_quoted"]

    assert holds(0, text.index(",")) == 1.0
    assert holds(text.index("and"), len(text)) == 0.0


def test_a_candidate_naming_code_the_question_does_not_name_is_marked():
    def holds_new_code(question_text: str, text: str) -> float:
        question = analyse_question(question_text)
        words = set(question.content_words) | {w.lower().strip("?") for w in question.text.split()}
        span = Span(text, AnswerType.PHRASE, 0, len(text), "sentence")
        return span_features(question, span, [unit(text)], 0, {}, words, PassageKind.PARAGRAPH)["holds_new_code"]

    assert holds_new_code("Which module keeps a hash's keys in order?", "Use the Tie::IxHash from CPAN.") == 1.0
    assert holds_new_code("What does Tie::IxHash do?", "Tie::IxHash is on CPAN.") == 0.0
    assert holds_new_code("Which module keeps a hash's keys in order?", "Hashes have no order.") == 0.0


class _Passage:
    def __init__(self, text: str) -> None:
        self.text = text


def test_text_found_in_other_passages_counts_as_repeated_and_short_values_never():
    boilerplate = "This answer was contributed by the list."
    own = _Passage(f"Use sort. {boilerplate}")
    others = [own, _Passage(f"Use grep. {boilerplate}"), _Passage(f"Use awk. {boilerplate}"), _Passage("Other.")]
    assert repeated_in(boilerplate, own, others) > repeated_in("Use sort and uniq here.", own, others) == 0.0
    assert len("1999") < REPEAT_MIN_CHARS and repeated_in("1999", own, [_Passage("1999"), _Passage("1999")]) == 0.0


def test_more_agreeing_documents_give_more_support():
    assert support_features(0)["support"] == 0.0 < support_features(1)["support"] < support_features(3)["support"]


def test_shape_features_are_repeated_under_the_questions_family():
    who = by_family({"chars": 11.0, "words": 2.0}, analyse_question("Who wrote the notes?"))
    why = by_family({"chars": 11.0, "words": 2.0}, analyse_question("Why did she write the notes?"))
    assert set(who).isdisjoint(why)
    assert all("@" in name for name in who) and sorted(who.values()) == [2.0, 11.0]


def test_the_decision_reads_no_extractor_name():
    """Which extractor found the best candidate is left out of the decision (an extractor only one
    genre needs would be distrusted everywhere by models that never saw that genre)."""
    best = {"source_cast_actor": 1.0, "unit_coverage": 0.5, "type_match": 1.0}
    features = decision_features(best, score=2.0, share=0.8, lead=1.5, count=4, question={"ask_person": 1.0})
    assert not any("source" in name for name in features)
    assert features["best_unit_coverage"] == 0.5 and features["selector_share"] == 0.8 and features["ask_person"] == 1.0


def test_a_passage_without_the_questions_numbers_is_marked_as_missing_them():
    numbers = question_numbers(analyse_question("When will version 5.0 of the manual be released?"))
    assert numbers == ["5.0"]
    assert misses_numbers(numbers, "Version 4.6.2 of the manual was released in 2022.") == 1.0
    assert misses_numbers(numbers, "Version 5.0.1 of the manual fixed typos.") == 0.0
    assert misses_numbers(question_numbers(analyse_question("Who wrote the manual?")), "Anything at all.") == 0.0


def test_a_value_right_after_the_questions_words_is_preceded_by_them():
    text = "It holds an approval rating of 38% with an average rating of 4.83/10 overall."
    weights = {stem("average"): 1.0, stem("rating"): 1.0}
    after_average = preceded(stems_before(unit(text), text.index("4.83")), weights)
    after_approval = preceded(stems_before(unit(text), text.index("38%")), weights)
    assert after_average == 1.0 and after_approval == 0.5
    assert preceded(stems_before(unit(text), 0), weights) == 0.0
