"""Values across sources: candidates that give the same value are merged (more sources, more
support), and different values for the same slot are conflicts.

Dates agree as far as both go ("January 2020" and "January 31, 2020"); numbers by their figure
("ten episodes" = "10"); anything else by its words.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from indexer.analysis import normalize_word, stem
from search.kinds import AnswerType
from search.patterns import TOKEN
from search.retrieval import ScoredPassage
from search.spans import Unit

# Each further document that gives the same value adds this much.
SUPPORT_BONUS = 0.06
# ... when that document's own candidate scores at least this share of the best one (a name that
# merely recurs everywhere is not support).
SUPPORT_SHARE = 0.85
# A different value is a conflict when its score is at least this share of the best one and it
# fills the same slot (the same question words stand around it).
CONFLICT_SHARE = 0.7
# Two slots are the same when this share of the smaller one's question words stand in the other.
SAME_SLOT_OVERLAP = 0.5
# Only values of these types can disagree: a name or a phrase more often differs in wording.
CONFLICTING_TYPES = (AnswerType.NUMBER, AnswerType.MONEY, AnswerType.DATE, AnswerType.DURATION, AnswerType.ORGANISATION)

_MONTH_PREFIXES = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_NUMBER_VALUES = {word: str(value) for value, word in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve".split())}


@dataclass
class Candidate:
    """A scored candidate answer: its text, type, the unit and passage it stands in, and the
    question words around it (its slot)."""

    text: str
    answer_type: AnswerType
    score: float
    unit: Unit
    passage: ScoredPassage
    slot: frozenset[str] = frozenset()


@dataclass
class ValueGroup:
    """Candidates that give one value; shown as the most precise of them."""

    text: str
    answer_type: AnswerType
    score: float
    unit: Unit
    passage: ScoredPassage
    slot: frozenset[str]
    documents: set[str]
    key: object = None


def group_by_value(candidates: list[Candidate]) -> list[ValueGroup]:
    """Merge candidates that give the same value, best first."""
    groups: list[ValueGroup] = []
    for candidate in sorted(candidates, key=lambda c: -c.score):
        key = value_key(candidate.text, candidate.answer_type)
        group = next((g for g in groups if g.answer_type == candidate.answer_type and same_value(g.key, key)), None)
        sources = {candidate.passage.path} | {ref.path for ref in candidate.passage.also_in}
        if group is None:
            groups.append(ValueGroup(candidate.text, candidate.answer_type, candidate.score, candidate.unit,
                                     candidate.passage, candidate.slot, sources, key))
            continue
        if candidate.score >= SUPPORT_SHARE * group.score:
            if more_precise(key, group.key):
                group.text, group.unit, group.passage, group.key = candidate.text, candidate.unit, candidate.passage, key
            new = sources - group.documents
            group.documents |= new
            group.score += SUPPORT_BONUS * len(new)
            group.slot = group.slot | candidate.slot
    return sorted(groups, key=lambda g: -g.score)


def conflicts_with(best: ValueGroup, others: list[ValueGroup]) -> list[ValueGroup]:
    """The values other documents give for the same slot as `best`, nearly as well supported."""
    return [
        group for group in others
        if group.answer_type == best.answer_type
        and group.answer_type in CONFLICTING_TYPES
        and (group.answer_type != AnswerType.NUMBER or same_shape(group.text, best.text))
        and group.score >= CONFLICT_SHARE * best.score
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


def value_key(text: str, answer_type: AnswerType):
    """What two candidates must share to give the same value."""
    if answer_type == AnswerType.DATE:
        return date_key(text)
    if answer_type == AnswerType.NUMBER:
        return number_key(text)
    return " ".join(normalize_word(w) for w in TOKEN.findall(text))


def number_key(text: str) -> str:
    """The figure a number answer states, whatever words follow it: "ten episodes" = "10"."""
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
