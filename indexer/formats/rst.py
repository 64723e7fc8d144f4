"""reStructuredText (`.rst`, and `.rst.txt` as Sphinx publishes its sources): the plain-text reader
with rST's own constructs, read from their adornments and indentation.

docutils was measured first: its doctree gives no line for most inline nodes and the wrong line
for a paragraph after a directive, and it reports every Sphinx role and directive it does not know
as an error. This reader instead follows the spec's block rules directly:

- section titles by their adornment (underline, or overline and underline), ranked by first use;
- field lists (`:Author: Jane`) as fields, the docinfo's date as the document's date;
- directives: code (`code-block`, `literalinclude`'s neighbours, doctests) as verbatim code
  passages; admonitions and `versionchanged` kept as text; Sphinx object descriptions
  (`.. function:: dumps(obj)`) as a sub-section that holds their description; the rest
  (`toctree`, `index`, `image`, targets, comments, substitutions) left out;
- literal blocks after `::` as code;
- inline markup (roles, ``literals``, `links <url>`_, footnote references) out of the display text.
"""
from __future__ import annotations

import re

from indexer.blocks import Block, StructuredDocument
from indexer.display import Display, DisplayBuilder, clean
from indexer.formats.text import ISO_DATE, HeadingMatch, adorned_heading, is_blank, pipe_row_display
from indexer.structure import LineReader

EXPLICIT = re.compile(r"^(\s*)\.\.(?:\s+|$)(.*)$")
DIRECTIVE = re.compile(r"^(?:\|[^|]+\|\s+)?([\w:.+-]+)::(?:\s+(.*))?$")
FIELD = re.compile(r"^(\s*):((?:[^:`\\]|\\.)+):(?:\s+(.*))?$")
FOOTNOTE = re.compile(r"^\[(?:#[\w-]*|\d+|\*|[\w.-]+)\]\s+(.*)$")
DOCTEST = re.compile(r"^\s*>>>")

CODE_DIRECTIVES = frozenset("code-block code sourcecode doctest testcode testoutput productionlist parsed-literal "
                            "math highlight-block".split())
# Sphinx's object descriptions (its Python, C, C++, JavaScript, reST and standard domains).
OBJECT_DIRECTIVES = frozenset("function method classmethod staticmethod class attribute property data exception "
                              "decorator decoratormethod opcode envvar option cmdoption describe object macro "
                              "member type var struct union enum enumerator directive role confval".split())
# Directives whose content is read as text, with what Sphinx shows before it.
VERSION_DIRECTIVES = {"versionadded": "Added in version", "versionchanged": "Changed in version",
                      "deprecated": "Deprecated since version", "versionremoved": "Removed in version"}
TEXT_DIRECTIVES = frozenset("note warning tip important caution attention danger error hint seealso admonition topic "
                            "sidebar only container rst-class glossary centered hlist tabularcolumns epigraph "
                            "highlights pull-quote compound list-table csv-table table".split())

INLINE = re.compile(
    r"(?P<lits>``)(?P<keep_literal>[^`]+?)``"  # ``literal``
    r"|:[\w:+.-]+:`(?:(?P<keep_role_title>[^`<]+?)\s*<[^`>]*>|(?:[~!](?=[\w.()]+`))?(?P<keep_role>[^`]+))`"  # :role:`text <t>`
    r"|`(?:(?P<keep_link_title>[^`<]+?)\s*<[^`>]+>|(?P<keep_interpreted>[^`]+))`(?:__?|:[\w:+.-]+:)?"  # `text <url>`_
    r"|[ \t]*\[(?:#[\w-]*|\d+|\*|[\w.-]+)\]_"  # a footnote or citation reference
    r"|(?P<strong>\*\*)(?P<keep_strong>\S(?:.*?\S)?)\*\*"
    r"|(?<![\w*\\])\*(?P<keep_emphasis>[^*\s](?:[^*\n]*[^*\s])?)\*(?![\w*])"
    r"|\|(?P<keep_substitution>\w[^|\n]*)\|(?:__?)?(?=\W|$)"
    r"|(?<![\w\\])(?P<keep_reference>[A-Za-z][\w.-]*[A-Za-z0-9])__?(?=[\s,.;:!?)]|$)"  # reference_
    r"|(?<=\S)(?P<keep_colon>:):[ \t]*$|[ \t]+::[ \t]*$"  # `text::` reads `text:`
    r"|\\(?P<keep_escaped>[^\s])|\\[ \t]",
    re.MULTILINE,
)


# A field's own markup, and the inline markup after it, taken out in one pass.
FIELD_DISPLAY = re.compile(r"^[ \t]*:(?=[^:\s])|" + INLINE.pattern, re.MULTILINE)


def _labelled(text: str, label: str) -> Display:
    """`.. versionchanged:: 1.4` shown as Sphinx shows it: "Changed in version 1.4"."""
    prefix = re.match(r"\s*\.\.\s+[\w-]+::\s*", text)
    builder = DisplayBuilder()
    builder.insert(label + " ")
    return clean(text[prefix.end() :], INLINE, base=prefix.end(), builder=builder).build()


def inline_display(text: str) -> Display | None:
    display = clean(text, INLINE).build()
    return None if display.text == text else display


def inline_text(text: str) -> str:
    return " ".join(clean(text, INLINE).build().text.split())


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


class RstReader(LineReader):
    def __init__(self, document) -> None:
        super().__init__(document)
        self.scopes: list[tuple[int, int]] = []  # (indent of an object description, headings below it)

    # -- headings -------------------------------------------------------------------------------

    def _heading_at(self, index: int) -> HeadingMatch | None:
        heading = adorned_heading(self.lines, index, self.UNDERLINE_SHARE)
        if heading is None or _indent(self.lines[index]) and not heading.style.startswith("over"):
            return None
        return HeadingMatch(inline_text(heading.text), heading.lines, heading.style, offset=heading.offset)

    # -- rST's own blocks -------------------------------------------------------------------------

    def _special(self, index: int) -> int | None:
        line = self.lines[index]
        if not line.strip():
            return None
        self._close_scopes(_indent(line))
        explicit = EXPLICIT.match(line)
        if explicit:
            return self._explicit(index, _indent(line), explicit.group(2).strip())
        if self._after_double_colon(index) or (DOCTEST.match(line) and self.paragraph is None):
            return self._code(index, index, self._block_end(index, _indent(line) - 1, doctest=bool(DOCTEST.match(line))))
        field = FIELD.match(line)
        if field and (field.group(3) or self._indented_after(index)):
            return self._field(index, field)
        if line.strip() == "::":
            self.markup[index + 1] = ("markup", "")
            return index + 1
        if re.fullmatch(r"\s*\+[-=+]+\+\s*|\s*=+(?:\s+=+)+\s*", line):  # grid and simple table borders
            self._end_paragraph()
            self.markup[index + 1] = ("markup", "")
            return index + 1
        return None

    def _explicit(self, index: int, indent: int, rest: str) -> int:
        """`.. directive:: arguments`, a target, a substitution, a footnote or a comment."""
        self._end_paragraph()
        end = self._block_end(index + 1, indent)
        directive = DIRECTIVE.match(rest)
        footnote = FOOTNOTE.match(rest)
        if footnote:  # its text is read as a paragraph
            return self._text_from(index)
        if directive is None:  # a comment, a target (`.. _label:`) or a hyperlink target
            self._hide(index, end)
            return end
        name = directive.group(1).split(":")[-1].lower()
        argument = (directive.group(2) or "").strip()
        if name in CODE_DIRECTIVES:
            return self._code(index, self._options_end(index + 1, end), end, context=argument)
        if name in OBJECT_DIRECTIVES:
            return self._object(index, indent, argument)
        if name == "module":  # its options (`:synopsis: ...`) are read as fields
            self.markup[index + 1] = ("markup", "")
            return index + 1
        if name in VERSION_DIRECTIVES:
            return self._version(index, end, VERSION_DIRECTIVES[name], argument)
        if name in TEXT_DIRECTIVES:  # the directive line is markup; its content is read as text
            self.markup[index + 1] = ("markup", "")
            return self._options_end(index + 1, end)
        self._hide(index, end)  # toctree, index, image, include, raw, module, ... : not text
        return end

    def _text_from(self, index: int) -> int:
        """A footnote's text: read as a paragraph (the label is markup, shown but not searched)."""
        line = self.lines[index]
        end = self._block_end(index + 1, _indent(line))
        text = "\n".join(self.lines[index:end])
        display = clean(text, re.compile(r"^\s*\.\.\s+\[[^\]]*\]\s*", re.MULTILINE)).build()
        self._add(Block("paragraph", index + 1, end, text, display=display))
        return end

    def _object(self, index: int, indent: int, signature: str) -> int:
        """`.. function:: dumps(obj, ...)`: the signature (over lines ending in `\\`) heads what
        the description below it says, until the text comes back to the directive's indent."""
        last = index
        while self.lines[last].rstrip().endswith("\\") and last + 1 < len(self.lines):
            last += 1
            signature = signature.rstrip("\\ ") + " " + self.lines[last].strip()
        for number in range(index + 1, last + 2):
            self.markup[number] = ("markup", "")
        self.markup[index + 1] = ("heading", signature)
        level = (self.headings[-1][0] if self.headings else 1) + 1
        self.headings.append((level, " ".join(signature.split()), index + 1))
        self.scopes.append((indent, len(self.headings) - 1))
        return self._options_end(last + 1, self._block_end(last + 1, indent))

    def _version(self, index: int, end: int, label: str, argument: str) -> int:
        """`.. versionchanged:: 3.4` and its text: one field, "Changed in version 3.4: ..."."""
        text = "\n".join(self.lines[index:end]).rstrip()
        version, _, said = argument.partition(" ")
        body = " ".join([said] + [line.strip() for line in self.lines[index + 1 : end]]).strip()
        block = Block("field", index + 1, index + len(text.split("\n")), text, field_name=label,
                      field_value=f"{version}: {inline_text(body)}" if body else version,
                      display=_labelled(text, label))
        self._add(block)
        return end

    def _field(self, index: int, field: re.Match[str]) -> int:
        """`:Name: value` (a field list, or the document's docinfo at the top)."""
        self._end_paragraph()
        end = self._block_end(index + 1, _indent(self.lines[index]))
        text = "\n".join(self.lines[index:end]).rstrip()
        name = inline_text(field.group(2))
        value = inline_text(" ".join([field.group(3) or ""] + [line.strip() for line in self.lines[index + 1 : end]]))
        if name.lower() == "date" and ISO_DATE.search(value) and self.date is None:
            self.date = ISO_DATE.search(value).group(0)
        kind = "field"
        if name.lower() in ("author", "authors"):  # docinfo: the document's byline, as `By Name` is
            self.byline, kind, name = self.byline or value, "byline", "Author"
        self._add(Block(kind, index + 1, index + len(text.split("\n")), text, field_name=name, field_value=value,
                        display=clean(text, FIELD_DISPLAY).build()))
        return end

    def _code(self, index: int, first: int, end: int, context: str = "") -> int:
        """Code (a literal block, a doctest, a code directive): one verbatim passage."""
        self._end_paragraph()
        for number in range(index + 1, first + 1):
            self.markup[number] = ("markup", "")
        last = end
        while last > first and not self.lines[last - 1].strip():
            last -= 1
        if last > first:
            self._add(Block("code", first + 1, last, "\n".join(self.lines[first:last]), context=context))
        return end

    # -- helpers ------------------------------------------------------------------------------------

    def _close_scopes(self, indent: int) -> None:
        while self.scopes and indent <= self.scopes[-1][0]:
            _, depth = self.scopes.pop()
            self._end_paragraph()
            del self.headings[depth:]

    def _block_end(self, index: int, indent: int, doctest: bool = False) -> int:
        """The index after the lines from `index` on that are blank or indented past `indent`
        (a doctest ends at its first blank line)."""
        end = index
        while end < len(self.lines):
            line = self.lines[end]
            if line.strip() and _indent(line) <= indent or doctest and not line.strip():
                break
            end += 1
        while end > index and not self.lines[end - 1].strip():
            end -= 1
        return end

    def _options_end(self, index: int, end: int) -> int:
        """Past a directive's `:option: value` lines, to its content."""
        while index < end and (FIELD.match(self.lines[index]) or not self.lines[index].strip()):
            if self.lines[index].strip():
                self.markup[index + 1] = ("markup", "")
            index += 1
        return index

    def _after_double_colon(self, index: int) -> bool:
        """An indented line after a paragraph ending in `::` starts a literal block."""
        previous = index - 1
        while previous >= 0 and not self.lines[previous].strip():
            previous -= 1
        return (previous >= 0 and previous < index - 1 and self.lines[previous].rstrip().endswith("::")
                and not EXPLICIT.match(self.lines[previous])  # a directive's `::`
                and _indent(self.lines[index]) > _indent(self.lines[previous]))

    def _indented_after(self, index: int) -> bool:
        return not is_blank(self.lines, index + 1) and _indent(self.lines[index + 1]) > _indent(self.lines[index])

    def _hide(self, index: int, end: int) -> None:
        for number in range(index + 1, end + 1):
            self.markup[number] = ("markup", "")

    def _paragraph_display(self, paragraph: Block) -> Display | None:
        return inline_display(paragraph.text)

    def _row_display(self, text: str, separator: str | None = None) -> Display:
        return pipe_row_display(text, separator, INLINE)

    def _title_text(self, line: str) -> str:
        return inline_text(line)

    def _add(self, block: Block) -> None:
        if block.display is None and block.kind in ("field", "list_item", "title", "table_row", "byline"):
            block.display = inline_display(block.text)
        super()._add(block)



def read_rst(document) -> StructuredDocument:
    return RstReader(document).parse()
