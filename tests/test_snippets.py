"""search/snippets.py: excerpts cut around the best match, with highlight offsets on whole words."""
from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from indexer.analysis import TOKEN_PATTERN, stem, stemmed_terms
from search.snippets import ELLIPSIS, MAX_SNIPPET_CHARS, MatchTerms, cut_snippet, fold_whitespace, match_spans

TOKEN = re.compile(TOKEN_PATTERN)


def terms_for(text: str, corrections: tuple[str, ...] = ()) -> MatchTerms:
    return MatchTerms(frozenset(stemmed_terms(text)), frozenset(corrections))


def highlighted(snippet: str, highlights) -> list[str]:
    return [snippet[start:end] for start, end in highlights]


def assert_highlights_are_whole_matched_words(snippet: str, highlights, terms: MatchTerms) -> None:
    previous_end = 0
    for start, end in highlights:
        assert 0 <= previous_end <= start < end <= len(snippet), (start, end, len(snippet))
        run = snippet[start:end]
        words = run.split()
        assert all(TOKEN.fullmatch(word) for word in words), f"{run!r} is not a run of whole words"
        assert all(terms.matches(word) for word in words)
        assert start == 0 or not snippet[start - 1].isalnum(), "highlight starts inside a word"
        assert end == len(snippet) or not snippet[end].isalnum(), "highlight ends inside a word"
        previous_end = end


# -- examples -------------------------------------------------------------------------------------


def test_a_short_passage_is_the_whole_snippet_with_its_matches():
    snippet, highlights = cut_snippet("Jenna Dewan as Joanna Kassem,\n a former dancer", terms_for("Joanna dancer"))
    assert snippet == "Jenna Dewan as Joanna Kassem, a former dancer"
    assert highlighted(snippet, highlights) == ["Joanna", "dancer"]


def test_stemmed_forms_and_possessives_are_highlighted():
    snippet, highlights = cut_snippet("Netflix canceled it; Nellie's cancellation was sad.", terms_for("cancel nellie"))
    assert highlighted(snippet, highlights) == ["canceled", "Nellie's cancellation"]


def test_corrected_words_are_highlighted_as_written():
    snippet, highlights = cut_snippet("Madeleine Stowe joined the cast.", MatchTerms(frozenset(), frozenset({"stowe"})))
    assert highlighted(snippet, highlights) == ["Stowe"]


def test_no_match_gives_no_highlights():
    snippet, highlights = cut_snippet("Nothing to see here.", terms_for("lantern"))
    assert (snippet, highlights) == ("Nothing to see here.", [])


def test_a_match_inside_a_word_is_not_highlighted():
    snippet, highlights = cut_snippet("Soundtracks and a track list.", terms_for("track"))
    assert highlighted(snippet, highlights) == ["track"]


def test_a_long_passage_is_cut_around_the_match_with_ellipses():
    before = " ".join(f"alpha{i}" for i in range(80))
    after = " ".join(f"omega{i}" for i in range(80))
    text = f"{before} the lantern parade starts at nine {after}"
    snippet, highlights = cut_snippet(text, terms_for("lantern parade"))
    assert snippet.startswith(ELLIPSIS) and snippet.endswith(ELLIPSIS)
    assert len(snippet) <= MAX_SNIPPET_CHARS + 2 * len(ELLIPSIS)
    assert highlighted(snippet, highlights) == ["lantern parade"]
    assert not snippet[len(ELLIPSIS):].startswith(" ") and " " not in snippet[-2:]


def test_a_match_near_the_start_keeps_the_start_without_an_ellipsis():
    text = "Lantern " + " ".join(f"word{i}" for i in range(100))
    snippet, highlights = cut_snippet(text, terms_for("lantern"))
    assert not snippet.startswith(ELLIPSIS) and snippet.endswith(ELLIPSIS)
    assert highlighted(snippet, highlights) == ["Lantern"]


def test_a_match_near_the_end_keeps_the_end_without_an_ellipsis():
    text = " ".join(f"word{i}" for i in range(100)) + " lantern."
    snippet, highlights = cut_snippet(text, terms_for("lantern"))
    assert snippet.startswith(ELLIPSIS) and not snippet.endswith(ELLIPSIS)
    assert snippet.endswith("lantern.")
    assert highlighted(snippet, highlights) == ["lantern"]


def test_the_window_prefers_the_densest_run_of_distinct_matches():
    filler = " ".join(f"filler{i}" for i in range(60))
    text = f"lantern alone here. {filler} lantern parade at the pier tonight. {filler}"
    snippet, highlights = cut_snippet(text, terms_for("lantern parade pier"))
    assert set(highlighted(snippet, highlights)) == {"lantern parade", "pier"}


def test_adjacent_matches_are_one_mark_and_a_phrase_is_marked_whole():
    text = "Inspired by Pennies From Heaven, and from a heaven of pennies."
    phrase = MatchTerms(frozenset(), phrases=(tuple(stemmed_terms("pennies from heaven")),))
    assert [text[s:e] for s, e in match_spans(text, phrase)] == ["Pennies From Heaven"]
    words = terms_for("pennies heaven")
    assert [text[s:e] for s, e in match_spans(text, words)] == ["Pennies", "Heaven", "heaven", "pennies"]
    cast = "Jenna Dewan as Joanna Kassem, a"
    assert [cast[s:e] for s, e in match_spans(cast, terms_for("joanna kassem"))] == ["Joanna Kassem"]


def test_no_match_in_a_long_passage_shows_its_start():
    text = " ".join(f"word{i}" for i in range(100))
    snippet, highlights = cut_snippet(text, terms_for("lantern"))
    assert snippet.startswith("word0 ") and snippet.endswith(ELLIPSIS) and highlights == []


def test_whitespace_is_folded():
    assert fold_whitespace("  a\n\tb   c \r\n") == "a b c"


# Every character Python counts as white space (str.isspace, and the regular expressions' \s).
WHITE_SPACE = "".join(chr(code) for code in range(0x3100) if chr(code).isspace())


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(WHITE_SPACE + "ab.\u2010\u00ad"), max_size=40))
def test_whitespace_folds_as_the_pattern_of_any_white_space_would(text):
    from indexer.analysis import join_typeset_breaks
    assert fold_whitespace(text) == re.sub(r"\s+", " ", join_typeset_breaks(text)).strip()


def test_match_spans_are_offsets_into_the_text():
    text = "The Lanterns of Port Alder"
    assert [text[s:e] for s, e in match_spans(text, terms_for("lantern alder"))] == ["Lanterns", "Alder"]


def test_snippet_text_is_the_passage_text():
    text = "On the 10-episode series, Dewan played Joanna Kassem, a former struggling dancer-turned-social worker."
    snippet, _ = cut_snippet(text, terms_for("kassem"), max_chars=40)
    assert snippet.strip(ELLIPSIS) in fold_whitespace(text)


# -- properties -------------------------------------------------------------------------------------

WORD = st.sampled_from([
    "lantern", "Lanterns", "parade", "pier", "the", "at", "Nellie's", "O’Brien", "café", "x", "a-b", "4.83/10",
    "“quoted”", "—", "(note)", "verylongwordwithoutanyspacesatallinsideit", "Raúl",
])
SPACE = st.sampled_from([" ", "  ", "\n", "\t", " \r\n "])
TEXTS = st.lists(st.tuples(WORD, SPACE), max_size=150).map(lambda pairs: "".join(w + s for w, s in pairs))
QUERIES = st.lists(st.sampled_from(["lantern", "parade", "pier", "nellie", "o'brien", "cafe", "raul", "quoted"]), min_size=1, max_size=3)


@settings(max_examples=400, deadline=None)
@given(TEXTS, QUERIES, st.integers(min_value=60, max_value=300))
def test_property_highlights_land_on_matched_words_and_snippets_are_bounded(text, query, width):
    terms = terms_for(" ".join(query))
    snippet, highlights = cut_snippet(text, terms, max_chars=width)
    folded = fold_whitespace(text)
    assert len(snippet) <= width + 2 * len(ELLIPSIS)
    assert_highlights_are_whole_matched_words(snippet, highlights, terms)
    body = snippet
    if body.startswith(ELLIPSIS) and not folded.startswith(ELLIPSIS):
        body = body[len(ELLIPSIS):]
    if body.endswith(ELLIPSIS) and not folded.endswith(ELLIPSIS):
        body = body[: -len(ELLIPSIS)]
    assert body in folded, "a snippet is a slice of the passage"
    if len(folded) <= width:
        assert snippet == folded
        assert len(highlights) == len(match_spans(folded, terms))
    # Every matched word inside the shown slice is highlighted, none is missed.
    offset = folded.index(body)
    shown = [(s - offset, e - offset) for s, e in match_spans(folded, terms) if s >= offset and e <= offset + len(body)]
    shift = snippet.index(body)
    assert [(s - shift, e - shift) for s, e in highlights] == shown


@settings(max_examples=300, deadline=None)
@given(TEXTS, QUERIES)
def test_property_a_passage_with_a_match_shows_a_match(text, query):
    terms = terms_for(" ".join(query))
    if not match_spans(fold_whitespace(text), terms):
        return
    _, highlights = cut_snippet(text, terms)
    assert highlights


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=400), st.text(max_size=20))
def test_property_any_text_and_terms_are_safe(text, query):
    terms = MatchTerms(frozenset(stem(word) for word in query.lower().split()), frozenset(query.lower().split()))
    snippet, highlights = cut_snippet(text, terms)
    assert len(snippet) <= MAX_SNIPPET_CHARS + 2 * len(ELLIPSIS)
    for start, end in highlights:
        assert 0 <= start < end <= len(snippet)


WORD_POOL = ["Running", "runs", "ran", "Nellie's", "O’Brien", "didn't", "Raúl", "raul", "Émile", "émigré", "skies", "sky",
             "Dying", "die", "yelled", "Yoga", "_private", "__init__", "4.83", "2023", "ß", "Straße", "İstanbul", "ﬁle",
             "Öl", "östlich", "classes", "Class", "naïve", "'quoted'", "x", "I", "is"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(WORD_POOL), min_size=1, max_size=25), st.lists(st.sampled_from(WORD_POOL), max_size=4),
       st.lists(st.sampled_from(WORD_POOL), max_size=2))
def test_a_token_matches_as_matchterms_says_though_most_are_never_analysed(words, query, corrections):
    """match_spans analyses only tokens that begin as a stem or word of the terms does; every
    token it leaves unanalysed is one MatchTerms.matches (which analyses each) does not match."""
    from search.snippets import _matched_tokens

    text = " ".join(words)
    terms = terms_for(" ".join(query), tuple(w.lower() for w in corrections))
    expected = [token.span() for token in TOKEN.finditer(text) if terms.matches(token.group())]
    assert [token.span() for token in _matched_tokens(text, terms)] == expected


# Word characters of several kinds, apostrophes straight and curly, and what separates words.
SCANNED_TEXT = st.text(alphabet="aAbBeEsSzZ_09éÉßİﬁ'’ -.,\n\t", max_size=60)


@settings(max_examples=500, deadline=None)
@given(SCANNED_TEXT, st.sets(st.sampled_from("abesz_09éß'i"), max_size=4))
def test_the_scans_find_the_tokens_finditer_cuts_that_begin_with_a_first_letter(text, firsts):
    """The scans of match_spans stop at the tokens TOKEN_PATTERN's finditer cuts (same start, same
    end) whose first character is not ASCII or is one whose lower case is a first letter, and
    at no other place: inside a word, after an apostrophe inside a word, at a lone apostrophe."""
    from search.snippets import _TOKENS_BEGINNING_NON_ASCII

    terms = MatchTerms(frozenset(firsts))  # one-letter stems: their first letters are themselves
    scanned = [token for scan in terms.scans + (_TOKENS_BEGINNING_NON_ASCII,) for token in scan.finditer(text)]
    expected = [token.span() for token in TOKEN.finditer(text)
                if not token.group()[0].isascii() or token.group()[0].lower() in terms.first_letters]
    assert sorted(token.span() for token in scanned) == expected


def test_a_stem_begins_as_its_word_does():
    """What the first-letter shortcut of match_spans stands on, for the words of the seeds."""
    from pathlib import Path

    from indexer.analysis import normalize_word

    words = {normalize_word(token) for file in Path("seeds").iterdir() for token in TOKEN.findall(file.read_text())}
    assert len(words) > 1000
    assert all(stem(word)[:1] == word[:1] for word in words if word)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="aAbBeEsSz_09é'’ -.,\n\t\u00ad\u2010", max_size=60), st.sets(st.sampled_from("abesz_09é"), max_size=4))
def test_the_matched_tokens_are_finditers_tokens_that_match_also_across_a_typesetters_break(text, firsts):
    """match_spans's tokens on a text not folded (a line of the document view) that may hold a
    soft hyphen or a line-end hyphen: those TOKEN_PATTERN cuts, the broken word whole."""
    from search.snippets import _matched_tokens

    terms = MatchTerms(frozenset(firsts))
    expected = [token.span() for token in TOKEN.finditer(text) if terms.matches(token.group())]
    assert [token.span() for token in _matched_tokens(text, terms)] == expected


def test_a_soft_hyphenated_word_is_marked_whole_in_a_document_line():
    line = "The hyphen\u00adation rules."
    assert [line[a:b] for a, b in match_spans(line, MatchTerms(frozenset({stem("hyphenation")})))] == ["hyphen\u00adation"]
