"""HTML (`.html`, `.htm`): the title, headings, paragraphs, list items, table rows and code of a
page, read with Python's own html.parser (its `getpos()` gives each piece of text its source
line and column), and cited by the lines of the HTML file that hold them.

A passage's `text` is the HTML source between its first and last character of text (tags
included, so it stands verbatim at the cited lines); its display text is the text a browser
shows. Scripts, styles, templates and navigation (`<nav>`, `role="navigation"`) are left out.
"""
from __future__ import annotations

import html
import re
from bisect import bisect_right
from dataclasses import dataclass, field
from html.parser import HTMLParser

from indexer.blocks import SECTION_SEPARATOR, Block, StructuredDocument
from indexer.display import DisplayBuilder
from indexer.documents import Document
from indexer.formats.text import PLAIN_FIELD

SKIPPED = frozenset("script style noscript template svg nav iframe select button object canvas".split())
HEADINGS = {f"h{level}": level for level in range(1, 7)}
BLOCKS = frozenset("p li dt dd tr pre blockquote caption figcaption div section article main header footer aside "
                   "form table ul ol dl body address details summary td th title".split()) | set(HEADINGS)
VOID = frozenset("area base br col embed hr img input link meta source track wbr".split())


@dataclass
class _Piece:
    offset: int  # in the source text
    text: str
    generated: bool = False  # an entity's character: shown, not copied


@dataclass
class _Open:
    tag: str
    pieces: list[_Piece] = field(default_factory=list)
    cells: list[list[_Piece]] = field(default_factory=list)  # a table row's cells
    header: bool = False  # a row of <th> cells


class _PageParser(HTMLParser):
    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=False)
        self.text = text
        self.line_starts = [0] + [match.end() for match in re.finditer("\n", text)]
        self.skipping: list[str] = []
        self.current: _Open | None = None
        self.cell: list[_Piece] | None = None
        self.found: list[tuple[_Open, str]] = []  # finished blocks and their tag, in order

    # -- positions ----------------------------------------------------------------------------

    def _offset(self) -> int:
        line, column = self.getpos()
        return self.line_starts[line - 1] + column

    # -- events -------------------------------------------------------------------------------

    def handle_starttag(self, tag: str, attrs) -> None:
        if self.skipping:
            if tag == self.skipping[-1] and tag not in VOID:
                self.skipping.append(tag)
            return
        role = dict(attrs).get("role") or ""
        if tag in SKIPPED or role == "navigation":
            if tag not in VOID:
                self.skipping.append(tag)
            return
        if tag in ("td", "th") and self.current is not None and self.current.tag == "tr":
            self.cell = []
            self.current.cells.append(self.cell)
            self.current.header = self.current.header or tag == "th"
        elif tag == "br":
            self._add(_Piece(-1, " ", generated=True))
        elif tag in BLOCKS and not (tag in ("td", "th") and self.current is not None):
            self._finish()
            self.current = _Open(tag)

    def handle_endtag(self, tag: str) -> None:
        if self.skipping:
            if tag == self.skipping[-1]:
                self.skipping.pop()
            return
        if tag in ("td", "th"):
            self.cell = None
        elif tag in BLOCKS:
            self._finish()

    def handle_data(self, data: str) -> None:
        if not self.skipping and data:
            self._add(_Piece(self._offset(), data))

    def handle_entityref(self, name: str) -> None:
        self._add(_Piece(self._offset(), html.unescape(f"&{name};"), generated=True))

    def handle_charref(self, name: str) -> None:
        self._add(_Piece(self._offset(), html.unescape(f"&#{name};"), generated=True))

    def _add(self, piece: _Piece) -> None:
        if self.skipping:
            return
        if self.current is None:
            self.current = _Open("body")
        (self.cell if self.cell is not None else self.current.pieces).append(piece)

    def _finish(self) -> None:
        if self.current is not None:
            self.found.append((self.current, self.current.tag))
        self.current, self.cell = None, None

    def close(self) -> None:
        super().close()
        self._finish()


def parse_html(document: Document) -> StructuredDocument:
    """The structure of one HTML page."""
    parser = _PageParser(document.text)
    parser.feed(document.text)
    parser.close()
    return _Assembler(document, parser).assemble()


class _Assembler:
    def __init__(self, document: Document, parser: _PageParser) -> None:
        self.document = document
        self.text = document.text
        self.line_starts = parser.line_starts
        self.found = parser.found
        self.blocks: list[Block] = []
        self.headings: list[tuple[int, str, int]] = []  # (level, text, line) from outermost in
        self.title: str | None = None
        self.title_line: int | None = None
        self.table_header: list[str] = []
        self.markup: dict[int, tuple[str, str]] = {}

    def assemble(self) -> StructuredDocument:
        for opened, tag in self.found:
            pieces = [piece for cell in opened.cells for piece in cell] if opened.cells else opened.pieces
            shown = "".join(piece.text for piece in pieces)
            if not shown.strip():
                continue
            if tag == "title" or tag in HEADINGS:
                self._heading(tag, " ".join(shown.split()), pieces)
            elif tag == "tr":
                self._row(opened)
            else:
                kind = {"li": "list_item", "pre": "code", "dt": "field"}.get(tag, "paragraph")
                self._block(kind, pieces)
        covered = {line for block in self.blocks for line in range(block.line_start, block.line_end + 1)}
        for line in range(1, len(self.line_starts) + 1):
            if line not in covered and line not in self.markup:
                self.markup[line] = ("markup", "")
        title = self.title or next((b.shown.text.split("\n")[0].strip()[:80] for b in self.blocks), None)
        title = title or self.document.path.rsplit("/", 1)[-1]
        return StructuredDocument(self.document, title, None, None, self.blocks, self.markup)

    def _heading(self, tag: str, text: str, pieces: list[_Piece]) -> None:
        line = self._line(pieces[0].offset)
        self.markup[line] = ("heading", text)
        self.table_header = []
        level = 0 if tag == "title" else HEADINGS[tag]
        if self.title is None and (tag == "title" or level == 1 and not self.blocks):
            self.title, self.title_line = text, line
            return
        if level == 1 and text == self.title:
            return
        while self.headings and self.headings[-1][0] >= max(level, 1):
            self.headings.pop()
        self.headings.append((max(level, 1), text, line))

    def _row(self, opened: _Open) -> None:
        cells = [" ".join("".join(piece.text for piece in cell).split()) for cell in opened.cells]
        if opened.header and not self.table_header:
            self.table_header = cells
            line = self._line(opened.cells[0][0].offset if opened.cells[0] else 0)
            self.markup[line] = ("heading", " · ".join(cell for cell in cells if cell))
            return
        pairs = list(zip(self.table_header, cells)) if len(self.table_header) == len(cells) else [("", c) for c in cells]
        pairs = [(header, cell) for header, cell in pairs if cell]
        pieces = []
        for number, cell in enumerate(cell for cell in opened.cells if "".join(p.text for p in cell).strip()):
            if number:
                pieces.append(_Piece(-1, ": " if len(pairs) == 2 and not self.table_header else " · ", generated=True))
            pieces.extend(cell)
        block = self._block("table_row", pieces, cells=pairs, context=" ".join(h for h in self.table_header if h))
        if block is not None and len(pairs) == 2 and not self.table_header:
            block.kind, block.field_name, block.field_value, block.cells = "field", pairs[0][1], pairs[1][1], []

    def _block(self, kind: str, pieces: list[_Piece], **extra) -> Block | None:
        real = [piece for piece in pieces if piece.offset >= 0 and piece.text.strip()]
        if not real:
            return None
        first_line = self._line(real[0].offset)
        last_line = self._line(real[-1].offset + len(real[-1].text.rstrip()) - 1)
        base = self.line_starts[first_line - 1]
        end = self.line_starts[last_line] - 1 if last_line < len(self.line_starts) else len(self.text)
        display = _display(pieces, base, self.text)
        field = PLAIN_FIELD.match(" ".join(display.text.split())) if kind in ("list_item", "paragraph") else None
        if field and len(field.group(1).split()) <= 5:  # `<li>Harbor master: Ines Calloway</li>`, as in text
            kind, extra = "field", {**extra, "field_name": field.group(1).strip(), "field_value": field.group(2).strip()}
        block = Block(kind, first_line, last_line, self.text[base:end], display=display, **extra)
        if self.headings:
            block.section = SECTION_SEPARATOR.join(text for _, text, _ in self.headings)
        block.heading_line = self.headings[-1][2] if self.headings else self.title_line
        self.blocks.append(block)
        return block

    def _line(self, offset: int) -> int:
        return bisect_right(self.line_starts, max(offset, 0))


def _display(pieces: list[_Piece], base: int, source: str):
    """The text shown, copied from the source where it stands there, with the newlines of the
    source between pieces kept (so the display has the block's lines)."""
    builder = DisplayBuilder()
    previous_end = None
    for piece in pieces:
        if piece.offset >= 0 and previous_end is not None and piece.offset > previous_end:
            gap = source[previous_end : piece.offset].count("\n")
            builder.insert("\n" * gap if gap else "")
        if piece.generated or piece.offset < 0:
            builder.insert(piece.text)
        else:
            builder.copy(piece.offset - base, piece.text)
        if piece.offset >= 0:
            previous_end = piece.offset + (len(piece.text) if not piece.generated else _entity_length(source, piece.offset))
    return builder.build()


def _entity_length(source: str, offset: int) -> int:
    end = source.find(";", offset, offset + 12)
    return end - offset + 1 if end >= 0 else 1
