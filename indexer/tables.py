"""Pipe tables in plain text, and in the formats that build on it: `Key | Value |` rows, and tables
with a `---|---` separator under their header row, whose cells are paired with their headers.

A part of indexer/structure.py's LineReader, kept apart: it reads and writes the reader's state
(its lines, markup, blocks, the table header in force) through the reader's own methods.
"""
from __future__ import annotations

import re

from indexer.blocks import Block
from indexer.display import Display
from indexer.formats.text import TABLE_SEPARATOR, pipe_row_display


class TableLines:
    """The table lines of a LineReader (indexer/structure.py)."""

    @staticmethod
    def _looks_like_table_line(line: str) -> bool:
        return bool(TABLE_SEPARATOR.match(line)) or line.rstrip().endswith("|") or line.count("|") >= 2

    def _table_line(self, index: int) -> int:
        line = self.lines[index]
        number = index + 1
        self._end_paragraph()
        if TABLE_SEPARATOR.match(line):
            self.markup[number] = ("markup", "")
            return index + 1
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        filled = [cell for cell in cells if cell]
        next_line = self.lines[index + 1] if index + 1 < len(self.lines) else ""
        if TABLE_SEPARATOR.match(next_line):  # a header row
            self.markup[number] = ("heading", " · ".join(filled))
            self.markup[number + 1] = ("markup", "")
            if len(filled) >= 2:
                self.table_header = cells
            else:
                self.table_header = []
                if filled and self.table_caption is None:
                    self.table_caption = filled[0]
            return index + 2
        if not filled or re.fullmatch(r"!\[[^\]]*\]\([^)]*\)", filled[0]):
            self.markup[number] = ("markup", "")
            return index + 1
        self.markup[number] = ("text", " · ".join(filled))  # a row left out (a label row): shown unpiped
        if len(self.table_header) >= 2 and len(filled) >= 2:  # a table with a header row
            pairs = [(header, cell) for header, cell in zip(self.table_header, cells) if cell]
            context = " ".join(header for header in self.table_header if header)
            self._add(Block("table_row", number, number, line, context=context, cells=pairs,
                            display=self._row_display(line, " · ")))
        elif len(filled) == 1 and self.blocks and self.blocks[-1].kind == "table_row" and self.blocks[-1].line_end == number - 1:
            row = self.blocks[-1]  # a one-cell row under a table row describes it (an episode's synopsis)
            row.line_end = number
            row.text = row.text + "\n" + line
            row.display = self._row_display(row.text, " · ")
        elif len(filled) == 2 and cells[0] == filled[0]:
            self._add(Block("field", number, number, line, field_name=filled[0], field_value=filled[1],
                            display=self._row_display(line)))
        elif len(filled) >= 2:
            self._add(Block("table_row", number, number, line, cells=[("", cell) for cell in filled],
                            display=self._row_display(line)))
        return index + 1

    def _row_display(self, text: str, separator: str | None = None) -> Display:
        """A table row's display text; formats with inline markup take it out of the cells."""
        return pipe_row_display(text, separator)
