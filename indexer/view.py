"""Documents -> what the document view shows: each line numbered as cited, with its markup
taken out (a heading's `==` or `#`, an underline, table pipes, HTML tags, rST roles), so the line
numbers of a citation open at the right place and the page reads as the passages do.

A PDF is shown one page at a time: the page's extracted text, numbered as its citations count.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from indexer.blocks import StructuredDocument
from indexer.documents import Document, split_lines
from indexer.formats.pdf_pages import page_of
from indexer.structure import parse_structure


@dataclass(frozen=True)
class ViewLine:
    number: int  # as cited: the line of the file, or of the page for a PDF
    text: str  # as shown
    role: str = "text"  # text | heading | markup (an underline, a fence, a tag-only line)


@dataclass(frozen=True)
class DocumentText:
    """A document as the view shows it: its title and the lines of the file (or of one PDF page)."""

    path: str
    title: str
    lines: list[str]  # verbatim
    shown: list[ViewLine] = field(default_factory=list)
    page: int | None = None  # PDF: the page shown, of `pages`
    pages: int = 0

    def __post_init__(self) -> None:
        if not self.shown:  # nothing known of its markup: every line as it is
            object.__setattr__(self, "shown", [ViewLine(number, line) for number, line in enumerate(self.lines, 1)])


def view_of(document: Document, page: int | None = None) -> DocumentText:
    """The view of one document; `page` picks a PDF's page (the first by default; clipped to the
    pages)."""
    structured = parse_structure(document)
    shown = shown_lines(structured)
    if not document.pages:
        return DocumentText(document.path, structured.title, document.lines, shown)
    page = min(max(page or 1, 1), len(document.pages))
    first = document.pages[page - 1]
    last = document.pages[page] - 1 if page < len(document.pages) else len(document.lines)
    lines = document.lines[first - 1 : last]
    on_page = [ViewLine(page_of(document.pages, line.number)[1], line.text, line.role) for line in shown[first - 1 : last]]
    return DocumentText(document.path, structured.title, lines, on_page, page, len(document.pages))


def shown_lines(structured: StructuredDocument) -> list[ViewLine]:
    """Every line of the document as the view shows it."""
    lines = split_lines(structured.document.text)
    shown = {number: (text, "text") for number, text in enumerate(lines, 1)}
    for number, (role, text) in structured.markup.items():
        if number in shown:
            shown[number] = (text, role)
    for block in structured.blocks:  # a block's own display wins over its lines' markup
        if block.display is None:
            continue
        for offset, text in enumerate(block.display.text.split("\n")):
            number = block.line_start + offset
            if number <= block.line_end:
                shown[number] = (text, "text")
    return [ViewLine(number, text, role) for number, (text, role) in sorted(shown.items())]


__all__ = ["Document", "DocumentText", "ViewLine", "view_of", "shown_lines"]
