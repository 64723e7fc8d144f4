"""search/answers.py: from ranked passages to one answer, its confidence, conflicts, or none; on
hand-made passages (no index)."""
from __future__ import annotations

from records import scored

from indexer.analysis import stem
from search.answers import extract_answer, passage_units
from search.expansion import TermWeights
from search.questions import analyse_question


def weights_for(*words: str) -> TermWeights:
    return TermWeights({stem(word): 1.0 for word in words})


def test_a_cast_line_answers_who_plays_a_role():
    question = analyse_question("Who plays Joanna Kassem?")
    cast = scored("- Jenna Dewan as Joanna Kassem, a former dancer", path="cast.md", line=7, bm25=3.0)
    other = scored("Joanna Kassem meets Sam at a party.", path="plot.md", bm25=2.0)
    result = extract_answer(question, [cast, other], weights_for("plays", "joanna", "kassem"), [])
    assert result.answer.text == "Jenna Dewan"
    assert (result.answer.path, result.answer.line_start) == ("cast.md", 7)
    assert result.passage is cast and 0.5 < result.answer.confidence <= 1.0


def test_a_field_named_by_the_question_answers_it():
    question = analyse_question("Who edited the show?")
    field = scored("- Editor: Bill Henry", kind="field", field_name="Editor", field_value="Bill Henry")
    result = extract_answer(question, [field], weights_for("edited", "show"), [])
    assert result.answer.text == "Bill Henry"


def test_a_name_the_documents_do_not_hold_means_no_answer():
    question = analyse_question("Who plays Gertrude?")
    passage = scored("- Jenna Dewan as Joanna Kassem")
    assert extract_answer(question, [passage], weights_for("plays", "gertrude"), ["Gertrude"]).answer is None


def test_nothing_of_the_expected_type_means_no_answer():
    question = analyse_question("When did the bakery open?")
    passage = scored("The bakery sells rye bread and sourdough.")
    assert extract_answer(question, [passage], weights_for("bakery", "open"), []).answer is None


def test_two_documents_giving_different_figures_are_a_conflict():
    question = analyse_question("How many reviews is the rating based on?")
    weights = weights_for("reviews", "rating", "based")
    one = scored("The series holds an approval rating of 38%, based on 8 reviews.", path="a.md", score=1.0)
    two = scored("The series holds an approval rating of 44%, based on 9 reviews.", path="b.md", score=1.0)
    result = extract_answer(question, [one, two], weights, [])
    shown = {result.answer.text} | {conflict.text for conflict in result.conflicts}
    assert shown == {"8 reviews", "9 reviews"}


def test_the_same_date_from_two_documents_is_one_answer_shown_at_its_most_precise():
    question = analyse_question("When did the show premiere?")
    weights = weights_for("show", "premiere")
    short = scored("The show premiered on Dec. 18.", path="a.md", score=1.0)
    full = scored("The show premiered on December 18, 2019.", path="b.md", score=1.0)
    result = extract_answer(question, [short, full], weights, [])
    assert result.answer.text == "December 18, 2019" and result.conflicts == []


def test_units_are_the_sentences_with_their_lines_and_coverage():
    passage = scored("The loaf is rye.\nIt bakes at dawn.", line=10)
    units = passage_units(passage, weights_for("loaf"))
    assert [(unit.line_start, unit.line_end) for unit in units] == [(10, 10), (11, 11)]
    assert units[0].coverage == 1.0 and units[1].coverage == 0.0
