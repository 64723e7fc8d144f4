"""search/values.py: the same value from several sources, and different values for one slot."""
from __future__ import annotations

from records import scored

from search.kinds import AnswerType
from search.spans import Unit
from search.values import (Candidate, agreeing_documents, conflicts_with, date_key, group_by_value, number_key, same_shape, same_slot,
                           value_key)


def candidate(text: str, answer_type: AnswerType, score: float, path: str, slot: frozenset[str] = frozenset({"review"})):
    return Candidate(text, answer_type, "test", Unit(text, 1, 1, []), scored(text, path=path), slot, score=score)


def test_dates_are_the_same_as_far_as_both_go():
    assert date_key("December 18, 2019") == (2019, 12, 18)
    assert date_key("2019-12-18") == (2019, 12, 18)
    assert date_key("Dec. 18") == (None, 12, 18)
    assert value_key("January 2020", AnswerType.DATE) == (2020, 1, None)


def test_numbers_are_the_same_by_their_figure():
    assert number_key("ten episodes") == number_key("10") == "10"
    assert number_key("4.83/10") == "4.83/10"


def test_agreeing_sources_are_one_value_shown_at_its_most_precise_and_scored_as_its_best():
    groups = group_by_value([candidate("Dec. 18", AnswerType.DATE, 1.0, "a.md"),
                             candidate("December 18, 2019", AnswerType.DATE, 0.95, "b.md")])
    assert len(groups) == 1
    assert groups[0].text == "December 18, 2019" and groups[0].documents == {"a.md", "b.md"} and groups[0].score == 1.0
    assert len(groups[0].members) == 2


def test_agreement_is_counted_in_other_documents_dates_agreeing_as_far_as_both_go():
    agreeing = agreeing_documents([candidate("Dec. 18", AnswerType.DATE, 1.0, "a.md"),
                                   candidate("December 18, 2019", AnswerType.DATE, 0.9, "b.md"),
                                   candidate("December 18, 2019", AnswerType.DATE, 0.8, "b.md"),
                                   candidate("May 2", AnswerType.DATE, 0.7, "c.md")])
    assert agreeing == [1, 1, 1, 0]


def test_a_different_figure_for_the_same_slot_from_another_source_conflicts():
    best, other, elsewhere = group_by_value([
        candidate("8 reviews", AnswerType.NUMBER, 1.0, "a.md"),
        candidate("9 reviews", AnswerType.NUMBER, 0.9, "b.md"),
        candidate("4 critics", AnswerType.NUMBER, 0.9, "c.md", slot=frozenset({"metacrit"})),
    ])
    assert [group.text for group in conflicts_with(best, [other, elsewhere])] == ["9 reviews"]


def test_a_percentage_and_a_count_measure_different_things():
    assert not same_shape("38%", "8 reviews")
    assert same_shape("8 reviews", "9") and same_shape("38%", "44%")


def test_slots_overlap_by_the_smaller_one():
    assert same_slot(frozenset({"review", "rate"}), frozenset({"review"}))
    assert not same_slot(frozenset({"review"}), frozenset({"critic"}))
    assert not same_slot(frozenset(), frozenset({"critic"}))
