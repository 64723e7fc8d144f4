"""search/phrases.py: definitions, reasons, the clause that answers, windows of a long sentence,
and cutting an answer short."""
from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from indexer.analysis import stem, stemmed_terms
from search.kinds import AnswerType
from search.phrases import (MAX_ANSWER_CHARS, clauses, cut_at_word, definitions, events, quoted_phrases, reasons,
                            sentence_pieces, shorten, shown_length, whole_last_word, windows)
from search.questions import analyse_question
from search.spans import Asked, Span, Unit


def asked(question: str, *words: str) -> Asked:
    return Asked(analyse_question(question), {stem(word): 1.0 for word in words}, frozenset())


def unit(text: str) -> Unit:
    return Unit(text, 1, 1, stemmed_terms(text))


def test_a_definition_is_what_the_text_says_the_name_is():
    (span,) = definitions(asked("What is the Depot Loaf?"), unit("The Depot Loaf is a rye and wheat sourdough baked daily."))
    assert span.text == "a rye and wheat sourdough baked daily"
    assert span.traits["copula"] == 1.0


def test_an_appositive_defines_too_and_an_unrelated_name_does_not():
    (span,) = definitions(asked("What is EAFP?"), unit("EAFP (easier to ask for forgiveness than permission) is a style."))
    assert span.text.startswith("easier to ask for forgiveness")
    assert list(definitions(asked("What is EAFP?"), unit("LBYL is a style of checking first."))) == []


def test_a_reason_is_the_clause_its_marker_opens():
    text = "The garden was closed because the creek flooded the beds; it reopened in June."
    (span,) = reasons(asked("Why was the garden closed?", "garden", "closed"), unit(text))
    assert span.text == "because the creek flooded the beds"
    assert span.traits["after_question_words"] == 1.0


def test_since_a_version_or_a_year_says_when_not_why():
    why = asked("Why was the option removed?", "option", "removed")
    for text in ("The option (since glibc 2.3.4 to glibc 2.24) was removed in glibc 2.25 for good.",
                 "The option was removed, and nothing has replaced it since the 1990s or since then."):
        assert list(reasons(why, unit(text))) == []
    (span,) = reasons(why, unit("The option was removed since it relied on an extension nobody deployed."))
    assert span.text == "since it relied on an extension nobody deployed"


def test_a_reason_across_indented_lines_is_cut_by_what_it_shows_not_by_its_indent():
    # As a man page is typeset: each line indented; the clause shows in under 120 characters.
    indent = "\n" + " " * 14
    text = indent.join(["This option was removed in glibc 2.25, since it", "relied on a backward-incompatible",
                        "DNS extension that was", "never deployed on the", "Internet."])
    why = asked("Why was the option removed?", "option", "removed")
    (span,) = reasons(why, unit(text))
    assert span.text.endswith("never deployed on the Internet")
    # A clause too long to show is still cut at a word's end, within the limit.
    long_reason = "It was removed because " + indent.join(["the old resolver code read every reply"] * 5) + "."
    (span,) = reasons(why, unit(long_reason))
    assert shown_length(span.text) <= MAX_ANSWER_CHARS
    assert span.text.split()[-1] in "the old resolver code read every reply".split()


def test_reasons_given_without_because_open_a_reason_too():
    why = asked("Why should the old format be avoided?", "old", "format", "avoided")
    expected = {
        "The old format should be avoided, as it cannot hold dates after 2038.": "as it cannot hold dates after 2038",
        "The old format is refused for security reasons: it trusts every length it reads.":
            "for security reasons: it trusts every length it reads",
        "Only signed files are read; this is done to keep the old format out.": "to keep the old format out",
        "Keep the new format. This ensures that old readers fail loudly.": "This ensures that old readers fail loudly",
        # a hard-wrapped line may break and indent between a cue's words
        "The old format should be avoided,\n       as it cannot hold dates after 2038.": "as it cannot hold dates after 2038",
        "Files are signed so\n   that no reader trusts a length it did not check.":
            "so that no reader trusts a length it did not check",
    }
    for text, reason in expected.items():
        assert [span.text for span in reasons(why, unit(text))] == [reason], text
        (span,) = reasons(why, unit(text))
        assert text[span.start:].startswith(reason.split()[0]), text  # the span starts at its marker
    # "as" comparing or in "such as" / "as well as" is no reason
    for text in ("Formats such as the old one, as well as the new, are read.", "It works as the old format did."):
        assert list(reasons(why, unit(text))) == [], text


def test_the_clause_covering_the_question_is_the_answer():
    text = "In May, the garden was closed because the creek flooded the beds; it reopened in June."
    (span,) = clauses(asked("Why was the garden closed?", "garden", "closed"), unit(text))
    assert "garden was closed because the creek flooded the beds" in span.text
    assert list(clauses(asked("Who baked bread?", "baker"), unit(text))) == []


def test_a_short_sentence_is_its_own_window_and_a_long_one_is_cut_at_its_clauses():
    short = "The fair opens at nine."
    assert [span.source for span in windows(asked("When does the fair open?", "fair"), unit(short))] == ["sentence"]
    long = ("The archive keeps every letter the society received since its founding, " * 2) + "and a catalogue of them."
    spans = list(windows(asked("What does the archive keep?", "archive", "keep"), unit(long)))
    assert spans[0].source == "window_start" and spans[0].start == 0
    assert all(shown_length(span.text) <= MAX_ANSWER_CHARS for span in spans)
    assert any(span.source == "window_clause" for span in spans)
    # a window says whether it runs to the sentence's end: the first is cut, the last is not
    assert spans[0].traits["complete"] == 0.0
    last_clause = [span for span in spans if span.source == "window_clause"][-1]
    assert last_clause.traits["complete"] == 1.0 and last_clause.text.endswith("a catalogue of them.")


def test_a_window_starts_at_a_word_not_at_what_ends_the_words_before_it():
    # After the question's words ("... as red") the window starts at "This", not at the full stop;
    # a sentence split inside a parenthesis starts at "and", not at ")".
    text = ("GNU ed runs in restricted mode if invoked as red. This limits editing of files to the local directory "
            "and prohibits shell commands, which keeps a restricted account from leaving it.")
    spans = list(windows(asked("What is red?", "red"), unit(text)))
    after = [span for span in spans if span.source == "window_after_question"]
    assert after and after[0].text.startswith("This limits") and text[after[0].start:].startswith("This")
    split = "), and (h) the addition of the special variable last that is assigned the value of each print " * 2
    assert all(span.text[:1].isalnum() for span in windows(asked("What is last?", "last"), unit(split)))


def test_a_quoted_phrase_gets_a_window_around_it_in_a_long_sentence():
    long = ("The society's early minutes list every donor and every gift in order, " * 2
            + "and the treasurer called the second ledger a careful muddle before the fire of that winter took it.")
    spans = [span for span in windows(asked('"careful muddle"', "care", "muddl"), unit(long))
             if span.source == "window_around_phrase"]
    assert len(spans) == 1 and "careful muddle" in spans[0].text
    assert shown_length(spans[0].text) <= MAX_ANSWER_CHARS and long[spans[0].start - 1] == " "


def test_a_phrase_window_never_starts_after_the_phrase():
    text = "x" * 200 + "“careful muddle” and the rest of the ledger"
    spans = [span for span in windows(asked('"careful muddle"', "care", "muddl"), unit(text))
             if span.source == "window_around_phrase"]
    assert len(spans) == 1 and "careful muddle" in spans[0].text


def test_the_phrases_asked_for_are_those_the_query_parser_reads():
    assert quoted_phrases('“careful muddle” -"second ledger" title:"old minutes"') == ("careful muddle",)


def test_cut_at_word_never_splits_a_word():
    assert cut_at_word("alpha beta gamma", limit=12) == "alpha beta"


def test_a_short_answer_is_never_longer_than_the_limit_and_keeps_whole_words():
    text = "word " * 60
    short = shorten(text)
    assert len(short) <= MAX_ANSWER_CHARS and short.endswith("word…")


@given(st.text(alphabet=st.characters(codec="utf-8", categories=["L", "Zs", "P", "No"]), max_size=400))
def test_shorten_and_cut_at_word_keep_to_the_limit_as_nfkc_counts_it(text):
    assert shown_length(shorten(text)) <= MAX_ANSWER_CHARS
    assert shown_length(cut_at_word(text)) <= MAX_ANSWER_CHARS


def test_the_ellipsis_and_ligatures_count_as_they_read_after_nfkc():
    """NFKC reads "…" as "..." and "ﬁ" as "fi": an answer cut to 120 characters with an ellipsis
    would be 122 to a reader that folds them, and no longer a short answer."""
    text = "The ﬁrst ﬁeld ﬁlls the ﬁle. " * 10
    short = shorten(text)
    assert short.endswith("…") and shown_length(short) <= MAX_ANSWER_CHARS
    assert shown_length(cut_at_word("ﬁ" * 80 + " end")) <= MAX_ANSWER_CHARS
    assert shown_length("a…") == 4


def test_a_span_ending_in_a_word_broken_across_lines_takes_the_whole_word_or_leaves_it():
    text = "the non-\n   blocking mode of a socket and a setting Au\u2010\n    thority"
    end = text.index("-\n")
    joined = whole_last_word(Span("the non", AnswerType.DEFINITION, 0, end, "clause"), text)
    assert joined.text == "the non-blocking" and text[joined.end - 8 : joined.end] == "blocking"
    end = text.index("\u2010")
    assert whole_last_word(Span("a setting Au", AnswerType.DEFINITION, 0, end, "clause"), text).text == "a setting Authority"
    long = "word " * 23 + "Au"  # 117 characters: the whole word would not fit in a short answer
    cut = whole_last_word(Span(long, AnswerType.DEFINITION, 0, len(long), "clause"), long + "\u2010\n thority")
    assert cut.text == ("word " * 23).strip()
    whole = Span("a setting", AnswerType.DEFINITION, 0, 9, "clause")
    assert whole_last_word(whole, "a setting and more") is whole


def test_when_something_happens_is_the_clause_its_event_word_opens():
    when = asked("When is the cleanup script called?", "cleanup", "script", "called")
    text = "The cleanup script is called after the\n   package's files have been removed or replaced."
    (span,) = events(when, unit(text))
    assert span.source == "event" and span.text == "after the package's files have been removed or replaced"
    condition = "If every writer has closed the pipe, then a read sees end-of-file."
    assert [span.text for span in events(when, unit(condition))] == [
        "If every writer has closed the pipe, then a read sees end-of-file"]


def test_a_question_about_a_past_occurrence_gets_no_condition():
    text = "Version 1.9 was released after the build system was rewritten."
    assert [span.text for span in events(asked("When is version 1.9 released?", "version", "released"), unit(text))]
    for question in ("When was version 1.9 released?", "when did version 1.9 come out", "When were they released?",
                     "What date is version 1.9 released?"):
        assert list(events(asked(question, "version", "released"), unit(text))) == []


def test_a_term_legal_text_defines_in_quotes_gets_its_definition_without_stray_quotes():
    text = '"Owner" shall mean the person or group that holds the rights in the Work and grants these terms.'
    (span,) = definitions(asked("What does Owner mean?", "owner"), unit(text))
    assert span.text == "the person or group that holds the rights in the Work and grants these terms"
    long = text[:-1] + ", whether or not the Work was first published by that person, group or anyone acting for them."
    after = [s for s in windows(asked("What is an Owner?", "owner"), unit(long)) if s.source == "window_after_question"]
    assert after and after[0].text.startswith("shall mean")  # not at the quote that closes the term
    quoted_first = '"The Work" means any creative material released under these terms ' + "and kept " * 12
    around = [s for s in windows(asked('What does "the Work" cover?', "work"), unit(quoted_first))
              if s.source == "window_around_phrase"]
    assert around and around[0].text.startswith('"The Work" means')  # the phrase as the text quotes it


def test_the_brackets_of_code_break_no_clause():
    text = "Call getopt() or f(x) now (or later), then read argv[1] [sic]."
    pieces = [text[start:end].strip() for start, end, _ in sentence_pieces(text)]
    assert pieces == ["Call getopt() or f(x) now", "or later", "then read argv[1]", "sic", "."]


def test_a_clause_never_ends_inside_a_word_at_its_colon_or_comma():
    for text, pieces in [("use Term::ReadKey to read it, then restore the mode",
                          ["use Term::ReadKey to read it", "then restore the mode"]),
                         ("Strawberry Perl <http://strawberryperl.com/> and ActivePerl bundle one",
                          ["Strawberry Perl <http://strawberryperl.com/> and ActivePerl bundle one"]),
                         ("it costs 1,000 dollars: more than before", ["it costs 1,000 dollars", "more than before"]),
                         ("lists are slow for insert(0, v) and pop(0), deques are not",
                          ["lists are slow for insert(0, v) and pop(0)", "deques are not"])]:
        assert [text[start:end] for start, end, _ in sentence_pieces(text)] == pieces
