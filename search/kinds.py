"""The kinds of question and of answer, named once: every module compares these, not strings.

Both are StrEnums, so each is also its plain name: the JSON contract's `question_type` and
`answer_type` are these names.
"""
from __future__ import annotations

from enum import StrEnum


class QuestionKind(StrEnum):
    """What the user typed: a question by its wh-word (Li & Roth 2002's coarse classes), or
    keywords."""

    WHO = "who"
    WHEN = "when"
    WHERE = "where"
    WHY = "why"
    WHAT = "what"
    WHICH = "which"
    HOW_MANY = "how_many"
    HOW_LONG = "how_long"
    HOW = "how"  # how to do something, how something works
    YES_NO = "yes_no"
    KEYWORD = "keyword"  # not a question: words, phrases and filters


class AnswerType(StrEnum):
    """The kind of value a question expects, which decides how candidates are found."""

    PERSON = "person"
    ORGANISATION = "organisation"
    PLACE = "place"
    DATE = "date"
    NUMBER = "number"
    MONEY = "money"
    DURATION = "duration"
    # A release of a program: "Python 3.8", "version 2.7.5". Not a value type: a version may have
    # no dotted number ("mozjs-78"), and a clause may say it.
    VERSION = "version"
    TITLE = "title"  # the name of a work: a show, an episode, a book
    REASON = "reason"  # why: the reason clause
    YES_NO = "yes_no"  # "Yes" or "No", with the clause that decides it
    IDENTIFIER = "identifier"  # a name in code or configuration: a function, an option, a command, a constant
    DEFINITION = "definition"  # what a term is or means
    INSTRUCTION = "instruction"  # how to do something: the step, the command or the code
    PHRASE = "phrase"  # anything else: a clause, a field's value


# Answer types whose values have a form of their own (a date, a name, a figure): a passage without
# one cannot answer, and only such values are compared across sources.
VALUE_TYPES = frozenset({AnswerType.PERSON, AnswerType.ORGANISATION, AnswerType.PLACE, AnswerType.DATE,
                         AnswerType.NUMBER, AnswerType.MONEY, AnswerType.DURATION, AnswerType.TITLE})
