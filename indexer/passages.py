"""Structure -> Passages: the units that are indexed, ranked, cited and shown.

A passage keeps its document's path and title, its section, its exact 1-based line span (and page,
for a PDF) and its verbatim text, beside its display text (markup taken out, indexer/display.py),
which is what is searched, answered and shown. Fields, table rows, list items and bylines are passages of their own: each is one
fact and a precise citation. Paragraphs are cut at sentence boundaries into windows of at most
`MAX_PASSAGE_WORDS` words, so a passage can stand inside one long line (wiki dumps put whole
paragraphs on a line) and its text is still a verbatim slice of the cited lines.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from indexer.display import Display
from indexer.formats.pdf_pages import page_of
from indexer.sentences import sentence_spans
from indexer.blocks import Block, StructuredDocument

# Window size, measured on our QA set over the seeds (`liner eval`, docs/evaluation.md): at 40
# words answers were split from the words that find them; at 120, a passage held several facts
# and snippets ran long; 60-90 kept hit@1 highest. 80 is the middle of that plateau.
MAX_PASSAGE_WORDS = 80
# A word, for the limit: str.split's words (both take str.isspace's white space).
_NON_SPACE = re.compile(r"\S+")


@dataclass(frozen=True)
class Passage:
    path: str
    title: str
    section: str | None
    line_start: int
    line_end: int
    text: str  # verbatim from the cited lines
    kind: str  # title | paragraph | quote | field | table_row | list_item | byline | code
    ordinal: int  # position in the document, for stable ids and reading order
    field_name: str | None = None
    field_value: str | None = None
    context: str = ""
    cells: tuple[tuple[str, str], ...] = ()
    date: str | None = None
    byline: str | None = None
    # [start, end) of each sentence in `display`, found once here so queries need no Punkt.
    sentences: tuple[tuple[int, int], ...] = ()
    display: str = ""  # `text` without its markup; "" when it has none
    page: int | None = None  # PDF: the page; line_start and line_end are then lines of that page
    # Passages of the same section before this one (0: the first under its heading, where a FAQ
    # answers the question its heading asks).
    section_position: int = 0
    # The line of the heading the passage stands under (its section's own, else the title's; None:
    # none, or one on another page of a PDF): a changelog's release date stands there, over its
    # entries.
    heading_line: int | None = None

    @property
    def shown(self) -> str:
        return self.display or self.text

    @property
    def passage_id(self) -> str:
        return f"{self.path}#{self.ordinal}"


def make_passages(structured: StructuredDocument) -> list[Passage]:
    """Every passage of one document, in reading order."""
    passages: list[Passage] = []
    pages = structured.document.pages
    section, in_section = None, 0
    for block in structured.blocks:
        if block.section != section:
            section, in_section = block.section, 0
        for window in _windows(block):
            line_start, line_end, page = window.line_start, window.line_end, None
            if pages:
                page, line_start = page_of(pages, window.line_start)
                line_end = min(line_start + window.line_end - window.line_start, _page_length(pages, page, structured))
            passages.append(
                Passage(
                    path=structured.document.path,
                    title=structured.title,
                    section=block.section,
                    line_start=line_start,
                    line_end=line_end,
                    text=window.text,
                    kind=block.kind,
                    ordinal=len(passages),
                    field_name=block.field_name,
                    field_value=block.field_value,
                    context=block.context,
                    cells=tuple(block.cells),
                    date=structured.date,
                    byline=structured.byline,
                    sentences=window.sentences,
                    display=window.display if window.display != window.text else "",
                    page=page,
                    section_position=in_section,
                    heading_line=_heading_line(block, pages, page),
                )
            )
            in_section += 1
    return passages


def _heading_line(block: Block, pages, page: int | None) -> int | None:
    """The line of the heading over the block, counted as its passages' lines are (on a PDF's
    page: None when the heading stands on another page)."""
    if block.heading_line is None or not pages:
        return block.heading_line
    heading_page, line = page_of(pages, block.heading_line)
    return line if heading_page == page else None


@dataclass(frozen=True)
class _Window:
    line_start: int
    line_end: int
    text: str  # verbatim
    display: str
    sentences: tuple[tuple[int, int], ...]  # in `display`


def _windows(block: Block) -> list[_Window]:
    """A block as passages: a paragraph cut into sentence windows of at most MAX_PASSAGE_WORDS
    words, anything else whole. Windows are cut in the display text and cited by the source span
    that holds it."""
    shown = block.shown
    display = shown.text
    if block.kind in ("paragraph", "quote"):
        spans = _bounded(display, sentence_spans(display) or [(0, len(display))])
    else:
        spans = [(0, len(display))]
    if block.kind not in ("paragraph", "quote") or len(display.split()) <= MAX_PASSAGE_WORDS:
        groups = [spans]
    else:
        groups = _group(display, spans)
    windows = []
    for group in groups:
        start, end = (0, len(display)) if len(groups) == 1 else (group[0][0], group[-1][1])
        window = _window(block, shown, start, end, tuple((s - start, e - start) for s, e in group))
        if window is not None:
            windows.append(window)
    return windows


def _group(text: str, spans: list[tuple[int, int]]) -> list[list[tuple[int, int]]]:
    """Consecutive sentences grouped into windows of at most MAX_PASSAGE_WORDS words."""
    groups: list[list[tuple[int, int]]] = []
    words = 0
    for span in spans:
        count = len(text[span[0] : span[1]].split())
        if groups and words + count <= MAX_PASSAGE_WORDS:
            groups[-1].append(span)
            words += count
        else:
            groups.append([span])
            words = count
    return groups


def _window(block: Block, shown: Display, start: int, end: int, sentences) -> _Window | None:
    """The window of display [start, end), with the verbatim source that holds it."""
    if block.display is None:  # no markup: the display is the source
        source_start, source_end = start, end
    else:
        span = shown.source_span(start, end)
        if span is None:
            return None  # nothing but generated text: nothing to cite
        source_start, source_end = span
    text = block.text
    return _Window(
        block.line_start + text.count("\n", 0, source_start),
        block.line_start + text.count("\n", 0, max(source_start, source_end - 1)),
        text[source_start:source_end] if block.kind in ("paragraph", "quote") or block.display else text,
        shown.text[start:end] if block.kind in ("paragraph", "quote") else shown.text,
        sentences,
    )


def _page_length(pages: tuple[int, ...], page: int, structured: StructuredDocument) -> int:
    next_start = pages[page] if page < len(pages) else len(structured.document.lines) + 1
    return next_start - pages[page - 1]


def _bounded(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sentences cut into pieces of at most MAX_PASSAGE_WORDS words, so every window keeps to
    the limit: text without sentence punctuation (a log line, a word list) must not become one
    giant passage."""
    bounded = []
    for start, end in spans:
        piece = text[start:end]
        count = len(piece.split())
        if count <= MAX_PASSAGE_WORDS:  # most sentences: the span from its first word to its last
            if count:
                bounded.append((start + len(piece) - len(piece.lstrip()), start + len(piece.rstrip())))
            continue
        words = list(_NON_SPACE.finditer(piece))
        for first in range(0, len(words), MAX_PASSAGE_WORDS):
            chunk = words[first : first + MAX_PASSAGE_WORDS]
            bounded.append((start + chunk[0].start(), start + chunk[-1].end()))
    return bounded
