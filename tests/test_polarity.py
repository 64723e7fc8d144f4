"""search/polarity.py: yes or no, with the clause that decides it."""
from __future__ import annotations

from indexer.analysis import stemmed_terms
from search.polarity import yes_no
from search.questions import analyse_question
from search.spans import Asked, Unit


def answer(question_text: str, sentence: str):
    question = analyse_question(question_text)
    asked = Asked(question, {stem: 1.0 for stem in question.content_stems}, frozenset())
    (span,) = yes_no(asked, Unit(sentence, 1, 1, stemmed_terms(sentence)))
    return span


def test_a_sentence_that_says_yes_or_no_decides():
    span = answer("Can I use tabs?", "No. Tabs are accepted by the parser, but spaces are preferred.")
    assert span.text.startswith("No: ") and span.traits["explicit"] == 1.0


def test_a_negation_in_the_clause_that_covers_the_question_says_no():
    assert answer("Does the garden open on Mondays?", "The garden does not open on Mondays.").text.startswith("No: ")
    assert answer("Does the garden open on Sundays?", "The garden opens on Sundays at nine.").text.startswith("Yes: ")


def test_the_answer_keeps_to_the_answer_length():
    span = answer("Is it free?", "Yes, " + "it is free of charge and always will be, " * 10)
    assert len(span.text) <= 120 and span.text.startswith("Yes: ")


def test_a_word_that_says_no_by_its_meaning_says_no():
    assert answer("Does the reader honour the line ending setting?",
                  "The reader ignores the line ending setting.").text.startswith("No: ")
    assert answer("Will it let me delete the root user?",
                  "It will refuse to delete the root user.").text.startswith("No: ")


def test_a_word_that_says_no_decides_nothing_when_the_question_asks_of_it():
    assert answer("Does the reader ignore blank lines?", "The reader ignores blank lines.").text.startswith("Yes: ")
    assert answer("Is a shared stall forbidden?", "A shared stall is forbidden by the rules.").text.startswith("Yes: ")


def test_a_typeset_apostrophe_negates_too():
    span = answer("Can I build it with link-time optimization?",
                  "GCC and LLVM don\u2019t support link-time optimization of this library.")
    assert span.text.startswith("No: ")



def test_a_negation_after_or_offers_both_ways_and_decides_neither():
    assert answer("May I share changed copies?",
                  "You may share copies, with or without changes, in any medium.").text.startswith("Yes: ")
    assert answer("May I charge for copies?", "You may charge any price or no price for a copy.").text.startswith("Yes: ")
    assert answer("May I charge for copies?", "You may not charge for a copy.").text.startswith("No: ")


def test_a_word_the_question_asks_of_negated_by_its_prefix_or_suffix_says_no():
    cases = [("Is the licence revocable?", "The licence granted here is perpetual and irrevocable."),
             ("Is getopt() thread-safe?", "The getopt() function is MT-Unsafe."),
             ("Is the grant exclusive?", "The grant is worldwide and non-exclusive."),
             ("Do I have to pay royalties?", "The licence is royalty-free."),
             ("Does login need a password?", "Login is passwordless.")]
    for question, sentence in cases:
        assert answer(question, sentence).text.startswith("No: "), question
    # The prefixed word asked of itself, or a word that only starts like a prefix, decides nothing.
    assert answer("Is getopt() unsafe?", "getopt() is MT-Unsafe.").text.startswith("Yes: ")
    assert answer("Is the licence royalty-free?", "You get a worldwide, royalty-free licence.").text.startswith("Yes: ")
    assert answer("Is the tool thread-safe?", "The tool is thread-safe.").text.startswith("Yes: ")
    assert answer("Is the index stored?", "The index is stored in an information file.").text.startswith("Yes: ")
    # "in", "im" and "dis" negate only an adjective: "display" is no "play", nor "import" a "port".
    assert answer("Does the app play videos?", "The app can display videos.").text.startswith("Yes: ")
    assert answer("Is the port open?", "The port is open for import.").text.startswith("Yes: ")
    assert answer("Is the input valid?", "The input is invalid.").text.startswith("No: ")


def test_the_deciding_clause_takes_in_the_clauses_beside_it_that_hold_more_of_the_question():
    # 'provided "as is"' covers most of the question, the warranty it is provided without is beside it
    span = answer("Is the Work provided with a warranty?", 'The Work is provided "as is", without warranty of any kind.')
    assert span.text.startswith("No: ") and "without warranty" in span.text
    # a clause beside it that adds none of the question's words stays out of the verdict
    span = answer("Is the Work provided as is?", 'The Work is provided as is, and no support is offered.')
    assert span.text.startswith("Yes: ") and "support" not in span.text


def test_a_sentence_without_the_questions_words_gives_no_verdict_unless_it_says_yes_or_no():
    question = analyse_question("Is libffi supported on LoongArch64?")
    asked = Asked(question, {stem: 1.0 for stem in question.content_stems}, frozenset())
    unrelated = "If you don't want to build documentation, use the --disable-docs switch."
    assert list(yes_no(asked, Unit(unrelated, 1, 1, stemmed_terms(unrelated)))) == []
    assert answer("Should I use a web framework?", "Yes.").text.startswith("Yes: ")


def test_a_piece_between_commas_that_is_no_clause_decides_with_the_clause_it_belongs_to():
    # the predicate after a subject set off by commas
    span = answer("Does the copy keep the file's modification time?",
                  "Other metadata, like the file's creation and modification times, is not preserved.")
    assert span.text.startswith("No: ") and "is not preserved" in span.text
    # the main clause of a subordinate clause that opens the sentence
    span = answer("Should I uninstall the Python that came with my system?",
                  "If Python came with your system, removing it is not recommended.")
    assert span.text.startswith("No: ") and "not recommended" in span.text
    # a negation in a subordinate clause beside the deciding one stays out of it
    assert answer("Does the function return the default?",
                  "If the key is not found, the function returns the default.").text.startswith("Yes: ")
    # a clause after a semicolon is another clause
    assert answer("Is the cache kept?", "The cache is kept; the log is not.").text.startswith("Yes: ")


def test_none_inside_a_sentence_names_a_value_and_says_no_only_opening_it():
    assert answer("Does the function return None on failure?",
                  "On failure the function returns None.").text.startswith("Yes: ")
    assert answer("Are the files compressed?", "None of the files are compressed.").text.startswith("No: ")
    assert answer("Are the files compressed?", "The files are compressed in none of the modes.").text.startswith("No: ")
