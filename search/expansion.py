"""Query expansion and term weights, as functions of term statistics: typo corrections against the
words the documents contain, WordNet synonyms the documents prefer, the weight of each question
word by its rarity, and the question words no document holds.

Every function here reads the index only through `TermStats` (search/index.py's TermCounts in
a query; a dictionary in the unit tests), so none needs an index to be tested.
"""
from __future__ import annotations

import math
import re
from difflib import SequenceMatcher
from typing import Callable, Protocol

from indexer.analysis import exact_words, normalize_word, stem, stemmed_terms
from indexer.synonyms import lookup_keys
from search.kinds import QuestionKind
from search.query import STOP_WORDS, Expansion, ParsedQuery
from search.questions import Question
from search.typos import Vocabulary

# Typo tolerance as in Meilisearch: one typo from 5 letters, two from 9; shorter words exact.
ONE_TYPO_FROM = 5
TWO_TYPOS_FROM = 9
# A corrected word counts a little less than the word as typed would have.
CORRECTION_WEIGHT = 0.9
# At most this many indexed words stand in for one misspelt word (the closest, most frequent).
MAX_CORRECTIONS_PER_WORD = 3
# A synonym match counts half as much as the word itself; at most this many per word.
SYNONYM_WEIGHT = 0.5
MAX_SYNONYMS_PER_WORD = 4
# Prefixes that negate a word ("unsafe", "irrevocable", "illegal", "non-exclusive"), and those
# that negate only an adjective ("invalid" is, "inform" is not; "impossible" against "import",
# "disabled" against "display"): told by the adjective's ending.
NEGATING_PREFIXES = ("un", "ir", "il", "non")
ADJECTIVE_NEGATING_PREFIXES = ("in", "im", "dis")
ADJECTIVE_ENDING = re.compile(r"(?:able|ible|al|ive|ent|ant|ous|ic|ful|id|ed)$")
# On words of at least this many letters (a shorter one with a prefix is mostly another word).
MIN_NEGATED_WORD = 3
# A word in more passages than both of these only ranks what rarer words find (on a large index:
# scoring its every match in Python would cost tens of milliseconds and find nothing new).
COMMON_TERM_MIN_PASSAGES = 1000
COMMON_TERM_SHARE = 0.01

# Punctuation around a word of the question as typed.
_WORD_EDGES = "?!.,;:\"'“”()"


class TermStats(Protocol):
    """How often the index holds a term: what expansion and retrieval read of it."""

    doc_count: int

    def passages(self, term: str) -> int:
        """Passages whose ranked field holds the stem `term`."""

    def files_with_word(self, word: str) -> int:
        """Files whose words as written include `word`."""

    def has_live_word(self, word: str) -> bool:
        """Whether a file still in the index has `word` as written."""

    def in_index(self, word: str) -> bool:
        """Whether a passage has the word, or a word of its stem."""


class TermWeights(dict):
    """Question stem -> weight, plus `aliases`: the stems of words that stand in for a question
    word (its synonyms, the corrections of a typo), each mapped to the stem it stands for, so a
    passage that says "observed" covers the question's "notice"."""

    def __init__(self, weights: dict[str, float], aliases: dict[str, str] | None = None) -> None:
        super().__init__(weights)
        self.aliases = aliases or {}


def canonical(weights: dict[str, float], stems) -> list[str]:
    """`stems` with every alias replaced by the question stem it stands for."""
    aliases = getattr(weights, "aliases", None)
    return [aliases.get(s, s) for s in stems] if aliases else list(stems)


def common_term_cutoff(stats: TermStats) -> float:
    """Passages a word must be in to count as common: COMMON_TERM_MIN_PASSAGES, or
    COMMON_TERM_SHARE of the passages on a large index."""
    return max(COMMON_TERM_MIN_PASSAGES, COMMON_TERM_SHARE * stats.doc_count)


def common_terms(parsed: ParsedQuery, stats: TermStats) -> frozenset[str]:
    """Free words in so many passages that they only rank what the other words find."""
    cutoff = common_term_cutoff(stats)
    common = set()
    for word in parsed.free_words:
        stems = stemmed_terms(word)
        if len(stems) == 1 and stats.passages(stems[0]) > cutoff:
            common.add(" ".join(exact_words(word)))
    return frozenset(common)


def corrections(words: list[str], stats: TermStats, vocabulary: Callable[[], Vocabulary]) -> dict[str, list[str]]:
    """The closest indexed words for each query word the index does not have (never correcting
    a word that is in the index), closest and most frequent first. `vocabulary` is only called
    when a word needs correcting."""
    found = {}
    for word in words:
        for token in exact_words(word):
            if len(token) < ONE_TYPO_FROM or token.isdigit() or stats.in_index(token):
                continue  # the word or an inflection of it is indexed: stemming finds it
            distance = 2 if len(token) >= TWO_TYPOS_FROM else 1
            options = [(t, edits) for t, edits in vocabulary().within(token, distance) if stats.has_live_word(t)]
            # Fewest edits first; among equals the most alike ("jonna": "joanna" before "jenna"),
            # then the most frequent.
            options.sort(key=lambda option: (option[1], -_similarity(token, option[0]), -stats.files_with_word(option[0])))
            if options:
                found[token] = [t for t, _ in options[:MAX_CORRECTIONS_PER_WORD]]
    return found


def synonyms(question: Question, corrected: dict[str, list[str]], table: dict[str, list[str]],
             stats: TermStats) -> dict[str, list[str]]:
    """Indexed words that WordNet gives as synonyms of the question's words (`table` is made at
    index time: indexer/synonyms.py)."""
    cutoff = common_term_cutoff(stats)
    found = {}
    for word in question.content_words:
        if word in corrected:
            continue
        own = stem(word)
        frequency = stats.passages(own)
        options = [
            option
            for key in lookup_keys(word)
            for option in table.get(key, [])
            # Only where the documents prefer the other word: a word they use as often says
            # what they mean, and its synonyms would only add other senses ("pilot" as "navigate").
            if stem(option) != own and max(1, frequency) <= stats.passages(stem(option)) <= cutoff
        ]  # a synonym in very many passages would fetch thousands of them for one word
        options = list({stem(option): option for option in reversed(options)}.values())[::-1]
        options = options[:MAX_SYNONYMS_PER_WORD]  # one word per stem, in table order
        if options:
            found[word] = options
    return found


def with_negated_forms(question: Question, corrected: dict[str, list[str]], synonyms_found: dict[str, list[str]],
                       stats: TermStats) -> dict[str, list[str]]:
    """`synonyms_found`, and for a yes/no question each word's negated forms that the documents
    hold ("revocable": "irrevocable"; "safe": "unsafe"): they answer it, "No" (search/polarity.py),
    but share no stem with it."""
    if question.kind != QuestionKind.YES_NO:
        return synonyms_found
    found = {word: list(options) for word, options in synonyms_found.items()}
    for word in question.content_words:
        if word not in corrected:
            forms = [form for form in negated_forms(word) if stats.in_index(form)]
            if forms:
                found.setdefault(word, []).extend(forms)
    return found


def negated_forms(word: str) -> list[str]:
    """The word with each prefix that would negate it ("safe": "unsafe"; "valid": "invalid")."""
    if len(word) < MIN_NEGATED_WORD:
        return []
    adjective = bool(ADJECTIVE_ENDING.search(word))
    return [prefix + word for prefix in NEGATING_PREFIXES + ADJECTIVE_NEGATING_PREFIXES * adjective]


def negated_word(word: str) -> str | None:
    """The word a prefix negates in `word` ("irrevocable": "revocable"; "non-exclusive":
    "exclusive"), or None: negated_forms the other way."""
    word = word.lower()
    for prefix in NEGATING_PREFIXES + ADJECTIVE_NEGATING_PREFIXES:
        if word.startswith(prefix):
            bare = word[len(prefix):].lstrip("-")
            if word.replace("-", "") in negated_forms(bare):
                return bare
    return None


def expansions(corrected: dict[str, list[str]], synonyms_found: dict[str, list[str]] | None = None) -> dict[str, list[Expansion]]:
    """The words each free word may also match in the index, with the weight of such a match."""
    found = {word: [Expansion(fixed, CORRECTION_WEIGHT) for fixed in options] for word, options in corrected.items()}
    for word, options in (synonyms_found or {}).items():
        found.setdefault(word, []).extend(Expansion(option, SYNONYM_WEIGHT) for option in options)
    return found


def question_weights(question: Question, corrected: dict[str, list[str]], synonyms_found: dict[str, list[str]],
                     stats: TermStats) -> TermWeights:
    """The weight of each of the question's words, with its stand-ins as aliases."""
    slots: dict[str, list[str]] = {}
    for word in question.content_words:
        others = corrected.get(word, []) + synonyms_found.get(word, [])
        slots.setdefault(stem(normalize_word(word)), []).extend(stem(o) for o in others)
    return term_weights(slots, stats.passages, stats.doc_count or 1)


def term_weights(slots: dict[str, list[str]], document_frequency: Callable[[str], int], total: int) -> TermWeights:
    """Inverse document frequency of each question word (rarer words say more). `slots` maps a
    question stem to the stems that may stand in for it; a word is as rare as its commonest form
    that the index has (a typo itself is in no document)."""
    weights, aliases = {}, {}
    for own, others in slots.items():
        frequencies = [document_frequency(s) for s in [own, *others]]
        seen = [f for f in frequencies if f] or [0]
        weights[own] = math.log(1 + (total + 1) / (1 + max(seen)))
        aliases.update({other: own for other in others if other != own})
    return TermWeights(weights, aliases)


def missing_names(question: Question, corrected: dict[str, list[str]], stats: TermStats) -> list[str]:
    """Capitalised words of the question (names, titles) that stand nowhere in the index: the
    documents cannot be about what the question asks. A stop word is no name, capitalised or not:
    "May I copy it?" asks of a licence that never says "I"."""
    missing = []
    for raw in question.search_text.split():
        word = raw.strip(_WORD_EDGES)
        if not word[:1].isupper() or normalize_word(word) in corrected or word.lower() in STOP_WORDS:
            continue
        for token in exact_words(word):
            if not stats.in_index(token):
                missing.append(word)
    return missing


def missing_head(question: Question, corrected: dict[str, list[str]], synonyms_found: dict[str, list[str]],
                 stats: TermStats) -> list[str]:
    """The thing a "how many" question counts, when no document mentions it, nor any word for it
    ("How many calories ...?" over notes that never speak of calories)."""
    head = question.head_noun
    if question.kind != QuestionKind.HOW_MANY or not head or head in corrected or head in synonyms_found:
        return []
    return [] if stats.passages(stem(head)) else [head]


def suggestion(text: str, corrected: dict[str, list[str]], best_text: str | None) -> str | None:
    """The query with each misspelt word replaced by the correction that the best passage uses
    (so "Jonna Kasem" becomes "Joanna Kassem", not "Jenna Kassem"), else the closest."""
    if not corrected:
        return None
    best_words = set(exact_words(best_text)) if best_text else set()
    chosen = {word: next((o for o in options if o in best_words), options[0]) for word, options in corrected.items()}
    out = []
    for raw in text.split(" "):
        core = raw.strip(_WORD_EDGES)
        fixed = chosen.get(normalize_word(core))
        if fixed and core:
            fixed = fixed.capitalize() if core[:1].isupper() else fixed
            raw = raw.replace(core, fixed)
        out.append(raw)
    return " ".join(out)


def _similarity(a: str, b: str) -> float:
    return SequenceMatcher(None, a, b).ratio()


def absent_share(weights: TermWeights, stats: TermStats) -> float:
    """The share of the question's weight on words no passage holds, nor any word standing in
    for them (a typo's correction, a synonym): what the documents cannot be about."""
    total = sum(weights.values())
    if not total:
        return 0.0
    stand_ins: dict[str, list[str]] = {}
    for other, own in getattr(weights, "aliases", {}).items():
        stand_ins.setdefault(own, []).append(other)
    absent = sum(weight for own, weight in weights.items()
                 if not stats.passages(own) and not any(stats.passages(other) for other in stand_ins.get(own, ())))
    return absent / total
