"""The surface forms of answer values: dates, numbers, sums of money, durations, quoted titles and
capitalised names, and the word lists that tell a name from an ordinary capitalised word.

Pure patterns and small predicates over text; the candidates step (search/candidates.py) finds
spans with them, ranking asks `has_answer_type`.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Iterator

from indexer.analysis import TOKEN_PATTERN, normalize_word, stemmed_terms
from search.kinds import AnswerType

TOKEN = re.compile(TOKEN_PATTERN)
MONTH = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December|"
    r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\.?"
)
DATE = re.compile(
    rf"\b\d{{4}}-\d{{2}}-\d{{2}}\b|\b{MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+\d{{4}})?(?!\d)"
    rf"|\b\d{{1,2}}\s+{MONTH}(?:\s+\d{{4}})?\b|\b{MONTH}\s+\d{{4}}\b|\b(?:1[89]|20)\d{{2}}\b"
)
YEAR = re.compile(r"\d{4}")
NUMBER_WORDS = "one two three four five six seven eight nine ten eleven twelve twenty thirty hundred thousand million"
NUMBER = re.compile(
    r"\b\d+(?:[.,]\d+)?\s*(?:%|/\s*\d+|\s+out\s+of\s+\d+)|[$€£]\s?\d+(?:[.,]\d+)*\b|\b\d+(?:[.,]\d+)*(?:\.\d+)?\b"
    rf"|\b(?:{'|'.join(NUMBER_WORDS.split())})\b",
    re.IGNORECASE,
)
# A sum of money: "$5 million", "US$1.2m", "£300", "20 euros", "3 million dollars".
MONEY = re.compile(
    r"(?:\b[A-Z]{1,3})?[$€£¥]\s?\d+(?:[.,]\d+)*(?:\s*(?:million|billion|thousand|[mbk]n?)\b)?"
    r"|\b\d+(?:[.,]\d+)*(?:\s+(?:million|billion|thousand))?\s+(?:dollars?|pounds?|euros?|yen|USD|EUR|GBP)\b",
    re.IGNORECASE,
)
# A version number with the word before it that says what it versions, when there is one: "Python
# 3.8", "adduser 3.125", "version 2.7.5", "v1.10.0", "3.3a-2".
VERSION = re.compile(r"(?:\b(?P<name>[A-Za-z][\w+-]*)\s+)?(?<![\w.-])(?P<number>v?\d+(?:\.\d+)+[a-z]?\d*(?:[_-]\d+)?)(?![\w-])")
# Words before a number that say how exact it is: "about 110", "currently 3", "at least two".
QUALIFIERS = (r"(?:about|around|approximately|roughly|nearly|almost|over|under|exactly|currently|(?:more|less|fewer) "
              r"than|at (?:least|most)|up to|well over)")
NUMBER_QUALIFIER = re.compile(rf"\b{QUALIFIERS}\s+$", re.I)
QUALIFIED = re.compile(rf"{QUALIFIERS}\s+", re.I)  # at the start of a number's text
DURATION = re.compile(
    r"\b(?:\d+(?:[–-]\d+)?|(?:" + "|".join(NUMBER_WORDS.split()) + r")(?:\s+and\s+a\s+half)?)"
    r"\s*(?:-\s*)?(?:minutes?|hours?|years?|months?|weeks?|days?|seasons?)\b",
    re.IGNORECASE,
)
QUOTED = re.compile(r"[“\"]([^”\"]{2,80})[”\"]")
# A quotation of someone's words may run longer than a title.
QUOTATION = re.compile(r"[“\"]([^”\"]{2,400})[”\"]")
_UPPER = "A-ZÀ-ÖØ-ÞĀĂĄĆČĎĘĚĞŁŃŇŐŒŘŚŠŞŢŤŮŰŹŻŽ"  # capitals of the Latin scripts: "Tomás", "Łukasz"
_LOWER = "a-zß-öø-ÿāăąćčďęěğłńňőœřśšşţťůűźżž"
# A whole word only: not the "Postgre" of "PostgreSQL" nor the "Phone" of "iPhone".
NAME_WORD = (
    rf"(?<!\w)(?:[{_UPPER}][{_LOWER}]+(?:[-’'][{_UPPER}]?[{_LOWER}]+)*|[{_UPPER}]\.|[{_UPPER}][{_LOWER}]*[{_UPPER}][{_LOWER}]+"
    r"|\d{1,2}(?:st|nd|rd|th))(?!\w)"
)
# Names run along one line: a line break ends them ("Laura Hurley" over "Senior Content Producer").
CAPITALISED_RUN = re.compile(rf"{NAME_WORD}(?:[ \t]+(?:(?:de|da|van|von|del|di|le|la)[ \t]+)?{NAME_WORD})*")
CAST_LINE = re.compile(
    rf"(?P<actor>{NAME_WORD}(?:[ \t]+{NAME_WORD}){{1,3}})[ \t]+as\s+(?P<role>[^,.;()]+?(?:\([^)]*\))?)(?=[,.;]|$|\s+\()"
)
PLACE = re.compile(
    rf"\b(?:in|at|from|on|near|across|to|of)\s+(?:the\s+)?(?P<name>{NAME_WORD}(?:\s+(?:of\s+)?{NAME_WORD}){{0,3}})"
)
AFTER_PLACE_WORD = re.compile(r"\b(?:in|at|near|from|across|outside|inside|around)\s+(?:the\s+)?$", re.IGNORECASE)
ROLE_QUESTION = re.compile(r"\b(play|plays|played|playing|portray\w*|role|character|cast as)\b", re.IGNORECASE)
# "since" giving a reason, not a time: "since Linux 2.6.17", "since glibc 2.3.4", "since 1999",
# "since the 1990s", "since version 3", "since then" say when, as man pages and changelogs do.
CAUSAL_SINCE = r"since(?!\s+(?:[A-Za-z][\w.+-]*\s+)?v?\d|\s+then\b)"
# Reasons English gives beyond "because" (and causal "as", CAUSAL_AS): "for security reasons",
# purpose ("to assure ...", "so as to ..."), and what a sentence before brings about ("This
# ensures ...", "This means ...").
OTHER_REASONS = (r"for\s+(?:\w+\s+){0,2}reasons?|so\s+as\s+to|to\s+(?:assure|guarantee|keep|stop|protect)|"
                 r"(?:this|which|that)\s+(?:will\s+|would\s+)?(?:ensures?|means|guarantees?)")


def wrapped(pattern: str) -> str:
    """`pattern` with each literal space (outside a character class) matching any run of
    whitespace: hard-wrapped text (man pages, plain-text FAQs, licences) breaks its line between
    the words of a cue ("so\n   that") 88 times in 1,541 in the benchmark's corpora."""
    return re.sub(r"(?<!\\) (?![^\[]*\])", r"\\s+", pattern)


# Causal "as" after a comma, matched with the space before it: a hard-wrapped line may break and
# indent there (",\n       as they do not ..."), and a look-behind cannot span that.
CAUSAL_AS = (r"(?<=,)\s+as(?=\s+(?:it|they|he|she|we|you|this|that|these|those|there|the|a|an|its|their|our|no|not)"
             r"\b)")
# A comma, semicolon or colon ends a clause where a space, a closing quote or bracket, or the end
# follows it; inside a word it is part of that word: "Term::ReadKey", "1,000", "http://...", "C:\".
CLAUSE_BREAK = re.compile(r"\s*(?:[,;:](?=[\s\"”’')\]]|$)|[()\[\]—–]|\s-\s|\s--\s)\s*")
# The brackets of a call or an index, against a word, with no space inside but after a comma:
# "getopt()", "f(x)", "insert(0, v)", "argv[1]". They do not break a clause, nor does a comma
# inside them.
CODE_BRACKETS = re.compile(r"(?<=\w)(?:\((?:[^()\[\]\s]|,\s)*\)|\[(?:[^()\[\]\s]|,\s)*\])")


def clause_breaks(text: str, start: int = 0) -> Iterator[re.Match]:
    """CLAUSE_BREAK's matches in `text` from `start`, but for the brackets of code."""
    code = [match.span() for match in CODE_BRACKETS.finditer(text)] if "(" in text or "[" in text else []
    for match in CLAUSE_BREAK.finditer(text, start):
        if not any(begin <= match.start() < end or begin < match.end() <= end for begin, end in code):
            yield match


QUOTE_VERBS = re.compile(
    r"\b(say|said|says|tell|told|write|wrote|tweet|tweeted|think|thought|feel|felt|notice|noticed|observe|observed|"
    r"mean|reveal|revealed|explain|explained|describe|described|complain|complained|share|shared)\b",
    re.IGNORECASE,
)
# "shows like ...", "films such as ...", "series including ...": what follows is one of them.
EXAMPLES_FOLLOW = re.compile(r"(\w+)\s+(?:like|such\s+as|including)\b(?:\s+\w+){0,4}\s*$", re.IGNORECASE)
REFERENCE_MARK = re.compile(r"\[\d+\]")

# Field names that hold an answer of a type, whatever the question's words ("Where is X?" ->
# `Location:`, "When was it published?" -> `Published:`), as stems.
TYPE_FIELD_NAMES = {
    AnswerType.PLACE: set(stemmed_terms("location address place venue headquarters city country based site")),
    AnswerType.DATE: set(stemmed_terms("date released published opened premiered aired founded")),
}
ORGANISATION_WORDS = frozenset(
    "television studios studio pictures productions media corporation corp inc llc ltd company network networks "
    "entertainment records films group magazine channel broadcasting university college school bank".split()
)
NOT_NAMES = frozenset(
    "the a an on in at of for and but or if when while after before although though this that these those it "
    "he she they we i you his her their its our my your as by with from to into later alongside following "
    "elsewhere meanwhile considering take watch check all like one first last new".split()
)
MONTH_NAMES = frozenset(
    "january february march april may june july august september october november december "
    "monday tuesday wednesday thursday friday saturday sunday".split()
)

# A headline has at least this many words, this share of them capitalised.
HEADLINE_MIN_WORDS = 4
HEADLINE_CAPITALISED_SHARE = 0.7
# Sentences (and capitalised runs) whose verdicts are kept: those of a few hundred passages.
TEXTS_KEPT = 2048
# A text is "mostly the question" when more than this share of its words are the question's.
MOSTLY_IN_QUESTION_SHARE = 0.5


def has_answer_type(answer_type: AnswerType, text: str, asked_words: frozenset[str] = frozenset()) -> bool:
    """Cheap test used in ranking: could `text` hold an answer of this type at all? A name made
    only of `asked_words` (the question's, normalised) is the question's own, not an answer: a
    heading "Crumb & Kettle Bakery" holds no answer to "Who started Crumb & Kettle Bakery?"."""
    if answer_type == AnswerType.DATE:
        return bool(DATE.search(text))
    if answer_type == AnswerType.NUMBER:
        return bool(re.search(r"\d", text))
    if answer_type == AnswerType.MONEY:
        return bool(MONEY.search(text))
    if answer_type == AnswerType.DURATION:
        return bool(DURATION.search(text))
    if answer_type in (AnswerType.PERSON, AnswerType.ORGANISATION, AnswerType.PLACE):
        return any(not asked_words.issuperset(words) for words in name_runs(text))
    if answer_type == AnswerType.TITLE:
        return bool(QUOTED.search(text))
    return False


@lru_cache(maxsize=TEXTS_KEPT)  # a passage's, asked of it for each question that wants a name
def name_runs(text: str) -> tuple[tuple[str, ...], ...]:
    """The normalised words of each capitalised run of two words or more in `text`."""
    runs = (match.group().split() for match in CAPITALISED_RUN.finditer(text))
    return tuple(tuple(normalize_word(word) for word in run) for run in runs if len(run) >= 2)


@lru_cache(maxsize=TEXTS_KEPT)  # asked of each sentence by several extractors, question after question
def is_headline(text: str) -> bool:
    """Title Case text, where every word looks like a name."""
    words = [w for w in text.split() if w[:1].isalpha() and w.lower() not in NOT_NAMES]
    return len(words) >= HEADLINE_MIN_WORDS and sum(w[:1].isupper() for w in words) / len(words) > HEADLINE_CAPITALISED_SHARE


@lru_cache(maxsize=TEXTS_KEPT)  # the same capitalised runs recur in the same sentences
def clean_name(run: str, allow_single: bool = False) -> str | None:
    """A capitalised run without the function words, months and possessives around it; None when
    nothing of a name is left (or one word, unless `allow_single`)."""
    words = run.split()
    while words and (words[0].lower() in NOT_NAMES or words[0].lower() in MONTH_NAMES or words[0].endswith(("'s", "’s"))):
        words = words[1:]
    while words and (words[-1].lower() in NOT_NAMES or words[-1].lower() in MONTH_NAMES):
        words = words[:-1]
    if not words or (len(words) < 2 and not allow_single):
        return None
    if any(w.endswith(("'s", "’s")) for w in words[:-1]):
        return None
    name = " ".join(words)
    name = re.sub(r"['’]s$", "", name)
    return name if re.search(r"[a-z]", name) else None


def kind_of_name(name: str, common: frozenset[str] = frozenset()) -> AnswerType:
    """A person or an organisation, by the name's words. `common` are the index's ordinary
    English words: "Depot Street" is no person."""
    words = [w.lower().strip(".") for w in name.split()]
    if set(words) & ORGANISATION_WORDS or re.match(r"\d", name):
        return AnswerType.ORGANISATION
    if len(words) == 1:
        return AnswerType.ORGANISATION  # one capitalised word: a brand or a place more often than a person
    ordinary = [normalize_word(w) in common for w in words]
    if ordinary[-1] and sum(ordinary) > len(words) / 2:
        return AnswerType.ORGANISATION  # "Depot Street", "Food Pantry"; but "Ti West", "Markie Post" are people
    return AnswerType.PERSON


def names(value: str) -> list[str]:
    return [n for n in (clean_name(m.group(), allow_single=True) for m in CAPITALISED_RUN.finditer(value)) if n]


def type_of_value(value: str, expected: AnswerType, common: frozenset[str] = frozenset()) -> AnswerType:
    """The type of a field's value or a table cell, as far as the expected type cares."""
    if expected == AnswerType.PERSON and _names_a_person(value, common):
        return AnswerType.PERSON  # before the date: a copyright holder stands after the years
    if DATE.search(value) and not YEAR.fullmatch(value.strip()):
        return AnswerType.DATE if expected in (AnswerType.DATE, AnswerType.PHRASE) else AnswerType.PHRASE
    if expected == AnswerType.NUMBER and re.search(r"\d", value):
        return AnswerType.NUMBER
    if expected == AnswerType.MONEY:
        return AnswerType.MONEY if MONEY.search(value) else AnswerType.PHRASE
    if expected == AnswerType.DURATION and DURATION.search(value):
        return AnswerType.DURATION
    if re.fullmatch(r"[\d.,\s%/–-]+", value):
        return AnswerType.NUMBER if expected in (AnswerType.NUMBER, AnswerType.PHRASE) else AnswerType.PHRASE
    if expected == AnswerType.PERSON and CAPITALISED_RUN.search(value):
        return AnswerType.ORGANISATION  # names, but no person's (_names_a_person)
    if expected in (AnswerType.ORGANISATION, AnswerType.PLACE) and re.search(r"[A-Z0-9]", value):
        return expected
    if expected == AnswerType.TITLE and re.search(r"[A-Z]", value):
        return AnswerType.TITLE
    return AnswerType.PHRASE


def _names_a_person(value: str, common: frozenset[str]) -> bool:
    return any(kind_of_name(n, common) == AnswerType.PERSON for n in names(value))


def mostly_in_question(text: str, question_words: set[str]) -> bool:
    """Whether most of the words of `text` (beyond function words) are the question's own."""
    return mostly_named_in_question(_named_words(text), question_words)


@lru_cache(maxsize=TEXTS_KEPT)  # a table's cells and fields, read for every question that reaches them
def _named_words(text: str) -> tuple[str, ...]:
    """The normalised words of `text` but function words (NOT_NAMES)."""
    return tuple(word for word in map(normalize_word, TOKEN.findall(text)) if word not in NOT_NAMES)


def mostly_words_in_question(words: list[str], question_words: set[str]) -> bool:
    """`mostly_in_question` of a text's normalised words (a caller that has them already)."""
    return mostly_named_in_question([w for w in words if w not in NOT_NAMES], question_words)


def mostly_named_in_question(named: list[str] | tuple[str, ...], question_words: set[str]) -> bool:
    """`mostly_words_in_question` of words without the function words (NOT_NAMES) already."""
    # map: the words counted without a Python call each (asked of every candidate of a question)
    return bool(named) and sum(map(question_words.__contains__, named)) / len(named) > MOSTLY_IN_QUESTION_SHARE


def inside_date(text: str, position: int) -> bool:
    return any(start <= position < end for start, end in _dates_in(text))


@lru_cache(maxsize=TEXTS_KEPT)  # asked for each number of a sentence, question after question
def _dates_in(text: str) -> tuple[tuple[int, int], ...]:
    """[start, end) of each date in `text` that is more than a year."""
    return tuple((m.start(), m.end()) for m in DATE.finditer(text) if not YEAR.fullmatch(m.group()))
