"""The one result type every front end renders: a Response with ranked Hits and an Answer.

`Response.to_dict()` is the JSON contract (answer.schema.json): the CLI's --json/--jsonl, the web
API and the web page all render from it; none of them re-ranks or re-slices.
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields

from search.kinds import QuestionKind


def format_citation(path: str, line_start: int, line_end: int, page: int | None = None) -> str:
    """The one way a place in a file is written: `path:L12-L14`, or for a PDF page
    `path:p3:L12-L14`."""
    return f"{path}:{f'p{page}:' if page else ''}L{line_start}-L{line_end}"


@dataclass(frozen=True)
class SourceRef:
    """Another place where the same passage stands (near-duplicates are collapsed into one hit)."""

    path: str
    line_start: int
    line_end: int
    page: int | None = None

    @property
    def citation(self) -> str:
        return format_citation(self.path, self.line_start, self.line_end, self.page)


@dataclass
class Hit:
    rank: int
    score: float
    path: str
    title: str
    section: str | None
    line_start: int
    line_end: int
    text: str
    snippet: str
    highlights: list[tuple[int, int]]
    kind: str = "paragraph"  # a PassageKind
    also_in: list[SourceRef] = field(default_factory=list)
    page: int | None = None  # PDF: the page the lines are on

    @property
    def citation(self) -> str:
        return format_citation(self.path, self.line_start, self.line_end, self.page)

    def to_dict(self) -> dict:
        data = _without_empty_page(_fields_of(self))
        data["score"] = round(self.score, 4)
        data["highlights"] = [list(pair) for pair in self.highlights]
        data["also_in"] = [_without_empty_page(_fields_of(ref)) for ref in self.also_in]
        return data


@dataclass(frozen=True)
class Answer:
    text: str
    confidence: float
    sentence: str
    path: str
    line_start: int
    line_end: int
    answer_type: str = "phrase"
    page: int | None = None

    @property
    def citation(self) -> str:
        return format_citation(self.path, self.line_start, self.line_end, self.page)

    def to_dict(self) -> dict:
        data = _without_empty_page(_fields_of(self))
        data["confidence"] = round(self.confidence, 3)
        return data


@dataclass(frozen=True)
class Conflict:
    """A different value another source gives for the same question."""

    text: str
    sentence: str
    path: str
    line_start: int
    line_end: int
    page: int | None = None

    @property
    def citation(self) -> str:
        return format_citation(self.path, self.line_start, self.line_end, self.page)

    def to_dict(self) -> dict:
        return _without_empty_page(_fields_of(self))


def _fields_of(record) -> dict:
    """A record's fields by name, in order: dataclasses.asdict without its deep copy, which cost
    more than the rest of rendering an answer (every value here is a string, a number or None;
    the lists are rebuilt by the callers)."""
    return {name: getattr(record, name) for name in _field_names(type(record))}


def _field_names(kind: type) -> tuple[str, ...]:
    names = _FIELD_NAMES.get(kind)
    if names is None:
        names = _FIELD_NAMES[kind] = tuple(each.name for each in fields(kind))
    return names


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _without_empty_page(data: dict) -> dict:
    """`page` is in the JSON only where there is one (a PDF), so other answers read as before."""
    if data.get("page") is None:
        data.pop("page", None)
    return data


@dataclass
class Response:
    query: str
    results: list[Hit]
    total: int
    took_ms: float
    answer: Answer | None = None
    conflicts: list[Conflict] = field(default_factory=list)
    suggestion: str | None = None
    question_type: QuestionKind | None = None
    notices: list[str] = field(default_factory=list)  # limits hit, corrections made
    explanation: object | None = None  # search/explain.py's Explanation, when asked for
    offset: int = 0  # results[0] is result number offset + 1 of total
    settled: bool = True  # False while the last word is still being typed: no answer is looked for

    @property
    def has_more(self) -> bool:
        """Whether results past this page can be reached (offset + len(results) < total)."""
        return self.offset + len(self.results) < self.total

    @property
    def is_question(self) -> bool:
        """A question (which gets an answer or says it has none), not a keyword search."""
        return self.question_type is not None and self.question_type != QuestionKind.KEYWORD

    def to_dict(self) -> dict:
        return {
            "query": self.query,
            "answer": self.answer.to_dict() if self.answer else None,
            "conflicts": [conflict.to_dict() for conflict in self.conflicts],
            "suggestion": self.suggestion,
            "question_type": self.question_type,
            "total": self.total,
            "offset": self.offset,
            "settled": self.settled,
            "took_ms": round(self.took_ms, 2),
            "notices": self.notices,
            "results": [hit.to_dict() for hit in self.results],
            **({"explanation": self.explanation.to_dict()} if self.explanation is not None else {}),
        }
