"""indexer/analysis.py: the index and the query side must see the same terms."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh.analysis import Filter, LowercaseFilter, RegexTokenizer

from indexer.analysis import (
    TOKEN_PATTERN,
    agent_noun_bases,
    exact_words,
    normalize_word,
    stem,
    stemmed_terms,
    stemming_analyzer,
)


def test_words_are_lowercased_with_possessives_dropped_and_accents_folded():
    assert exact_words("Nellie's O’Brien Raúl didn't naïve ÉCOLE") == ["nellie", "o'brien", "raul", "didn't", "naive", "ecole"]


def test_a_possessive_finds_the_name():
    assert exact_words("Nellie's") == exact_words("Nellie")
    assert stemmed_terms("Annette’s") == stemmed_terms("Annette")


def test_curly_and_straight_apostrophes_are_the_same_word():
    assert exact_words("O’Brien") == exact_words("O'Brien") == ["o'brien"]


def test_punctuation_splits_tokens():
    assert exact_words("4.83/10 Jean-Baptiste (Until March 2022)[1]") == ["4", "83", "10", "jean", "baptiste", "until", "march", "2022", "1"]


def test_stemming_conflates_inflections():
    assert len(set(stemmed_terms("canceled cancelled cancellation"))) == 1
    assert stemmed_terms("running runs") == [stem("run")] * 2


def test_stop_words_are_kept_in_order_so_phrases_still_match():
    assert stemmed_terms("Pennies From Heaven") == ["penni", "from", "heaven"]
    tokens = [(token.text, token.pos) for token in stemming_analyzer()("The Pennies From Heaven", positions=True)]
    assert tokens == [("the", 0), ("penni", 1), ("from", 2), ("heaven", 3)]


def test_words_as_written_are_not_stemmed():
    assert exact_words("Stowe stowing") == ["stowe", "stowing"]


def test_agent_nouns_give_the_verb_stem_a_question_uses():
    bases = agent_noun_bases(["Editor", "Distributors", "Producer", "Creator", "Founder"])
    assert bases == ["edit", "distribut", "produc", "creat", "found"]
    assert [stem(base) for base in bases] == [stem(verb) for verb in ("edited", "distributes", "produced", "created", "founded")]


def test_short_words_have_no_agent_noun_base():
    assert agent_noun_bases(["Star", "Her", "Order", "Genre"]) == []


def test_normalize_word_handles_edge_cases():
    assert normalize_word("'s") == ""
    assert normalize_word("DOGS'") == "dogs"
    assert normalize_word("Café’s") == "cafe"


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_property_analysis_never_fails_and_yields_clean_terms(text):
    words = exact_words(text)
    assert all(word and word == word.lower() for word in words)
    assert all(not word.endswith("'s") for word in words)
    stems = stemmed_terms(text)
    assert len(stems) == len(words)  # one stem per word: positions line up for phrases


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["Jenna", "Dewan's", "from", "the", "Heaven", "O’Brien", "Raúl", "canceled"]), max_size=8))
def test_property_analysis_is_the_same_for_text_and_its_parts(words):
    text = " ".join(words)
    assert stemmed_terms(text) == [stem_ for word in words for stem_ in stemmed_terms(word)]


# -- the query side's fast analysis agrees with the index's Whoosh analyzers ---------------------------

SAMPLE_TEXT = st.lists(st.one_of(st.text(alphabet="abcXYZ éüÀ’'-.,0123 \n\tstinged", max_size=12),
                                  st.sampled_from(["O’Brien", "Raúl", "Nellie's", "cancelled", "Stowe"]),
                                  st.text(max_size=6)), max_size=10).map(" ".join)


@settings(max_examples=300, deadline=None)
@given(SAMPLE_TEXT)
def test_fast_analysis_gives_the_index_terms(text):
    assert stemmed_terms(text) == [token.text for token in stemming_analyzer()(text)]


class _Normalize(Filter):
    def __call__(self, tokens):
        for token in tokens:
            token.text = normalize_word(token.text)
            if token.text:
                yield token


class _Stem(Filter):
    def __call__(self, tokens):
        for token in tokens:
            token.text = stem(token.text)
            yield token


WHOOSH_PIPELINE = RegexTokenizer(TOKEN_PATTERN) | LowercaseFilter() | _Normalize() | _Stem()


@settings(max_examples=300, deadline=None)
@given(SAMPLE_TEXT)
def test_the_one_pass_tokenizer_equals_whooshs_filter_pipeline(text):
    """Terms, positions and character spans as Whoosh's own tokenizer and filters give them."""
    def tokens(analyzer):
        return [(t.text, t.pos, t.startchar, t.endchar) for t in analyzer(text, positions=True, chars=True)]

    assert tokens(stemming_analyzer()) == tokens(WHOOSH_PIPELINE)


def test_a_word_a_typesetter_broke_across_lines_is_one_word():
    # man pages are rendered with a hyphen (U+2010) where a word was broken at a line's end, and
    # web text may hold soft hyphens (U+00AD): the word is found whole, where it stands
    broken = "the caret is shown with the verti\u2010\n       cal bar and its hyphen\u00adation"
    whole = "the caret is shown with the vertical bar and its hyphenation"
    assert exact_words(broken) == whole.split() and stemmed_terms(broken) == stemmed_terms(whole)
    tokens = [(t.text, t.pos, t.startchar, t.endchar) for t in stemming_analyzer()(broken, positions=True, chars=True)]
    (start, end) = next((start, end) for text, _, start, end in tokens if text == stem("vertical"))
    assert broken[start:end] == "verti\u2010\n       cal"
    assert [pos for _, pos, _, _ in tokens] == list(range(11))  # one position for the whole word


def test_a_hyphen_that_belongs_to_the_text_still_splits_words():
    # within a line, U+2010 is the word's own hyphen ("non‐zero"); an ASCII "-" at a line's end
    # is as often a compound's own hyphen in written text, so neither is joined
    assert exact_words("non\u2010zero") == ["non", "zero"]
    assert exact_words("a well-\nknown tool") == ["a", "well", "known", "tool"]
