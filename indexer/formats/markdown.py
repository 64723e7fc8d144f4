"""Markdown: the plain-text reader, with markdown-it-py (CommonMark, well kept; its tokens' `.map`
gives each block's exact lines) deciding what is a heading (ATX and setext), fenced or indented
code, or an HTML block. Front matter gives the title, the date and fields; inline markup (links,
emphasis, code spans, images, tags) is taken out of the display text, links keeping their text.
Lists, `Key: Value` lines, pipe tables and bylines are read as in plain text.
"""
from __future__ import annotations

import re
from functools import lru_cache

from indexer.blocks import Block, StructuredDocument
from indexer.display import Display, clean
from indexer.formats.text import ISO_DATE, WIKI_HEADING, HeadingMatch, pipe_row_display
from indexer.structure import LineReader

FRONT_MATTER_FENCE = re.compile(r"^(---|\+\+\+)\s*$")
FRONT_MATTER_FIELD = re.compile(r"^([A-Za-z][\w -]{0,40}?)\s*[:=]\s*(.*?)\s*$")
HTML_TAG = re.compile(r"</?[A-Za-z][^>]*>|<!--.*?-->", re.DOTALL)
HEADING_TAG = re.compile(r"<h([1-6])\b[^>]*>(.*?)</h\1>", re.IGNORECASE | re.DOTALL)

# Inline markup, each alternative keeping the text a reader sees (docs: CommonMark's inlines).
INLINE = re.compile(
    r"\[!\[[^\]]*\]\([^)]*\)\]\([^)]*\)"  # a linked image (a badge): nothing to read
    r"|!\[[^\]]*\]\([^)]*\)"  # an image
    r"|\[(?P<keep_link>[^\]]+)\]\((?:[^()\s]|\([^)]*\))*(?:\s+\"[^\"]*\")?\)"  # [text](url "title")
    r"|\[(?P<keep_ref>[^\]]+)\]\[[^\]]*\]"  # [text][ref]
    r"|<(?P<keep_auto>(?:https?|mailto):[^>\s]+)>"  # <https://...>
    r"|</?[A-Za-z][^>\n]*>"  # inline HTML tags
    r"|(?P<ticks>`+)(?P<keep_code>[^`]+?)(?P=ticks)"  # `code`
    r"|(?P<strong>\*\*|__)(?P<keep_strong>\S(?:.*?\S)?)(?P=strong)"  # **strong**
    r"|(?<![\w*\\])\*(?P<keep_em>[^*\s](?:[^*\n]*[^*\s])?)\*(?![\w*])"  # *emphasis*
    r"|(?<![\w\\])_(?P<keep_em2>[^_\s](?:[^_\n]*[^_\s])?)_(?!\w)"  # _emphasis_
    r"|\\(?P<keep_escaped>[!-/:-@\[-`{-~])"  # \* and other escapes
    r"|^[ \t]{0,3}>[ \t]?",  # a blockquote's marker
    re.MULTILINE,
)


@lru_cache(maxsize=1)
def _parser():
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark").enable("table")


class MarkdownReader(LineReader):
    def __init__(self, document) -> None:
        super().__init__(document)
        self.front_matter_end = _front_matter_end(self.lines)
        self.heading_lines: dict[int, HeadingMatch] = {}
        self.code: dict[int, tuple[int, str]] = {}  # first line -> (line after, info string)
        self.html: dict[int, int] = {}  # first line -> line after
        self.uncovered: set[int] = set()
        self._read_tokens()

    def _read_tokens(self) -> None:
        hidden = "\n" * self.front_matter_end  # front matter is not Markdown: blank it out
        text = hidden + "\n".join(self.lines[self.front_matter_end :])
        covered: set[int] = set(range(self.front_matter_end))
        tokens = _parser().parse(text)
        for position, token in enumerate(tokens):
            if token.map is None or token.level != 0:
                continue
            start, end = token.map
            covered.update(range(start, end))
            if token.type == "heading_open":
                inline = tokens[position + 1].content
                self.heading_lines[start] = HeadingMatch(_inline_text(inline), end - start, level=int(token.tag[1]),
                                                    offset=0)
            elif token.type in ("fence", "code_block"):
                self.code[start] = (end, token.info.strip())
            elif token.type == "html_block":
                self.html[start] = end
        self.uncovered = {index for index in range(len(self.lines)) if index not in covered and self.lines[index].strip()}

    def _special(self, index: int) -> int | None:
        if index < self.front_matter_end:
            return self._front_matter_line(index)
        if index in self.code:
            return self._code_block(index, *self.code[index])
        if index in self.html:
            return self._html_block(index, self.html[index])
        line = self.lines[index]
        if index in self.uncovered or line.strip() and not _inline_text(line):
            # a link reference definition (`[id]: https://...`), or only images and badges
            self._end_paragraph()
            self.markup[index + 1] = ("markup", "")
            return index + 1
        return None

    def _row_display(self, text: str, separator: str | None = None) -> Display:
        return pipe_row_display(text, separator, INLINE)

    def _title_text(self, line: str) -> str:
        return _inline_text(line)

    def _heading_at(self, index: int) -> HeadingMatch | None:
        """markdown-it's headings, and a wiki `== Heading ==` line (never prose, and pasted
        into notes from wikis)."""
        wiki = WIKI_HEADING.match(self.lines[index])
        if wiki:
            return HeadingMatch(wiki.group(2).strip(), 1, level=len(wiki.group(1)))
        return self.heading_lines.get(index)

    def _front_matter_line(self, index: int) -> int:
        line = self.lines[index]
        number = index + 1
        field = FRONT_MATTER_FIELD.match(line)
        if FRONT_MATTER_FENCE.match(line) or not field or not field.group(2):
            self.markup[number] = ("markup", "")
            return index + 1
        name, value = field.group(1).strip(), field.group(2).strip().strip("\"'")
        key = name.lower()
        if key == "title" and self.title is None:
            self.title, self.title_line = value, number
            self.blocks.append(Block("title", number, number, line))
            return index + 1
        if key == "date" and ISO_DATE.search(value) and self.date is None:
            self.date = ISO_DATE.search(value).group(0)
        kind = "field"
        if key in ("author", "authors"):
            self.byline, kind = self.byline or value, "byline"
        self._add(Block(kind, number, number, line, field_name=name.capitalize(), field_value=value))
        return index + 1

    def _code_block(self, index: int, end: int, info: str) -> int:
        """Fenced or indented code: one passage, verbatim, never cut; fences are markup."""
        self._end_paragraph()
        first, last = index, end - 1
        if self.lines[first].lstrip().startswith(("```", "~~~")):
            self.markup[first + 1] = ("markup", "")
            first += 1
            if last > first and self.lines[last].lstrip().startswith(("```", "~~~")):
                self.markup[last + 1] = ("markup", "")
                last -= 1
        if last >= first and any(line.strip() for line in self.lines[first : last + 1]):
            text = "\n".join(self.lines[first : last + 1])
            self._add(Block("code", first + 1, last + 1, text, context=info.split()[0] if info else ""))
        return end

    def _html_block(self, index: int, end: int) -> int:
        """An HTML block: a heading tag is a heading; other text is a paragraph without tags."""
        self._end_paragraph()
        text = "\n".join(self.lines[index:end])
        heading = HEADING_TAG.search(text)
        if heading and _inline_text(HTML_TAG.sub("", heading.group(2))).strip():
            match = HeadingMatch(_inline_text(HTML_TAG.sub("", heading.group(2))).strip(), end - index,
                                 level=int(heading.group(1)))
            return LineReader._add_heading(self, match, index)
        display = clean(text, HTML_TAG).build()
        if display.text.strip():
            self._add(Block("paragraph", index + 1, end, text, display=display))
        else:
            for number in range(index + 1, end + 1):
                self.markup[number] = ("markup", "")
        return end

    def _paragraph_display(self, paragraph: Block) -> Display | None:
        return _inline_display(paragraph.text)

    def _add(self, block: Block) -> None:
        if block.display is None and block.kind in ("field", "list_item", "byline", "title"):
            block.display = _inline_display(block.text)
        super()._add(block)


def _inline_display(text: str) -> Display | None:
    display = clean(text, INLINE).build()
    return None if display.text == text else display


def _inline_text(text: str) -> str:
    return " ".join(clean(text, INLINE).build().text.split())


def _front_matter_end(lines: list[str]) -> int:
    """Lines of a YAML (---) or TOML (+++) front matter block at the top; 0 without one."""
    if not lines or not FRONT_MATTER_FENCE.match(lines[0]):
        return 0
    fence = lines[0].strip()
    for index in range(1, min(len(lines), 200)):
        if lines[index].strip() in (fence, "..."):
            return index + 1
    return 0


def read_markdown(document) -> StructuredDocument:
    return MarkdownReader(document).parse()
