"""Answers in technical text: identifiers (a function, an option, a constant, a command) and
instructions (the step, command or code that does what a how-question asks).

Technical documents mark code: reStructuredText ``literals`` and roles (:func:`name`), Markdown
`backticks`, indented code lines. Where nothing is marked (man pages, plain-text FAQs), code still
shows by its form: option flags (-r, --recursive), dotted and underscored names, calls (`f()`),
sigils ($var, @INC), paths, assignments (reverse=True) and capitalised constants (ZIP_STORED).
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Iterator

from indexer.analysis import normalize_word
from search.kinds import AnswerType
from search.patterns import TOKEN
from search.phrases import MAX_ANSWER_CHARS, MIN_CLAUSE_CHARS, clause_end, shorten, shown_length
from search.spans import Asked, MarkedCode, Span, Unit

# Marked-up code: ``literal``, :role:`text` (the text, or the target of `title <target>`), `code`.
MARKED_CODE = re.compile(r"``(?P<literal>[^`]+?)``|:[\w:.-]+:`(?P<role>[^`]+?)`|(?<![`\w])`(?P<tick>[^`\n]+?)`(?![`\w])")
# Code by its form, where nothing marks it.
CODE_FORM = re.compile(
    r"(?<![\w-])--?[A-Za-z][\w-]*(?:=\S+)?"  # option flags
    r"|(?<!\w)[$@%][\w:]+|(?<!\w)\$[^\w\s]"  # Perl sigils, punctuation variables (not a@b.org, not a "$ " prompt)
    r"|(?<![\w/])(?:/[\w.+-]+){2,}/?"  # paths
    r"|\b[A-Za-z_][\w]*(?:(?:\.|::|->)[A-Za-z_]\w*)+(?:\(\))?"  # dotted, Module::Name, a->b
    r"|\b[A-Za-z_]\w*\(\)"  # calls
    r"|\b[A-Za-z][A-Za-z0-9]*_\w+"  # snake_case, CONSTANT_NAMES, Py_BuildValue
    r"|\b\w+=\S+"  # assignments
)
# Dotted letters that are an abbreviation, not a name in code: "e.g", "i.e.", "L.A.", "U.S".
ABBREVIATION = re.compile(r"(?:[A-Za-z]{1,2}\.)+[A-Za-z]{1,2}\.?")
# A line of code: indented, or with code's punctuation.
CODE_LINE = re.compile(r"^(?:\s{2,}|\t|>>> |\$ |# )\S.*$", re.M)
# Verbs that open an instruction ("Use ...", "Call ...", "Set X to ...").
INSTRUCTION_OPENER = re.compile(r"(?:^|(?<=[.:;,]\s)|(?<=\bto\s)|(?<=\bcan\s)|(?<=\bshould\s))"
                                r"\b(?:use|call|run|type|set|pass|add|install|create|write|try|invoke|specify|enable|"
                                r"disable|configure|put|import|load|open|edit|remove|delete|replace|see|read)\b", re.I)
# Sentences whose identifiers and instructions are kept: those of a few hundred passages.
SENTENCES_KEPT = 2048
# A role's `title <target>` form.
_ROLE_TARGET = re.compile(r"<([^>]+)>\s*$")


def identifiers(asked: Asked, unit: Unit) -> Iterator[Span]:
    """Names in code: those marked up first, then those known by their form."""
    return iter(_identifiers_in(unit.text, unit.marked))


def instructions(asked: Asked, unit: Unit) -> Iterator[Span]:
    """How to do what is asked: the code the sentence shows (marked, or lines of code), and the
    clause an instruction verb opens ("Use shutil.copytree() with ...")."""
    return iter(_instructions_in(unit.text, unit.marked))


@lru_cache(maxsize=SENTENCES_KEPT)
def marked_code(source: str) -> tuple[MarkedCode, ...]:
    """The code a passage's verbatim text marks up, each piece once, as its display text shows it
    (the markup readers keep a literal's and a role's text: indexer/formats)."""
    found: dict[str, MarkedCode] = {}
    for _, group, value in _marks(source):
        found.setdefault(value, MarkedCode(value, group == "role"))
    return tuple(found.values())


def _marks(text: str) -> Iterator[tuple[re.Match, str, str]]:
    """Each piece of code `text` marks up (MARKED_CODE) short enough to answer: its match, which
    mark ("literal", "role", "tick") and its text as shown."""
    for match in MARKED_CODE.finditer(text):
        group = next(name for name in ("literal", "role", "tick") if match.group(name) is not None)
        value = _role_value(match.group(group)) if group == "role" else match.group(group).strip()
        if value and shown_length(value) <= MAX_ANSWER_CHARS:
            yield match, group, value


# Both depend on the sentence's text (and the code marked in it) alone, and the same passages'
# sentences are read question after question: each sentence's are found once and kept (Spans
# are frozen; nothing changes their traits).
@lru_cache(maxsize=SENTENCES_KEPT)
def _identifiers_in(text: str, marked: tuple[MarkedCode, ...] = ()) -> tuple[Span, ...]:
    return tuple(_find_identifiers(text, marked))


@lru_cache(maxsize=SENTENCES_KEPT)
def _instructions_in(text: str, marked: tuple[MarkedCode, ...] = ()) -> tuple[Span, ...]:
    return tuple(_find_instructions(text, marked))


@lru_cache(maxsize=SENTENCES_KEPT)
def code_in(text: str) -> tuple[str, ...]:
    """The names in code a text holds, marked or by their form."""
    return tuple(span.text for span in _find_identifiers(text))


def names_new_code(text: str, question_words: set[str]) -> bool:
    """Whether `text` names code with a word the question does not (normalised words): what a
    "which option/module/function" question asks for, even inside a sentence ("Use the
    Tie::IxHash from CPAN.")."""
    return any(not all(normalize_word(w) in question_words for w in TOKEN.findall(code)) for code in code_in(text))


def _find_identifiers(text: str, marked_in_source: tuple[MarkedCode, ...] = ()) -> Iterator[Span]:
    marked = []
    for code, start in _marked_in(text, marked_in_source):
        marked.append((start, start + len(code.text)))
        yield Span(" ".join(code.text.split()), AnswerType.IDENTIFIER, start, start + len(code.text), "marked_code",
                   {"role": float(code.role)})
    for match, group, value in _marks(text):  # marks the display text still shows (plain text's `code`)
        marked.append((match.start(), match.end()))
        yield Span(value, AnswerType.IDENTIFIER, match.start(group), match.end(group), "marked_code",
                   {"role": float(group == "role")})
    for match in CODE_FORM.finditer(text):
        if any(start <= match.start() < end for start, end in marked):
            continue
        value = match.group().rstrip(".,;:")
        if len(value) >= 2 and not ABBREVIATION.fullmatch(value):
            yield Span(value, AnswerType.IDENTIFIER, match.start(), match.start() + len(value), "code_form",
                       {"option": float(value.startswith("-"))})


def _find_instructions(text: str, marked: tuple[MarkedCode, ...] = ()) -> Iterator[Span]:
    for span in _identifiers_in(text, marked):
        yield Span(span.text, AnswerType.INSTRUCTION, span.start, span.end, "code_in_instruction", span.traits)
    for match in CODE_LINE.finditer(text):
        line = " ".join(match.group().split())
        if MIN_CLAUSE_CHARS // 2 <= len(line):
            shown = line if shown_length(line) <= MAX_ANSWER_CHARS else shorten(line)  # code keeps its punctuation
            yield Span(shown, AnswerType.INSTRUCTION, match.start(), match.end(), "code_line")
    for match in INSTRUCTION_OPENER.finditer(text):
        end = clause_end(text, match.start())
        if end - match.start() >= MIN_CLAUSE_CHARS:
            yield Span(shorten(text[match.start():end]), AnswerType.INSTRUCTION, match.start(), end, "instruction")


def _marked_in(text: str, marked: tuple[MarkedCode, ...]) -> Iterator[tuple[MarkedCode, int]]:
    """Where each piece of marked code stands in the display text: as a whole token (``x`` is
    not the x of "max"), each place once, the longest piece first where two overlap."""
    taken: list[tuple[int, int]] = []
    for code in sorted(marked, key=lambda c: -len(c.text)):
        for match in re.finditer(re.escape(code.text), text):
            start, end = match.span()
            if _cuts_a_word(text, start, end) or any(s < end and start < e for s, e in taken):
                continue
            taken.append((start, end))
            yield code, start


def _cuts_a_word(text: str, start: int, end: int) -> bool:
    return (start > 0 and text[start].isalnum() and text[start - 1].isalnum()) or (
        end < len(text) and text[end - 1].isalnum() and text[end].isalnum())


def _role_value(text: str) -> str:
    """:func:`~os.path.join` -> os.path.join; :ref:`the guide <guide>` -> the guide."""
    target = _ROLE_TARGET.search(text)
    value = text[: target.start()].strip() if target else text
    return value.lstrip("~!").strip()
