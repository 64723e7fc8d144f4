"""The typed values the answer step passes between its parts: a unit of text, a candidate span in
it, and what the extractors need to know of the question."""
from __future__ import annotations

from dataclasses import dataclass, field

from search.kinds import AnswerType
from search.questions import Question


@dataclass(frozen=True)
class MarkedCode:
    """A piece of code its document marks up, as the display text shows it; `role`: marked by a
    role (:func:`name`), which names an object, not a literal value."""

    text: str
    role: bool = False


@dataclass
class Unit:
    """A sentence (or a whole field/row/list item) of a passage, with its line span."""

    text: str
    line_start: int
    line_end: int
    stems: list[str]  # canonical: a question word's stand-ins as the word (search/expansion.py)
    coverage: float = 0.0
    quoted: bool = False  # the unit quotes someone (its passage is a quotation)
    # each stem -> where it stands in `stems`, kept with the sentence when `stems` are its own (no
    # alias made canonical); None: read `stems`
    positions: dict[str, tuple[int, ...]] | None = None
    # The code its document marks in this sentence (``literal``, :role:`name`, `code`), as shown:
    # the display text has lost the marks, and code such as ``.venv`` or ``WARNING`` has no form
    # of its own to be known by (search/technical.py).
    marked: tuple[MarkedCode, ...] = ()


@dataclass(frozen=True)
class Span:
    """A candidate answer in a unit's text: [start, end), the extractor that found it, and the
    evidence its form gives (named traits, each a feature of the answer scorer)."""

    text: str
    answer_type: AnswerType
    start: int
    end: int
    source: str
    traits: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Asked:
    """What the extractors need to know of the question."""

    question: Question
    weights: dict[str, float]
    common_words: frozenset[str]  # the index's ordinary English words: not names
