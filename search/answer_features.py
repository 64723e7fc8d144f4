"""Answer features: what the answer step knows of each candidate, and of its best candidate when it
decides whether to answer, as named numbers; their weights are learned (`make train`).

A candidate is judged by its sentence (how much of the question it covers, with its neighbours),
where it stands (how near the question's words, after them or not, whether it is the question's
own words), its own form (its extractor and that extractor's traits, its length, whether its type
is the one asked), its passage (its place in the ranking) and its support (how many documents
give the same value): the evidence of the classic answer-extraction pipeline (Harabagiu et al.
2000, "FALCON"; Ittycheriah et al. 2001, "IBM's statistical question answering system", a
maximum-entropy answer selector over such features). What tells a good answer depends on what was
asked (a short name for "who", a clause for "why"), so the shape features are also given per
family of question.
"""
from __future__ import annotations

import bisect
import math
import operator
import re
from dataclasses import dataclass
from functools import lru_cache

from indexer.analysis import STOP_WORDS, normalize_word
from indexer.kinds import PassageKind
from search.kinds import VALUE_TYPES, AnswerType, QuestionKind
from search.patterns import NOT_NAMES, TOKEN, mostly_named_in_question
from search.phrases import MAX_ANSWER_CHARS, quoted_phrases
from search.questions import Question
from search.spans import Span, Unit
from search.technical import names_new_code

# Question words farther than this many tokens from a candidate do not vouch for it; nearer ones
# count less the farther they are (1 at the candidate, 1/2 four tokens away).
NEAR_WINDOW = 8
NEAR_DECAY_TOKENS = 3.0
# The tokens before a candidate that `preceded` reads: "X of", "X is", "X: " and a word between.
PRECEDING_TOKENS = 4
# A sentence's coverage counts its neighbours' at this share: an answer's sentence may leave the
# question's words to the sentence before it.
NEIGHBOUR_SHARE = 0.5
# The extractors a candidate may come from (search/candidates.py and the modules it draws on).
SOURCES = ("person", "cast_actor", "cast_role", "date", "number", "money", "duration", "quoted_title", "version",
           "capitalised_title", "place", "organisation", "marked_code", "code_form", "code_in_instruction",
           "code_line", "instruction", "definition", "reason", "event", "clause", "sentence", "window_start",
           "window_clause", "window_after_question", "window_around_phrase", "yes_no", "enumeration", "list_items", "field", "cell")
# Families of question: what a good answer looks like is alike within one.
CODE_TYPES = frozenset({AnswerType.IDENTIFIER, AnswerType.INSTRUCTION})
# Features whose weight differs by family (each also given as `name@family`).
OWN_SHAPE_FEATURES = ("chars", "words", "whole_unit", "novelty", "in_question", "type_match", "after_question",
                      "looks_like_code", "holds_new_code", "is_question_text", "nearness")
SHAPE_FEATURES = OWN_SHAPE_FEATURES + tuple(f"source_{s}" for s in SOURCES)


# Characters of code in a candidate that does not start with a capital (looks_like_code).
CODE_CHARS = frozenset("_()=$@%:/.-")
# Candidate texts whose words are kept: the same sentences give the same candidates question
# after question (a few dozen a question).
CANDIDATE_TEXTS_KEPT = 1024
# Candidates whose token positions are kept: the same sentences give the same candidates question
# after question. Over the seeds' bench questions (10,096 candidates), 256 kept missed 48%, 4,096 6%.
CANDIDATE_PLACES_KEPT = 4096
# Units whose token offsets are kept: the sentences of one question's passages, a few dozen.
UNITS_TOKENISED = 1024
# Feature names made once: a question makes a few dozen candidates, each named by all of them.
_SOURCE_FEATURES = tuple(f"source_{name}" for name in SOURCES)


def family(question: Question) -> str:
    if question.answer_type in VALUE_TYPES:
        return "value"
    if question.answer_type in CODE_TYPES:
        return "code"
    if question.kind == QuestionKind.YES_NO:
        return "yes_no"
    return "prose"


def question_features(question: Question, is_search: bool) -> dict[str, float]:
    """What kind of question it is (for deciding whether to answer: a date is found more surely
    than a reason)."""
    features = {f"ask_{answer_type.value}": float(question.answer_type == answer_type) for answer_type in AnswerType}
    features["ask_search"] = float(is_search)
    features["ask_list"] = float(question.wants_list)
    features["ask_how_many"] = float(question.kind == QuestionKind.HOW_MANY)
    return features


@dataclass  # not frozen: a frozen dataclass sets each field through object.__setattr__
class UnitReading:
    """What every candidate of one unit reads of the unit and the question, read once per unit
    (span_features): where the question's words stand in it, its neighbours' coverage, the
    question's weight. Each candidate then reads the few question words of its unit, not every
    token of it (nearness, preceded, after_question). With span_by_family, the answer step
    (extract_answer) of the seeds' bench questions took 1.81 ms a question against 2.07 (CPU,
    medians of 4 A/B runs, each the least of 7)."""

    question: Question
    weights: dict[str, float]
    question_words: set[str]
    total: float  # the question's weight (or 1)
    unit: Unit
    first_unit: float
    neighbour_coverage: float
    asked_at: tuple[tuple[int, str], ...]  # (token index, stem) of each question word of the unit, in order
    ends_in_question_mark: bool
    kind: PassageKind
    quoted: tuple[str, ...]  # the phrases the question quotes


def read_unit(question: Question, units: list[Unit], index: int, weights: dict[str, float],
              question_words: set[str], kind: PassageKind) -> UnitReading:
    """What the candidates of the `index`th unit of a passage share."""
    unit = units[index]
    neighbours = [units[j].coverage for j in (index - 1, index + 1) if 0 <= j < len(units)]
    neighbour_coverage = max([unit.coverage] + [(1 - NEIGHBOUR_SHARE) * unit.coverage + NEIGHBOUR_SHARE * c
                                                for c in neighbours])
    return UnitReading(question, weights, question_words, sum(weights.values()) or 1.0, unit, float(index == 0),
                       neighbour_coverage, asked_at(unit, weights), unit.text.rstrip().endswith("?"), kind,
                       quoted_phrases(question.text))


def asked_at(unit: Unit, weights: dict[str, float]) -> tuple[tuple[int, str], ...]:
    """(token index, stem) of each of the question's stems in the unit, in order: from the
    sentence's kept positions of each stem when the unit has them, else by reading its stems."""
    if unit.positions is None:
        return tuple((i, s) for i, s in enumerate(unit.stems) if s in weights)
    at = unit.positions
    return tuple(sorted((i, s) for s in weights if s in at for i in at[s]))


def span_features(question: Question, span: Span, units: list[Unit], index: int, weights: dict[str, float],
                  question_words: set[str], kind: PassageKind) -> dict[str, float]:
    """The candidate's own features, in its unit (the `index`th of its passage)."""
    first, last = token_positions(units[index], span.start, span.end)
    return features_in_unit(read_unit(question, units, index, weights, question_words, kind), span, first, last)


def features_in_unit(reading: UnitReading, span: Span, first: int, last: int) -> dict[str, float]:
    """span_features of a span standing at tokens [first, last) of the unit `reading` read."""
    unit, weights, total, question_words = reading.unit, reading.weights, reading.total, reading.question_words
    words, content, named = _candidate_words(span.text)  # read by three features: made once (and kept)
    asked_at = reading.asked_at
    features = {
        "unit_coverage": unit.coverage,
        "neighbour_coverage": reading.neighbour_coverage,
        "nearness": _nearness_of(asked_at, first, last, weights, total),
        "in_question": float(mostly_named_in_question(named, question_words)),
        "novelty": (len(content) - sum(map(question_words.__contains__, content))) / len(content) if content else 0.0,
        # question words before the candidate: the answer follows what the question names ("X is ...")
        "after_question": float(bool(asked_at) and asked_at[0][0] < first),
        "preceded": _preceded_at(asked_at, min(first, len(unit.stems)), first, weights, total),
        "chars": min(len(span.text), MAX_ANSWER_CHARS) / MAX_ANSWER_CHARS,
        "words": math.log1p(len(words)),
        "whole_unit": float(span.end - span.start >= 0.8 * len(unit.text)),
        "type_match": float(span.answer_type == reading.question.answer_type),
        "first_unit": reading.first_unit,
        "looks_like_code": float(bool(span.text) and not span.text[:1].isupper() and not CODE_CHARS.isdisjoint(span.text)),
        "is_question_text": float(span.text.rstrip().endswith("?") or reading.ends_in_question_mark),
        "in_heading": float(reading.kind == PassageKind.TITLE),
        "in_code": float(reading.kind == PassageKind.CODE),
        "holds_quoted": _holds_quoted_phrase(reading.quoted, span.text),
        "holds_new_code": float(names_new_code(span.text, question_words)),
    }
    features.update(source_features(span.source))
    features.update({f"trait_{span.source}_{name}": value for name, value in span.traits.items()})
    return features


@lru_cache(maxsize=CANDIDATE_TEXTS_KEPT)
def _candidate_words(text: str) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """A candidate's normalised words, those that are not stop words, and those that are not
    function words (search/patterns.NOT_NAMES: what mostly_in_question reads)."""
    words = tuple(normalize_word(w) for w in TOKEN.findall(text))
    return words, tuple(w for w in words if w and w not in STOP_WORDS), tuple(w for w in words if w not in NOT_NAMES)


def _holds_quoted_phrase(phrases: tuple[str, ...], text: str) -> float:
    """1 when the candidate holds one of `phrases` (those the query quotes), word for word."""
    if not phrases:  # most questions quote nothing: no need to fold the candidate
        return 0.0
    folded = " ".join(text.lower().split())
    return float(any(" ".join(p.lower().split()) in folded for p in phrases))


def by_family(features: dict[str, float], question: Question) -> dict[str, float]:
    """The shape features again, under the question's family (`chars@value`): what tells a good
    answer to "who" from a good answer to "why"."""
    named_features = _family_features(family(question))
    try:  # a span's features hold every shape feature: read in one call
        values = _SHAPE_VALUES(features)
    except KeyError:  # a structured or list candidate's hold some
        get = features.get
        return {named: value for feature, named in named_features if (value := get(feature))}
    return {named: value for (_, named), value in zip(named_features, values) if value}


_SHAPE_VALUES = operator.itemgetter(*SHAPE_FEATURES)


def span_by_family(features: dict[str, float], source: str, question: Question) -> dict[str, float]:
    """by_family of a span's features (features_in_unit), in the same order: its own shape
    features, then of its source_* features the one that is not 0, its own extractor's (by_family
    reads all 29 to find it)."""
    name = family(question)
    named = {named: value for feature, named in _family_features(name)[:len(OWN_SHAPE_FEATURES)]
             if (value := features[feature])}
    source_named = _family_source_names(name).get(source)
    if source_named is not None:
        named[source_named] = 1.0
    return named


@lru_cache(maxsize=None)  # one per family
def _family_source_names(name: str) -> dict[str, str]:
    """Each extractor's source feature, named under the family `name`; read, never changed."""
    return {source: f"source_{source}@{name}" for source in SOURCES}


@lru_cache(maxsize=None)  # one per family
def _family_features(name: str) -> tuple[tuple[str, str], ...]:
    """(feature, its name under the family `name`) for each shape feature."""
    return tuple((feature, f"{feature}@{name}") for feature in SHAPE_FEATURES)


@lru_cache(maxsize=None)  # one per extractor; read, never changed: callers copy it or update from it
def source_features(source: str) -> dict[str, float]:
    return {feature: float(source == name) for feature, name in zip(_SOURCE_FEATURES, SOURCES)}


def nearness(unit: Unit, start: int, end: int, weights: dict[str, float]) -> float:
    """How much of the question stands close around the candidate: each question word within
    NEAR_WINDOW tokens counts with its weight, less the farther it is (each word once, nearest)."""
    first, last = token_positions(unit, start, end)
    return _nearness_at(unit.stems, first, last, weights, sum(weights.values()) or 1.0)


def _nearness_at(stems: list[str], first: int, last: int, weights: dict[str, float], total: float) -> float:
    """nearness() of the tokens [first, last) of a unit whose stems are `stems`; `total`: the
    question's weight (or 1)."""
    return _nearness_of([(i, s) for i, s in enumerate(stems) if s in weights], first, last, weights, total)


def _nearness_of(asked_at, first: int, last: int, weights: dict[str, float], total: float) -> float:
    """_nearness_at, told where the question's words stand in the unit (UnitReading.asked_at)."""
    nearest: dict[str, int] = {}
    for i, s in asked_at:
        if not first <= i < last:
            distance = first - i if i < first else i - last + 1
            nearest[s] = min(distance, nearest.get(s, distance))
    return sum(weights[s] / (1.0 + (d - 1) / NEAR_DECAY_TOKENS) for s, d in nearest.items() if d <= NEAR_WINDOW) / total


def token_positions(unit: Unit, start: int, end: int) -> tuple[int, int]:
    return _token_positions(unit.text, start, end)


@lru_cache(maxsize=CANDIDATE_PLACES_KEPT)
def _token_positions(text: str, start: int, end: int) -> tuple[int, int]:
    # The tokens of text[:start] are those starting before `start` (one cut there is still one); a
    # negative start cuts as a slice does (a name found with find() == -1 has one).
    cut = start if start >= 0 else max(0, len(text) + start)
    first = bisect.bisect_left(_token_starts(text), cut)
    last = first + max(1, len(TOKEN.findall(text[start:end])))
    return first, last


@lru_cache(maxsize=UNITS_TOKENISED)
def _token_starts(text: str) -> tuple[int, ...]:
    """Where each token of a unit starts: every candidate of the unit counts the tokens before it."""
    return tuple(match.start() for match in TOKEN.finditer(text))


def stems_before(unit: Unit, start: int) -> list[str]:
    """The stems of the unit's tokens before character `start`."""
    first, _ = token_positions(unit, start, start)
    return unit.stems[:first]


def preceded(before: list[str], weights: dict[str, float]) -> float:
    """The share of the question's weight standing in the few tokens just before the candidate
    (`before`: the stems before it): a value follows what it is the value of ("an average
    rating of 4.83/10")."""
    return _preceded_share(before, weights, sum(weights.values()) or 1.0)


def _preceded_share(before: list[str], weights: dict[str, float], total: float) -> float:
    near = set(before[-PRECEDING_TOKENS:])
    return sum(w for s, w in weights.items() if s in near) / total


def _preceded_at(asked_at, before_end: int, first: int, weights: dict[str, float], total: float) -> float:
    """_preceded_share of the stems before token `first`, told where the question's words stand
    (UnitReading.asked_at); `before_end`: how many stems stand before `first`."""
    start = max(0, before_end - PRECEDING_TOKENS)
    near = {s for i, s in asked_at if start <= i < first}
    if not near:  # most candidates: no question word just before them
        return 0 / total
    return sum(w for s, w in weights.items() if s in near) / total


def position_features(rank: int, score: float, top_score: float) -> dict[str, float]:
    """Where the candidate's passage stands in the ranking."""
    return {"passage_rank": 1.0 / (1.0 + rank), "passage_gap": score - top_score}


# The ranker's features of a candidate's passage that say how well it matches the question (its
# text, and what describes it: a FAQ's answer stands under a heading that is the question).
PASSAGE_MATCH = ("coverage", "context_coverage", "title_coverage", "bigrams", "all_words", "rarest_missing")
# A candidate shorter than this is not looked for in other passages (short values recur by chance).
REPEAT_MIN_CHARS = 12


_PASSAGE_MATCH_FEATURES = tuple((name, f"passage_{name}") for name in PASSAGE_MATCH)


def passage_match_features(passage_features: dict[str, float]) -> dict[str, float]:
    return {named: passage_features.get(name, 0.0) for name, named in _PASSAGE_MATCH_FEATURES}


# A number the question names as a word of its own (a version, a year, a count): "When will
# version 5.0 be released?"; not one inside an example of code ("/a{,4}/", "x[2]").
QUESTION_NUMBER = re.compile(r"(?<!\S)\d+(?:\.\d+)*(?=[\s?!,;:)]|\.?$|\.\s)")


def question_numbers(question: Question) -> list[str]:
    return QUESTION_NUMBER.findall(question.text)


def misses_numbers(numbers: list[str], text: str) -> float:
    """The share of the question's numbers its passage does not hold: a passage about version
    4.6 does not answer a question about version 5.0, however well its words match."""
    if not numbers:
        return 0.0
    missing = [n for n in numbers if not re.search(rf"(?<![\d.]){re.escape(n)}(?!\d)", text)]
    return len(missing) / len(numbers)


def with_headings(passage) -> str:
    """A passage's text with its title, section and context: a changelog's version stands in the
    heading over its entries, not in them."""
    described = passage.passage
    return " ".join(filter(None, (passage.text, described.title, described.section, described.context)))


def repeated_in(text: str, own: object, passages: list) -> float:
    """How many other passages read hold the candidate's text word for word: boilerplate ("This
    answer was contributed by ...") recurs, an answer seldom does."""
    return repeated_among(text, own, lowered_texts(passages))


def lowered_texts(passages: list) -> list[tuple[object, str]]:
    """Each passage with its text in lower case, for repeated_among: read once a question, not
    once a candidate (each of a question's few dozen candidates reads every passage)."""
    return [(passage, _lowered(passage.text)) for passage in passages]


def repeated_among(text: str, own: object, lowered: list[tuple[object, str]]) -> float:
    """repeated_in, of the passages `lowered` (lowered_texts) gives."""
    if len(text) < REPEAT_MIN_CHARS:
        return 0.0
    needle = text.rstrip("…").lower()
    return math.log1p(sum(1 for passage, lowered_text in lowered if passage is not own and needle in lowered_text))


@lru_cache(maxsize=1024)  # a passage's text, read for each candidate of its question
def _lowered(text: str) -> str:
    return text.lower()


def support_features(documents_agreeing: int) -> dict[str, float]:
    """How many other documents give the same value."""
    return {"support": math.log1p(documents_agreeing)}


# What the decision to answer reads of the best-ranked passage: how much of the question it holds.
TOP_PASSAGE = ("coverage", "context_coverage", "all_words", "rarest_missing", "best_sentence", "bigrams")


def top_passage_features(passage) -> dict[str, float]:
    return {f"top_{name}": passage.features.get(name, 0.0) for name in TOP_PASSAGE}


# The features of the best candidate that the decision to answer reads (besides the selector's
# own judgement of it: its score, its share of the probability, its lead over the next value).
DECISION_FEATURES = ("unit_coverage", "neighbour_coverage", "nearness", "passage_rank", "passage_gap", "support",
                     "type_match", "novelty", "in_question", "chars", "structured", "field_match", "misses_numbers")


def decision_features(best: dict[str, float], score: float, share: float, lead: float, count: int,
                      question: dict[str, float]) -> dict[str, float]:
    """What decides whether the best candidate is answered: how sure the selector is of it, how
    well its passage and sentence match the question, and what kind of question it is."""
    features = {"selector_score": score, "selector_share": share, "selector_lead": lead,
                "candidates": math.log1p(count)}
    features.update({f"best_{name}": best.get(name, 0.0) for name in DECISION_FEATURES})
    # Not which extractor found it: an extractor that only one genre of documents needs (cast
    # lines) is judged by the selectors that never saw that genre, and the confidence model would
    # learn to distrust it everywhere.
    features.update(question)
    return features
