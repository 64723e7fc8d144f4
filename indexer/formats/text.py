"""Plain text conventions the line reader (indexer/structure.py) uses: the patterns of its lines
(headings, fields, list items, dates, bylines, boilerplate), headings that are not marked with
`=`/`#` (an underlined line, a centred line, a line in capitals, a short numbered title), and
the display form of a `Key | Value |` table row.

Each recogniser is a pure function of the lines and an index, so formats that build on plain text
(reStructuredText, Markdown, PDF pages) share them.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from indexer.display import Display, DisplayBuilder, clean

# rST's adornment characters (the docutils spec's list); Markdown's setext uses `=` and `-`.
ADORNMENT = re.compile(r"""^([=\-~^*+#"'`:._!$%&,/;<>?@\\|{}])\1{2,}\s*$""")
# A headline, not a sentence: at most this many words (as indexer/structure.py's title).
MAX_HEADING_WORDS = 16
# A line indented at least this much and standing alone is a centred title (licences, RFCs).
CENTRED_INDENT = 8
MAX_CENTRED_WORDS = 10
MAX_CAPITALS_WORDS = 10
# "1. Definitions." / "4.2 Redistribution": a numbered title of at most this many words.
NUMBERED_HEADING = re.compile(r"^\s*((?:\d{1,2}\.)*\d{1,2})\.?\s+([A-Z][^.:;!?]*?)\.?\s*$")
MAX_NUMBERED_WORDS = 8
MAX_SHORT_HEADING_WORDS = 6
# A heading by indentation stands at least this many columns left of the text under it, and one
# such step deeper is one level lower.
OUTLINE_STEP = 2
# ... and stands near the left margin (a line set far in is centred: a title block's lines).
OUTLINE_MAX_INDENT = 4
# Code's punctuation: a line with it is an example, not a heading.
CODE_LINE = re.compile(r"[{};<>\\\[\]]|[$@%]\w|\w\(|\)\s*$|\s=\s|\w=\S|::|->|=>|^[a-z][\w.-]*\s+--?\w")
MINOR_WORDS = frozenset("a an and as at by for from in into of on or the to with".split())


# -- the lines of plain text (indexer/structure.py reads them) ---------------------------------------

# The text of a wiki heading has something besides `=`: a line of `=====` is a rule.
WIKI_HEADING = re.compile(r"^\s*(={1,6})\s*([^=\s].*?)\s*\1\s*$")
# In plain text an indented `# ...` is a shell prompt or a comment in an example, not a heading
# (Markdown files are read by indexer/formats/markdown.py, which follows CommonMark).
MARKDOWN_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
# At least one pipe: a bare `-----` line is an underline or a rule, not a table's separator.
TABLE_SEPARATOR = re.compile(r"^\s*(?=[^|]*\|)\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")
BULLET_FIELD = re.compile(r"^\s*[-*+•]\s+([A-Za-z][\w .'/&()-]{0,40}?)\s*:\s+(\S.*?)\s*$")
PLAIN_FIELD = re.compile(r"^\s*([A-Z][\w .'/&()-]{0,30}?)\s*:\s+(\S.{0,150}?)\s*$")
LIST_ITEM = re.compile(r"^\s*(?:[-*+•]|\d{1,3}[.)])\s+(\S.*)$")
BYLINE = re.compile(r"^\s*(?i:by)\s+((?:[A-Z][\w.'’-]*\s*){2,4})$")  # "By Priya Natarajan", not "by the county"
PERSON_NAME_LINE = re.compile(r"^\s*[A-Z][a-z’'.-]+(?:\s+[A-Z][a-z’'.-]*\.?){1,2}\s*$")
ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_MONTH_NAME = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
BARE_DATE_LINE = re.compile(
    rf"^\s*(?:\w+day,?\s+)?(?:\d{{4}}-\d{{2}}-\d{{2}}|{_MONTH_NAME}\s+\d{{1,2}},?\s+\d{{4}}|\d{{1,2}}\s+{_MONTH_NAME}\s+\d{{4}})"
    r"(?:[ T,]+\d{1,2}:\d{2}(?::\d{2})?\s*(?:[ap]\.?m\.?|[A-Z]{2,4})?)?\s*$",
    re.IGNORECASE,
)
# A `Copyright: 2019 Jane Doe` line is a field (Debian's machine-readable copyright files); a
# notice standing alone is boilerplate, kept as a field too (indexer/structure.py).
COPYRIGHT_FIELD = re.compile(r"^\s*copyright\s*:\s*\S", re.IGNORECASE)
# A copyright notice ("Copyright (c) 2019 Ann Lee", "© 2020 Example Media"): kept as a field.
COPYRIGHT_NOTICE = re.compile(r"©|\(c\)\s*\d{4}|^\s*copyright\b", re.IGNORECASE)
_NOTICE_LEAD = re.compile(r"^\s*(?:copyright\b\s*)?(?:©|\(c\))?\s*", re.IGNORECASE)
META_DATE_LINE = re.compile(
    r"^\s*(?P<label>date|published|updated|posted|posted on|published on)\s*:?\s+"
    rf"(?P<date>\d{{4}}-\d{{2}}-\d{{2}}|{_MONTH_NAME}\s+\d{{1,2}},?\s+\d{{4}}|\d{{1,2}}\s+{_MONTH_NAME}\s+\d{{4}})"
    r"\s*[×x]?\s*$",
    re.IGNORECASE,
)
_BOILERPLATE_PATTERNS = (
    r"^\s*\(?\s*(?:image|photo|photograph|picture)\s+credit",
    r"^\s*(?:credit|credits|photo|source)\s*:",
    COPYRIGHT_NOTICE.pattern + r"|all rights reserved",
    r"^\s*related\s+(?:gallery|galleries|stories|articles|videos|links)\s*$",
    r"^\s*(?:advertisement|share this|subscribe|sign up for)\b",
    r"^\s*!\[[^\]]*\]\([^)]*\)",
)
BOILERPLATE = [re.compile(pattern, re.IGNORECASE) for pattern in _BOILERPLATE_PATTERNS]
# The same test in two steps where the list took six (most lines of a build are short enough to
# be tried): those anchored at the start as one alternation tried there (re.match is `^` without
# MULTILINE), the others as one search. One alternation searched at every place was slower than
# the list: it tries the anchored ones everywhere.
_AT_START = re.compile("|".join(f"(?:{p[1:]})" for p in _BOILERPLATE_PATTERNS if p.startswith("^")), re.IGNORECASE)
_ANYWHERE = re.compile("|".join(f"(?:{p})" for p in _BOILERPLATE_PATTERNS if not p.startswith("^")), re.IGNORECASE)


def copyright_holder(line: str) -> str:
    """A copyright notice without its "Copyright (c)": the years and the holder."""
    return _NOTICE_LEAD.sub("", line).strip() or line.strip()


def is_boilerplate(line: str) -> bool:
    """Whether one of BOILERPLATE finds a match in `line`."""
    return bool(_AT_START.match(line) or _ANYWHERE.search(line))

# Credit and copyright lines are short; a longer line that mentions copyright is prose.
BOILERPLATE_MAX_WORDS = 12

# A lone line like "Infobox" or "Contents" labels what follows rather than saying anything.
LABEL_LINE = re.compile(r"^\s*(infobox|contents|table of contents)\s*$", re.IGNORECASE)

# A hard-wrapped line (at 72-80 columns) runs past this many characters before it breaks; a
# caption over a photo credit is shorter ("SOUNDTRACK Netflix" / "CREDIT: ...").
WRAPPED_LINE_MIN_CHARS = 40
# What ends a sentence at a line's end.
SENTENCE_ENDS = (".", "!", "?", ":", '"', "”", ")")


def stands_as_boilerplate(lines: list[str], index: int, in_paragraph: bool) -> bool:
    """Whether line `index` is a page's boilerplate (BOILERPLATE), not a hard-wrapped line of
    prose that starts like it (continues_sentence)."""
    line = lines[index]
    return (len(line.split()) <= BOILERPLATE_MAX_WORDS and not COPYRIGHT_FIELD.match(line) and is_boilerplate(line)
            and not continues_sentence(lines, index, in_paragraph))


def continues_sentence(lines: list[str], index: int, in_paragraph: bool) -> bool:
    """Whether line `index` goes on with the sentence of the paragraph above it, as a hard-wrapped
    line does ("... and that" / "copyright holder grants license ..."): it starts in lower case,
    or the paragraph's last line runs near a wrap width without ending its sentence. A caption's
    credit stands under a short line."""
    if lines[index].lstrip()[:1].islower():
        return True
    above = lines[index - 1].rstrip() if index else ""
    return in_paragraph and len(above.strip()) >= WRAPPED_LINE_MIN_CHARS and not above.endswith(SENTENCE_ENDS)


@dataclass(frozen=True)
class HeadingMatch:
    """A heading found at some line: its text, a style (for levels by first use, as docutils
    ranks rST sections) or a fixed level, and how many lines it takes (an overline, the title
    and an underline make 3)."""

    text: str
    lines: int
    style: str | None = None
    level: int | None = None
    offset: int = 0  # lines before the title line (1 with an overline)


def is_blank(lines: list[str], index: int) -> bool:
    return index < 0 or index >= len(lines) or not lines[index].strip()


def adorned_heading(lines: list[str], index: int, min_length_share: float = 0.5) -> HeadingMatch | None:
    """A title underlined (and maybe overlined) with a run of one punctuation character:

        Title          =======
        =====          Title
                       =======

    The underline is at least `min_length_share` of the title's length (1.0 for rST, where
    docutils wants it as long; plain text is looser), and a blank line or the file's start
    stands before it, so a rule under a paragraph is not a heading."""
    line = lines[index]
    over = ADORNMENT.match(line)
    if over and index + 2 < len(lines) and is_blank(lines, index - 1):
        title, under = lines[index + 1], lines[index + 2]
        if title.strip() and under.strip() == line.strip() and _is_title(title):
            return HeadingMatch(title.strip(), 3, style="over" + line.strip()[0])
    if over or not line.strip() or index + 1 >= len(lines) or not is_blank(lines, index - 1):
        return None
    under = ADORNMENT.match(lines[index + 1])
    if not under or line[:1].isspace() and not line.strip():
        return None
    length = len(lines[index + 1].strip())
    if length < min_length_share * len(line.strip()) or not _is_title(line):
        return None
    return HeadingMatch(line.strip(), 2, style=under.group(1))


def centred_heading(lines: list[str], index: int) -> HeadingMatch | None:
    """A short line indented far, with blank lines around it ("Preamble" in a licence); not a
    line of code indented as an example is."""
    line = lines[index]
    indent = len(line) - len(line.lstrip(" "))
    if indent < CENTRED_INDENT or "\t" in line[:indent] or not _alone(lines, index):
        return None
    text = line.strip()
    if looks_like_code(text):
        return None
    if len(text.split()) > MAX_CENTRED_WORDS or text.endswith((".", ",", ";", ":")) or not text[:1].isupper():
        return None  # a title starts with a capital: a lower-case line set apart is an example
    return HeadingMatch(text, 1, level=1)


def capitals_heading(lines: list[str], index: int) -> HeadingMatch | None:
    """A line in capitals standing alone ("TERMS AND CONDITIONS")."""
    text = lines[index].strip()
    if not text.isupper() or len(text.split()) > MAX_CAPITALS_WORDS or text.endswith((",", ";")):
        return None  # isupper: every cased character is a capital (checked first: it is cheap)
    if sum(char.isalpha() for char in text) < 4 or not _alone(lines, index):
        return None
    return HeadingMatch(text.rstrip(":"), 1, level=1)


def numbered_heading(lines: list[str], index: int) -> HeadingMatch | None:
    """A short numbered title in title case, standing alone ("1. Definitions.", "4.2 Patents")."""
    match = NUMBERED_HEADING.match(lines[index])
    if not match or not _alone(lines, index):
        return None
    words = match.group(2).split()
    if len(words) > MAX_NUMBERED_WORDS or not all(word[:1].isupper() or word[:1].isdigit() or word in MINOR_WORDS
                                                 for word in words):
        return None
    depth = match.group(1).count(".") + 1
    return HeadingMatch(lines[index].strip().rstrip("."), 1, level=1 + depth)


def short_heading(lines: list[str], index: int) -> HeadingMatch | None:
    """A short line starting with a capital, with no sentence end, standing alone ("Summary",
    "Fleet and Crew"): how a PDF's headings come out of its text."""
    text = lines[index].strip()
    words = text.split()
    if not (0 < len(words) <= MAX_SHORT_HEADING_WORDS and text[:1].isupper() and _alone(lines, index)):
        return None
    if text.endswith((".", ",", ";", ":", "!", "?")) or not all(w[:1].isupper() or w in MINOR_WORDS for w in words):
        return None
    return HeadingMatch(text, 1, level=1)


def outline_heading(lines: list[str], index: int) -> HeadingMatch | None:
    """A heading by indentation: a short line after a blank one, with the text it opens right
    under it and indented further ("  How can I copy a file?" over "    Use the File::Copy ...",
    as pod2text writes =head2; "   Empty lists" over a man page's paragraph). Its level follows
    its indent. Terms of a definition list (an option, an error name over its description) are
    no headings: their description is about them, and should hold their name."""
    line = lines[index]
    if not is_blank(lines, index - 1) or is_blank(lines, index + 1):
        return None
    indent = len(line) - len(line.lstrip(" "))
    below = lines[index + 1]
    if indent > OUTLINE_MAX_INDENT or "\t" in line[:indent] or len(below) - len(below.lstrip(" ")) < indent + OUTLINE_STEP:
        return None
    text = line.strip()
    words = text.split()
    if len(words) > MAX_HEADING_WORDS or looks_like_code(text) or text[:1] in "-*+•" or text[:1].isdigit():
        return None
    titled = len(words) >= 2 and text[:1].isupper() and not text.endswith((".", ",", ";", ":"))
    section_name = indent == 0 and text.isupper() and sum(char.isalpha() for char in text) >= 4  # a man page's DESCRIPTION
    if text.endswith("?") or titled or section_name:
        return HeadingMatch(text, 1, level=1 + indent // OUTLINE_STEP)
    return None


def release_heading(lines: list[str], index: int) -> HeadingMatch | None:
    """A changelog's or NEWS file's line that opens the entries of one release, standing alone:
    a Debian changelog's "tmux (3.3a-3) unstable; urgency=medium", "Version 4.0 (09 Oct 2013)",
    "Major changes between "less" versions 530 and 551", GNU's "* Noteworthy changes in release
    1.9 (2018-03-12) [stable]". What a release changed stands under it, and when it came out in it
    or at the end of its entries."""
    line = lines[index]
    indent = line[: len(line) - len(line.lstrip())]
    if len(indent.expandtabs()) > CENTRED_INDENT or not _alone(lines, index):
        return None
    text = line.strip()
    if DEBIAN_CHANGELOG_ENTRY.match(text):
        return HeadingMatch(text, 1, level=1)
    bullet = RELEASE_BULLET.match(text)
    if bullet:  # a bulleted line is an item unless it names a release and its date
        text = text[bullet.end():]
    if len(text.split()) > MAX_HEADING_WORDS or text.endswith((".", ",", ";", ":")):
        return None
    if looks_like_code(BRACKETED.sub("", text)):  # its date and status stand in brackets: "(09 Oct 2013)"
        return None
    dated_version = VERSION_NUMBER.search(text) and RELEASE_DATE.search(text)
    if dated_version or not bullet and RELEASE_NAMED.search(text):
        return HeadingMatch(text, 1, level=1)
    return None


# "pkg (1.2-3) unstable; urgency=medium": the first line of a Debian changelog's entry (Debian
# Policy 4.4, the format dpkg-parsechangelog reads).
DEBIAN_CHANGELOG_ENTRY = re.compile(r"^[a-z0-9][a-z0-9.+-]+ \([^()\s]+\)(?: [\w./+-]+)+; *urgency=\w+", re.I)
# A NEWS file's release named by its number: "Version 4.0", "release 1.9", "versions 530 and 551".
RELEASE_NAMED = re.compile(r"\b(?:version|release)s?\s+\"?v?\d+(?:\.\d+)*[a-z]?\b", re.I)
VERSION_NUMBER = re.compile(r"\b\d+\.\d+(?:\.\d+)*[a-z]?\b")
RELEASE_DATE = re.compile(ISO_DATE.pattern + rf"|\b\d{{1,2}}[ -]{_MONTH_NAME}[ -]\d{{4}}\b"
                          rf"|\b{_MONTH_NAME}[ -]\d{{1,2}},?[ -]\d{{4}}\b", re.I)
BRACKETED = re.compile(r"\s+[(\[][^()\[\]]*[)\]]")
# GNU's NEWS marks a release's heading as an Org-mode outline does: "* ", "** " for the parts.
RELEASE_BULLET = re.compile(r"^\*+\s+")


def looks_like_code(text: str) -> bool:
    """A line with code's punctuation: braces, brackets, semicolons, assignments, sigils, calls."""
    return bool(CODE_LINE.search(text))


def _alone(lines: list[str], index: int) -> bool:
    return is_blank(lines, index - 1) and is_blank(lines, index + 1)


def _is_title(line: str) -> bool:
    text = line.strip()
    return 0 < len(text.split()) <= MAX_HEADING_WORDS and not ADORNMENT.match(text) and not text.endswith((",", ";"))


# -- table rows ---------------------------------------------------------------------------------


def pipe_row_display(text: str, separator: str | None = None, inline: re.Pattern[str] | None = None) -> Display:
    """`Created by | Joshua Safran |` as `Created by: Joshua Safran`, and a longer row's cells
    (or any row under a header: pass " · ") joined by " · ", line by line (a one-cell line
    under a row stays as it is, unpiped). `inline`: a format's inline markup, taken out of each
    cell (indexer/display.py's `clean`)."""
    builder = DisplayBuilder()
    offset = 0
    for number, line in enumerate(text.split("\n")):
        if number:
            builder.copy(offset - 1, "\n")
        cells = [(match.start(), match.group()) for match in re.finditer(r"[^|]+", line) if match.group().strip()]
        between = separator or (": " if len(cells) == 2 else " · ")
        for position, (start, cell) in enumerate(cells):
            if position:
                builder.insert(between)
            stripped = cell.strip()
            if inline is None:
                builder.copy(offset + start + cell.index(stripped), stripped)
            else:
                clean(stripped, inline, base=offset + start + cell.index(stripped), builder=builder)
        offset += len(line) + 1
    return builder.build()
