"""search/lists.py: enumerations in a sentence, and runs of list items, as list answers."""
from __future__ import annotations

from records import scored

from indexer.analysis import stemmed_terms
from search.lists import enumerations, item_lists
from search.questions import analyse_question
from search.spans import Asked, Unit


def test_an_enumeration_answers_a_question_that_asks_for_several_things():
    question = analyse_question("Which status values can an action test?")
    text = "The status is one of success, notfound, unavail or tryagain."
    unit = Unit(text, 1, 1, stemmed_terms(text))
    (span,) = enumerations(Asked(question, {}, frozenset()), unit)
    assert span.text == "success, notfound, unavail or tryagain"
    assert list(enumerations(Asked(analyse_question("What is the status?"), {}, frozenset()), unit)) == []


def test_an_enumeration_starts_after_the_words_that_lead_into_it():
    question = analyse_question("Who are the producers?")
    text = "Safran produces the show along with Ann Lee, Bo Kim, and Cy Day."
    unit = Unit(text, 1, 1, stemmed_terms(text))
    (span,) = enumerations(Asked(question, {}, frozenset()), unit)
    assert span.text == "Ann Lee, Bo Kim, and Cy Day"


def test_list_items_that_stand_together_are_one_answer_of_their_leading_terms():
    items = [scored(f"- ``{name}``: {what}", path="a.md", line=line, kind="list_item")
             for line, (name, what) in enumerate([("success", "it worked"), ("notfound", "no entry"),
                                                   ("unavail", "the service is down")], start=10)]
    far = scored("- ``other``: far away", path="a.md", line=40, kind="list_item")
    ((run, joined),) = item_lists(items + [far])
    assert run == items and joined == "success, notfound, unavail"
