"""Structure -> Passages: the units that are indexed, ranked, cited and shown.

A passage keeps its document's path and title, its section, its exact 1-based line span and its
verbatim text. Fields, table rows, list items and bylines are passages of their own: each is one
fact and a precise citation. Paragraphs are cut at sentence boundaries into windows of at most
`MAX_PASSAGE_WORDS` words, so a passage can stand inside one long line (wiki dumps put whole
paragraphs on a line) and its text is still a verbatim slice of the cited lines.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from indexer.sentences import sentence_spans
from indexer.structure import Block, StructuredDocument

# Window size, measured on our QA set over the seeds (`liner eval`, docs/evaluation.md): at 40
# words answers were split from the words that find them; at 120, a passage held several facts
# and snippets ran long; 60-90 kept hit@1 highest. 80 is the middle of that plateau.
MAX_PASSAGE_WORDS = 80


@dataclass(frozen=True)
class Passage:
    path: str
    title: str
    section: str | None
    line_start: int
    line_end: int
    text: str
    kind: str  # title | paragraph | quote | field | table_row | list_item | byline
    ordinal: int  # position in the document, for stable ids and reading order
    field_name: str | None = None
    field_value: str | None = None
    context: str = ""
    cells: tuple[tuple[str, str], ...] = ()
    date: str | None = None
    byline: str | None = None
    # [start, end) of each sentence in `text`, found once here so queries need no Punkt.
    sentences: tuple[tuple[int, int], ...] = ()

    @property
    def passage_id(self) -> str:
        return f"{self.path}#{self.ordinal}"


def make_passages(structured: StructuredDocument) -> list[Passage]:
    """Every passage of one document, in reading order."""
    passages: list[Passage] = []
    for block in structured.blocks:
        if block.kind in ("paragraph", "quote"):
            pieces = _paragraph_windows(block)
        else:
            pieces = [(block.line_start, block.line_end, block.text, ((0, len(block.text)),))]
        for line_start, line_end, text, sentences in pieces:
            passages.append(
                Passage(
                    path=structured.document.path,
                    title=structured.title,
                    section=block.section,
                    line_start=line_start,
                    line_end=line_end,
                    text=text,
                    kind=block.kind,
                    ordinal=len(passages),
                    field_name=block.field_name,
                    field_value=block.field_value,
                    context=block.context,
                    cells=tuple(block.cells),
                    date=structured.date,
                    byline=structured.byline,
                    sentences=sentences,
                )
            )
    return passages


def _paragraph_windows(block: Block) -> list[tuple[int, int, str, tuple[tuple[int, int], ...]]]:
    """Cut a paragraph into sentence windows of at most MAX_PASSAGE_WORDS words; each window
    comes with its line span and its sentences' offsets."""
    text = block.text
    spans = _bounded(text, sentence_spans(text) or [(0, len(text))])
    if len(text.split()) <= MAX_PASSAGE_WORDS:
        return [(block.line_start, block.line_end, text, tuple(spans))]
    windows: list[tuple[int, int]] = []
    start = end = None
    words = 0
    for sentence_start, sentence_end in spans:
        count = len(text[sentence_start:sentence_end].split())
        if start is not None and words + count > MAX_PASSAGE_WORDS:
            windows.append((start, end))
            start, words = None, 0
        if start is None:
            start = sentence_start
        end = sentence_end
        words += count
    if start is not None:
        windows.append((start, end))
    return [
        (
            block.line_start + text.count("\n", 0, window_start),
            block.line_start + text.count("\n", 0, window_end),
            text[window_start:window_end],
            tuple((s - window_start, e - window_start) for s, e in spans if window_start <= s and e <= window_end),
        )
        for window_start, window_end in windows
    ]


def _bounded(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sentences cut into pieces of at most MAX_PASSAGE_WORDS words, so every window keeps to
    the limit: text without sentence punctuation (a log line, a word list) must not become one
    giant passage."""
    bounded = []
    for start, end in spans:
        words = list(re.finditer(r"\S+", text[start:end]))
        for first in range(0, len(words), MAX_PASSAGE_WORDS):
            chunk = words[first : first + MAX_PASSAGE_WORDS]
            bounded.append((start + chunk[0].start(), start + chunk[-1].end()))
    return bounded
