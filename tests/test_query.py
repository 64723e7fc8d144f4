"""search/query.py: Liner's small query language, checked as pure functions and on the seeds.

User text is literal by default: Whoosh's own syntax (wildcards, fuzzy `~`, ranges, boosts,
AND/OR/NOT, unknown `field:`) must never be reached by accident, and no input may crash.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from whoosh import query as wq

from models import model

from indexer.schema import RANKED_FIELD
from search.expansion import common_terms
from search.query import MAX_QUERY_CHARS, QueryError, build_query, content_words, parse_query
from search.engine import Engine
from search.retrieval import tiers

SEED_004 = "seeds/004_d16686d2a66679cd.txt"


def clauses(text: str) -> list[tuple]:
    return [(c.text, c.is_phrase, c.field, c.required, c.negated) for c in parse_query(text).clauses]


def nodes(query: wq.Query):
    yield query
    for child in query.children():
        yield from nodes(child)


def syntax_nodes(query: wq.Query) -> list[wq.Query]:
    """Nodes only Whoosh's query syntax would make: wildcards, prefixes, fuzzy terms, ranges."""
    kinds = (wq.Wildcard, wq.Prefix, wq.FuzzyTerm, wq.TermRange, wq.NumericRange, wq.Regex)
    return [node for node in nodes(query) if isinstance(node, kinds) and getattr(node, "fieldname", None) != "path"]


def cited_text(hit) -> str:
    lines = Path(hit.path).read_text(encoding="utf-8").split("\n")
    return " ".join(" ".join(lines[hit.line_start - 1 : hit.line_end]).split())


# -- the language ------------------------------------------------------------------------------------


def test_words_phrases_signs_and_filters():
    assert clauses('soundtrack "Pennies From Heaven" +netflix -crown title:dewan section:"Cast and characters" file:003 kind:field') == [
        ("soundtrack", False, None, False, False),
        ("Pennies From Heaven", True, None, False, False),
        ("netflix", False, None, True, False),
        ("crown", False, None, False, True),
        ("dewan", False, "title", False, False),
        ("Cast and characters", True, "section", False, False),
        ("003", False, "path", False, False),
        ("field", False, "kind", False, False),
    ]


def test_curly_quotes_make_a_phrase():
    assert clauses("“Pennies From Heaven”") == [("Pennies From Heaven", True, None, False, False)]


def test_a_quoted_single_word_is_a_word():
    assert clauses('"Soundtrack"') == [("Soundtrack", False, None, False, False)]


def test_free_words_phrases_and_positive_text():
    parsed = parse_query('jenna "pennies from heaven" -crown title:dewan')
    assert parsed.free_words == ["jenna"]
    assert parsed.phrases == ["pennies from heaven"]
    assert "crown" not in parsed.positive_text and "dewan" in parsed.positive_text


def test_stop_words_are_dropped_from_keywords_but_kept_when_nothing_else_is_left():
    ranked = build_query(parse_query("the creator of soundtrack"))
    assert set(ranked.iter_all_terms()) == {("text", "creator"), ("text", "soundtrack")}
    only_stop_words = build_query(parse_query("of the"))
    assert set(only_stop_words.iter_all_terms()) == {("text", "of"), ("text", "the")}


def test_a_phrase_keeps_its_stop_words_in_order():
    query = build_query(parse_query('"Pennies From Heaven"'))
    phrases = [node for node in nodes(query) if isinstance(node, wq.Phrase)]
    assert phrases and all(node.words == ["penni", "from", "heaven"] for node in phrases)


def test_negated_words_are_excluded():
    query = build_query(parse_query("soundtrack -crown"))
    assert isinstance(query, wq.AndNot)


def test_a_word_after_two_dashes_is_a_command_line_option_not_an_exclusion():
    clauses = parse_query("less --mouse grep --color=auto").clauses
    assert [(c.text, c.negated) for c in clauses] == [("less", False), ("--mouse", False), ("grep", False),
                                                      ("--color=auto", False)]
    assert not isinstance(build_query(parse_query("less --mouse")), wq.AndNot)


def test_in_a_question_a_sign_is_part_of_its_word():
    asked = parse_query('does -v or +x or -"dry run" print', signs=False).clauses
    assert [(c.text, c.negated, c.required) for c in asked] == [
        ("does", False, False), ("-v", False, False), ("or", False, False), ("+x", False, False),
        ("dry run", False, False), ("print", False, False)]
    assert [c.negated for c in parse_query("print -v").clauses] == [False, True]  # a search keeps its operators


def test_a_question_about_an_option_finds_the_passages_that_name_it(engine):
    """Asked as a question, "-" is not an exclusion: the passages that hold the word are found."""
    asked = engine.ask("Who plays -Joanna Kassem?")
    assert asked.results and any("Joanna" in hit.text for hit in asked.results[:3])


# -- malformed input -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ('"Pennies From Heaven', [("Pennies", False), ("From", False), ("Heaven", False)]),  # unbalanced quote
        ("title:", [("title:", False)]),  # a filter with nothing after it is a plain word
        ("kind:", [("kind:", False)]),
        ("AND OR NOT", [("AND", False), ("OR", False), ("NOT", False)]),
        ("[a TO z]", [("[a", False), ("TO", False), ("z]", False)]),
        ("(Jenna) {Dewan}", [("(Jenna)", False), ("{Dewan}", False)]),
        ("foo:bar", [("foo:bar", False)]),  # not a field: literal text
        ("http://example.com/a", [("http://example.com/a", False)]),
        ("Jenna*", [("Jenna*", False)]),
        ("Dew?n~2", [("Dew?n~2", False)]),
        ("Jenna^5", [("Jenna^5", False)]),
    ],
)
def test_odd_syntax_is_literal_text(text, expected):
    parsed = parse_query(text)
    assert [(c.text, c.is_phrase) for c in parsed.clauses] == expected
    assert all(c.field is None for c in parsed.clauses)
    assert syntax_nodes(build_query(parsed)) == []


@pytest.mark.parametrize("text", ["", "   ", "\t\n", "-", "+", "*", "~", '""', '"', 'title:""', "?!.,", "- + * ~"])
def test_input_without_words_is_a_query_error_that_says_so(text):
    with pytest.raises(QueryError, match="no words"):
        parse_query(text)


def test_huge_input_is_refused_with_the_limit_in_the_message():
    with pytest.raises(QueryError) as caught:
        parse_query("netflix " * 500)
    message = str(caught.value)
    assert "limit" in message and f"{MAX_QUERY_CHARS:,}" in message


def test_a_query_at_the_limit_is_accepted():
    parse_query("a" * MAX_QUERY_CHARS)


def test_control_characters_are_spaces():
    assert [c.text for c in parse_query("jenna\x00dewan\x07").clauses] == ["jenna", "dewan"]


SYNTAX = st.sampled_from(list('abc "+-:*~?()[]{}^\\/!&|\'’“”.,;') + [
    "title:", "section:", "file:", "kind:", "foo:", "AND", "OR", "NOT", "TO", "Jenna", "Dewan", "the", "of", "\t", "\x00", "é",
])


@settings(max_examples=500, deadline=None)
@given(st.lists(SYNTAX, max_size=16).map("".join))
def test_property_parsing_never_crashes_and_never_reaches_whoosh_syntax(text):
    try:
        parsed = parse_query(text)
    except QueryError:
        return
    assert parsed.clauses
    query = build_query(parsed)
    assert syntax_nodes(query) == []


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_property_any_text_parses_or_raises_query_error(text):
    try:
        build_query(parse_query(text))
    except QueryError:
        pass


# -- on the seeds ------------------------------------------------------------------------------------------


def test_phrase_with_stop_words_finds_exactly_its_two_lines(engine):
    response = engine.search('"Pennies From Heaven"')
    assert sorted((hit.path, hit.line_start, hit.line_end) for hit in response.results) == [(SEED_004, 7, 7), (SEED_004, 9, 9)]
    for hit in response.results:
        assert "Pennies From Heaven" in hit.text


def test_words_out_of_phrase_order_do_not_match_as_a_phrase(engine):
    assert engine.search('"pennies heaven"').results == []
    assert engine.search('"heaven from pennies"').results == []


def test_the_same_words_unquoted_do_match(engine):
    assert any(hit.path == SEED_004 for hit in engine.search("pennies heaven").results)


def test_a_phrase_of_only_stop_words_does_not_crash_and_matches_the_phrase(engine):
    response = engine.search('"of the"')
    assert response.results
    for hit in response.results:
        assert "of the" in " ".join(hit.text.lower().split())


def test_a_phrase_matches_across_a_possessive(engine):
    response = engine.search('"Nellie\'s best friend"')
    assert [hit.line_start for hit in response.results if hit.path.startswith("seeds/003")] == [35]


def test_a_trailing_star_is_not_a_wildcard(engine):
    assert engine.search("Jenn*").results == []  # as a wildcard it would find "Jenna"
    starred = [(hit.path, hit.line_start) for hit in engine.search("Jenna*").results]
    plain = [(hit.path, hit.line_start) for hit in engine.search("Jenna").results]
    assert starred == plain


def test_a_tilde_is_not_fuzzy_matching(engine):
    assert engine.search("Dewen~").results == engine.search("Dewen").results


def test_an_unknown_field_is_searched_as_text(engine):
    assert engine.search("foo:bar").results == []
    response = engine.search("jenna:dewan")  # literal: the words "jenna dewan" side by side
    assert response.results
    assert all("jenna dewan" in (hit.text + " " + hit.title).lower() for hit in response.results)


def test_boolean_words_are_not_operators(engine):
    either = engine.search("Stowe OR Castillo")
    assert either.results  # as a Whoosh OR this works too; as words "or" is a stop word and dropped
    neither = engine.search("Stowe NOT Castillo")
    assert any("Castillo" in hit.text for hit in neither.results)  # NOT excludes nothing


def test_negation_excludes_passages(engine):
    response = engine.search("netflix -crown")
    assert response.results
    assert all("crown" not in hit.text.lower() for hit in response.results)


def test_required_word_must_appear(engine):
    response = engine.search("soundtrack +dewan")
    assert response.results
    assert all("dewan" in hit.text.lower() or "dewan" in hit.title.lower() for hit in response.results)


def test_title_filter_keeps_only_documents_with_the_word_in_their_title(engine):
    response = engine.search("title:dewan season")
    assert response.results
    assert all("dewan" in hit.title.lower() for hit in response.results)


def test_kind_and_file_filters(engine):
    fields = engine.search("kind:field netflix")
    assert fields.results and all(hit.kind == "field" for hit in fields.results)
    in_003 = engine.search("file:003 netflix")
    assert in_003.results and all("003_" in hit.path for hit in in_003.results)


def test_a_filter_value_with_wildcard_characters_is_not_a_pattern(engine):
    assert engine.search("file:00* netflix").results == engine.search("file:00 netflix").results


def test_every_hit_of_a_phrase_holds_it_at_its_cited_lines_or_in_its_headings(engine):
    for text in ('"Pennies From Heaven"', '"Joanna Kassem"', '"one season"', '"main cast"'):
        response = engine.search(text)
        assert response.results, text
        phrase = text.strip('"').lower()
        for hit in response.results:
            where = " ".join([cited_text(hit), hit.title, hit.section or ""]).lower()
            assert phrase in where, (text, hit.citation)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(SYNTAX, max_size=12).map("".join))
def test_property_the_engine_answers_or_raises_query_error(engine, text):
    for method in (engine.search, engine.ask):
        try:
            response = method(text)
        except QueryError:
            continue
        assert response.to_dict()["query"] == text


# -- the shape of the query ----------------------------------------------------------------------


def test_must_words_are_required_and_the_others_only_rank():
    query = build_query(parse_query("netflix cancel"), must=frozenset({"netflix", "cancel"}))
    assert isinstance(query, wq.And) and len(query.subqueries) == 2
    query = build_query(parse_query("the netflix cancel"), must=frozenset({"cancel"}))
    assert isinstance(query, wq.AndMaybe)
    assert {t.text for t in nodes(query.a) if isinstance(t, wq.Term)} == {"cancel"}
    assert {t.text for t in nodes(query.b) if isinstance(t, wq.Term)} == {"netflix"}


def test_content_words_drop_stop_words_unless_nothing_else_is_left():
    assert content_words(parse_query("the Netflix of it")) == ["netflix"]
    assert content_words(parse_query("of the")) == ["of", "the"]


def test_common_words_only_rank_what_the_other_words_find():
    query = build_query(parse_query("netflix cancel"), common=frozenset({"netflix"}))
    assert isinstance(query, wq.AndMaybe)
    required, optional = query.a, query.b
    assert {t.text for t in nodes(required) if isinstance(t, wq.Term)} == {"cancel"}
    assert {t.text for t in nodes(optional) if isinstance(t, wq.Term)} == {"netflix"}


def test_a_query_of_only_common_words_needs_them_all():
    query = build_query(parse_query("netflix cancel"), common=frozenset({"netflix", "cancel"}))
    assert isinstance(query, wq.And) and len(query.subqueries) == 2


# -- passages with all the words first --------------------------------------------------------------


def engine_over(tmp_path: Path, notes: dict[str, str]):
    """An Engine over tmp_path/notes holding these notes (file name: text), indexed again."""
    from indexer.build import build_index
    from search.engine import Engine

    folder = tmp_path / "notes"
    folder.mkdir(exist_ok=True)
    for name, text in notes.items():
        (folder / name).write_text(text, encoding="utf-8")
    build_index(folder, tmp_path / "index")
    return Engine(tmp_path / "index")


def garden_and_herons(grey: str = "") -> dict[str, str]:
    """Ten notes on a quiet garden, two on a heron (one in the garden pond)."""
    notes = {f"garden{number}.md": f"# Note {number}\n\nThe garden was quiet today.\n" for number in range(10)}
    notes["heron.md"] = f"# Birds\n\nA {grey}heron stood in the garden pond.\n"
    notes["heron2.md"] = f"# Birds\n\nA {grey}heron flew over the river.\n"
    return notes


def test_passages_with_all_the_words_come_before_those_with_some(tmp_path):
    # The lone word in a short title: BM25 alone would rank these first.
    notes = {f"kale{number}.md": f"# Kale\n\nKale kale kale {number}.\n" for number in range(12)}
    notes.update({f"both{number}.md": f"# Garden {number}\n\nWe planted kale and garlic in the long bed, "
                                      f"row {number}, before the rain came.\n" for number in range(3)})
    hits = engine_over(tmp_path, notes).search("kale garlic", limit=5).results
    assert [hit.path.split("/")[-1][:4] for hit in hits[:3]] == ["both"] * 3
    assert len(hits) == 5  # fewer than asked had both words: those with one of them follow


def test_a_common_word_does_not_fetch_passages_alone(tmp_path, monkeypatch):
    monkeypatch.setattr("search.expansion.COMMON_TERM_MIN_PASSAGES", 3)
    hits = engine_over(tmp_path, garden_and_herons()).search("heron garden", limit=10).results
    assert [hit.path.split("/")[-1] for hit in hits] == ["heron.md", "heron2.md"]


def test_a_question_never_requires_a_common_word(tmp_path, monkeypatch):
    """Intersecting a word that stands in thousands of passages is the costliest step on a large
    index: a question's tiers leave it out (it only ranks), a keyword search still tries all words first."""
    monkeypatch.setattr("search.expansion.COMMON_TERM_MIN_PASSAGES", 3)
    engine = engine_over(tmp_path, garden_and_herons(grey="grey "))
    parsed = parse_query("grey heron garden")
    counts = engine.index.view().counts
    common = common_terms(parsed, counts)
    question_tiers = tiers(parsed, {}, counts, wanted=1, all_words_first=False, common=common)
    assert question_tiers == [frozenset({"grey", "heron"}), frozenset({"grey"})] or \
        question_tiers == [frozenset({"grey", "heron"}), frozenset({"heron"})]
    assert tiers(parsed, {}, counts, wanted=1, all_words_first=True, common=common)[0] == frozenset({"grey", "heron", "garden"})
    answer = engine.ask("Where did the grey heron stand in the garden?")
    assert answer.results[0].path.endswith("heron.md")


def test_a_required_phrase_is_matched_once():
    """Its positions are read once: phrase matching is the costliest part of a phrase query."""
    def phrases(query):
        return [node for node in nodes(query) if isinstance(node, wq.Phrase)]

    alone = build_query(parse_query('"pennies from heaven"'))
    assert len(phrases(alone)) == 1  # in the one field that holds title, section, fields and body
    with_word = build_query(parse_query('"pennies from heaven" bbc'))
    assert len(phrases(with_word)) == 1 and isinstance(with_word, wq.AndMaybe)


def test_a_search_shows_as_many_passages_as_asked_for_beyond_the_re_ranking_depth(engine):
    """`liner search -n 100` once stopped at the depth questions re-rank (40 passages, fewer after
    near-duplicates merged) although more passages hold the word."""
    from search.retrieval import RETRIEVE_DEPTH

    response = engine.search("the", limit=100)
    distinct_passages_with_the_word = len({(hit.path, hit.line_start) for hit in response.results})
    assert distinct_passages_with_the_word > RETRIEVE_DEPTH + 5
    assert len(response.results) == len(engine.search("the", limit=len(response.results)).results)


def test_only_a_sum_of_money_answers_how_much_was_paid(tmp_path):
    """"How much did ... pay?" was answered with any figure near its words ("ten" episodes)."""
    engine = engine_over(tmp_path, {"order.md": "# The order\n\nThe streamer ordered ten episodes of the drama in March.\n"})
    assert engine.ask("How much did the streamer pay for the drama?").answer is None
    assert engine.ask("How many episodes did the streamer order?").answer.text.startswith("ten")

    engine = engine_over(tmp_path, {"deal.md": "# The deal\n\nThe streamer paid $4.5 million for the drama's first season.\n"})
    assert engine.ask("How much did the streamer pay for the drama?").answer.text == "$4.5 million"


def test_the_question_s_verb_picks_the_field_over_its_answer_type_noun(tmp_path):
    """In "Which company distributes ...?" the noun "company" says what kind of answer is wanted
    (and names the `Company` field); "distributes" says which field answers (`Distributor`): the
    candidates' field_match says so, and a selector that reads it picks the distributor. (Whether
    the shipped selector weighs it above the passage's rank is learned: docs/evaluation.md.)"""
    engine_over(tmp_path, {"show.md": (
        "# Harbour Lights\n\nHarbour Lights is a drama series about a lighthouse keeper.\n\n"
        "- Company: Northwind Pictures\n- Distributor: Lantern Media\n- Network: Seaview\n")})
    engine = Engine(tmp_path / "index", model=model(selector={"field_match": 4.0, "passage_rank": 1.0}))
    matches = candidate_features(engine, "Which company distributes Harbour Lights?", "field_match")
    assert matches["Lantern Media"] > matches["Northwind Pictures"] > 0
    assert engine.ask("Which company distributes Harbour Lights?").answer.text == "Lantern Media"
    assert engine.ask("Which company made Harbour Lights?").answer.text == "Northwind Pictures"
    assert engine.ask("What is the company behind Harbour Lights?").answer.text == "Northwind Pictures"


def candidate_features(engine, question: str, feature: str) -> dict[str, float]:
    """Each candidate answer's value of one feature of the answer selector."""
    result = engine.answer(question).result
    return {candidate.text: candidate.features.get(feature, 0.0) for candidate in result.candidates}


def test_a_name_after_a_possessive_of_the_question_s_words_is_theirs(tmp_path):
    """"the Gazette's Mira Okafor" is Mira Okafor of the Gazette: she answers who spoke for it."""
    engine = engine_over(tmp_path, {"premiere.md": (
        "# The premiere\n\nThe play by Paul Hume opens on Friday, writer Tom Reyes said when the Gazette "
        "interviewed him. \"It was a long road,\" Hume told the Gazette's Mira Okafor.\n")})
    answer = engine.ask("Who interviewed Paul Hume for the Gazette?").answer
    assert answer is not None and answer.text == "Mira Okafor"


def test_titles_given_as_examples_of_what_a_which_question_asks_for(tmp_path):
    """"films like “Night Harbour”": Hearst's pattern says Night Harbour is one of the films
    asked for (the trait trait_quoted_title_example_of_kind); a question about one film's name is not asking for
    examples. A selector that reads the trait answers with an example."""
    engine_over(tmp_path, {"studio.md": (
        "# Bluewater Studio\n\nThe studio made its name with the film “Driftwood” in 2019, and it sold well; "
        "cheaper films like “Night Harbour” and “Glass Bay” came later.\n")})
    engine = Engine(tmp_path / "index", model=model(selector={"trait_quoted_title_example_of_kind": 4.0, "passage_rank": 1.0}, bar=0.3))
    examples = candidate_features(engine, "Which cheaper films did the studio make?", "trait_quoted_title_example_of_kind")
    assert examples["Night Harbour"] == examples["Glass Bay"] == 1.0 and examples["Driftwood"] == 0.0
    assert engine.ask("Which cheaper films did the studio make?").answer.text in ("Night Harbour", "Glass Bay")
    named = candidate_features(engine, "What was the film the studio made its name with called?", "trait_quoted_title_example_of_kind")
    assert not any(named.values())


def test_a_phrase_is_found_in_a_title_or_a_body_but_never_across_the_two(tmp_path):
    """Title, section, field names and body share one ranked field; a gap in its positions keeps
    a phrase from running out of one into the next."""
    engine = engine_over(tmp_path, {
        "across.md": "# Pennies\n\nFrom heaven came rain over the valley all night.\n",
        "body.md": "# Songs\n\nShe sang Pennies from Heaven at the county fair.\n",
        "title.md": "# Pennies From Heaven\n\nA musical film made in 1981 with Steve Martin.\n",
    })
    found = {Path(hit.path).name for hit in engine.search('"pennies from heaven"').results}
    assert found == {"body.md", "title.md"}


def test_a_question_whose_rare_words_rank_beside_a_common_one_finishes(tmp_path, monkeypatch):
    """Regression: under an AndMaybe, Whoosh's CoordMatcher handed its child a quality threshold on
    the wrong scale, and skipping blocks looped for ever (this question hung over the Perl FAQ:
    its rarer words in a coordinated union, `name` in over 1,000 passages beside them)."""
    import signal

    from indexer.build import build_index
    from search.engine import Engine

    build_index(Path(__file__).resolve().parent.parent / "eval" / "corpora" / "perlfaq", tmp_path / "index")
    engine = Engine(tmp_path / "index")

    def hung(signum, frame):
        raise TimeoutError("the question did not finish in 30 s")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(30)
    try:
        response = engine.ask("What do the $, @ and % signs in front of a variable name stand for?")
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    assert response.results


# -- the word being typed ---------------------------------------------------------------------


@pytest.mark.parametrize("text, prefix", [
    ("who plays joann", "joann"),        # the last word may be unfinished
    ("Who plays Joann", "joann"),
    ("who plays joann ", None),          # a space after it: the word is complete
    ("who plays joanna?", None),         # so is one with punctuation after it
    ('who plays "joann"', None),         # a phrase is as written
    ("who plays -joann", None),          # an excluded word too
    ("who plays title:joann", None),     # and a filter
    ("who plays j", None),               # one letter would match a large share of the words
])
def test_typing_matches_the_last_unfinished_word_as_a_prefix(text, prefix):
    assert parse_query(text, typing=True).prefix == prefix
    assert parse_query(text).prefix is None  # only while typing


def test_the_word_being_typed_is_a_prefix_query_beside_its_own_term():
    built = build_query(parse_query("plays joann", typing=True))
    prefixes = [node for node in nodes(built) if isinstance(node, wq.Prefix)]
    assert [(node.fieldname, node.text) for node in prefixes] == [(RANKED_FIELD, "joann")]
    assert not [node for node in nodes(build_query(parse_query("plays joann"))) if isinstance(node, wq.Prefix)]


def test_a_word_a_typesetter_broke_is_one_word_of_the_query_as_of_the_index():
    # pasted from a man page or a web page: the break is no space (indexer/analysis.py)
    assert parse_query("hyphen\u00adation").free_words == ["hyphenation"]
    assert parse_query("the verti\u2010\n       cal bar").free_words == ["the", "vertical", "bar"]
    assert parse_query("non\u2010zero").free_words == ["non\u2010zero"]  # a hyphen within a line stays
