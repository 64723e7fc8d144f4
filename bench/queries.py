"""Query sets for latency, made from the passages themselves with a fixed seed: every machine
that builds the same corpus times the same queries.

- keyword: two content words of one passage ("socket timeout");
- phrase: three consecutive words of one passage, quoted ("\"the default encoding\"");
- question: two content words of one passage in a question template ("What is socket timeout?").

Words come from the passage, so every query has at least one matching passage whatever an
engine's default operator. On the seeds, the QA set's own keyword, phrase and question items lead
each list.
"""
from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Collection, Sequence

from indexer.passages import Passage

SEED = 20240601
QUERY_KINDS = ("keyword", "phrase", "question")

_WORD = re.compile(r"[A-Za-z]{4,}")
_PHRASE_WORD = re.compile(r"[A-Za-z]{2,}")
COMMON_WORDS = frozenset(
    "that this with from have there their they them then than which would could should about into "
    "also been were what when where while will your each other some such only more most must none "
    "self return returns none true false used using does make made like just".split()
)
QUESTION_TEMPLATES = (
    "What is {a} {b}?",
    "How does {a} handle {b}?",
    "Which {a} does {b} use?",
    "When was {a} {b} added?",
    "Who wrote the {a} {b}?",
    "Why does {a} need {b}?",
    "How many {a} does {b} have?",
    "Where is {a} {b} defined?",
)


@dataclass(frozen=True)
class QAItem:
    question: str
    answers: tuple[str, ...]
    kind: str

    @property
    def query_kind(self) -> str:
        """How a front end would send it: keyword and phrase items are searches, the rest asks."""
        return self.kind if self.kind in ("keyword", "phrase") else "question"


def load_qa(path: Path) -> list[QAItem]:
    items = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if line.strip():
            record = json.loads(line)
            items.append(QAItem(record["question"], tuple(record.get("answers") or ()), record["kind"]))
    return items


def make_queries(passages: Sequence[Passage], kind: str, count: int, lead: Sequence[str] = (),
                 seed: int = SEED, exclude: Collection[str] = ()) -> list[str]:
    """`count` distinct queries of `kind`, starting with `lead` (kept as given), then made from
    passages; none of them in `exclude`. Fewer when the passages cannot give that many."""
    makers = {"keyword": _keyword, "phrase": _phrase, "question": _question}
    if kind not in makers:
        raise ValueError(f"unknown query kind {kind!r}; choose one of {', '.join(QUERY_KINDS)}")
    chooser = random.Random(f"{seed}-{kind}")
    queries = list(dict.fromkeys(query for query in lead if query not in exclude))[:count]
    seen = set(queries) | set(exclude)
    usable = [passage for passage in passages if len(_WORD.findall(passage.text)) >= 3]
    if not usable:
        raise ValueError("no passage has enough words to make queries from")
    attempts = 0
    while len(queries) < count and attempts < count * 50:
        attempts += 1
        made = makers[kind](chooser.choice(usable).text, chooser)
        if made and made not in seen:
            seen.add(made)
            queries.append(made)
    return queries


def query_sets(passages: Sequence[Passage], count: int, warmup: int = 20,
               lead: dict[str, Sequence[str]] | None = None) -> dict[str, tuple[list[str], list[str]]]:
    """Per kind: (`count` timed queries, `warmup` other queries to run untimed first)."""
    sets = {}
    for kind in QUERY_KINDS:
        timed = make_queries(passages, kind, count, (lead or {}).get(kind, ()))
        sets[kind] = (timed, make_queries(passages, kind, warmup, seed=SEED + 1, exclude=timed))
    return sets


def _content_words(text: str) -> list[str]:
    return list(dict.fromkeys(w.lower() for w in _WORD.findall(text) if w.lower() not in COMMON_WORDS))


def _keyword(text: str, chooser: random.Random) -> str | None:
    words = _content_words(text)
    if len(words) < 2:
        return None
    return " ".join(chooser.sample(words, 2))


def _phrase(text: str, chooser: random.Random) -> str | None:
    words = _PHRASE_WORD.findall(text)
    if len(words) < 3:
        return None
    start = chooser.randrange(len(words) - 2)
    phrase = words[start : start + 3]
    if all(word.lower() in COMMON_WORDS for word in phrase):
        return None
    # Consecutive letters-only tokens with only spaces between them in the passage: a real phrase.
    if not re.search(r"\b" + r"\s+".join(map(re.escape, phrase)) + r"\b", text):
        return None
    return '"' + " ".join(phrase) + '"'


def _question(text: str, chooser: random.Random) -> str | None:
    words = _content_words(text)
    if len(words) < 2:
        return None
    first, second = chooser.sample(words, 2)
    return chooser.choice(QUESTION_TEMPLATES).format(a=first, b=second)
