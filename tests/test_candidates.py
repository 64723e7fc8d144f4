"""search/candidates.py: the extractor chosen by the expected answer type finds typed spans."""
from __future__ import annotations

from indexer.analysis import stemmed_terms
from search.candidates import EXTRACTORS, spans
from search.kinds import AnswerType
from search.questions import analyse_question
from search.spans import Asked, Unit


def found(question_text: str, sentence: str) -> list[tuple[str, AnswerType, float]]:
    question = analyse_question(question_text)
    asked = Asked(question, {stem: 1.0 for stem in question.content_stems}, frozenset({"depot", "street"}))
    unit = Unit(sentence, 1, 1, stemmed_terms(sentence))
    return [(span.text, span.answer_type, span.bonus) for span in spans(asked, unit)]


def test_every_value_type_has_its_own_extractor():
    assert set(EXTRACTORS) == {AnswerType.PERSON, AnswerType.DATE, AnswerType.NUMBER, AnswerType.MONEY,
                               AnswerType.DURATION, AnswerType.TITLE, AnswerType.PLACE, AnswerType.ORGANISATION}


def test_people_are_names_not_places_or_ordinary_words():
    sentence = "The loaf was first baked by Mara Quist, who runs the bakery on Depot Street in Ashby Ridge."
    names = [text for text, _, _ in found("Who baked it?", sentence)]
    assert names == ["Mara Quist"]


def test_a_year_alone_is_a_weaker_date_than_a_full_one():
    dates = found("When did it open?", "It opened in 2019, on March 4, 2019.")
    assert ("March 4, 2019", AnswerType.DATE, 0.0) in dates
    assert any(text == "2019" and bonus < 0 for text, _, bonus in dates)


def test_a_number_shows_the_counted_noun_the_question_asks_about():
    numbers = found("How many episodes were ordered?", "Netflix ordered ten episodes in 2018.")
    assert numbers[0][0] == "ten episodes" and numbers[0][2] > 0


def test_only_a_sum_of_money_answers_a_price():
    assert [text for text, _, _ in found("How much did the loaf cost?", "The loaf cost $4.50 and took two days.")] == ["$4.50"]


def test_a_quoted_title_given_as_an_example_earns_a_bonus():
    titles = found("Which shows did Fox air?", "Fox aired shows like “Proven Innocent” and others.")
    assert titles[0][:2] == ("Proven Innocent", AnswerType.TITLE) and titles[0][2] > 0


def test_a_reason_is_the_clause_that_covers_the_question():
    reasons = found("Why was the garden closed?", "The garden was closed in May, because the creek flooded the beds.")
    assert reasons and "garden was closed" in reasons[0][0]
