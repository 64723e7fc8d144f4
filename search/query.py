"""User text -> query: parse Liner's small query language and build a Whoosh query from it.

Both steps are pure (no index needed), so tests check them alone. The language:

    words              ranked over title, section, fields and body: passages with all
                       the words first, then OR with a bonus for matching more of them
                       (stop words are dropped unless that leaves nothing)
    "exact phrase"     must appear as written (stop words inside stay: "Pennies From Heaven")
    +word              must appear
    -word  -"phrase"   must not appear
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

from bisect import bisect_left

from whoosh import query as wq
from whoosh.matching import CoordMatcher, UnionMatcher, WrappingMatcher

from indexer.matcher import BlockMatcher, common_documents

from indexer.analysis import STOP_WORDS, exact_words, stemmed_terms
from indexer.schema import RANKED_FIELD

# Longest query we read; longer input is refused with a clear message (search/engine.py).
MAX_QUERY_CHARS = 1000
# Most clauses we turn into query terms; more is a paste of a document, not a query.
MAX_CLAUSES = 64
# A word being typed matches as a prefix from this many letters: one letter would expand to a
# large share of the vocabulary (every indexed word starting with "s") and rank nothing useful.
MIN_PREFIX_CHARS = 2

# The coordination bonus of Whoosh's Or: with scale s, a passage matching m of n words is scaled
# by roughly 1 - s + s*m/n (whoosh.query.Or), like the OrGroup.factory(0.9) its parser suggests.
COORDINATION_SCALE = 0.9

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


def normalize_quotes(text: str) -> str:
    return text.replace("“", '"').replace("”", '"').replace("„", '"').replace("«", '"').replace("»", '"')


def parse_query(text: str, typing: bool = False) -> ParsedQuery:
    """Parse user text into clauses. Never raises for odd syntax; only for empty/huge input.

    With `typing`, the text is what the user has typed so far: a last free word that nothing
    follows (no space, no punctuation after it) is `prefix`, matched as the start of a word too."""
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(f"query is {len(text):,} characters; the limit is {MAX_QUERY_CHARS:,}")
    cleaned = "".join(ch if ch.isprintable() else " " for ch in normalize_quotes(text))
    if cleaned.count('"') % 2:
        last = cleaned.rfind('"')  # an unbalanced quote is literal text
        cleaned = cleaned[:last] + " " + cleaned[last + 1 :]
    clauses: list[Clause] = []
    for match in _CLAUSE.finditer(cleaned):
        if match.group("stray"):
            continue
        sign, field_name = match.group("sign"), (match.group("field") or "").lower()
        phrase, word = match.group("phrase"), match.group("word")
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
    expansions = expansions or {}
    rare: list[wq.Query] = []
    frequent: list[wq.Query] = []
    required: list[wq.Query] = []
    excluded: list[wq.Query] = []

    words = {" ".join(exact_words(word)): word for word in parsed.free_words}
    for key in content_words(parsed):
        alternatives = [_word_query(words[key], 1.0)] + [_word_query(e.word, e.weight) for e in expansions.get(key, [])]
        if key == parsed.prefix:  # the word being typed: also every indexed word it begins
            alternatives.append(wq.Prefix(RANKED_FIELD, key))
        built = alternatives[0] if len(alternatives) == 1 else _any_of(alternatives)
        optional = key not in must if must is not None else key in common
        (frequent if optional else rare).append(built)
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
            rare.append(built)

    positive: wq.Query
    if must is not None and rare:
        positive = _all_of(rare + [query for query in required if query not in rare])
        if frequent:
            positive = wq.AndMaybe(positive, _any_of(frequent) if len(frequent) > 1 else frequent[0])
    elif rare or frequent:
        ranked = [query for query in rare if query not in required]  # a required phrase is matched once
        if not ranked and not frequent:
            positive = _all_of(required) if len(required) > 1 else required[0]
        elif not ranked:  # only common words: passages need them all (as Elasticsearch does)
            positive = _all_of(frequent + required)
        else:
            positive = _any_of(ranked, scale=COORDINATION_SCALE) if len(ranked) > 1 else ranked[0]
            if frequent:
                positive = wq.AndMaybe(positive, _any_of(frequent) if len(frequent) > 1 else frequent[0])
            if required:
                positive = wq.AndMaybe(_all_of(required) if len(required) > 1 else required[0], positive)
    elif required:
        positive = _all_of(required) if len(required) > 1 else required[0]
    else:
        positive = wq.Every()
    if excluded:
        positive = wq.AndNot(positive, _any_of(excluded) if len(excluded) > 1 else excluded[0])
    return positive


def _all_of(subqueries: list[wq.Query]) -> wq.And:
    return _All(subqueries)


class _All(wq.And):
    """Whoosh's And, whose documents are found up front when every part is one term of a Liner
    index (indexer/matcher.py's common_documents): Whoosh steps through an intersection one
    posting at a time in Python, most of a two-word search on 100,000 passages. The matches are
    then scored by Whoosh's own intersection tree, moved straight to each, so a passage scores
    what it scores there."""

    def _matcher(self, subs, searcher, context):
        matcher = super()._matcher(subs, searcher, context)
        reader = searcher.reader()
        if reader.has_deletions():
            # The postings still list the passages an update deleted; Whoosh's tree filters them.
            return matcher
        leaves = list(matcher.term_matchers()) if all(type(sub) is wq.Term for sub in subs) else []
        if len(leaves) != len(subs) or not all(type(leaf) is BlockMatcher for leaf in leaves):
            return matcher  # a phrase, an expansion: Whoosh's own way
        leaves.sort(key=lambda leaf: reader.doc_frequency(*leaf.term()))
        return _Intersected(matcher, common_documents(leaves))


class _Intersected(WrappingMatcher):
    """An intersection matcher whose documents are known: it goes to each in turn, and moves
    Whoosh's tree there only when a score or a position is asked for (counting needs neither)."""

    def __init__(self, child, documents: list[int], at: int = 0) -> None:
        super().__init__(child)
        self._documents = documents
        self._at = at
        self._child_at = -1

    def copy(self):
        return _Intersected(self.child.copy(), self._documents, self._at)

    def _moved(self):
        """The tree, at the current document."""
        if self._child_at != self._at:
            self.child.skip_to(self._documents[self._at])
            self._child_at = self._at
        return self.child

    def is_active(self) -> bool:
        return self._at < len(self._documents)

    def id(self) -> int:
        return self._documents[self._at]

    def all_ids(self):
        return iter(self._documents[self._at:])

    def next(self) -> bool:
        self._at += 1
        return False

    def skip_to(self, docnum: int) -> None:
        if self._at < len(self._documents) and docnum > self._documents[self._at]:
            self._at = bisect_left(self._documents, docnum, self._at)

    def score(self) -> float:
        return self._moved().score()

    def weight(self) -> float:
        return self._moved().weight()

    def value(self):
        return self._moved().value()

    def value_as(self, astype):
        return self._moved().value_as(astype)

    def spans(self):
        return self._moved().spans()

    def matching_terms(self, id=None):
        return self._moved().matching_terms(id)

    def supports_block_quality(self) -> bool:
        return False  # few documents: scoring them all costs less than bounding them

    def replace(self, minquality: float = 0):
        return self

    def skip_to_quality(self, minquality: float) -> int:
        return 0


def _any_of(subqueries: list[wq.Query], scale: float | None = None) -> wq.Or:
    return _Union(subqueries, scale=scale)


class _Union(wq.Or):
    """Whoosh's Or as a tree of union matchers over the clauses in order. Whoosh's own Or either
    preloads every clause into arrays of 2,048 slots per nested Or on small indexes (which made
    retrieval on the seeds several times slower), or sizes every clause first to balance its
    tree, looking each term up again at every level of nesting (a fifth of retrieval here)."""

    def _matcher(self, subs, searcher, context):
        matcher = self._tree_matcher(subs, UnionMatcher, searcher, context, None)
        if self.scale and any(matcher.term_matchers()):  # the bonus for matching more clauses
            matcher = _CoordMatcher(matcher, scale=self.scale)
        return matcher


class _CoordMatcher(CoordMatcher):
    """Whoosh's CoordMatcher with quality thresholds that mean what its scores mean, and the same
    number of terms for the whole query.

    CoordMatcher rescales its child's scores (the V-Twin "SQR" function) but hands a minimum
    quality to its child unchanged, when the collector skips blocks that cannot make the top
    (`skip_to_quality`, `replace`). Under an AndMaybe (a question's rarer words beside its common
    ones) the child then stops at a block whose own quality passes the threshold but whose
    rescaled quality does not, and AndMaybe asks again, for ever: a question hung there on a
    2,500-passage corpus. Here the threshold is carried back through SQR (which rises with the
    child's score) before it is handed down, with a hair of margin so that rounding cannot leave
    the child where it is.

    Whoosh also counts the terms again when it swaps its child for a smaller tree once a term's
    postings run out (`_replacement`), so a passage's bonus for matching more words depended on
    where it stands in the index (and on how an index is cut into segments or shards:
    search/cluster/scoring.py): the count made for the query is kept."""

    MARGIN = 1e-9

    def _child_threshold(self, minquality: float) -> float:
        termcount, scale = self._termcount, self._scale
        if termcount <= 1 or termcount == scale:
            return float("inf") if minquality > 0 else minquality  # SQR is 0 here: nothing reaches a positive bar
        # sqr(s) = (s + (termcount - 1) / (termcount - scale) ** 2) * (termcount - 1) / termcount
        lift = (termcount - 1) / (termcount - scale) ** 2
        return minquality * termcount / (termcount - 1) - lift + self.MARGIN * max(1.0, abs(minquality))

    def skip_to_quality(self, minquality: float) -> int:
        return self.child.skip_to_quality(self._child_threshold(minquality))

    def replace(self, minquality: float = 0):
        replaced = self.child.replace(self._child_threshold(minquality) if minquality else 0)
        return self if replaced is self.child else self._replacement(replaced)

    def _replacement(self, newchild):
        replaced = self.__class__(newchild, scale=self._scale)
        replaced._termcount = self._termcount
        return replaced


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
