"""User text -> query: parse Liner's small query language and build a Whoosh query from it.

Both steps are pure (no index needed), so tests check them alone. The language:

    words              ranked over title, section, fields and body: passages with all
                       the words first, then OR with a bonus for matching more of them
                       (stop words are dropped unless that leaves nothing)
    "exact phrase"     must appear as written (stop words inside stay: "Pennies From Heaven")
    +word              must appear
    -word  -"phrase"   must not appear (a word after two dashes, `--mouse`, is a command-line
                       option, and in a question a sign is part of its word: "What does -v do?")
    title:word         only passages whose document title has the word (also section:,
    section:"a b"      file: for a path substring, kind: for field/table_row/list_item/...)

While the user is still typing (`parse_query(text, typing=True)`), the last word, if nothing
follows it yet, may be unfinished: it also matches the indexed words it begins (as Meilisearch
and Pagefind match the word being typed), so "Who plays Joann" finds "Joanna".

Anything else is literal text: an unbalanced quote is an ordinary character, `AND`/`OR`/`*`/`~`
and brackets mean nothing, so Whoosh's own syntax is never reached by accident.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from whoosh import query as wq

from indexer.analysis import STOP_WORDS, exact_words, join_typeset_breaks, stemmed_terms
from indexer.schema import RANKED_FIELD
from search.query_nodes import COORDINATION_SCALE, all_of, any_of

# Longest query we read; longer input is refused with a clear message (search/engine.py).
MAX_QUERY_CHARS = 1000
# Most clauses we turn into query terms; more is a paste of a document, not a query.
MAX_CLAUSES = 64
# A word being typed matches as a prefix from this many letters: one letter would expand to a
# large share of the vocabulary (every indexed word starting with "s") and rank nothing useful.
MIN_PREFIX_CHARS = 2

FILTER_FIELDS = {"title": "title", "section": "section", "file": "path", "path": "path", "kind": "kind"}


_CLAUSE = re.compile(
    r'(?P<sign>[+-]?)(?:(?P<field>[A-Za-z]+):)?(?:"(?P<phrase>[^"]*)"|(?P<word>[^\s"]+))|(?P<stray>")'
)


@dataclass(frozen=True)
class Clause:
    text: str
    is_phrase: bool = False
    field: str | None = None  # a filter field (title, section, path, kind) or None
    required: bool = False
    negated: bool = False


@dataclass(frozen=True)
class ParsedQuery:
    raw: str
    clauses: tuple[Clause, ...] = field(default_factory=tuple)
    # The free word still being typed (its key, as content_words gives it), matched as a prefix
    # too; None when the query is complete.
    prefix: str | None = None

    @property
    def free_words(self) -> list[str]:
        """Unquoted, unfiltered, not negated words: the ones ranked, expanded and corrected."""
        return [c.text for c in self.clauses if not c.is_phrase and c.field is None and not c.negated]

    @property
    def phrases(self) -> list[str]:
        return [c.text for c in self.clauses if c.is_phrase and c.field is None and not c.negated]

    @property
    def positive_text(self) -> str:
        """All text the passages should match (for highlighting and answer extraction)."""
        return " ".join(c.text for c in self.clauses if not c.negated and c.field in (None, "title", "section"))


class QueryError(ValueError):
    """A query that cannot be searched; the message says what to change."""


# Quotation marks a phrase may be typed with besides '"', each read as '"'.
OTHER_QUOTE_MARKS = "“”„«»"
_TO_STRAIGHT_QUOTE = str.maketrans(dict.fromkeys(OTHER_QUOTE_MARKS, '"'))


def normalize_quotes(text: str) -> str:
    return text.translate(_TO_STRAIGHT_QUOTE)


def parse_query(text: str, typing: bool = False, signs: bool = True) -> ParsedQuery:
    """Parse user text into clauses. Never raises for odd syntax; only for empty/huge input.

    With `typing`, the text is what the user has typed so far: a last free word that nothing
    follows (no space, no punctuation after it) is `prefix`, matched as the start of a word too.
    Without `signs` (a question: nobody asks in operators), `+` and `-` are part of the word."""
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(f"query is {len(text):,} characters; the limit is {MAX_QUERY_CHARS:,}")
    # a word a typesetter broke (pasted from a man page or a web page) is one word, as indexed
    cleaned = "".join(ch if ch.isprintable() else " " for ch in normalize_quotes(join_typeset_breaks(text)))
    if cleaned.count('"') % 2:
        last = cleaned.rfind('"')  # an unbalanced quote is literal text
        cleaned = cleaned[:last] + " " + cleaned[last + 1 :]
    clauses: list[Clause] = []
    for match in _CLAUSE.finditer(cleaned):
        if match.group("stray"):
            continue
        sign, field_name = match.group("sign"), (match.group("field") or "").lower()
        phrase, word = match.group("phrase"), match.group("word")
        if sign and (not signs or word and word.startswith("-")):  # "-v" in a question; "--mouse"
            sign, word = "", sign + word if word else word
        value = phrase if phrase is not None else word
        if field_name and field_name not in FILTER_FIELDS:
            value, field_name = f"{match.group('field')}:{value}", ""  # "http:" or "note:" is text
        if field_name in ("path", "file") and not re.search(r"[^\W_]|[._/-]", _escape_wildcard(value or "")):
            continue  # `file:*` filters nothing; Whoosh would still open every path's postings
        if not value or not value.strip() or not (exact_words(value) or field_name in ("path", "file", "kind")):
            continue
        clause = Clause(
            text=value.strip(),
            is_phrase=phrase is not None and len(exact_words(phrase)) > 1,
            field=FILTER_FIELDS.get(field_name) if field_name else None,
            required=sign == "+",
            negated=sign == "-",
        )
        if clause not in clauses:  # a repeated clause changes nothing but the cost
            clauses.append(clause)
    if not clauses:
        raise QueryError("the query has no words to search for")
    clauses = clauses[:MAX_CLAUSES]
    return ParsedQuery(raw=text, clauses=tuple(clauses), prefix=_typed_prefix(cleaned, clauses) if typing else None)


def _typed_prefix(cleaned: str, clauses: list[Clause]) -> str | None:
    """The key of the last free word when the text ends inside it (the word being typed)."""
    last = clauses[-1]
    if last.is_phrase or last.field or last.negated or not cleaned or not cleaned[-1].isalnum():
        return None
    words = exact_words(last.text)
    if len(words) != 1 or len(words[0]) < MIN_PREFIX_CHARS or not cleaned.rstrip().endswith(last.text):
        return None
    return words[0]


@dataclass(frozen=True)
class Expansion:
    """Other words a free word may match, with the weight of such a match (typos, synonyms)."""

    word: str
    weight: float


def content_words(parsed: ParsedQuery) -> list[str]:
    """The free words that are ranked, each as its key (normalised words joined by spaces): stop
    words are dropped unless nothing else is left."""
    keys = [" ".join(exact_words(word)) for word in parsed.free_words]
    return [key for key in keys if not set(key.split()) <= STOP_WORDS] or keys


def build_query(parsed: ParsedQuery, expansions: dict[str, list[Expansion]] | None = None, *,
                common: frozenset[str] = frozenset(), must: frozenset[str] | None = None) -> wq.Query:
    """A Whoosh query for `parsed`; `expansions` maps a free word to words it may also match.

    By default passages match any of the free words, with a bonus for matching more of them.
    `common` names free words that stand in so many passages that matching them alone finds
    nothing worth ranking: they only add to the score of passages the other words find (the
    "common terms" query of Elasticsearch). With `must`, the free words named there must all
    match, and the others only add to the score.
    """
    rare, frequent = _free_word_queries(parsed, expansions or {}, common, must)
    phrases, required, excluded = _clause_queries(parsed)
    rare += phrases
    positive = _combined(rare, frequent, required, must is not None)
    if excluded:
        positive = wq.AndNot(positive, any_of(excluded) if len(excluded) > 1 else excluded[0])
    return positive


def _free_word_queries(parsed: ParsedQuery, expansions: dict[str, list[Expansion]], common: frozenset[str],
                       must: frozenset[str] | None) -> tuple[list[wq.Query], list[wq.Query]]:
    """Each free word with its expansions, as (rare, frequent): the words that find passages, and
    those that only add to the score of what the others find (`common`, or not in `must`)."""
    rare: list[wq.Query] = []
    frequent: list[wq.Query] = []
    words = {" ".join(exact_words(word)): word for word in parsed.free_words}
    for key in content_words(parsed):
        alternatives = [_word_query(words[key], 1.0)] + [_word_query(e.word, e.weight) for e in expansions.get(key, [])]
        if key == parsed.prefix:  # the word being typed: also every indexed word it begins
            alternatives.append(wq.Prefix(RANKED_FIELD, key))
        built = alternatives[0] if len(alternatives) == 1 else any_of(alternatives)
        optional = key not in must if must is not None else key in common
        (frequent if optional else rare).append(built)
    return rare, frequent


def _clause_queries(parsed: ParsedQuery) -> tuple[list[wq.Query], list[wq.Query], list[wq.Query]]:
    """The clauses as (phrases, required, excluded): a phrase is ranked as well as required."""
    phrases: list[wq.Query] = []
    required: list[wq.Query] = []
    excluded: list[wq.Query] = []
    for clause in parsed.clauses:
        if clause.field is None and not clause.is_phrase and not clause.negated and not clause.required:
            continue
        built = _clause_query(clause)
        if built is None:
            continue
        if clause.negated:
            excluded.append(built)
        elif clause.required or clause.is_phrase or clause.field:
            required.append(built)
        if clause.is_phrase and not clause.negated:
            phrases.append(built)
    return phrases, required, excluded


def _combined(rare: list[wq.Query], frequent: list[wq.Query], required: list[wq.Query], all_rare: bool) -> wq.Query:
    """The positive part of the query: the rare words (all of them when `all_rare`, else any, more
    being better), the frequent ones adding to the score, every required clause."""
    if all_rare and rare:
        positive = all_of(rare + [query for query in required if query not in rare])
        if frequent:
            positive = wq.AndMaybe(positive, any_of(frequent) if len(frequent) > 1 else frequent[0])
        return positive
    if rare or frequent:
        ranked = [query for query in rare if query not in required]  # a required phrase is matched once
        if not ranked and not frequent:
            return all_of(required) if len(required) > 1 else required[0]
        if not ranked:  # only common words: passages need them all (as Elasticsearch does)
            return all_of(frequent + required)
        positive = any_of(ranked, scale=COORDINATION_SCALE) if len(ranked) > 1 else ranked[0]
        if frequent:
            positive = wq.AndMaybe(positive, any_of(frequent) if len(frequent) > 1 else frequent[0])
        if required:
            positive = wq.AndMaybe(all_of(required) if len(required) > 1 else required[0], positive)
        return positive
    if required:
        return all_of(required) if len(required) > 1 else required[0]
    return wq.Every()


def _word_query(word: str, weight: float) -> wq.Query:
    """One word, stemmed, in the ranked field that holds every searchable field's words."""
    stems = stemmed_terms(word)
    return _stems_query(RANKED_FIELD, stems, weight) if stems else wq.NullQuery


def _stems_query(field: str, stems: list[str], weight: float = 1.0) -> wq.Query:
    """One term, or several as a phrase ("O'Brien-Smith", "4.83/10", "pennies from heaven")."""
    return wq.Term(field, stems[0], boost=weight) if len(stems) == 1 else wq.Phrase(field, stems, boost=weight)


def _clause_query(clause: Clause) -> wq.Query | None:
    if clause.field == "path":
        return wq.Wildcard("path", f"*{_escape_wildcard(clause.text)}*")
    if clause.field == "kind":
        return wq.Term("kind", clause.text.lower())
    stems = stemmed_terms(clause.text)
    if not stems:
        return None
    return _stems_query(clause.field or RANKED_FIELD, stems)


def _escape_wildcard(text: str) -> str:
    return re.sub(r"[*?\[\]]", "", text)
