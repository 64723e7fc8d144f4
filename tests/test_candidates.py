"""search/candidates.py: the extractors chosen by the expected answer type find typed spans, each
with its source and the traits its form shows."""
from __future__ import annotations

from indexer.analysis import stemmed_terms
from search.candidates import EXTRACTORS, GENERAL, spans
from search.kinds import AnswerType
from search.questions import analyse_question
from search.spans import Asked, Unit


def found(question_text: str, sentence: str) -> list[tuple[str, AnswerType, str, dict]]:
    question = analyse_question(question_text)
    asked = Asked(question, {stem: 1.0 for stem in question.content_stems}, frozenset({"depot", "street"}))
    unit = Unit(sentence, 1, 1, stemmed_terms(sentence))
    return [(span.text, span.answer_type, span.source, span.traits) for span in spans(asked, unit)]


def test_every_answer_type_has_its_extractors_and_text_answers_also_get_clauses_and_windows():
    assert set(EXTRACTORS) == set(AnswerType)
    assert GENERAL["value"] == () and len(GENERAL["text"]) == 2


def test_a_yes_no_question_is_answered_by_verdicts_only_never_by_a_bare_clause():
    sentence = "They should be readable by anyone, and must not be world-writable."
    candidates = found("May maintainer scripts be world-writable?", sentence)
    assert candidates and {source for _, _, source, _ in candidates} == {"yes_no"}
    assert candidates[0][0] == "No: and must not be world-writable."


def test_people_are_names_not_places_or_ordinary_words():
    sentence = "The loaf was first baked by Mara Quist, who runs the bakery on Depot Street in Ashby Ridge."
    assert [text for text, _, source, _ in found("Who baked it?", sentence) if source == "person"] == ["Mara Quist"]


def test_a_name_is_made_of_whole_words_never_the_capitalised_start_of_one():
    people = [text for text, _, source, _ in found("Who maintains it?", "-- The Debian PostgreSQL maintainers, "
              "with Mara Quist of the iPhone team") if source == "person"]
    assert "Mara Quist" in people and not any("Postgre" in name or "Phone" in name for name in people)


def test_names_that_stand_joined_are_also_one_answer():
    people = [text for text, _, source, _ in found("Who keeps the archive?",
              "The archive is kept by Mara Quist and Ted Lowe, with some help from their friends over the years: "
              "the letters were sorted by Ana Lund, Bo Kim or Eli Roe in the early days.")
              if source == "person"]
    assert "Mara Quist and Ted Lowe" in people and "Ana Lund, Bo Kim or Eli Roe" in people
    assert {"Mara Quist", "Ted Lowe", "Ana Lund"} <= set(people)
    # names apart in the sentence are not joined
    apart = [text for text, _, source, _ in found("Who wrote it?", "Mara Quist wrote it before Ted Lowe edited it.")
             if source == "person"]
    assert apart == ["Mara Quist", "Ted Lowe"]


def test_a_cast_line_needs_a_person_as_its_actor():
    question = analyse_question("Who published it for the foundation?")
    asked = Asked(question, {stem: 1.0 for stem in question.content_stems}, frozenset({"general", "public", "license"}))

    def cast(sentence: str) -> list[str]:
        unit = Unit(sentence, 1, 1, stemmed_terms(sentence))
        return [span.text for span in spans(asked, unit) if span.source.startswith("cast")]

    assert cast("It is free under the General Public License as published by the foundation.") == []
    assert cast("It is free under Mara Quist as published by the foundation.") == ["Mara Quist"]
    played = analyse_question("Who plays the pager's author?")
    asked = Asked(played, {stem: 1.0 for stem in played.content_stems}, frozenset())
    unit = Unit("Mara Quist as the pager's author, and Ted Lowe as its critic.", 1, 1, [])
    assert [span.text for span in spans(asked, unit) if span.source == "cast_actor"] == ["Mara Quist"]


def test_who_may_be_answered_by_an_organisation_as_well_as_a_person():
    sentence = "The copyright is held by the Lantern Weavers Guild since the first edition."
    spans = found("Who holds the copyright?", sentence)
    assert ("Lantern Weavers Guild", AnswerType.ORGANISATION, "organisation") in [span[:3] for span in spans]


def test_where_in_technical_text_may_be_answered_by_a_path():
    paths = [text for text, _, source, _ in found("Where are the spool files kept?",
                                                  "Spool files are kept in /var/spool/quill until sent.")
             if source == "code_form"]
    assert paths == ["/var/spool/quill"]


def test_how_long_shows_the_number_with_what_it_measures():
    lengths = [text for text, _, source, _ in found("How long may a summary line be?",
                                                    "A summary line should be under 72 characters; a 16-byte header.")
               if source == "number"]
    assert lengths == ["under 72 characters", "16-byte"]


def test_a_number_keeps_the_word_that_says_how_exact_it_is():
    counts = {text: traits["qualified"] for text, _, source, traits in
              found("How many servers may be listed?", "Up to MAXNS (currently 3) may be; about 110 remain, 4 spare.")}
    assert counts == {"currently 3": 1.0, "about 110": 1.0, "4": 0.0}


def test_a_version_is_shown_with_what_it_versions_but_not_with_a_preposition():
    sentence = "Support was removed in adduser 3.125, dropped in 3.126 and is planned for version 4.0-1."
    found_versions = [candidate for candidate in found("In which version was support removed from adduser?", sentence)
                      if candidate[2] == "version"]
    assert found_versions == [
        ("adduser 3.125", AnswerType.VERSION, "version", {"named": 1.0, "of_asked": 1.0}),
        ("3.126", AnswerType.VERSION, "version", {"named": 0.0, "of_asked": 0.0}),
        ("version 4.0-1", AnswerType.VERSION, "version", {"named": 1.0, "of_asked": 0.0})]
    assert ("3.10", AnswerType.VERSION, "version", {"named": 0.0, "of_asked": 0.0}) in found("When was total() added?", "Added in 3.10.")
    assert not [text for text, *_ in found("When was 1.9 released?", "Released in 2018 as 1.9.1.") if text == "1.9.1"]


def test_a_year_alone_is_marked_as_such():
    dates = {text: traits for text, _, _, traits in found("When did it open?", "It opened in 2019, on March 4, 2019.")}
    assert dates["March 4, 2019"]["year_only"] == 0.0 and dates["2019"]["year_only"] == 1.0


def test_a_number_shows_the_counted_noun_the_question_asks_about():
    text, _, source, traits = found("How many episodes were ordered?", "Netflix ordered ten episodes in 2018.")[0]
    assert (text, source, traits["counted_noun"]) == ("ten episodes", "number", 1.0)


def test_only_a_sum_of_money_answers_a_price():
    assert [text for text, *_ in found("How much did the loaf cost?", "The loaf cost $4.50 and took two days.")] == ["$4.50"]


def test_a_quoted_title_given_as_an_example_is_marked():
    title = found("Which shows did Fox air?", "Fox aired shows like “Proven Innocent” and others.")[0]
    assert title[:3] == ("Proven Innocent", AnswerType.TITLE, "quoted_title") and title[3]["example_of_kind"] == 1.0


def test_a_reason_question_gets_the_reason_clause_and_windows_of_the_sentence():
    sources = {source: text for text, _, source, _ in found(
        "Why was the garden closed?", "The garden was closed in May, because the creek flooded the beds.")}
    assert sources["reason"].startswith("because the creek flooded")
    assert "sentence" in sources and "clause" in sources


def test_an_identifier_question_gets_the_names_in_code():
    names = [text for text, _, source, _ in found("Which function strips the indentation?",
                                                  "Use :func:`textwrap.dedent` or ``str.strip``.") if source == "marked_code"]
    assert names == ["textwrap.dedent", "str.strip"]


def test_a_count_is_shown_with_what_it_counts_when_the_text_says_so():
    texts = {text for text, *_ in found("How many people contributed?", "The release had 40 contributors and about 110 remain.")}
    assert "40 contributors" in texts and "about 110" in texts


def test_how_many_times_is_counted_by_once_and_twice_too():
    texts = {text for text, *_ in found("How many times is a module imported?", "A module is imported only once per session.")}
    assert "once" in texts
    assert "once" not in {text for text, *_ in found("How many modules are there?", "Once imported, 3 modules stay.")}
