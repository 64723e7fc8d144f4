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
    TITLE = "title"  # the name of a work: a show, an episode, a book
    REASON = "reason"
    YES_NO = "yes_no"
    PHRASE = "phrase"  # anything else: a clause, a definition, a field's value
