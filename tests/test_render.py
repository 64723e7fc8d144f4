"""search/render.py: text for terminals, Markdown for notes, JSON for programs; all from one Response."""
from __future__ import annotations

import json
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indexer.analysis import stemmed_terms
from search.render import FORMATS, render, render_json, render_markdown, render_text
from search.response import Answer, Conflict, Hit, Response, SourceRef
from search.snippets import MatchTerms, cut_snippet

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def make_hit(rank: int = 1, text: str = "Jenna Dewan as Joanna Kassem, a former struggling dancer", terms: str = "Joanna dancer",
             path: str = "seeds/003_77ca1b77362e00a9.txt", line: int = 33, section: str | None = "Cast and characters › Main",
             also_in: list[SourceRef] | None = None) -> Hit:
    snippet, highlights = cut_snippet(text, MatchTerms(frozenset(stemmed_terms(terms))))
    return Hit(rank=rank, score=1.0, path=path, title="Soundtrack (TV series)", section=section, line_start=line,
               line_end=line, text=text, snippet=snippet, highlights=highlights, kind="list_item", also_in=also_in or [])


ANSWER = Answer(text="Jenna Dewan", confidence=0.93, sentence="- Jenna Dewan as Joanna Kassem,\n a former dancer",
                path="seeds/003_77ca1b77362e00a9.txt", line_start=33, line_end=33, answer_type="person")


def make_response(**overrides) -> Response:
    values = dict(query="Who plays Joanna Kassem?", results=[make_hit()], total=1, took_ms=3.2, answer=ANSWER,
                  question_type="who")
    values.update(overrides)
    return Response(**values)


# -- text ------------------------------------------------------------------------------------------


def test_text_without_colour_has_no_escape_codes():
    output = render_text(make_response(suggestion="Who plays Joanna Kassem?", notices=["partial"]), color=False)
    assert not ANSI.search(output) and "\x1b" not in output


def test_text_with_colour_has_escape_codes_and_the_same_words():
    response = make_response()
    coloured = render_text(response, color=True)
    assert ANSI.search(coloured)
    assert ANSI.sub("", coloured) == render_text(response, color=False)


def test_text_shows_answer_confidence_and_citation_before_the_passages():
    output = render_text(make_response())
    lines = output.splitlines()
    answer_line = next(i for i, line in enumerate(lines) if line.startswith("Answer: Jenna Dewan"))
    assert "(confidence 93%)" in lines[answer_line]
    citation_line = next(i for i, line in enumerate(lines) if "seeds/003_77ca1b77362e00a9.txt:L33-L33" in line)
    first_passage = next(i for i, line in enumerate(lines) if line.startswith("1. "))
    assert answer_line < citation_line < first_passage
    assert "“- Jenna Dewan as Joanna Kassem, a former dancer”" in output  # the sentence, folded


def test_text_says_when_the_documents_do_not_answer():
    output = render_text(make_response(answer=None))
    assert output.splitlines()[0].startswith("No answer")


def test_keyword_search_without_results():
    output = render_text(make_response(answer=None, results=[], total=0, question_type="keyword"))
    assert "No passages match." in output and "No answer" not in output


def test_text_lists_every_source_of_a_conflict():
    conflict = Conflict("44%", "approval rating of 44%", "seeds/003_77ca1b77362e00a9.txt", 64, 64)
    answer = Answer("38%", 0.7, "holding a 38% rating", "seeds/000_f5129d3ef6b11721.txt", 15, 15, "number")
    output = render_text(make_response(answer=answer, conflicts=[conflict]))
    assert "Sources disagree" in output
    assert "38% — seeds/000_f5129d3ef6b11721.txt:L15-L15" in output
    assert "44% — seeds/003_77ca1b77362e00a9.txt:L64-L64" in output


def test_text_shows_the_suggestion_and_duplicate_sources():
    hit = make_hit(also_in=[SourceRef("seeds/001_181282d05fb4556f.txt", 60, 60)])
    output = render_text(make_response(results=[hit], suggestion="Who plays Joanna Kassem?"))
    assert "Showing results for: Who plays Joanna Kassem? (search instead for: Who plays Joanna Kassem?, with --exact)" \
        in output
    assert "also in seeds/001_181282d05fb4556f.txt:L60-L60" in output


def test_text_heading_has_rank_title_section_and_citation():
    output = render_text(make_response(answer=None, question_type="keyword"))
    assert "1. Soundtrack (TV series) › Cast and characters › Main  seeds/003_77ca1b77362e00a9.txt:L33-L33" in output


# -- Markdown --------------------------------------------------------------------------------------


def parse_markdown_inline(text: str) -> tuple[str, list[str]]:
    """Undo our Markdown: backslash escapes become the character, `**x**` becomes x (listed)."""
    plain, bold, index, inside, current = [], [], 0, False, []
    while index < len(text):
        if text[index] == "\\" and index + 1 < len(text):
            (current if inside else plain).append(text[index + 1])
            if inside:
                plain.append(text[index + 1])
            index += 2
        elif text.startswith("**", index):
            if inside:
                bold.append("".join(current))
                current = []
            inside = not inside
            index += 2
        else:
            if inside:
                current.append(text[index])
            plain.append(text[index])
            index += 1
    assert not inside, "unbalanced bold markers"
    return "".join(plain), bold


def test_markdown_quotes_each_passage_bolds_matches_and_cites_lines():
    output = render_markdown(make_response(answer=None, question_type=None))
    lines = output.splitlines()
    assert all(line.startswith(">") for line in lines)
    assert "**Joanna**" in output and "**dancer**" in output
    assert lines[-1] == "> — *Soundtrack (TV series)*, Cast and characters › Main, `seeds/003_77ca1b77362e00a9.txt:L33-L33`"


def test_markdown_answer_comes_first_with_its_citation():
    output = render_markdown(make_response())
    assert output.startswith("**Q:** Who plays Joanna Kassem?")
    assert "**A:** Jenna Dewan _(confidence 93%)_" in output
    assert output.index("`seeds/003_77ca1b77362e00a9.txt:L33-L33`") < output.index("**Joanna**")


def test_markdown_links_citations_when_given_a_link_builder():
    output = render_markdown(make_response(answer=None, question_type=None), link=lambda path, start, end: f"/doc/{path}#L{start}-L{end}")
    assert "[`seeds/003_77ca1b77362e00a9.txt:L33-L33`](/doc/seeds/003_77ca1b77362e00a9.txt#L33-L33)" in output


def test_markdown_escapes_characters_that_would_change_the_rendering():
    text = "Use *stars*, _under_ and `ticks` | pipes # hash [link](x) <b> \\ back"
    hit = make_hit(text=text, terms="stars pipes")
    output = render_markdown(make_response(answer=None, results=[hit], question_type=None))
    body = output.splitlines()[0][2:]
    plain, bold = parse_markdown_inline(body)
    assert plain == hit.snippet
    assert bold == ["stars", "pipes"]


def test_markdown_for_no_results():
    output = render_markdown(make_response(answer=None, results=[], total=0, query="lantern_*", question_type=None))
    assert output == "_No passages match “lantern\\_\\*”._"


def test_markdown_for_an_unanswered_question_keeps_the_question_and_says_so():
    output = render_markdown(make_response(answer=None, query="Who won an Emmy?", suggestion="Who won an Emmy?"))
    parts = output.split("\n\n")
    assert parts[0] == "_Showing results for “Who won an Emmy?”; search instead for “Who won an Emmy?”._"
    assert parts[1] == "**Q:** Who won an Emmy?  \n**A:** _No answer: the documents do not say (closest passages below)._"
    assert parts[2].startswith("> ")


def test_markdown_answer_names_the_document_it_cites():
    output = render_markdown(make_response())
    assert "> — *Soundtrack (TV series)*, `seeds/003_77ca1b77362e00a9.txt:L33-L33`" in output


def test_text_counts_say_which_page_of_how_many():
    hits = [make_hit(rank=11), make_hit(rank=12)]
    assert render_text(make_response(results=hits, total=30, offset=10)).endswith("11–12 of 30 passages, 3.2 ms")
    assert render_text(make_response(total=1)).endswith("1 passage, 3.2 ms")


def test_a_page_past_the_last_says_where_the_passages_are():
    output = render_text(make_response(results=[], total=14, offset=20, answer=None, question_type=None))
    assert output.splitlines()[0] == "No more passages: all 14 come before offset 20."


def test_an_unsettled_question_says_nothing_of_an_answer():
    output = render_text(make_response(answer=None, settled=False))
    assert "No answer" not in output and "Answer:" not in output


def test_markdown_lists_conflicting_sources():
    conflict = Conflict("44%", "approval rating of 44%", "seeds/003_77ca1b77362e00a9.txt", 64, 64)
    output = render_markdown(make_response(conflicts=[conflict]))
    assert "**Another source says:** 44% — `seeds/003_77ca1b77362e00a9.txt:L64-L64`" in output


PIECES = st.sampled_from(["lantern", "parade", "*", "**", "_", "`", "\\", "[", "]", "<", ">", "#", "|", " ", "x", "Nellie's", "é"])


@settings(max_examples=300, deadline=None)
@given(st.lists(PIECES, min_size=1, max_size=40).map("".join))
def test_property_markdown_shows_the_snippet_exactly_with_matches_in_bold(text):
    if not text.strip():
        return
    hit = make_hit(text=text, terms="lantern parade nellie")
    body = render_markdown(make_response(answer=None, results=[hit], question_type=None)).split("\n>\n")[0][2:]
    plain, bold = parse_markdown_inline(body)
    assert plain == hit.snippet
    assert bold == [hit.snippet[start:end] for start, end in hit.highlights]


# -- JSON and dispatch -------------------------------------------------------------------------------


def test_json_is_the_response_dictionary():
    response = make_response(conflicts=[Conflict("44%", "s", "p.txt", 1, 2)])
    assert json.loads(render_json(response)) == response.to_dict()
    assert "Kassem" in render_json(response)  # not \\u-escaped


@pytest.mark.parametrize("output_format", FORMATS)
def test_render_dispatches_on_each_format(output_format):
    assert render(make_response(), output_format)


def test_an_unknown_format_lists_the_valid_ones():
    with pytest.raises(ValueError) as caught:
        render(make_response(), "html")
    for name in FORMATS:
        assert name in str(caught.value)


def test_renderers_show_the_engine_response_unchanged(engine):
    response = engine.ask("Who plays Joanna Kassem?")
    text = render_text(response)
    for hit in response.results:
        assert hit.citation in text
        assert hit.snippet in text
    markdown = render_markdown(response)
    assert markdown.count("> — ") == len(response.results) + (1 if response.answer else 0)
