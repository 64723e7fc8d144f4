"""Values across sources: candidates that give the same value are merged (more sources, more
support), and different values for the same slot are conflicts.

Dates agree as far as both go ("January 2020" and "January 31, 2020"); numbers by their figure
("ten episodes" = "10"); anything else by its words.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from indexer.analysis import normalize_word, stem
from search.kinds import AnswerType
from search.patterns import QUALIFIED, TOKEN
from search.retrieval import ScoredPassage
from search.spans import Unit

# A different value is a conflict when the selector scores it within this margin of the best one
# (log-odds: within a factor of e^4 of its probability) and it is a value of the same kind and
# measure that fills the same slot (the same question words stand around it) in another document.
# On the seeds' two Rotten Tomatoes ratings (38% and 44%) the second one's margin is 3.0.
CONFLICT_MARGIN = 4.0
# Candidate values whose keys are kept (value_key): the seeds' bench questions give a few thousand.
# Over 350 of them, 1,024 kept missed 14% of lookups (3,057 of 21,264; the cache was full), 4,096
# kept 9% (1,825: values seen for the first time).
VALUE_KEYS_KEPT = 4096
# Two slots are the same when this share of the smaller one's question words stand in the other.
SAME_SLOT_OVERLAP = 0.5
# Only values of these types can disagree: a name or a phrase more often differs in wording.
CONFLICTING_TYPES = (AnswerType.NUMBER, AnswerType.MONEY, AnswerType.DATE, AnswerType.DURATION, AnswerType.ORGANISATION)

_MONTH_PREFIXES = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_NUMBER_VALUES = {word: str(value) for value, word in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve".split())}


@dataclass
class Candidate:
    """A candidate answer: its text, type and extractor, the unit and passage it stands in, the
    question words around it (its slot), its features and the score the answer selector gives
    it."""

    text: str
    answer_type: AnswerType
    source: str
    unit: Unit
    passage: ScoredPassage
    slot: frozenset[str] = frozenset()
    features: dict[str, float] = field(default_factory=dict)
    score: float = 0.0
    line_end: int | None = None  # where its text ends when it runs on past its unit (search/continuation.py)

    @property
    def key(self):
        return value_key(self.text, self.answer_type)

    @property
    def documents(self) -> set[str]:
        return {self.passage.path} | {ref.path for ref in self.passage.also_in}


@dataclass
class ValueGroup:
    """Candidates that give one value: scored as the best of them, shown as the most precise."""

    best: Candidate
    score: float
    documents: set[str]
    slot: frozenset[str]
    key: object = None
    members: list[Candidate] = field(default_factory=list)
    share: float = 0.0  # its share of the selector's probability over all values (search/answers.py)

    @property
    def text(self) -> str:
        return self.best.text

    @property
    def answer_type(self) -> AnswerType:
        return self.best.answer_type


def group_by_value(candidates: list[Candidate]) -> list[ValueGroup]:
    """Merge candidates that give the same value, best first."""
    groups: list[ValueGroup] = []
    # A text or number key is the same value only as an equal key of the same type: found by its
    # (type, key); a date's (a tuple: it agrees as far as both go) by reading the earlier dates.
    exact: dict[tuple, ValueGroup] = {}
    dates: list[ValueGroup] = []
    for candidate in sorted(candidates, key=lambda c: -c.score):
        key = candidate.key
        if isinstance(key, tuple):
            group = next((g for g in dates if g.answer_type == candidate.answer_type and same_value(g.key, key)), None)
        else:
            group = exact.get((candidate.answer_type, key))
        if group is None:
            group = ValueGroup(candidate, candidate.score, candidate.documents, candidate.slot, key, [candidate])
            groups.append(group)
            if isinstance(key, tuple):
                dates.append(group)
            else:
                exact[(candidate.answer_type, key)] = group
            continue
        group.members.append(candidate)
        if more_precise(key, group.key):
            group.best, group.key = candidate, key
        group.documents |= candidate.documents
        group.slot = group.slot | candidate.slot
    return groups


def agreeing_documents(candidates: list[Candidate]) -> list[int]:
    """For each candidate, how many other documents give the same value (dates agreeing as far
    as both go)."""
    buckets: dict[tuple, list[int]] = {}
    for position, candidate in enumerate(candidates):
        buckets.setdefault((candidate.answer_type, candidate.key), []).append(position)
    own = _documents_of(candidates)
    documents = {bucket: set().union(*(own[p] for p in positions)) for bucket, positions in buckets.items()}
    agreeing = [0] * len(candidates)
    for (answer_type, key), positions in buckets.items():
        same = documents[(answer_type, key)]
        if answer_type == AnswerType.DATE:  # "Dec. 18" agrees with "December 18, 2019"
            for (other_type, other_key), other_documents in documents.items():
                if other_type == answer_type and other_key != key and same_value(key, other_key):
                    same = same | other_documents
        for position in positions:
            agreeing[position] = len(same - own[position])
    return agreeing


def _documents_of(candidates: list[Candidate]) -> list[set[str]]:
    """Each candidate's documents (Candidate.documents), read once a passage: a passage gives a
    few candidates, which share its set here (agreeing_documents only reads them)."""
    by_passage: dict[int, set[str]] = {}
    own = []
    for candidate in candidates:
        documents = by_passage.get(id(candidate.passage))
        if documents is None:
            documents = by_passage[id(candidate.passage)] = candidate.documents
        own.append(documents)
    return own


def conflicts_with(best: ValueGroup, others: list[ValueGroup]) -> list[ValueGroup]:
    """The values other documents give for the same slot as `best`, nearly as well supported."""
    return [
        group for group in others
        if group.answer_type == best.answer_type
        and group.answer_type in CONFLICTING_TYPES
        and (group.answer_type != AnswerType.NUMBER or same_shape(group.text, best.text))
        and group.score >= best.score - CONFLICT_MARGIN
        and same_slot(group.slot, best.slot)
        and not group.documents & best.documents
    ]


def same_value(a, b) -> bool:
    if isinstance(a, tuple) and isinstance(b, tuple):  # (year, month, day), None where unknown
        shared = [(x, y) for x, y in zip(a, b) if x is not None and y is not None]
        return bool(shared) and all(x == y for x, y in shared) and (a[1] is not None) == (b[1] is not None) or a == b
    return a == b


def more_precise(a, b) -> bool:
    """A full date ("December 18, 2019") says more than a partial one ("Dec. 18")."""
    if isinstance(a, tuple) and isinstance(b, tuple):
        return sum(x is not None for x in a) > sum(x is not None for x in b)
    return False


# Read for every candidate of a question, twice (agreeing documents, grouping); the same candidates
# recur question after question (the same passages' sentences), so a few thousand are kept.
@lru_cache(maxsize=VALUE_KEYS_KEPT)
def value_key(text: str, answer_type: AnswerType):
    """What two candidates must share to give the same value."""
    if answer_type == AnswerType.DATE:
        return date_key(text)
    if answer_type == AnswerType.NUMBER:
        return number_key(text)
    return " ".join(normalize_word(w) for w in TOKEN.findall(text))


def number_key(text: str) -> str:
    """The figure a number answer states, whatever words follow it: "ten episodes" = "10"."""
    qualifier = QUALIFIED.match(text)  # "about 110" states 110
    text = text[qualifier.end():] if qualifier else text
    first = TOKEN.findall(text.lower())[:1]
    figure = re.match(r"[\d.,]+(?:\s*%|\s*/\s*\d+)?", text)
    if figure:
        return figure.group().replace(" ", "")
    return _NUMBER_VALUES.get(first[0], first[0]) if first else text.lower()


def date_key(text: str) -> tuple[int | None, int | None, int | None]:
    """(year, month, day) of a date as written, None for what it leaves out."""
    iso = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", text)
    if iso:
        return int(iso.group(1)), int(iso.group(2)), int(iso.group(3))
    month = next((i for i, m in enumerate(_MONTH_PREFIXES, 1) if re.search(rf"\b{m}", text.lower())), None)
    day = re.search(r"\b(\d{1,2})(?:st|nd|rd|th)?\b", text)
    year = re.search(r"\b(\d{4})\b", text)
    return (int(year.group(1)) if year else None, month, int(day.group(1)) if day and month else None)


def same_slot(a: frozenset[str], b: frozenset[str]) -> bool:
    """Two values fill the same slot when most of the question words around the one with fewer
    stand around the other too (the overlap coefficient)."""
    return bool(a and b) and len(a & b) / min(len(a), len(b)) >= SAME_SLOT_OVERLAP


def shape(text: str) -> str:
    """What a value measures, by its form: a percentage, a ratio, or the unit word right after
    the figure ("4.5 stars (Valley Eats guide)" measures stars); "" for a bare figure."""
    if "%" in text:
        return "percent"
    if "/" in text or " out of " in text:
        return "ratio"
    unit = re.match(r"[$€£]?\s*[\d.,]+\s*([^\W\d_]+)", text)
    return stem(normalize_word(unit.group(1))) if unit else ""


def same_shape(a: str, b: str) -> bool:
    """Values of the same measure: the same shape, or a bare figure beside a counted one."""
    shape_a, shape_b = shape(a), shape(b)
    plain = ("percent", "ratio")
    return shape_a == shape_b or ("" in (shape_a, shape_b) and not {shape_a, shape_b} & set(plain))
