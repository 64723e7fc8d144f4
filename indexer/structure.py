"""Documents -> structure: title, headings, `Key: Value` fields, table rows, list items, dates,
bylines and boilerplate, each as a `Block` that keeps its exact 1-based line span.

Plain text notes and wiki dumps share a few conventions, and this module reads them line by line:
`= Title =` / `==Section==` and `# Title` / `## Section` headings, underlined titles, centred and
numbered titles (indexer/formats/text.py), `- Key: Value` infobox bullets, `Key | Value |` rows and
pipe tables with a `---|---` separator under their header (indexer/tables.py). The other formats (indexer/formats/)
build on this reader: `parse_structure` picks the reader by the file's name.
"""
from __future__ import annotations

from indexer.blocks import SECTION_SEPARATOR, Block, StructuredDocument
from indexer.display import Display
from indexer.documents import Document
from indexer.formats.files import CONVENTIONAL_NAME, NO_REAL_SUFFIX
from indexer.formats.text import (ADORNMENT, BARE_DATE_LINE, BULLET_FIELD, BYLINE, COPYRIGHT_NOTICE, ISO_DATE,
                                  LABEL_LINE, LIST_ITEM, MARKDOWN_HEADING, META_DATE_LINE, PERSON_NAME_LINE,
                                  PLAIN_FIELD, WIKI_HEADING, HeadingMatch, adorned_heading,
                                  capitals_heading, centred_heading, copyright_holder, numbered_heading,
                                  outline_heading, release_heading, stands_as_boilerplate)
from indexer.tables import TableLines

# A title longer than this is a sentence, not a headline.
MAX_TITLE_WORDS = 16

# A line at least this long is a paragraph of its own even without a blank line after it (wiki
# dumps put one paragraph per line); shorter lines are soft-wrapped prose and are joined.
OWN_PARAGRAPH_WORDS = 20


def _introduction(block: Block) -> str | None:
    """A paragraph's text when it ends with a colon: it introduces what follows ("To build it, use:")."""
    text = block.shown.text.strip()
    return text if block.kind == "paragraph" and text.endswith(":") else None


def parse_structure(document: Document) -> StructuredDocument:
    """Recover the structure of one document, with the reader of its format."""
    from indexer.formats.registry import read_structure

    return read_structure(document)


def read_plain_text(document: Document) -> StructuredDocument:
    return LineReader(document).parse()


class LineReader(TableLines):
    """Plain text, line by line. Subclasses add a format's own constructs through `_special`
    (lines they consume before the plain-text rules) and `_heading_at`."""

    # An underline may be half its title's length: docutils wants the whole length, but warns
    # and goes on, and plain text files are written by hand.
    UNDERLINE_SHARE = 0.5

    def __init__(self, document: Document) -> None:
        self.document = document
        self.lines = document.lines
        self.blocks: list[Block] = []
        self.headings: list[tuple[int, str, int]] = []  # (level, text, line) from outermost in
        self.table_header: list[str] = []
        self.table_caption: str | None = None
        self.title: str | None = None
        self.title_line: int | None = None  # the title's line, when a line of the text is the title
        self.title_is_heading = False  # the title is a level-1 heading (`# Title`, an underlined line)
        self.title_level_again = False  # ... and another level-1 heading came after it
        self.date: str | None = None
        self.byline: str | None = None
        self.paragraph: Block | None = None
        self.markup: dict[int, tuple[str, str]] = {}
        self.styles: list[str] = []  # underline styles in order of first use: their levels
        self.content_seen, self.content_checked = False, 0  # see _has_content
        # Lines a paragraph may not run past (PDF page starts): 0-based line indexes.
        self.breaks: frozenset[int] = frozenset(start - 1 for start in document.pages)

    # -- driver -----------------------------------------------------------------------------

    def parse(self) -> StructuredDocument:
        index = 0
        while index < len(self.lines):
            index = self._read_line(index)
        self._end_paragraph()
        if self.title_level_again:
            self._title_as_first_section()
        title = self.title or self.table_caption or self._title_from_text()
        return StructuredDocument(self.document, title, self.date, self.byline, self.blocks, self.markup)

    def _special(self, index: int) -> int | None:
        """A format's own construct at line `index`: the index after it, or None."""
        return None

    def _heading_at(self, index: int) -> HeadingMatch | None:
        line = self.lines[index]
        heading = WIKI_HEADING.match(line) or MARKDOWN_HEADING.match(line)
        if heading:
            return HeadingMatch(heading.group(2).strip(), 1, level=len(heading.group(1)))
        return (adorned_heading(self.lines, index, self.UNDERLINE_SHARE) or release_heading(self.lines, index)
                or centred_heading(self.lines, index)
                or capitals_heading(self.lines, index) or numbered_heading(self.lines, index)
                or outline_heading(self.lines, index))

    def _read_line(self, index: int) -> int:
        """Classify line `index` (0-based); return the index of the next unread line."""
        line = self.lines[index]
        number = index + 1
        if index in self.breaks:
            self._end_paragraph()
        special = self._special(index)
        if special is not None:
            return special
        if not line.strip():
            self._end_paragraph()
            self.table_header = []
            return index + 1
        if self.title is None and not self._has_content() and BARE_DATE_LINE.match(line):
            return self._leading_date(index)  # "2024-04-02" over a NEWS file's title
        date_line = META_DATE_LINE.match(line)
        if date_line:  # "Published 2021-03-04": the document's date, and a fact one can ask about
            self._end_paragraph()
            iso = ISO_DATE.search(date_line.group("date"))
            if iso and self.date is None:
                self.date = iso.group(0)
            label = date_line.group("label").strip().capitalize()
            self._add(Block("field", index + 1, index + 1, line, field_name=label, field_value=date_line.group("date")))
            return index + 1
        if stands_as_boilerplate(self.lines, index, in_paragraph=self.paragraph is not None):
            return self._boilerplate(index)
        heading = self._heading_at(index)
        if heading:
            return self._add_heading(heading, index)
        if ADORNMENT.match(line.strip()):  # a rule (rST's transition) under no title: markup
            self._end_paragraph()
            self.markup[number] = ("markup", "")
            return index + 1
        if LABEL_LINE.match(line):
            self._end_paragraph()
            return index + 1
        if "|" in line and self._looks_like_table_line(line):
            return self._table_line(index)
        if self.title is None and self.paragraph is None and not self._has_content() and self._could_be_title(index):
            self.title, self.title_line = self._title_text(line), number
            self.blocks.append(Block("title", number, number, line))
            return index + 1
        byline_end = self._byline(index)
        if byline_end is not None:
            return byline_end
        match = BULLET_FIELD.match(line) or (PLAIN_FIELD.match(line) if len(line) < 160 else None)
        if match and len(match.group(1).split()) <= 5 and not self._continues(index):
            self._end_paragraph()
            self._add(Block("field", number, number, line, field_name=match.group(1).strip(), field_value=match.group(2).strip()))
            return index + 1
        item = LIST_ITEM.match(line)
        if item:
            self._end_paragraph()
            end = self._list_item_end(index, item.start(1))
            self._add(Block("list_item", number, end, "\n".join(self.lines[index:end])))
            return end
        self._paragraph_line(line, number)
        return index + 1

    # -- kinds of line --------------------------------------------------------------------------

    def _add_heading(self, heading: HeadingMatch, index: int) -> int:
        """Record a heading found at line `index`; return the index after it."""
        level = heading.level
        if level is None:  # by order of first use, as docutils ranks section styles
            if heading.style not in self.styles:
                self.styles.append(heading.style)
            level = self.styles.index(heading.style) + 1
        for offset in range(heading.lines):
            self.markup[index + offset + 1] = ("markup", "")
        title_line = index + heading.offset + 1  # 1-based
        self.markup[title_line] = ("heading", heading.text)
        if heading.style and heading.style.startswith("over"):
            title_line = index + 2  # under its overline
            self.markup[title_line] = ("heading", heading.text)
        self._heading(level, heading.text, title_line)
        return index + heading.lines

    def _heading(self, level: int, text: str, number: int) -> None:
        self._end_paragraph()
        self.table_header = []
        if level == 1 and self.title is not None and text == self.title:
            return  # `= Title =` repeating a first-line title is the title again, not a section
        if self.title is None and not self._has_content() and level == 1:
            self.title, self.title_line = text, number  # `= Title =` / `# Title` on top is the document's title
            self.title_is_heading = True
            return
        while self.headings and self.headings[-1][0] >= level:
            self.headings.pop()
        self.headings.append((level, text, number))
        self.title_level_again = self.title_level_again or level == 1 and self.title_is_heading

    def _title_as_first_section(self) -> None:
        """A title heading followed by more headings of its level heads the first of sibling
        sections (a NEWS file's newest release over the older ones): the blocks under it are in
        its section, as those under the others are in theirs."""
        for block in self.blocks:
            if block.section is None and block.line_start > self.title_line:
                block.section = self.title

    def _continues(self, index: int) -> bool:
        """Whether the next line goes on with this line's sentence (starts in lower case)."""
        following = self.lines[index + 1].lstrip() if index + 1 < len(self.lines) else ""
        return following[:1].islower()

    def _title_text(self, line: str) -> str:
        """A title line as the title reads (formats with inline markup take it out)."""
        return line.strip()

    def _could_be_title(self, index: int) -> bool:
        """A headline: short, no sentence end, not a date or a byline, and not the first line of
        a wrapped sentence (the next line going on in lower case)."""
        line = self.lines[index]
        words = line.split()
        if not 0 < len(words) <= MAX_TITLE_WORDS or line.rstrip().endswith((".", ":", ";", ",")):
            return False
        if BARE_DATE_LINE.match(line) or BYLINE.match(line) or not self._title_text(line):
            return False
        following = self.lines[index + 1] if index + 1 < len(self.lines) else ""
        if PLAIN_FIELD.match(line) and PLAIN_FIELD.match(following):
            return False  # a record of fields (a Debian copyright file, mail headers), not a headline
        return not self._continues(index)

    def _byline(self, index: int) -> int | None:
        """A `By Name` line, or a name line over a short role line ("Laura Hurley / Senior
        Content Producer") with the author's bio after it. Returns the next unread index."""
        line = self.lines[index]
        explicit = BYLINE.match(line)
        if explicit:
            self._end_paragraph()
            self.byline = self.byline or explicit.group(1).strip()
            self._add(Block("byline", index + 1, index + 1, line, field_name="Author", field_value=self.byline))
            return index + 1
        role = self.lines[index + 1] if index + 1 < len(self.lines) else ""
        if not PERSON_NAME_LINE.match(line):
            return None
        role_words = role.split()
        if not (1 <= len(role_words) <= 5 and all(word[:1].isupper() or word in ("of", "and", "&") for word in role_words)):
            return None
        if self.paragraph is not None and self.paragraph.line_end == index:
            return None  # a name inside running prose
        self._end_paragraph()
        name = line.strip()
        end = index + 2
        first_name = name.split()[0]
        bio = end
        while bio < len(self.lines) and not self.lines[bio].strip():
            bio += 1
        if bio < len(self.lines) and self.lines[bio].lstrip().startswith((first_name, "He ", "She ", "They ")):
            end = bio + 1
        text = "\n".join(self.lines[index:end])
        self.byline = self.byline or name
        self._add(Block("byline", index + 1, end, text, field_name="Author", field_value=name, context=role.strip()))
        return end

    def _list_item_end(self, index: int, text_indent: int) -> int:
        """The index after a list item: its first line and the lines under it indented to its
        text (a wrapped item in Markdown and rST), up to a blank line or the next item."""
        end = index + 1
        while end < len(self.lines) and end not in self.breaks:
            line = self.lines[end]
            if not line.strip() or len(line) - len(line.lstrip()) < text_indent or LIST_ITEM.match(line):
                break
            end += 1
        return end

    def _paragraph_line(self, line: str, number: int) -> None:
        current = self.paragraph
        if current is not None:
            previous = self.lines[current.line_end - 1]
            ends_sentence = previous.rstrip().endswith((".", "!", "?", '"', "”", ":", "]", ")"))
            long_lines = len(previous.split()) >= OWN_PARAGRAPH_WORDS or len(line.split()) >= OWN_PARAGRAPH_WORDS
            if current.line_end == number - 1 and not (ends_sentence and long_lines):
                current.line_end = number  # its text is joined when it ends: adding a line at a
                return  # time copied the whole paragraph each time (a 1.6 MB one took seconds)
            self._end_paragraph()
        self.paragraph = Block("paragraph", number, number, line)

    # -- helpers ------------------------------------------------------------------------------

    def _content_blocks(self) -> list[Block]:
        """Blocks other than a date line or a byline (either may stand above the title)."""
        return [block for block in self.blocks if self._is_content(block)]

    def _has_content(self) -> bool:
        """Whether any block so far is content (`_content_blocks()`, found once, not per line:
        asked for every line of a document that has no title)."""
        while not self.content_seen and self.content_checked < len(self.blocks):
            self.content_seen = self._is_content(self.blocks[self.content_checked])
            self.content_checked += 1
        return self.content_seen

    @staticmethod
    def _is_content(block: Block) -> bool:
        return not (block.kind == "byline" or META_DATE_LINE.match(block.text) or BARE_DATE_LINE.match(block.text))

    def _leading_date(self, index: int) -> int:
        """A date alone above the title: the document's date, and a fact one can ask about."""
        self._end_paragraph()
        line = self.lines[index]
        iso = ISO_DATE.search(line)
        if iso and self.date is None:
            self.date = iso.group(0)
        self._add(Block("field", index + 1, index + 1, line, field_name="Date", field_value=line.strip()))
        return index + 1

    def _boilerplate(self, index: int) -> int:
        """Drop the boilerplate line `index`, but keep a copyright notice as a field: who holds
        the copyright is a fact one asks about."""
        self._end_paragraph()
        line = self.lines[index]
        if COPYRIGHT_NOTICE.search(line):
            self._add(Block("field", index + 1, index + 1, line, field_name="Copyright", field_value=copyright_holder(line)))
        return index + 1

    def _end_paragraph(self) -> None:
        if self.paragraph is not None:
            self.paragraph.text = "\n".join(self.lines[self.paragraph.line_start - 1 : self.paragraph.line_end])
            self._mark_quotation(self.paragraph)
            self.paragraph.display = self._paragraph_display(self.paragraph)
            self._add(self.paragraph)
            self.paragraph = None

    def _paragraph_display(self, paragraph: Block) -> Display | None:
        """A paragraph's text without markup; plain text has none."""
        return None

    def _mark_quotation(self, paragraph: Block) -> None:
        """A paragraph right after one that ends with a colon ("Safran weighed in:") quotes it;
        the introduction is kept as context, since it says who speaks."""
        introduction = _introduction(self.blocks[-1]) if self.blocks else None
        if introduction is not None:
            paragraph.kind = "quote"
            paragraph.context = introduction

    def _add(self, block: Block) -> None:
        if block.section is None and self.headings:
            block.section = SECTION_SEPARATOR.join(text for _, text, _ in self.headings)
        if block.heading_line is None:
            block.heading_line = self.headings[-1][2] if self.headings else self.title_line
        if block.kind == "code":
            # Code says how but not what for: the sentence that introduces it does ("To read the
            # whole file, use:"), so a question in its words finds the code, as a quote is found
            # by its speaker. A heading between them ends the introduction.
            previous = self.blocks[-1] if self.blocks else None
            introduction = _introduction(previous) if previous and previous.section == block.section else None
            block.context = " ".join(filter(None, (introduction, block.context)))
        self.blocks.append(block)

    def _title_from_text(self) -> str:
        """A title for a document without one: for a file named by convention (README, NEWS,
        copyright) the folder it documents and its name; else the first words of its text."""
        parts = self.document.relative_path.split("/")
        name = parts[-1].removesuffix(".gz")
        if len(parts) > 1 and CONVENTIONAL_NAME.match(name):
            return f"{parts[-2]} {name}"
        if NO_REAL_SUFFIX.match(name):  # a licence file such as BSD or GPL-3 is known by its name
            return name
        for block in self._content_blocks():
            words = block.text.split()
            if words:
                return " ".join(words[:8]) + ("…" if len(words) > 8 else "")
        return self.document.path.rsplit("/", 1)[-1]
