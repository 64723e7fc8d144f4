"""Whether a passage or an answer is right, by the rules of the shared scorer (../shared/eval/
score.py; a copy of its rules, never the file): text compared after Unicode NFKC folding, lower
case, straight quotes and dashes, whitespace folded.

- a passage is a hit when it contains an accepted answer (for a yes/no question: its deciding
  span, the `evidence`);
- a short answer is right when it holds an accepted answer, or (at least 4 characters) stands
  inside one; a list answer (`match: all`) must hold every item; a yes/no answer must start with
  the accepted "yes" or "no" (stricter than the shared scorer, which would also take "no" inside
  "not"); an unanswerable question is answered right by no answer.
"""
from __future__ import annotations

import re
import unicodedata

from bench.benchmark import Item

MAX_ANSWER_CHARS = 120  # the shared scorer's longest short answer

_FOLD = (("\u2019", "'"), ("\u2018", "'"), ("\u201c", '"'), ("\u201d", '"'), ("\u2013", "-"), ("\u2014", "-"))


def fold(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).lower()
    for a, b in _FOLD:
        text = text.replace(a, b)
    return re.sub(r"\s+", " ", text).strip()


def is_hit(passage_text: str, item: Item) -> bool:
    folded = fold(passage_text)
    return any(fold(span) in folded for span in item.hit_spans if span.strip())


def first_hit_rank(texts: list[str], item: Item, depth: int = 10) -> int | None:
    for rank, text in enumerate(texts[:depth], 1):
        if is_hit(text, item):
            return rank
    return None


def answer_is_right(answer_text: str | None, item: Item) -> bool:
    if not item.answers:
        return answer_text is None
    if not answer_text:
        return False
    got = fold(answer_text)
    if not got or len(got) > MAX_ANSWER_CHARS:
        return False
    if item.match_all:
        return all(fold(a) in got for a in item.answers)
    if item.kind == "yes_no":  # stricter than the shared scorer: "yes" inside "not yes" is no answer
        return any(re.match(rf"\W*{re.escape(fold(a))}\b", got) for a in item.answers)
    return any(fold(a) in got or (len(got) >= 4 and got in fold(a)) for a in item.answers)
