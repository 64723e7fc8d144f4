"""search/questions.py: question kind, expected answer type, and the words that should match."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from search.query import STOP_WORDS
from search.questions import LIGHT_VERBS, QUESTION_WORDS, analyse_question


@pytest.mark.parametrize(
    "text, kind, answer_type",
    [
        ("Who plays Joanna Kassem?", "who", "person"),
        ("Whom did Netflix hire?", "who", "person"),
        ("Whose idea was the show?", "who", "person"),
        ("WHO PLAYS NELLIE?", "who", "person"),
        ("When did the show premiere?", "when", "date"),
        ("What year did Soundtrack premiere?", "when", "date"),
        ("Which day was the trailer released?", "when", "date"),
        ("In what year was the pilot ordered?", "when", "date"),
        ("Where does the show take place?", "where", "place"),
        ("Why was Soundtrack canceled?", "why", "reason"),
        ("How many episodes are there?", "how_many", "number"),
        ("How much does a garden plot cost?", "how_many", "money"),
        ("How much did Netflix pay for the series order?", "how_many", "money"),
        ("How much is the ticket price?", "how_many", "money"),
        ("What was the budget of the pilot?", "what", "money"),
        ("How much rain fell in June?", "how_many", "number"),
        ("How much progress was made?", "how_many", "number"),
        ("How long is each episode?", "how_long", "duration"),
        ("How old is Barry?", "how_long", "duration"),
        ("Which company distributes Soundtrack?", "which", "organisation"),
        ("What network aired the show?", "what", "organisation"),
        ("In which version was the option removed?", "which", "version"),
        ("Since what release can I use it?", "what", "version"),
        ("Which city is the bakery in?", "which", "place"),
        ("Which actor replaced Raúl Castillo?", "which", "person"),
        ("Which episodes did Ti West direct?", "which", "title"),
        ("What is the average rating on Rotten Tomatoes?", "what", "number"),
        ("What kind of bread is the Depot Loaf?", "what", "phrase"),
        ("Is Soundtrack canceled?", "yes_no", "yes_no"),
        ("Did Netflix renew Soundtrack?", "yes_no", "yes_no"),
        ("Was Soundtrack Jahmil French's last acting role?", "yes_no", "yes_no"),
        ("May a shared library package be tagged essential?", "yes_no", "yes_no"),
        ("Must the copyright file be compressed?", "yes_no", "yes_no"),
        ("Isn't the bakery open on Sundays?", "yes_no", "yes_no"),
        ("Doesn’t the bakery open on Sundays?", "yes_no", "yes_no"),
        ("Am I allowed to bring a dog to the garden?", "yes_no", "yes_no"),
        # A clause that sets the scene comes first: the clause that asks decides the kind.
        ("If the garden closes early, is the bakery still open?", "yes_no", "yes_no"),
        ("On Sundays, can members bring guests?", "yes_no", "yes_no"),
        ("When the pilot was shot, where did the crew stay?", "where", "place"),
        ("By default, which network airs the show?", "which", "organisation"),
        ("The build keeps failing, so what should I do instead?", "how", "instruction"),
        ("The page never loads. What happened?", "why", "reason"),
        # ... but not a question that asks from its first word.
        ("How do I copy a file, without following links?", "how", "instruction"),
        ("Which two signals cannot be caught, blocked, or ignored?", "which", "identifier"),
        ("What's wrong with my garden plot?", "why", "reason"),
        ("What does the -r flag mean in grep?", "what", "definition"),
        ("What does the merge action do in a config file?", "what", "definition"),
        ("What is meant by a plot lease?", "what", "definition"),
        ("What does the function return?", "what", "identifier"),
        ("What's the quickest way to water the garden?", "how", "instruction"),
        ("quickest way to water the garden", "keyword", "instruction"),
        ("Which way does the trail go?", "which", "phrase"),
        ("How did the show end?", "what", "phrase"),
        ("Name the composers of Soundtrack", "what", "phrase"),
        ("soundtrack cast", "keyword", "phrase"),
        ('"Pennies From Heaven"', "keyword", "phrase"),
    ],
)
def test_kind_and_answer_type(text, kind, answer_type):
    question = analyse_question(text)
    assert (question.kind, question.answer_type) == (kind, answer_type)


@pytest.mark.parametrize(
    "text, head",
    [
        ("Which episodes did Ti West direct?", "episodes"),
        ("Which company distributes Soundtrack?", "company"),
        ("What is the average rating on Rotten Tomatoes?", "rating"),
        ("How many episodes are there?", "episodes"),
        ("How many people work at the bakery?", "people"),
    ],
)
def test_head_noun(text, head):
    assert analyse_question(text).head_noun == head


@pytest.mark.parametrize(
    "text, wants_list",
    [
        ("Which environment variables can change the search path?", True),
        ("Which shows premiered that month?", True),
        ("Which locale subdirectories with a country code are allowed?", True),
        ("Which functions compute a median?", True),
        ("Which plugins cannot be unloaded?", True),
        # the verb is not the head noun: "distributes", "prints", "added" are what the thing does
        ("Which company distributes the series?", False),
        ("Which option prints the version and exits?", False),
        ("Which Perl release added postfix dereferencing?", False),
        ("Which zstd version does the build need?", False),
        # not English plurals
        ("What BBC miniseries inspired the film?", False),
        ("Which DEB_BUILD_OPTIONS tag keeps the symbols?", False),
    ],
)
def test_a_plural_head_noun_asks_for_a_list(text, wants_list):
    assert analyse_question(text).wants_list is wants_list


def test_at_most_how_many_asks_how_many():
    question = analyse_question("At most how many handlers run for one try statement?")
    assert (question.kind, question.answer_type) == ("how_many", "number")


def test_a_yes_no_question_searches_without_its_opening_verb_whole():
    assert analyse_question("Isn't the bakery open on Sundays?").search_text == "the bakery open on Sundays"
    assert analyse_question("May I ship a cat page?").search_text == "I ship a cat page"


def test_the_head_noun_of_how_much_is_never_a_verb():
    head = analyse_question("How much does a garden plot cost?").head_noun
    assert head not in LIGHT_VERBS


@pytest.mark.parametrize(
    "text, content",
    [
        ("Who plays Joanna Kassem?", ("plays", "joanna", "kassem")),
        ("Who is the head baker at Crumb & Kettle?", ("head", "baker", "crumb", "kettle")),
        ("When did the show premiere?", ("show", "premiere")),
        ("How many episodes are there?", ("episodes",)),
        ("Where was it filmed?", ("filmed",)),
        ("What did Cary Fukunaga call Netflix?", ("cary", "fukunaga", "call", "netflix")),
        ("Which actor replaced Raúl Castillo in the cast?", ("actor", "replaced", "raul", "castillo", "cast")),
        ("Who is Nellie's father?", ("nellie", "father")),
    ],
)
def test_content_words(text, content):
    assert analyse_question(text).content_words == content


def test_search_text_drops_the_question_words_and_punctuation():
    question = analyse_question("Who plays Joanna Kassem?")
    assert question.search_text == "plays Joanna Kassem"
    assert analyse_question("When did the show premiere?").search_text == "the show premiere"


def test_a_quoted_phrase_survives_in_the_search_text():
    question = analyse_question('Who sang "Pennies From Heaven"?')
    assert '"Pennies From Heaven"' in question.search_text


def test_keyword_queries_search_for_themselves():
    question = analyse_question("soundtrack netflix")
    assert question.search_text == "soundtrack netflix"
    assert not question.is_question


def test_a_question_of_only_question_words_still_has_something_to_search():
    question = analyse_question("Who is it?")
    assert question.content_words  # falls back rather than searching for nothing


@pytest.mark.parametrize("contracted, spelled_out", [
    ("What's the rating of Soundtrack?", "What is the rating of Soundtrack?"),
    ("Who's the creator of Soundtrack?", "Who is the creator of Soundtrack?"),
    ("Where's the bakery?", "Where is the bakery?"),
])
def test_contracted_question_words_match_the_spelled_out_question(contracted, spelled_out):
    assert analyse_question(contracted).content_words == analyse_question(spelled_out).content_words
    assert analyse_question(contracted).search_text == analyse_question(spelled_out).search_text


QUESTIONS = st.tuples(
    st.sampled_from(["Who", "What", "Which", "When", "Where", "Why", "How many", "How long", "Is", "Did", "Name", ""]),
    st.lists(st.sampled_from(["is", "the", "show", "Soundtrack", "plays", "Nellie's", "of", "episodes", "did", "Netflix",
                              "cancel", "year", "company", "\"Pennies From Heaven\"", "Raúl"]), max_size=8),
    st.sampled_from(["?", "", "."]),
).map(lambda parts: " ".join([parts[0], *parts[1]]).strip() + parts[2])


@settings(max_examples=300, deadline=None)
@given(QUESTIONS)
def test_property_content_words_exclude_question_words_when_others_exist(text):
    question = analyse_question(text)
    others = [w for w in question.content_words if w not in QUESTION_WORDS and w not in STOP_WORDS and w not in LIGHT_VERBS]
    if others:
        assert not set(question.content_words) & (QUESTION_WORDS | STOP_WORDS | LIGHT_VERBS)
    if text.strip(" ?."):
        assert question.search_text.strip()
    assert question.kind in {"who", "when", "where", "how_many", "how_long", "what", "which", "why", "yes_no", "keyword"}


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_property_any_text_is_analysed_without_error(text):
    question = analyse_question(text)
    assert isinstance(question.content_words, tuple)
