"""search/answers.py: from ranked passages to one answer, its confidence, conflicts, or none; on
hand-made passages and a hand-set model (tests/models.py), no index."""
from __future__ import annotations

from dataclasses import replace

from models import model
from records import scored

from indexer.analysis import stem
from search.answers import LEAD_CONFIDENCE, answer_candidates, extract_answer, in_shown_order, passage_units
from search.expansion import TermWeights
from search.questions import analyse_question
from search.spans import Asked


def weights_for(*words: str) -> TermWeights:
    return TermWeights({stem(word): 1.0 for word in words})


def test_a_cast_line_answers_who_plays_a_role():
    question = analyse_question("Who plays Joanna Kassem?")
    cast = scored("- Jenna Dewan as Joanna Kassem, a former dancer", path="cast.md", line=7, score=3.0)
    other = scored("Joanna Kassem meets Sam at a party.", path="plot.md", score=2.0)
    result = extract_answer(question, [cast, other], weights_for("plays", "joanna", "kassem"), [],
                            model({"trait_cast_actor_role_words": 2.0, "unit_coverage": 1.0}))
    assert result.answer.text == "Jenna Dewan"
    assert (result.answer.path, result.answer.line_start) == ("cast.md", 7)
    assert result.passage is cast and 0.5 <= result.answer.confidence <= 1.0


def test_a_field_named_by_the_question_answers_it():
    question = analyse_question("Who edited the show?")
    field = scored("- Editor: Bill Henry", kind="field", field_name="Editor", field_value="Bill Henry")
    result = extract_answer(question, [field], weights_for("edited", "show"), [], model())
    assert result.answer.text == "Bill Henry" and result.answer.answer_type == "person"


def test_a_name_the_documents_do_not_hold_means_no_answer_and_says_why():
    question = analyse_question("Who plays Gertrude?")
    result = extract_answer(question, [scored("- Jenna Dewan as Joanna Kassem")], weights_for("plays", "gertrude"),
                            ["Gertrude"], model())
    assert result.answer is None and "Gertrude" in result.reason


def test_below_the_bar_liner_abstains_and_keeps_the_candidates_for_the_explanation():
    question = analyse_question("When did the bakery open?")
    passages = [scored("The bakery opened on March 4, 2019."), scored("It was busy on May 2, 2020.", path="b.md")]
    sure = extract_answer(question, passages, weights_for("bakery", "open"), [], model(bar=0.01))
    unsure = extract_answer(question, passages, weights_for("bakery", "open"), [], model(bar=0.99))
    assert sure.answer is not None and unsure.answer is None
    assert unsure.reason == "not sure enough" and unsure.candidates and unsure.confidence == sure.confidence


def test_two_documents_giving_different_figures_are_a_conflict():
    question = analyse_question("How many reviews is the rating based on?")
    weights = weights_for("reviews", "rating", "based")
    one = scored("The series holds an approval rating of 38%, based on 8 reviews.", path="a.md", score=1.0)
    two = scored("The series holds an approval rating of 44%, based on 9 reviews.", path="b.md", score=1.0)
    counted = model({"trait_number_counted_noun": 3.0, "passage_rank": 1.0}, bar=0.0)  # "8 reviews" counts them
    result = extract_answer(question, [one, two], weights, [], counted)
    shown = {result.answer.text} | {conflict.text for conflict in result.conflicts}
    assert shown == {"8 reviews", "9 reviews"}
    # Sources that disagree answer the question between them, however unsure Liner is of either:
    # both are shown, each at its confidence, where one value alone would get no answer.
    unsure = extract_answer(question, [one, two], weights, [], replace(counted, abstain_below=0.99))
    assert unsure.confidence < 0.99 and {unsure.answer.text, *(c.text for c in unsure.conflicts)} == shown
    alone = extract_answer(question, [one], weights, [], replace(counted, abstain_below=0.99))
    assert alone.answer is None and alone.reason == "not sure enough"


def test_the_same_date_from_two_documents_is_one_answer_shown_at_its_most_precise():
    question = analyse_question("When did the show premiere?")
    weights = weights_for("show", "premiere")
    short = scored("The show premiered on Dec. 18.", path="a.md", score=1.0)
    full = scored("The show premiered on December 18, 2019.", path="b.md", score=1.0)
    result = extract_answer(question, [short, full], weights, [], model(bar=0.0))
    assert result.answer.text == "December 18, 2019" and result.conflicts == []


def test_candidates_carry_their_passage_place_and_the_documents_that_agree():
    question = analyse_question("When did the show premiere?")
    passages = [scored("The show premiered on December 18, 2019.", path="a.md", score=2.0),
                scored("It premiered on December 18, 2019.", path="b.md", score=1.0)]
    found = answer_candidates(Asked(question, weights_for("show", "premiere"), frozenset()), passages)
    first = next(c for c in found if c.passage is passages[0])
    assert first.features["passage_rank"] == 1.0 and first.features["passage_gap"] == 0.0
    assert first.features["support"] > 0  # the other document gives the same date


def test_units_are_the_sentences_with_their_lines_and_coverage():
    passage = scored("The loaf is rye.\nIt bakes at dawn.", line=10)
    units = passage_units(passage, weights_for("loaf"))
    assert [(unit.line_start, unit.line_end) for unit in units] == [(10, 10), (11, 11)]
    assert units[0].coverage == 1.0 and units[1].coverage == 0.0


def test_a_candidate_never_ends_in_half_a_word_hyphenated_across_lines():
    # A man page typeset with hyphenation: "Au‐" ends one line, "thority" starts the next.
    question = analyse_question("Who assigns port numbers?")
    page = scored("Port numbers are assigned by the IANA (Internet Assigned Numbers Au\u2010\n"
                  "       thority), and their list is kept in this file.")
    texts = {c.text for c in answer_candidates(Asked(question, weights_for("assign", "port", "numbers"), frozenset()),
                                                [page])}
    assert "Internet Assigned Numbers Authority" in texts
    assert not any(text.endswith(" Au") for text in texts)


def test_a_search_of_common_words_only_gets_no_answer_card():
    passages = [scored("The musical drama stars Jenna Dewan and Paul James.")]
    for words in ("the", "of the", '"the"'):
        result = extract_answer(analyse_question(words), passages, weights_for("the"), [], model(bar=0.0),
                                is_search=True)
        assert result.answer is None and "common words" in result.reason
    named = extract_answer(analyse_question("Jenna Dewan"), passages, weights_for("jenna", "dewan"), [], model(bar=0.0),
                           is_search=True)
    assert named.reason != result.reason


def test_a_version_the_question_names_must_stand_in_the_answers_passage_or_its_headings():
    question = analyse_question("When was release 2.4 published?")
    weights = weights_for("release", "published")
    other = scored("The release was published on March 4, 2019.", path="news.md", score=3.0, section="Release 2.3")
    named = scored("This release was published on May 2, 2021.", path="news.md", line=9, score=1.0, section="Release 2.4")
    result = extract_answer(question, [other, named], weights, [], model(bar=0.0))
    assert result.answer.text == "May 2, 2021" and result.passage is named
    # Neither passage is about 2.4: no answer, and the reason names the version.
    alone = extract_answer(question, [other], weights, [], model(bar=0.0))
    assert alone.answer is None and "2.4" in alone.reason


def test_a_number_or_code_the_question_names_is_not_its_answer():
    question = analyse_question("How many people contributed to release 1.10?")
    passage = scored("Release 1.10 was made by 40 contributors.")
    texts = [c.text for c in answer_candidates(Asked(question, weights_for("contributed", "release"), frozenset()), [passage])]
    assert "1.10" not in texts and any(text.startswith("40") for text in texts)
    code = scored("SystemExit is raised by sys.exit() and by exit().")
    asked_code = Asked(analyse_question("Which exception does sys.exit raise?"), weights_for("exception", "raise"), frozenset())
    texts = [c.text for c in answer_candidates(asked_code, [code])]
    assert "exit()" in texts and not {"sys.exit", "sys.exit()"} & set(texts)
    # A question that offers a choice may be answered by what it names.
    choice = Asked(analyse_question("Which function should I call, sys.exit() or exit()?"), weights_for("call"), frozenset())
    assert "sys.exit()" in [c.text for c in answer_candidates(choice, [code])]


def test_a_question_in_the_documents_is_not_an_answer():
    heading = scored("Why can't I read the output of a command with system()?")
    answer = scored("Because system() returns the exit status, not the output.")
    asked = Asked(analyse_question("Why can't I read the output of a command with system()?"),
                  weights_for("read", "output", "command", "system"), frozenset())
    texts = [c.text for c in answer_candidates(asked, [heading, answer])]
    assert texts and not any(text.endswith("?") for text in texts)


def test_a_phrase_search_is_answered_only_by_candidates_that_show_the_phrase():
    passage = scored("The streamer is a data company, he said. Its company culture decides by data on what people watch.")
    phrase = Asked(analyse_question('"a data company"'), weights_for("data", "company"), frozenset())
    texts = [c.text for c in answer_candidates(phrase, [passage])]
    assert texts and all("a data company" in text for text in texts)  # not the second sentence's


def test_a_number_inside_an_example_of_code_is_not_one_the_passage_must_hold():
    question = analyse_question("Does mawk support brace expressions like /a{,4}/?")
    passage = scored("No, mawk does not support brace expressions yet.")
    candidates = answer_candidates(Asked(question, weights_for("mawk", "brace", "expressions"), frozenset()), [passage])
    assert candidates


def test_the_answers_passage_is_shown_first_only_when_the_answer_is_likelier_right_than_wrong():
    question = analyse_question("When did the bakery open?")
    first = scored("The bakery is on Mill Street.", path="a.md", score=2.0)
    dated = scored("The bakery opened on March 4, 2019.", path="b.md", score=1.0)
    result = extract_answer(question, [first, dated], weights_for("bakery", "open"), [], model(bar=0.0))
    assert result.passage is dated
    for confidence, leading in ((LEAD_CONFIDENCE, dated), (LEAD_CONFIDENCE - 0.01, first)):
        result.confidence = confidence
        assert in_shown_order([first, dated], result)[0] is leading
    abstained = extract_answer(question, [first, dated], weights_for("bakery", "open"), [], model(bar=0.99))
    assert in_shown_order([first, dated], abstained) == [first, dated]


def test_a_release_date_in_the_heading_over_the_entries_answers_from_the_headings_line():
    question = analyse_question("When was release 2.4 published?")
    weights = weights_for("release", "published")
    older = scored("* Published the manual.", path="NEWS", line=12, score=3.0, kind="list_item",
                   section="2.3 (4 March 2019)", heading_line=10)
    entry = scored("* Published the manual online.", path="NEWS", line=4, score=2.0, kind="list_item",
                   section="2.4 (2 May 2021)", heading_line=2)
    result = extract_answer(question, [older, entry], weights, [], model({"over_passage": 1.0}, bar=0.0))
    assert result.answer.text == "2 May 2021"
    assert (result.answer.path, result.answer.line_start, result.answer.sentence) == ("NEWS", 2, "2.4 (2 May 2021)")
    # 2.3's heading does not date 2.4; a passage whose heading line is unknown gives nothing.
    texts = {c.text for c in answer_candidates(Asked(question, weights, frozenset()), [older, entry])}
    assert "4 March 2019" not in texts
    unknown = replace(entry, passage=replace(entry.passage, heading_line=None))
    assert extract_answer(question, [unknown], weights, [], model(bar=0.0)).answer is None
