"""search/patterns.py: the surface forms of values and the name predicates."""
from __future__ import annotations

import pytest

from search.kinds import AnswerType
from search.patterns import clean_name, has_answer_type, is_headline, kind_of_name, type_of_value


@pytest.mark.parametrize("answer_type, text, expected", [
    (AnswerType.DATE, "It opened on March 4, 2019.", True),
    (AnswerType.DATE, "It opened last spring.", False),
    (AnswerType.MONEY, "It cost $4.50.", True),
    (AnswerType.MONEY, "It took ten days.", False),
    (AnswerType.DURATION, "It took ten days.", True),
    (AnswerType.PERSON, "Mara Quist baked it.", True),
    (AnswerType.TITLE, "They aired “Proven Innocent”.", True),
    (AnswerType.PHRASE, "anything", False),
])
def test_has_answer_type(answer_type, text, expected):
    assert has_answer_type(answer_type, text) is expected


def test_a_name_made_of_the_questions_own_words_is_no_answer_to_it():
    asked = frozenset({"started", "crumb", "kettle", "bakery"})
    assert not has_answer_type(AnswerType.PERSON, "Crumb & Kettle Bakery", asked)
    assert has_answer_type(AnswerType.PERSON, "Crumb & Kettle Bakery", frozenset())
    assert has_answer_type(AnswerType.PERSON, "Odette Lindqvist started Crumb & Kettle Bakery.", asked)


def test_names_lose_the_function_words_around_them():
    assert clean_name("The Mara Quist") == "Mara Quist"
    assert clean_name("On Monday") is None
    assert clean_name("Quist", allow_single=True) == "Quist"


def test_a_name_of_ordinary_words_or_with_a_company_word_is_an_organisation():
    assert kind_of_name("Mara Quist") == AnswerType.PERSON
    assert kind_of_name("Depot Street", common=frozenset({"depot", "street"})) == AnswerType.ORGANISATION
    assert kind_of_name("Warner Bros Pictures") == AnswerType.ORGANISATION


def test_a_value_is_typed_by_what_the_question_expects():
    assert type_of_value("December 18, 2019", AnswerType.DATE) == AnswerType.DATE
    assert type_of_value("2019", AnswerType.DATE) == AnswerType.PHRASE  # a bare year is not a date value
    assert type_of_value("$5 million", AnswerType.MONEY) == AnswerType.MONEY
    assert type_of_value("Joshua Safran", AnswerType.PERSON) == AnswerType.PERSON


def test_title_case_text_is_a_headline():
    assert is_headline("Jenna Dewan's Netflix Series Canceled After One Season")
    assert not is_headline("Jenna Dewan plays a social worker in the series.")
