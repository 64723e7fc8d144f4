"""The typed values of a document's structure: `Block`s with their exact line spans, and the
`StructuredDocument` that holds them (made by indexer/structure.py and the readers of
indexer/formats/, cut into passages by indexer/passages.py)."""
from __future__ import annotations

from dataclasses import dataclass, field

from indexer.display import Display
from indexer.documents import Document

# Between the headings of a section path ("Cast and characters › Main").
SECTION_SEPARATOR = " › "


@dataclass
class Block:
    """A structural unit of a document with its exact line span (1-based, inclusive)."""

    kind: str  # title | paragraph | quote | field | table_row | list_item | byline | code
    line_start: int
    line_end: int
    text: str  # verbatim lines line_start..line_end joined by "\n"
    section: str | None = None
    # The line of the heading the block stands under: its section's own (innermost) heading, else
    # the document's title line.
    heading_line: int | None = None
    field_name: str | None = None
    field_value: str | None = None
    context: str = ""  # words that describe the block without standing in it (a table header)
    cells: list[tuple[str, str]] = field(default_factory=list)  # (column header, cell) for table rows
    # `text` with its markup taken out (indexer/display.py); None when it has none.
    display: Display | None = None

    @property
    def shown(self) -> Display:
        return self.display or Display.identity(self.text)


@dataclass
class StructuredDocument:
    document: Document
    title: str
    date: str | None  # ISO date of publication, when the text gives one
    byline: str | None
    blocks: list[Block]
    # Lines that are markup rather than content, for the document view: line -> (role, what to
    # show): ("heading", its text) for a heading's title line, ("markup", "") for underlines,
    # table separators, fences and tags.
    markup: dict[int, tuple[str, str]] = field(default_factory=dict)
