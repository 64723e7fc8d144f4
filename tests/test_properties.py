"""Property tests: any text a user can type gives a valid Response or a clear QueryError.

Promises (docs/reliability.md, "Queries"):
- parse_query / build_query (pure): any Unicode string, NUL, RTL marks, emoji and 100 KB
  included, gives a ParsedQuery of at most MAX_CLAUSES clauses or a QueryError with a message;
  the Whoosh query it builds is bounded in size;
- cut_snippet (pure): highlight offsets fall inside the snippet, on a whole word that matches the
  query terms; the snippet is a piece of the text, at most about max_chars long;
- Engine.search / Engine.ask over the seeds index: a Response that the JSON contract accepts, whose
  highlights lie on words matching the query (or a typo correction of one), or a QueryError;
  never another exception;
- expensive queries (thousands of terms, long words, `file:` wildcards) return within a bound or
  are refused with a QueryError.
"""
from __future__ import annotations

import json
import re
import time

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from indexer.analysis import TOKEN_PATTERN, exact_words, normalize_word, stem, stemmed_terms
from search.expansion import corrections
from search.questions import analyse_question
from search.query import MAX_CLAUSES, MAX_QUERY_CHARS, Expansion, ParsedQuery, QueryError, build_query, parse_query
from search.response import Response
from search.retrieval import QUERY_TIME_BUDGET_S
from search.snippets import ELLIPSIS, MAX_SNIPPET_CHARS, MatchTerms, cut_snippet, fold_whitespace
from figures import record_figures

TOKEN = re.compile(TOKEN_PATTERN)
WORD_CHAR = re.compile(r"\w")

# Examples per property in the default suite; `make test-long` runs the `slow` copies with more.
PURE_EXAMPLES = 400
ENGINE_EXAMPLES = 100
LONG_FACTOR = 40

TRIED: dict[str, int] = {}  # inputs tried per property, for docs/reliability.md
OUTCOMES: dict[str, int] = {}  # what the engine made of them
SLOWEST: dict[str, float] = {}  # the slowest expensive query, in seconds




@pytest.fixture(scope="module", autouse=True)
def _report_inputs_tried(tmp_path_factory):
    yield
    if TRIED:
        record_figures(tmp_path_factory, "hypothesis", **TRIED, **OUTCOMES, total_inputs=sum(TRIED.values()))
    if SLOWEST:
        record_figures(tmp_path_factory, "expensive_queries", **SLOWEST)


def tried(name: str) -> None:
    TRIED[name] = TRIED.get(name, 0) + 1


# -- what users type ---------------------------------------------------------------------------

SEED_WORDS = ("Soundtrack Netflix season canceled Joshua Safran Fox drama music Nellie Kassem Joanna "
              "Stowe Callie Hernandez Crown Variety who what when where created plays").split()
OPERATORS = ['"', "+", "-", "title:", "section:", "file:", "kind:", "path:", "http:", "*", "?", "~", "(", ")",
             "AND", "OR", "NOT", "\\", ":", "“", "”", "«", "»", "'s", "’"]
ODD_CHARACTERS = ["\x00", "\u200f", "\u202e", "\u200d", "\u00ad", "\ufeff", "\u0301", "\u2028", "\t", "\n", "\r",
                  "😀", "👩‍👩‍👧", "🇫🇷", "İ", "ß", "ﬃ", "ǅ", "Ω", "中文", "עברית", "العربية", "\ud800", "\udfff", "\U0010ffff"]

words = st.sampled_from(SEED_WORDS)
pieces = st.one_of(words, st.sampled_from(OPERATORS), st.sampled_from(ODD_CHARACTERS),
                   st.text(max_size=12), st.from_regex(r"[a-z]{5,12}", fullmatch=True))
query_like = st.lists(pieces, max_size=25).map(lambda parts: " ".join(parts))
spaced_or_not = st.lists(pieces, max_size=25).map(lambda parts: "".join(parts))
user_text = st.one_of(
    st.text(),  # any code points, lone surrogates included
    st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=300),
    query_like,
    spaced_or_not,
    # long input: 100 KB, and just around the limit
    st.integers(MAX_QUERY_CHARS - 5, MAX_QUERY_CHARS + 5).map(lambda n: ("netflix " * n)[:n]),
    st.sampled_from(["\x00" * 100_000, "😀" * 25_000, "a " * 50_000, "\u202e" * 100_000, "x" * 100_000]),
)


def check_parsed(parsed: ParsedQuery, text: str) -> None:
    assert parsed.raw == text
    assert 1 <= len(parsed.clauses) <= MAX_CLAUSES
    for clause in parsed.clauses:
        assert clause.text and clause.text == clause.text.strip()
        assert clause.field in (None, "title", "section", "path", "kind")
        assert not (clause.required and clause.negated)


# -- parse_query and build_query ---------------------------------------------------------------


@settings(max_examples=PURE_EXAMPLES, deadline=None)
@given(text=user_text)
def test_parse_and_build_accept_any_text_or_refuse_it_clearly(text):
    tried("parse_and_build_query")
    try:
        parsed = parse_query(text)
    except QueryError as error:
        assert str(error)
        assert len(text) > MAX_QUERY_CHARS or not text.strip() or "no words" in str(error)
        return
    assert len(text) <= MAX_QUERY_CHARS
    check_parsed(parsed, text)
    query = build_query(parsed)
    leaves = list(query.leaves())
    assert len(leaves) <= 8 * MAX_CLAUSES  # bounded: at most a few fields per clause
    typo = {word: [Expansion(word[::-1] or "x", 0.9)] for word in parsed.free_words[:5]}
    build_query(parsed, typo)


@settings(max_examples=100, deadline=None)
@given(n=st.integers(MAX_QUERY_CHARS + 1, 200_000))
def test_text_over_the_limit_is_refused_with_its_length(n):
    tried("over_the_limit")
    with pytest.raises(QueryError, match=f"{n:,} characters; the limit is {MAX_QUERY_CHARS:,}"):
        parse_query("w " * (n // 2) + "w" * (n % 2))


def test_thousands_of_terms_are_capped_at_max_clauses():
    text = " ".join(f"w{i}" for i in range(400))[:MAX_QUERY_CHARS]
    parsed = parse_query(text)
    assert len(parsed.clauses) == MAX_CLAUSES
    assert len(list(build_query(parsed).leaves())) <= 8 * MAX_CLAUSES


# -- cut_snippet -------------------------------------------------------------------------------

snippet_words = st.one_of(st.sampled_from(["zebra", "zebras", "Zebra's", "quagga", "river", "O’Brien", "naïve", "x"]),
                          st.from_regex(r"[a-zé]{1,9}", fullmatch=True))
separators = st.one_of(st.sampled_from([" ", "  ", "\n", "\t", ", ", ". ", "-", "'", "’", "|", "…", "\u00a0", ""]),
                       st.text(max_size=3))
snippet_text = st.one_of(
    st.lists(st.tuples(snippet_words, separators), max_size=120).map(lambda pairs: "".join(w + s for w, s in pairs)),
    st.text(max_size=600),
)


def match_terms_for(query_words: list[str], corrections: list[str]) -> MatchTerms:
    words = [w for q in query_words for w in exact_words(q)] + corrections
    return MatchTerms(frozenset(stemmed_terms(" ".join(words))), frozenset(corrections))


def check_snippet(text: str, snippet: str, highlights: list[tuple[int, int]], terms: MatchTerms, max_chars: int,
                  shown_from_text: bool = False) -> None:
    """`shown_from_text`: the snippet was cut from the text's display form (markup such as table
    pipes taken out, indexer/display.py), so its words, not its characters, stand in the text."""
    folded = fold_whitespace(text)
    body = snippet.strip(ELLIPSIS) if shown_from_text else (
        snippet.removeprefix(ELLIPSIS).removesuffix(ELLIPSIS) if len(folded) > max_chars else snippet)
    if shown_from_text:
        words, text_words = TOKEN.findall(body), TOKEN.findall(text)
        assert any(text_words[i : i + len(words)] == words for i in range(len(text_words) - len(words) + 1)), body
    else:
        assert body in folded
    assert len(snippet) <= max_chars + 2 * len(ELLIPSIS)
    previous_end = 0
    for start, end in highlights:
        assert previous_end <= start < end <= len(snippet), (start, end, len(snippet))
        previous_end = end
        run = snippet[start:end]  # one matched word, or a run of them with only white space between
        assert all(TOKEN.fullmatch(word) for word in run.split()), run
        assert start == 0 or not WORD_CHAR.match(snippet[start - 1]), (snippet, start)
        assert end == len(snippet) or not WORD_CHAR.match(snippet[end]), (snippet, end)
        assert all(terms.matches(word) for word in run.split()), run


@settings(max_examples=PURE_EXAMPLES, deadline=None)
@given(text=snippet_text, query=st.lists(snippet_words, max_size=4), corrections=st.lists(snippet_words, max_size=2),
       max_chars=st.one_of(st.just(MAX_SNIPPET_CHARS), st.integers(1, 400)))
def test_snippet_highlights_lie_inside_on_whole_matching_words(text, query, corrections, max_chars):
    tried("cut_snippet")
    terms = match_terms_for(query, corrections)
    snippet, highlights = cut_snippet(text, terms, max_chars)
    check_snippet(text, snippet, highlights, terms, max_chars)


@settings(max_examples=PURE_EXAMPLES, deadline=None)
@given(text=snippet_text, query=st.lists(snippet_words, min_size=1, max_size=3))
@example(text="aaaa zebra," + "b" * 300, query=["zebra"])  # a regression: the cut fell before the match
def test_a_snippet_shows_a_match_when_one_fits_in_it(text, query):
    terms = match_terms_for(query, [])
    folded = fold_whitespace(text)
    spans = [(s, e) for s, e in [(m.start(), m.end()) for m in TOKEN.finditer(folded)] if terms.matches(folded[s:e])]
    snippet, highlights = cut_snippet(text, terms)
    if spans and all(e - s <= 60 for s, e in spans):
        assert highlights, (folded, snippet)


# -- the engine --------------------------------------------------------------------------------


def corrections_for(engine, text: str) -> list[str]:
    """The indexed words the engine substitutes for misspelt words of `text` (white-box: the
    engine's own lookup, asked with the words a search or a question would pass it)."""
    free_words: list[str] = []
    for search_text in (text, analyse_question(text).search_text):
        try:
            free_words += parse_query(search_text).free_words
        except QueryError:
            pass
    fixes = []
    view = engine.index.view()
    for options in corrections(free_words, view.counts, lambda: view.files.vocabulary).values():
        fixes += [options] if isinstance(options, str) else list(options)
    return fixes


def matches_query(word: str, text: str, fixes: list[str]) -> bool:
    """Is `word` a word of the query (same stem) or one of its typo corrections (or a word with
    a correction's stem)? Built from the query text alone, independently of search/engine.py."""
    normal = normalize_word(word)
    fixes = [normalize_word(fix) for fix in fixes]
    return normal in fixes or stem(normal) in set(stemmed_terms(" ".join(exact_words(text) + fixes)))


def check_response(response: Response, text: str, validator, engine, limit: int = 10) -> None:
    assert isinstance(response, Response)
    assert response.query == text
    assert len(response.results) <= limit
    assert [hit.rank for hit in response.results] == list(range(1, len(response.results) + 1))
    data = json.loads(json.dumps(response.to_dict()))
    errors = sorted(validator.iter_errors(data), key=str)
    assert not errors, errors[0]
    if response.answer is not None:
        assert response.answer.text.strip()
    fixes = corrections_for(engine, text) if response.results else []
    for hit in response.results:
        check_snippet(hit.text, hit.snippet, hit.highlights, ANY_WORD, MAX_SNIPPET_CHARS, shown_from_text=True)
        for start, end in hit.highlights:
            for word in hit.snippet[start:end].split():  # a run of matched words is one highlight
                assert matches_query(word, text, fixes), (word, text, fixes)


class _AnyWord:
    """For engine hits the words are checked against the query text instead (below), since the
    engine adds its typo corrections to the match terms."""

    @staticmethod
    def matches(word: str) -> bool:
        return True


ANY_WORD = _AnyWord()


class Contract:
    """The answer schema's validator with a short repr (Hypothesis prints every argument of a
    failing example; the validator's own repr is 80 KB)."""

    def __init__(self, validator) -> None:
        self.validator = validator

    def iter_errors(self, data):
        return self.validator.iter_errors(data)

    def __repr__(self) -> str:
        return "<answer.schema.json>"


@pytest.fixture(scope="module")
def contract(answer_validator) -> Contract:
    return Contract(answer_validator)


def run_engine(engine, method: str, text: str, validator) -> str:
    try:
        response = getattr(engine, method)(text)
    except QueryError as error:
        assert str(error)
        OUTCOMES["engine_query_errors"] = OUTCOMES.get("engine_query_errors", 0) + 1
        return "refused"
    check_response(response, text, validator, engine)
    OUTCOMES["engine_responses"] = OUTCOMES.get("engine_responses", 0) + 1
    OUTCOMES["engine_highlights_checked"] = OUTCOMES.get("engine_highlights_checked", 0) + sum(
        len(hit.highlights) for hit in response.results)
    return "answered"


@settings(max_examples=ENGINE_EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=user_text)
def test_engine_search_gives_a_response_or_a_query_error(engine, contract, text):
    tried("engine_search")
    run_engine(engine, "search", text, contract)


@settings(max_examples=ENGINE_EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.one_of(user_text, query_like.map(lambda q: f"Who {q}?"), query_like.map(lambda q: f"When was {q}")))
def test_engine_ask_gives_a_response_or_a_query_error(engine, contract, text):
    tried("engine_ask")
    run_engine(engine, "ask", text, contract)


@pytest.mark.slow
@settings(max_examples=ENGINE_EXAMPLES * LONG_FACTOR, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(method=st.sampled_from(["search", "ask"]), text=user_text)
def test_engine_fuzz_long(engine, contract, method, text):
    tried("engine_fuzz_long")
    run_engine(engine, method, text, contract)


@pytest.mark.slow
@settings(max_examples=PURE_EXAMPLES * LONG_FACTOR, deadline=None)
@given(text=snippet_text, query=st.lists(snippet_words, max_size=4), corrections=st.lists(snippet_words, max_size=2),
       max_chars=st.integers(1, 400))
def test_snippet_fuzz_long(text, query, corrections, max_chars):
    tried("cut_snippet_long")
    terms = match_terms_for(query, corrections)
    snippet, highlights = cut_snippet(text, terms, max_chars)
    check_snippet(text, snippet, highlights, terms, max_chars)


def note_slowest(index: str, seconds: float) -> None:
    key = f"slowest_on_{index}_seconds"
    SLOWEST[key] = round(max(SLOWEST.get(key, 0.0), seconds), 2)
    SLOWEST[f"queries_on_{index}"] = SLOWEST.get(f"queries_on_{index}", 0) + 1


# -- expensive queries -------------------------------------------------------------------------

# Generous: the budget covers the index search; word correction and answer extraction come on top,
# and CI machines are slow and shared.
EXPENSIVE_BOUND_S = QUERY_TIME_BUDGET_S + 8.0

EXPENSIVE = {
    "thousands of terms": " ".join(f"term{i}" for i in range(3000)),
    "500 one-letter words": " ".join("abcdefghijklmnopqrstuvwxyz"[i % 26] for i in range(499)),
    "64 long misspelt words": " ".join(f"{w}xq" for w in ["soundtrakc", "netflixx", "canceld", "sesaon"] * 16)[:MAX_QUERY_CHARS],
    "one 1000-letter word": "soundtrack" * 100,
    "file: wildcard alone": "file:*",
    "file: wildcards": " ".join(["file:*", "file:seeds", "file:?", "file:[a-z]", "file:0"] * 30)[:MAX_QUERY_CHARS],
    "many phrases": " ".join(['"joshua safran"', '"the crown"', '"one season"'] * 40)[:MAX_QUERY_CHARS],
    "many exclusions": " ".join(f"-{w}" for w in SEED_WORDS * 10)[:MAX_QUERY_CHARS] + " netflix",
    "a hyphenated chain": "-".join(SEED_WORDS * 10)[:MAX_QUERY_CHARS],
    "100 KB": "soundtrack " * 10_000,
}


@pytest.mark.parametrize("text", list(EXPENSIVE.values()), ids=list(EXPENSIVE))
@pytest.mark.parametrize("method", ["search", "ask"])
def test_expensive_queries_are_bounded_or_refused(engine, contract, method, text):
    started = time.perf_counter()
    outcome = run_engine(engine, method, text, contract)
    seconds = time.perf_counter() - started
    note_slowest("seeds", seconds)
    assert seconds < EXPENSIVE_BOUND_S, f"{method} took {seconds:.1f} s"
    if len(text) > MAX_QUERY_CHARS:
        assert outcome == "refused"


# The same on an index of many small files, where a `file:` filter is a wildcard over many paths.
MANY_FILES = 120
# A query may open a few posting lists per file (a `file:` filter is a wildcard over paths), no more.
MAX_POSTINGS = 8 * MANY_FILES + 1000


@pytest.fixture(scope="module")
def many_files_engine(tmp_path_factory):
    from indexer.build import build_index
    from search.engine import Engine

    folder = tmp_path_factory.mktemp("many-files")
    for number in range(MANY_FILES):
        name = f"n{number:04d}-{chr(97 + number % 26)}{chr(97 + number // 26 % 26)}.md"
        (folder / name).write_text(f"Note {number} about kalomi and item{number}.\n", encoding="utf-8")
    build_index(folder, folder / ".index")
    return Engine(folder / ".index")


@pytest.fixture()
def postings_opened(monkeypatch):
    """How many posting lists the searches in a test open: the work a query costs, counted
    rather than timed, so the bound holds on slow and on fast machines alike. Past MAX_POSTINGS
    the search is stopped there and then (instead of running on for tens of seconds)."""
    import whoosh.searching

    opened = [0]
    original = whoosh.searching.Searcher.postings

    def counting(self, *args, **kwargs):
        opened[0] += 1
        if opened[0] > MAX_POSTINGS:
            raise AssertionError(f"the query opened over {MAX_POSTINGS:,} posting lists")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(whoosh.searching.Searcher, "postings", counting)
    return opened


FILE_FILTERS = {
    "file:* 64 times": " ".join(["file:*"] * 140)[:MAX_QUERY_CHARS],
    "64 different file: filters": " ".join(f"file:{a}{b}" for a in "abcdefgh" for b in "abcdefgh"),
    "4 file: filters and a word": "file:a file:b file:c file:n kalomi",
    "a word and file:*": "kalomi file:*",
}


@pytest.mark.parametrize("text", list(FILE_FILTERS.values()), ids=list(FILE_FILTERS))
@pytest.mark.parametrize("method", ["search", "ask"])
def test_file_filters_are_bounded_on_an_index_of_many_files(many_files_engine, contract, postings_opened, method, text):
    started = time.perf_counter()
    run_engine(many_files_engine, method, text, contract)
    seconds = time.perf_counter() - started
    note_slowest("many_files", seconds)
    key = "most_postings_opened_on_many_files"
    SLOWEST[key] = max(SLOWEST.get(key, 0), postings_opened[0])
    assert postings_opened[0] <= MAX_POSTINGS
    assert seconds < EXPENSIVE_BOUND_S, f"{method} took {seconds:.1f} s"
