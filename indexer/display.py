"""Display text: a block's text with its markup taken out (table pipes, Markdown and rST inline
markup, HTML tags), and the way back from it to the source.

Passages are searched, answered and shown in their display form, but cited and returned verbatim:
`Display.source_span` maps a span of the display text back to the span of the source that holds
the same characters, so a passage's `text` stays an exact slice of the cited lines. Every
newline of the source stays in the display text, in order, so both count lines alike.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass


@dataclass(frozen=True)
class Display:
    """Display `text`, and `runs`: (display start, source start, length) of each stretch of
    characters copied unchanged from the source; the rest was generated (": " between cells)."""

    text: str
    runs: tuple[tuple[int, int, int], ...]

    @classmethod
    def identity(cls, source: str) -> "Display":
        return cls(source, ((0, 0, len(source)),) if source else ())

    def source_offset(self, position: int) -> int | None:
        """The source offset of display character `position`, when it was copied."""
        index = bisect_right(self.runs, (position, float("inf"), 0)) - 1
        if index < 0:
            return None
        start, source, length = self.runs[index]
        return source + position - start if position < start + length else None

    def source_span(self, start: int, end: int) -> tuple[int, int] | None:
        """[start, end) of the source holding display [start, end): from its first copied
        character to its last; None when none of them was copied."""
        first = next((s for s in self._copied(start, end)), None)
        last = next((s for s in self._copied(end - 1, start - 1, step=-1)), None)
        if first is None or last is None:
            return None
        return first, last + 1

    def _copied(self, start: int, stop: int, step: int = 1):
        for position in range(start, stop, step):
            if not self.text[position].isspace():
                offset = self.source_offset(position)
                if offset is not None:
                    yield offset


class DisplayBuilder:
    """Builds a Display piece by piece, in source order."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.runs: list[tuple[int, int, int]] = []
        self.length = 0

    def copy(self, source_start: int, text: str) -> None:
        if text:
            self.runs.append((self.length, source_start, len(text)))
            self._add(text)

    def insert(self, text: str) -> None:
        self._add(text)

    def _add(self, text: str) -> None:
        self.parts.append(text)
        self.length += len(text)

    def build(self) -> Display:
        return Display("".join(self.parts), tuple(self.runs))


def clean(source: str, pattern: re.Pattern[str], base: int = 0, builder: DisplayBuilder | None = None) -> DisplayBuilder:
    """Copy `source` into a builder, replacing each match of `pattern` by what its named group
    `keep` matched (copied from where it stands) or by its `put` group's replacement text;
    every newline inside a dropped part is kept. `base` is `source`'s own offset."""
    builder = builder or DisplayBuilder()
    position = 0
    for match in pattern.finditer(source):
        builder.copy(base + position, source[position : match.start()])
        kept = {name: value for name, value in match.groupdict().items() if value is not None}
        keep = next((name for name in kept if name.startswith("keep")), None)
        if keep is not None:
            builder.insert("\n" * source.count("\n", match.start(), match.start(keep)))
            builder.copy(base + match.start(keep), kept[keep])
            builder.insert("\n" * source.count("\n", match.end(keep), match.end()))
        else:
            builder.insert("\n" * source.count("\n", match.start(), match.end()))
        position = match.end()
    builder.copy(base + position, source[position:])
    return builder


def clean_lines(source: str, clean_line) -> Display:
    """A Display made line by line: `clean_line(builder, line, offset)` adds one line's display."""
    builder = DisplayBuilder()
    offset = 0
    for number, line in enumerate(source.split("\n")):
        if number:
            builder.copy(offset - 1, "\n")
        clean_line(builder, line, offset)
        offset += len(line) + 1
    return builder.build()
