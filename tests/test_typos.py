"""search/typos.py: typo candidates from the index's words."""
from __future__ import annotations

from search.typos import Vocabulary

WORDS = ["premiere", "premier", "joanna", "jenna", "soundtrack", "cancellation", "cancelation", "kassem", "oanna"]


def test_a_swap_of_two_letters_is_one_edit():
    assert Vocabulary(WORDS).within("premeire", 1) == [("premiere", 1)]
    assert Vocabulary(WORDS).within("rpemiere", 1) == [("premiere", 1)]  # the first two, too


def test_candidates_start_with_the_letter_typed_and_stay_within_the_edits():
    found = dict(Vocabulary(WORDS).within("jonna", 1))
    assert found == {"joanna": 1, "jenna": 1}  # not "oanna": its first letter differs
    assert Vocabulary(WORDS).within("kasem", 1) == [("kassem", 1)]
    assert Vocabulary(WORDS).within("sndtrack", 1) == []  # two edits away


def test_the_word_itself_is_no_candidate_and_two_edits_reach_further():
    assert Vocabulary(WORDS).within("premiere", 1) == [("premier", 1)]
    assert Vocabulary(WORDS).within("canclation", 2) == [("cancelation", 1), ("cancellation", 2)]
