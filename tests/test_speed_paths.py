"""The answer step's faster paths give exactly what the plain computations they replace give: the
per-text caches (search/passage_analysis.py, technical.py's, phrases.py's), the token offsets by
bisection, grouping values by key, and the selector's dot product that skips zeros."""
from __future__ import annotations

import random
import re
from pathlib import Path

from hypothesis import assume, given, settings
from hypothesis import strategies as st
from records import scored

from indexer.analysis import STOP_WORDS, agent_noun_bases, exact_words, normalize_word, stem, stemmed_terms
from indexer.kinds import PassageKind
from search.answer_features import (SHAPE_FEATURES, SOURCES, _candidate_words, _family_features, asked_at,
                                    _token_positions, by_family, family, nearness, preceded, source_features,
                                    span_by_family, span_features, stems_before)
from search.answers import passage_units
from search.candidates import _names
from search.expansion import TermWeights, canonical
from search.features import _best_sentence_coverage
from search.kept import kept_property
from search.kinds import AnswerType
from search.lists import ENUMERATION, _lead_in_length, enumerations
from search.model import LinearModel
from search.passage_analysis import (analyse_text, canonical_set, content_pairs, could_hold, question_positions,
                                     sentence_texts, title_stems)
from search.patterns import (CAPITALISED_RUN, MOSTLY_IN_QUESTION_SHARE, NOT_NAMES, TOKEN, clean_name, has_answer_type,
                             inside_date, kind_of_name, mostly_in_question, mostly_words_in_question, type_of_value)
from search.patterns import CLAUSE_BREAK
from search.phrases import (MAX_ANSWER_CHARS, MAX_WINDOWS_PER_SENTENCE, MIN_CLAUSE_CHARS, _clause_pieces, _first_word_from,
                            _question_word_ends, _windows_around_phrases, cut_at_word, quoted_phrases, sentence_pieces,
                            shorten, windows)
from search.query import QueryError, parse_query
from search.rank import covered_share
from search.questions import analyse_question
from search.spans import Asked, Span, Unit
from search.structured import NAME_FILLER_WORDS, _name_stems, _type_of_value, name_match
from search.technical import _find_identifiers, _find_instructions, identifiers, instructions
from search.values import Candidate, group_by_value, same_value

ROOT = Path(__file__).resolve().parent.parent


def real_texts() -> list[str]:
    """Paragraphs of real documents: the seeds articles and the notes corpus."""
    files = sorted((ROOT / "seeds").glob("*.txt")) + sorted((ROOT / "tests" / "data" / "notes").rglob("*.md"))
    paragraphs = [p.strip() for f in files for p in f.read_text(encoding="utf-8").split("\n\n")]
    return [p for p in paragraphs if p]


def sentence_spans(text: str) -> tuple[tuple[int, int], ...]:
    """Rough sentences (at ". "): any [start, end) spans will do for the comparison."""
    spans, start = [], 0
    for i in range(len(text) - 1):
        if text[i] == "." and text[i + 1] == " ":
            spans.append((start, i + 1))
            start = i + 2
    return tuple(spans + [(start, len(text))]) if start < len(text) else tuple(spans)


def test_the_kept_analysis_of_a_text_is_what_the_ranker_computed_from_it():
    texts = real_texts()
    assert len(texts) > 50
    for text in texts:
        sentences = sentence_spans(text)
        analysis = analyse_text(text, sentences)
        content = [s for w, s in zip(exact_words(text), stemmed_terms(text)) if w not in STOP_WORDS]
        assert analysis.content_stems == tuple(content)
        assert analysis.content_pairs == set(zip(content, content[1:]))
        assert analysis.words == len(text.split())
        assert analysis.stems == set(stemmed_terms(text))
        assert analysis.stem_list == tuple(stemmed_terms(text))
        assert {(s, i) for s, at in analysis.positions.items() for i in at} == {(s, i) for i, s in enumerate(stemmed_terms(text))}
        assert analysis.sentence_stems == tuple(frozenset(stemmed_terms(text[s:e])) for s, e in sentences or ((0, len(text)),))
        assert analyse_text(text, sentences) is analysis  # kept


def test_best_sentence_coverage_from_kept_stems_is_the_sum_over_each_sentence():
    texts = real_texts()[:40]
    weights = TermWeights({stem("soundtrack"): 2.0, stem("series"): 1.5, stem("kassem"): 3.0, stem("note"): 0.7},
                              aliases={stem("show"): stem("series")})
    total = sum(weights.values())
    for text in texts:
        sentences = sentence_spans(text) or ((0, len(text)),)
        expected = max(sum(w for s, w in weights.items() if s in set(canonical(weights, stemmed_terms(text[a:b])))) / total
                       for a, b in sentences)
        assert _best_sentence_coverage(analyse_text(text, sentence_spans(text)).sentence_stems, weights) == expected


def test_question_positions_from_kept_positions_are_where_the_canonical_stems_match():
    """features.py reads the passage's canonical stems and where the question's stand in them
    from the kept positions of each stem; with an alias of the question in the text, by a scan."""
    generator = random.Random(3)
    for text in real_texts()[:80]:
        stems = stemmed_terms(text)
        analysis = analyse_text(text, ())
        for _ in range(4):
            chosen = generator.sample(stems, min(5, len(stems))) + ["absent"]
            aliases = {chosen[0]: chosen[1]} if len(chosen) > 2 and generator.random() < 0.5 else {}
            weights = TermWeights({s: 1.0 for s in chosen[1:]}, aliases=aliases)
            body = canonical(weights, stems)
            got_body, got_positions = question_positions(weights, analysis)
            assert list(got_body) == body
            assert got_positions == [i for i, s in enumerate(body) if s in weights]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet='ab c"“”„«»\u00ad\u2010-\n:()', max_size=30))
def test_a_query_without_a_quote_mark_quotes_no_phrase(query):
    """quoted_phrases skips the parse of a query with no quote mark: it is what the parser reads."""
    try:
        expected = tuple(parse_query(query).phrases)
    except QueryError:
        expected = ()
    assert quoted_phrases(query) == expected


def test_kept_names_are_each_capitalised_runs_name_and_kind():
    """The person, organisation and title extractors read a sentence's names from _names: each
    capitalised run's clean_name (one word too) where it stands, and its kind_of_name."""
    common = frozenset({"street", "depot", "food", "pantry"})
    for text in real_texts()[:80] + ["Dr. Ti West met the Food Pantry at Depot Street, then ET's Lauren Zima."]:
        expected = []
        for match in CAPITALISED_RUN.finditer(text):
            name = clean_name(match.group(), allow_single=True)
            if name:
                expected.append((match.start() + match.group().find(name), name, kind_of_name(name, common)))
        assert _names(text, common) == tuple(expected)


@given(st.text(alphabet="AaBb.'’s", min_size=1, max_size=12))
def test_one_word_is_never_a_persons_name(word):
    """persons() reads _names' one-word names too (clean_name without allow_single drops them):
    kind_of_name never takes one word for a person."""
    assume(len(word.split()) == 1)
    assert kind_of_name(word, frozenset()) != AnswerType.PERSON


def test_units_read_from_kept_sentences_are_the_canonical_sentences():
    """passage_units gives a unit the sentence's kept stem positions when no alias of the question
    is in it (read by asked_at), and its coverage from them: what the canonical stems give."""
    plain = TermWeights({stem("soundtrack"): 1.0, stem("season"): 0.5})
    aliased = TermWeights({stem("series"): 1.0, stem("season"): 0.5}, aliases={stem("show"): stem("series")})
    for text in real_texts()[:60] + ["The show is a series. It ran one season."]:
        passage = scored(text, section="Soundtrack show")
        for weights in (plain, aliased):
            for unit, sentence in zip(passage_units(passage, weights), sentence_texts(text, passage.passage.sentences)):
                stems = canonical(weights, sentence.stems)
                assert unit.stems == stems
                assert unit.coverage == covered_share(weights, set(stems), canonical_set(weights, passage.context_stems))
                assert asked_at(unit, weights) == tuple((i, s) for i, s in enumerate(stems) if s in weights)


def test_kept_enumerations_are_the_ones_found_in_the_sentence():
    asked = Asked(analyse_question("Which options does sort take?"), {}, frozenset())
    for text in real_texts()[:80] + ["It is one of success, notfound, unavail or tryagain.", "a, b, c, d"]:
        expected = []
        for match in ENUMERATION.finditer(text):
            start = match.start() + _lead_in_length(match.group())
            items = text[start:match.end()].rstrip(".")
            if len(items.split()) >= 2:
                expected.append(Span(shorten(items), asked.question.answer_type, start, match.end(), "enumeration"))
        assert list(enumerations(asked, Unit(text, 1, 1, []))) == expected


def test_kept_answer_type_tests_match_the_regexes():
    for text in real_texts()[:60]:
        for answer_type in AnswerType:
            assert could_hold(answer_type, text) == has_answer_type(answer_type, text)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ab é'’ .,-_1(", max_size=40), st.data())
def test_token_positions_by_bisection_count_the_tokens_before_the_start(text, data):
    start = data.draw(st.integers(-len(text) - 2, len(text)))  # negative: as a slice cuts (an extractor's find() == -1)
    end = data.draw(st.integers(start, len(text)))
    first = len(TOKEN.findall(text[:start]))
    assert _token_positions(text, start, end) == (first, first + max(1, len(TOKEN.findall(text[start:end]))))


def test_kept_code_spans_are_the_ones_found_in_the_text():
    asked = Asked(analyse_question("How do I copy a tree?"), {}, frozenset())
    texts = real_texts() + ["Use ``shutil.copytree()`` or :func:`os.path.join`; set --recursive=yes and $HOME.",
                            "    cp -r src/ dst/\nThen run make_install and ZIP_STORED."]
    for text in texts:
        unit = Unit(text, 1, 1, stemmed_terms(text))
        assert list(identifiers(asked, unit)) == list(_find_identifiers(text))
        assert list(instructions(asked, unit)) == list(_find_instructions(text))
        assert list(identifiers(asked, unit)) == list(_find_identifiers(text))  # again, from the cache


def test_question_word_ends_are_where_the_question_words_end():
    weights = TermWeights({stem("soundtrack"): 1.0, stem("series"): 1.0}, aliases={stem("show"): stem("series")})
    asked = Asked(analyse_question("Who created the series Soundtrack?"), weights, frozenset())
    for text in real_texts()[:80]:
        expected = [m.end() for m in TOKEN.finditer(text)
                    if weights.aliases.get(stem(normalize_word(m.group())), stem(normalize_word(m.group()))) in weights]
        assert _question_word_ends(asked, Unit(text, 1, 1, [])) == expected


def test_mostly_in_question_from_words_is_the_same_verdict():
    question_words = {"soundtrack", "netflix", "series", "created"}
    for text in real_texts()[:80] + ["Soundtrack series", "the Netflix series", ""]:
        words = [normalize_word(w) for w in TOKEN.findall(text)]
        assert mostly_words_in_question(words, question_words) == mostly_in_question(text, question_words)


def reference_groups(candidates: list[Candidate]) -> list[list[Candidate]]:
    """The grouping as a plain scan of every earlier group (what group_by_value did)."""
    groups: list[tuple[Candidate, object, list[Candidate]]] = []
    for candidate in sorted(candidates, key=lambda c: -c.score):
        key = candidate.key
        found = next((g for g in groups if g[0].answer_type == candidate.answer_type and same_value(g[1], key)), None)
        if found is None:
            groups.append((candidate, key, [candidate]))
        else:
            found[2].append(candidate)
    return [members for _, _, members in groups]


def test_grouping_by_key_merges_what_a_scan_of_every_group_merges():
    values = [("December 18, 2019", AnswerType.DATE), ("Dec. 18", AnswerType.DATE), ("2019", AnswerType.DATE),
              ("January 2020", AnswerType.DATE), ("ten episodes", AnswerType.NUMBER), ("10", AnswerType.NUMBER),
              ("Joshua Safran", AnswerType.PERSON), ("joshua safran", AnswerType.PERSON),
              ("Joshua Safran", AnswerType.ORGANISATION), ("Netflix", AnswerType.ORGANISATION)]
    passage = scored("Soundtrack premiered on December 18, 2019.")
    unit = Unit(passage.text, 1, 1, [])
    generator = random.Random(7)
    for _ in range(50):
        candidates = [Candidate(text, kind, "x", unit, passage, score=generator.uniform(-3, 3))
                      for text, kind in generator.choices(values, k=12)]
        got = [group.members for group in group_by_value(candidates)]
        assert [[id(c) for c in members] for members in got] == \
            [[id(c) for c in members] for members in reference_groups(candidates)]


def test_the_dot_product_skipping_zeros_is_the_full_sum_in_order():
    generator = random.Random(3)
    names = [f"f{i}" for i in range(40)]
    model = LinearModel(tuple(names[:30]), tuple(generator.uniform(-2, 2) for _ in range(30)),
                        tuple(generator.uniform(-1, 1) for _ in range(30)), tuple(generator.uniform(0.1, 3) for _ in range(30)),
                        bias=0.25)
    for _ in range(200):
        values = {name: generator.choice([0.0, 0.0, 1.0, generator.uniform(-5, 5)]) for name in generator.sample(names, 25)}
        total = model._intercept
        for name, value in values.items():
            if name in model._coefficients:
                total += model._coefficients[name] * value
        assert model.score(values) == total


def test_kept_sentences_are_the_slices_the_answer_step_cut():
    for text in real_texts()[:80]:
        spans = sentence_spans(text)
        got = sentence_texts(text, spans)
        expected_spans = spans or ((0, len(text)),)
        assert [s.text for s in got] == [text[a:b] for a, b in expected_spans]
        assert [s.stems for s in got] == [tuple(stemmed_terms(text[a:b])) for a, b in expected_spans]
        assert [(s.first_line, s.last_line) for s in got] == \
            [(text.count("\n", 0, a), text.count("\n", 0, max(a, b - 1))) for a, b in expected_spans]
        assert sentence_texts(text, [list(span) for span in spans]) == got  # spans given as lists


def test_kept_field_name_stems_and_value_types_are_the_computed_ones():
    question = analyse_question("Who edited the soundtrack album?")
    asked = set(question.content_stems)
    for name, related in [("Editor", ""), ("Written by", "wrote"), ("No. of episodes", ""), ("the", ""), ("Music by", "")]:
        words = [w for w in re.findall(r"[A-Za-z]+", name) if w.lower() not in NAME_FILLER_WORDS]
        stems = {stem(normalize_word(w)) for w in words + related.split()} | {stem(b) for b in agent_noun_bases(words)}
        assert _name_stems(name, related) == (len(words), stems)
        expected = min(1.0, len(stems & asked) / len(words)) if words else 0.0
        assert name_match(name, asked, related) == expected
    common = frozenset({"depot", "street"})
    for value in ["Depot Street", "Joshua Safran", "December 18, 2019", "10", "$4.99", "2 hours", "“Pennies”", "x"]:
        for expected_type in AnswerType:
            assert _type_of_value(value, expected_type, common) == type_of_value(value, expected_type, common)


def test_canonical_set_of_kept_stems_is_the_set_of_the_canonical_list():
    plain = {stem("soundtrack"): 1.0}
    aliased = TermWeights({stem("series"): 1.0}, aliases={stem("show"): stem("series"), stem("program"): stem("series")})
    for text in real_texts()[:80] + ["The show is a series", "program show series"]:
        stems = stemmed_terms(text)
        for weights in (plain, aliased):
            assert canonical_set(weights, frozenset(stems)) == set(canonical(weights, stems))
        assert title_stems(text) == set(stemmed_terms(text))
        content = [s for w, s in zip(exact_words(text), stemmed_terms(text)) if w not in STOP_WORDS]
        assert content_pairs(text) == set(zip(content, content[1:]))


def reference_windows(asked: Asked, unit: Unit) -> list[Span]:
    """windows() as it was before its question-free part was kept (search/phrases.py)."""
    text = unit.text
    if len(" ".join(text.split())) <= MAX_ANSWER_CHARS:
        return [Span(" ".join(text.split()), asked.question.answer_type, 0, len(text), "sentence")]
    starts = {0: "window_start"}
    for match in CLAUSE_BREAK.finditer(text):
        if match.end() < len(text) - MIN_CLAUSE_CHARS:
            starts.setdefault(match.end(), "window_clause")
    ends = _question_word_ends(asked, unit)
    if ends and max(ends) < len(text) - MIN_CLAUSE_CHARS:
        starts[max(ends)] = "window_after_question"
    found = []
    for at, source in sorted(starts.items())[:MAX_WINDOWS_PER_SENTENCE]:
        start = _first_word_from(text, at)
        shown = cut_at_word(text[start:])
        complete = shown == " ".join(text[start:].split()).strip(" ,;:")
        found.append(Span(shown, asked.question.answer_type, start, start + len(shown), source,
                          {"offset": start / len(text), "complete": float(complete)}))
    return found + list(_windows_around_phrases(asked, text))


def test_windows_and_clauses_from_kept_plans_are_the_computed_ones():
    weights = TermWeights({stem("soundtrack"): 1.0, stem("music"): 2.0, stem("note"): 1.0}, aliases={stem("song"): stem("music")})
    asked = Asked(analyse_question('Why is the "soundtrack" music in the notes?'), weights, frozenset())
    texts = real_texts()
    assert sum(len(" ".join(t.split())) > MAX_ANSWER_CHARS for t in texts) > 20
    for text in texts:
        unit = Unit(text, 1, 1, canonical(weights, stemmed_terms(text)))
        assert list(windows(asked, unit)) == reference_windows(asked, unit)
        pieces = [(a, b, q, text[a:b].strip()) for a, b, q in sentence_pieces(text)]
        assert _clause_pieces(text) == tuple((a, b, q, tuple(stemmed_terms(p))) for a, b, q, p in pieces
                                             if len(p) >= MIN_CLAUSE_CHARS)


def test_family_features_read_at_once_are_the_ones_read_one_by_one():
    generator = random.Random(5)
    for question_text in ("Who created Soundtrack?", "Why is the sky blue?", "How do I copy a tree?", "Is it free?"):
        question = analyse_question(question_text)
        names = _family_features(family(question))
        for _ in range(30):
            full = {feature: generator.choice([0.0, 1.0, generator.uniform(-2, 2)]) for feature in SHAPE_FEATURES}
            partial = {feature: value for feature, value in full.items() if generator.random() < 0.5}
            for features in (full, partial, {**full, "unit_coverage": 0.5}):
                expected = {named: features[f] for f, named in names if features.get(f)}
                got = by_family(features, question)
                assert got == expected and list(got) == list(expected)  # the same features, in the same order


def test_a_units_candidates_read_from_its_question_words_what_a_scan_of_the_unit_reads():
    """span_features reads nearness, preceded and after_question from where the question's words
    stand in the unit (UnitReading), and span_by_family its source from the span: both as the
    plain computations give them, in the same order."""
    generator = random.Random(11)
    questions = [analyse_question(text) for text in ("Who plays Joanna?", "Why is it free?", "How do I copy a tree?")]
    for text in real_texts()[:60] + ["a'b ’ c-d _ é 1.5", "It is rated 4.83/10 by 9 critics."]:
        stems = stemmed_terms(text)
        weights = {s: generator.uniform(0.1, 3.0) for s in generator.sample(stems, min(4, len(stems)))}
        # a unit's stems are one per token; fewer, and a candidate may stand past the last stem
        unit = Unit(text, 1, 1, generator.choice([stems, stems[: len(stems) // 2]]), coverage=generator.random())
        units = [Unit("Before.", 1, 1, [], 0.2), unit, Unit("After.", 1, 1, [], 0.9)]
        for _ in range(12):
            start = generator.randrange(-3, len(text) + 1)
            end = generator.randrange(max(start, 0), len(text) + 1)
            source = generator.choice(SOURCES + ("not_a_source",))
            span = Span(text[start:end], AnswerType.NUMBER, start, end, source, {"counted_noun": 1.0})
            question = generator.choice(questions)
            words = [normalize_word(w) for w in TOKEN.findall(text)]
            asked_words = set(generator.sample(words, min(3, len(words))))
            features = span_features(question, span, units, 1, weights, asked_words, PassageKind.PARAGRAPH)
            _, content, named = _candidate_words(span.text)
            assert features["novelty"] == (sum(w not in asked_words for w in content) / len(content) if content else 0.0)
            in_question = bool(named) and sum(w in asked_words for w in named) / len(named) > MOSTLY_IN_QUESTION_SHARE
            assert features["in_question"] == float(in_question)
            before = stems_before(unit, start)
            assert features["nearness"] == nearness(unit, start, end, weights)
            assert features["preceded"] == preceded(before, weights)
            assert features["after_question"] == float(not weights.keys().isdisjoint(before))
            expected = by_family(features, question)
            got = span_by_family(features, source, question)
            assert got == expected and list(got) == list(expected)


def test_kept_candidate_words_and_source_features_are_the_computed_ones():
    for text in real_texts()[:80] + ["", "Dr. O'Neil’s 2 books", "the of and"]:
        words = [normalize_word(w) for w in TOKEN.findall(text)]
        assert _candidate_words(text) == (tuple(words), tuple(w for w in words if w and w not in STOP_WORDS),
                                          tuple(w for w in words if w not in NOT_NAMES))
    for source in SOURCES:
        computed = {f"source_{name}": float(source == name) for name in SOURCES}
        assert source_features(source) == computed
        assert list(source_features(source)) == list(computed)


def test_inside_date_from_kept_dates_reads_the_dates_of_the_text():
    from search.patterns import DATE, YEAR
    texts = real_texts()[:80] + ["Released on December 18, 2019 with 10 episodes in 2020.", "On 2019-12-18, 3 of 4."]
    for text in texts:
        for position in range(0, len(text), 3):
            expected = any(m.start() <= position < m.end() and not YEAR.fullmatch(m.group()) for m in DATE.finditer(text))
            assert inside_date(text, position) == expected


def test_a_kept_property_is_computed_once_and_kept_on_its_instance():
    calls = []

    class Passage:
        @kept_property
        def text(self) -> str:
            """The text."""
            calls.append(self)
            return "computed"

    first, second = Passage(), Passage()
    assert first.text == first.text == "computed" and second.text == "computed"
    assert calls == [first, second] and first.__dict__["text"] == "computed"
    assert isinstance(Passage.text, kept_property) and Passage.text.__doc__ == "The text."
