"""PDF structure: the pages' text (indexer/formats/pdf_pages.py) read as plain text, one page after
another (a paragraph never runs over a page break).
"""
from __future__ import annotations

from indexer.blocks import StructuredDocument
from indexer.formats.text import HeadingMatch, short_heading
from indexer.structure import LineReader


class PdfReader(LineReader):
    """A PDF's pages read as plain text, where a short title-case line standing alone is also a
    heading: text extraction keeps no font sizes, and that is how headings come out."""

    def _heading_at(self, index: int) -> HeadingMatch | None:
        return super()._heading_at(index) or (short_heading(self.lines, index) if self.title else None)


def read_pdf(document) -> StructuredDocument:
    return PdfReader(document).parse()
