"""Answer candidates in running text, found by extractors chosen by the answer type the question
expects (a registry, `EXTRACTORS`), plus the extractors every question gets (`GENERAL`).

Each extractor yields typed `Span`s with named traits: evidence from the text's form that the span
is what was asked (an appositive that describes a name in the question's words, the counted noun
after a number, a title given as an example of what is asked, a literal in code markup). The
weight of each trait is learned (search/answer_features.py, `make train`). Patterns: Ravichandran
& Hovy 2002 for surface patterns like "X as Y"; Hearst 1992 for "shows like X".
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Callable, Iterator

from indexer.analysis import STOP_WORDS, normalize_word, stem, stemmed_terms
from search.kinds import VALUE_TYPES, AnswerType, QuestionKind
from search.patterns import (AFTER_PLACE_WORD, CAPITALISED_RUN, CAST_LINE, DATE, DURATION, EXAMPLES_FOLLOW, MONEY,
                             NUMBER, NUMBER_QUALIFIER, PLACE, QUOTED, ROLE_QUESTION, TOKEN, VERSION, YEAR, clean_name,
                             inside_date, is_headline, kind_of_name)
from search.phrases import clauses, definitions, events, reasons, windows
from search.polarity import yes_no
from search.questions import Question, is_plural
from search.spans import Asked, Span, Unit
from search.technical import identifiers, instructions

# How far around a name the described/possessor/example patterns look, in characters.
APPOSITIVE_CHARS = 80
POSSESSOR_CHARS = 40
EXAMPLE_CHARS = 80
# How far after a number its counted noun may stand: characters, and tokens.
COUNTED_NOUN_CHARS = 30
COUNTED_NOUN_TOKENS = 2
# "When was it added / deprecated / removed ...?": documentation answers with the version.
ASKS_WHEN_CHANGED = re.compile(r"\b(?:added|introduced|deprecated|removed|dropped|changed|fixed)\b", re.I)
# How far before a number the word saying how exact it is may start ("approximately ").
QUALIFIER_CHARS = 16
# The word after a number that says what it measures: lower case, joined by a space or a hyphen.
MEASURE_UNIT = re.compile(r"(?:\s|-)[a-z]+\b")
# The words that count times themselves (not a number before "times").
TIMES_WORD = re.compile(r"\b(?:once|twice|thrice)\b", re.I)
# A quoted title longer than this is a quotation, not a title.
MAX_TITLE_WORDS = 8

Extractor = Callable[[Asked, Unit], Iterator[Span]]
# Sentences whose capitalised names are kept (_names): those of a few hundred passages.
NAMED_TEXTS_KEPT = 2048


def spans(asked: Asked, unit: Unit) -> Iterator[Span]:
    """Every candidate of one unit: those of the expected type, and the general ones."""
    for extractor in EXTRACTORS.get(asked.question.answer_type, ()) + GENERAL.get(_family(asked.question), ()):
        yield from extractor(asked, unit)


def _family(question: Question) -> str:
    """Values (a name, a date) are answered by their extractors alone, and so is a yes/no
    question (by a verdict and the clause that decides it: a clause alone does not say yes or
    no); anything else may also be answered by a clause or a window of the sentence."""
    if question.answer_type in VALUE_TYPES:
        return "value"
    return "verdict" if question.answer_type == AnswerType.YES_NO else "text"


# -- one extractor per value type --------------------------------------------------------------------


def persons(asked: Asked, unit: Unit) -> Iterator[Span]:
    text = unit.text
    yield from _cast_candidates(asked.question, text, asked.common_words)
    if is_headline(text):
        return  # in Title Case Headlines every word looks like a name
    people = []
    for start, name, kind in _names(text, asked.common_words):
        if kind == AnswerType.PERSON:  # never one word (kind_of_name): what clean_name keeps of a run
            if AFTER_PLACE_WORD.search(text[:start]):
                continue  # "a café in Ashby Ridge": a place, whatever its words
            traits = {"appositive": _described_after(asked.question, text, start + len(name)),
                      "possessor": _owned_by_asked(asked.question, text, start)}
            people.append(Span(name, AnswerType.PERSON, start, start + len(name), "person", traits))
    yield from people
    yield from _coordinated(text, people)


def _coordinated(text: str, people: list[Span]) -> Iterator[Span]:
    """Names that stand joined ("maintained by Ann Lee and Bo Kim", "Ann Lee, Bo Kim"), as one
    answer: the question may ask for them all ("Who maintains it?")."""
    runs: list[list[Span]] = []
    for person in people:
        if runs and NAME_JOINER.fullmatch(text, runs[-1][-1].end, person.start):
            runs[-1].append(person)
        else:
            runs.append([person])
    for run in runs:
        if len(run) >= 2:
            start, end = run[0].start, run[-1].end
            yield Span(" ".join(text[start:end].split()), AnswerType.PERSON, start, end, "person",
                       {"names": float(len(run))})


# What stands between two names of one enumeration: a comma, "and", "or", "&".
NAME_JOINER = re.compile(r"\s*(?:,|,?\s+(?:and|or)|\s*&)\s+")


def dates(asked: Asked, unit: Unit) -> Iterator[Span]:
    for match in DATE.finditer(unit.text):
        weak = YEAR.fullmatch(match.group()) is not None
        yield Span(match.group(), AnswerType.DATE, match.start(), match.end(), "date", {"year_only": float(weak)})


def numbers(asked: Asked, unit: Unit) -> Iterator[Span]:
    text = unit.text
    if asked.question.head_noun == "times":  # "How many times ...?": "once", "twice" count them
        for match in TIMES_WORD.finditer(text):
            yield Span(match.group(), AnswerType.NUMBER, match.start(), match.end(), "number",
                       {"counted_noun": 1.0, "qualified": 0.0})
    for match in NUMBER.finditer(text):
        if inside_date(text, match.start()) or YEAR.fullmatch(match.group()):
            continue
        counted, noun_end = _counted_noun_after(asked.question, text, match.end())
        end = match.end()
        if counted and asked.question.kind == QuestionKind.HOW_MANY:
            end = noun_end
        elif asked.question.kind == QuestionKind.HOW_LONG:
            end = _measure_end(text, match.end())
        elif asked.question.kind == QuestionKind.HOW_MANY:
            end = _counted_things_end(text, match.end())
        qualifier = NUMBER_QUALIFIER.search(text, max(0, match.start() - QUALIFIER_CHARS), match.start())
        start = qualifier.start() if qualifier else match.start()
        yield Span(" ".join(text[start:end].split()), AnswerType.NUMBER, start, match.end(), "number",
                   {"counted_noun": counted, "qualified": float(qualifier is not None)})


def versions(asked: Asked, unit: Unit) -> Iterator[Span]:
    """A version number, with the word before it when that says what it versions: a name
    ("adduser 3.125", "Python 3.8") or "version", not a preposition ("in 3.10"). "When" asks for
    a version only when it asks when something changed ("When was total() added?"): "When was
    1.9 released?" asks for a date."""
    if asked.question.answer_type == AnswerType.DATE and not ASKS_WHEN_CHANGED.search(asked.question.text):
        return
    for match in VERSION.finditer(unit.text):
        name = normalize_word(match.group("name") or "")
        named = bool(name) and name not in STOP_WORDS
        start = match.start() if named else match.start("number")
        # "adduser 3.125" for "In which version was it removed from adduser?" (not "version 4.0")
        of_asked = named and name != asked.question.head_noun and stem(name) in asked.weights
        yield Span(unit.text[start:match.end()], AnswerType.VERSION, start, match.end(), "version",
                   {"named": float(named), "of_asked": float(of_asked)})


def sums_of_money(asked: Asked, unit: Unit) -> Iterator[Span]:
    """Only a sum of money answers: "ten" episodes is no price."""
    for match in MONEY.finditer(unit.text):
        yield Span(match.group().strip(), AnswerType.MONEY, match.start(), match.end(), "money")


def durations(asked: Asked, unit: Unit) -> Iterator[Span]:
    for match in DURATION.finditer(unit.text):
        yield Span(match.group(), AnswerType.DURATION, match.start(), match.end(), "duration")


def titles(asked: Asked, unit: Unit) -> Iterator[Span]:
    text = unit.text
    quoted = []
    for match in QUOTED.finditer(text):
        title = match.group(1).strip(" .,")
        if title[:1].isupper() and len(title.split()) <= MAX_TITLE_WORDS:
            quoted.append((match.start(1), match.end(1)))
            traits = {"example_of_kind": _named_as_example(asked.question, text, match.start())}
            yield Span(title, AnswerType.TITLE, match.start(1), match.end(1), "quoted_title", traits)
    if is_headline(text):
        return
    for start, name, _ in _names(text, asked.common_words):  # unquoted titles: weaker evidence
        if start > 0 and not any(s <= start < e for s, e in quoted):
            yield Span(name, AnswerType.TITLE, start, start + len(name), "capitalised_title")


def places(asked: Asked, unit: Unit) -> Iterator[Span]:
    for match in PLACE.finditer(unit.text):
        name = clean_name(match.group("name"), allow_single=True)
        if name:
            start = match.start("name") + match.group("name").find(name)
            yield Span(name, AnswerType.PLACE, start, start + len(name), "place")


def organisations(asked: Asked, unit: Unit) -> Iterator[Span]:
    for start, name, kind in _names(unit.text, asked.common_words):
        other_kind = kind != AnswerType.ORGANISATION
        yield Span(name, AnswerType.ORGANISATION, start, start + len(name), "organisation", {"other_kind": float(other_kind)})


@lru_cache(maxsize=NAMED_TEXTS_KEPT)
def _names(text: str, common_words: frozenset[str]) -> tuple[tuple[int, str, AnswerType], ...]:
    """(start, name, kind_of_name) of the name in each capitalised run of `text` (clean_name,
    one word too): the person, organisation and title extractors read them from the same
    sentences question after question."""
    found = []
    for match in CAPITALISED_RUN.finditer(text):
        name = clean_name(match.group(), allow_single=True)
        if name:
            found.append((match.start() + match.group().find(name), name, kind_of_name(name, common_words)))
    return tuple(found)



EXTRACTORS: dict[AnswerType, tuple[Extractor, ...]] = {
    AnswerType.PERSON: (persons, organisations),  # "Who holds the copyright?": a foundation, too
    # "When is the postrm called?": after the files are removed; "When was it added?": in 3.10
    AnswerType.DATE: (dates, events, versions),
    AnswerType.NUMBER: (numbers,),
    AnswerType.MONEY: (sums_of_money,),
    AnswerType.DURATION: (durations, numbers),  # "How long may a line be?": 80 characters
    AnswerType.TITLE: (titles,),
    AnswerType.VERSION: (versions,),
    AnswerType.PLACE: (places, identifiers),  # "Where is the mail directory?": a path
    AnswerType.ORGANISATION: (organisations,),
    AnswerType.IDENTIFIER: (identifiers,),
    AnswerType.INSTRUCTION: (instructions,),
    AnswerType.DEFINITION: (definitions,),
    AnswerType.REASON: (reasons,),
    AnswerType.YES_NO: (yes_no,),
    AnswerType.PHRASE: (definitions, identifiers),
}
# What every question of a family gets besides its own extractors.
GENERAL: dict[str, tuple[Extractor, ...]] = {"value": (), "verdict": (), "text": (clauses, windows)}


# -- what the form of the text says ------------------------------------------------------------------


def _cast_candidates(question: Question, text: str, common_words: frozenset[str]) -> Iterator[Span]:
    """"Actor as Role" lines: "Who plays Role?" -> Actor; "Who does Actor play?" -> Role. The
    actor must read as a person's name: "the General Public License as published by ..." is no
    cast line."""
    asked = set(question.content_words)
    for match in CAST_LINE.finditer(text):
        actor, role = match.group("actor"), match.group("role")
        role_words = {normalize_word(w) for w in TOKEN.findall(role)}
        actor_words = {normalize_word(w) for w in TOKEN.findall(actor)}
        role_overlap, actor_overlap = len(role_words & asked), len(actor_words & asked)
        if kind_of_name(actor, common_words) != AnswerType.PERSON:
            continue
        if role_overlap > actor_overlap:  # the more of the role's name the question gives, the surer
            yield Span(actor, AnswerType.PERSON, match.start("actor"), match.end("actor"), "cast_actor",
                       {"role_words": float(role_overlap)})
        elif actor_overlap > role_overlap and ROLE_QUESTION.search(question.text):
            yield Span(role.strip(), AnswerType.PERSON, match.start("role"), match.end("role"), "cast_role")


def _described_after(question: Question, text: str, end: int) -> float:
    """How much of the question describes a name right after it: an appositive ("Jahmil French
    (in his final acting role)", "Amy J. Carle, Joanna's colleague"), as a share of its words."""
    following = re.match(rf"\s*(?:\(([^)]{{1,{APPOSITIVE_CHARS}}})\)|,\s*([^,.;]{{1,{APPOSITIVE_CHARS}}}))", text[end:])
    if not following:
        return 0.0
    words = set(stemmed_terms(following.group(1) or following.group(2)))
    asked = set(question.content_stems)
    return len(words & asked) / max(1, len(asked))


def _named_as_example(question: Question, text: str, start: int) -> float:
    """1 when a title is given as an example of what the question asks for, some of a kind
    ("Which Fox shows ...?": "shows like the legal procedural “Proven Innocent” and ...")."""
    head = question.head_noun
    if not head or not (question.kind == QuestionKind.WHICH or head.endswith("s") and not head.endswith("ss")):
        return 0.0  # "What was the show called ...?" asks for the show's name, not for shows
    before = text[max(0, start - EXAMPLE_CHARS):start]
    before = re.sub(r"[“\"][^”\"]*[”\"]\s*(?:,|and|or)\s*", " ", before)  # earlier items of the same list
    example = EXAMPLES_FOLLOW.search(before)
    return 1.0 if example and stem(normalize_word(example.group(1))) == stem(normalize_word(head)) else 0.0


def _owned_by_asked(question: Question, text: str, start: int) -> float:
    """1 when the name follows a possessive of the question's words: "ET's Lauren Zima" (Lauren
    Zima of ET) for "Who interviewed Jenna Dewan for ET?"."""
    owner = re.search(r"(\w+)['’]s\s+$", text[max(0, start - POSSESSOR_CHARS):start])
    return 1.0 if owner and stem(normalize_word(owner.group(1))) in set(question.content_stems) else 0.0


def _measure_end(text: str, end: int) -> int:
    """Where the unit after a number ends ("80 characters", "44-byte"): a length is its number
    and what it measures."""
    unit = _unit_after(text, end)
    return unit.end() if unit else end


def _counted_things_end(text: str, end: int) -> int:
    """Where what a number counts ends when it says so in the plural or joined to it ("40
    contributors", "4096 bytes", "44-byte"): a count is shown with what it counts. Not a verb
    ("about 110 remain")."""
    unit = _unit_after(text, end)
    return unit.end() if unit and (unit.group().startswith("-") or is_plural(unit.group().lstrip())) else end


def _unit_after(text: str, end: int) -> re.Match | None:
    """The word right after a number that may say what it measures (MEASURE_UNIT), not a word
    like "of" or "and"."""
    unit = MEASURE_UNIT.match(text, end)
    return unit if unit and unit.group().lstrip(" -") not in STOP_WORDS else None


def _counted_noun_after(question: Question, text: str, end: int) -> tuple[float, int]:
    """1 when the number counts what the question asks about ("10 episodes"), and where that
    noun ends."""
    if not question.head_noun:
        return 0.0, end
    wanted = stem(normalize_word(question.head_noun))
    for match in list(TOKEN.finditer(text, end, min(len(text), end + COUNTED_NOUN_CHARS)))[:COUNTED_NOUN_TOKENS]:
        if stem(normalize_word(match.group())) == wanted:
            return 1.0, match.end()
    return 0.0, end
