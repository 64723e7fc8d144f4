"""search/structured.py: fields, table cells and bylines whose name matches the question."""
from __future__ import annotations

from indexer.analysis import stemmed_terms
from indexer.passages import Passage
from search.kinds import AnswerType
from search.questions import analyse_question
from search.structured import TYPE_NOUN_MATCH, name_match, structured_facts


def field(name: str, value: str, **more) -> Passage:
    return Passage("a.md", "T", None, 1, 1, f"- {name}: {value}", "field", 0, field_name=name, field_value=value, **more)


def facts(question_text: str, passage: Passage, coverage: float = 0.5):
    return list(structured_facts(analyse_question(question_text), passage, coverage, frozenset()))


def test_a_field_is_found_by_the_verb_behind_its_agent_noun():
    (fact,) = facts("Who edited the show?", field("Editor", "Bill Henry"))
    assert (fact.text, fact.answer_type, fact.match) == ("Bill Henry", AnswerType.PERSON, 1.0)


def test_a_field_named_only_by_the_answer_type_noun_counts_less():
    asked = set(stemmed_terms("company distributes"))
    assert name_match("Company", asked, type_only=set(stemmed_terms("company"))) == TYPE_NOUN_MATCH
    assert name_match("Distributor", asked) == 1.0
    assert name_match("Running time", asked) == 0.0


def test_a_value_that_is_mostly_the_question_is_no_answer():
    assert facts("Who created Soundtrack?", field("Created by", "Soundtrack")) == []


def test_the_cell_under_a_matching_header_answers():
    row = Passage("a.md", "T", None, 3, 3, "| 2 | Track 2 | Karen Gaviola |", "table_row", 0,
                  cells=(("No.", "2"), ("Title", "Track 2"), ("Directed by", "Karen Gaviola")))
    (fact,) = facts("Who directed Track 2?", row)
    assert (fact.text, fact.name) == ("Karen Gaviola", "Directed by")


def test_a_date_field_answers_when_by_its_name_alone():
    (fact,) = facts("When was the guide printed?", field("Published", "March 4, 2021"))
    assert (fact.text, fact.answer_type) == ("March 4, 2021", AnswerType.DATE)


def test_a_copyright_holder_after_the_years_answers_who():
    (fact,) = facts("Who holds the copyright?", field("Copyright", "2019-2021 Mara Quist and the Lantern contributors"))
    assert (fact.text, fact.answer_type) == ("2019-2021 Mara Quist and the Lantern contributors", AnswerType.PERSON)
