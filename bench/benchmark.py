"""The multi-genre benchmark (eval/benchmark.json): corpora of real documents, each with frozen
questions, and the index of each corpus that Liner answers from.

A question item keeps everything its QA file says: the accepted `answers` (verbatim spans of the
documents), `evidence` (the deciding span of a yes/no question, for hit@k), `match` ("all": a list
answer must hold every item), its `kind` and `tags`.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REGISTRY = ROOT / "eval" / "benchmark.json"
INDEX_ROOT = ROOT / ".liner" / "eval"


@dataclass(frozen=True)
class Item:
    id: str
    corpus: str
    question: str
    answers: tuple[str, ...]
    kind: str
    tags: tuple[str, ...] = ()
    evidence: tuple[str, ...] = ()
    match_all: bool = False

    @property
    def answerable(self) -> bool:
        return bool(self.answers)

    @property
    def hit_spans(self) -> tuple[str, ...]:
        """What a passage must contain to count as a hit: the deciding span of a yes/no
        question, else any accepted answer."""
        return self.evidence or self.answers

    @property
    def is_search(self) -> bool:
        """Bare keywords and quoted phrases: a search, not a question."""
        return self.kind in ("keyword", "phrase")


@dataclass(frozen=True)
class Corpus:
    name: str
    genre: str
    folder: Path
    qa_file: Path

    @property
    def index_dir(self) -> Path:
        return INDEX_ROOT / self.name

    def items(self) -> list[Item]:
        rows = [json.loads(line) for line in self.qa_file.read_text(encoding="utf-8").splitlines() if line.strip()]
        return [
            Item(
                id=row["id"], corpus=self.name, question=row["question"], answers=tuple(row["answers"]),
                kind=row["kind"], tags=tuple(row.get("tags", ())), evidence=tuple(row.get("evidence", ())),
                match_all=row.get("match") == "all",
            )
            for row in rows
        ]


def corpora(names: list[str] | None = None) -> list[Corpus]:
    """The registered corpora (or those named, in registry order); a wrong name lists the right ones."""
    registry = json.loads(REGISTRY.read_text(encoding="utf-8"))["corpora"]
    found = [Corpus(c["name"], c["genre"], ROOT / c["folder"], ROOT / c["qa"]) for c in registry]
    if names:
        unknown = set(names) - {c.name for c in found}
        if unknown:
            raise ValueError(f"unknown corpus {sorted(unknown)}; choose from {', '.join(c.name for c in found)}")
        found = [c for c in found if c.name in names]
    return found


def ensure_index(corpus: Corpus) -> Path:
    """Liner's index of the corpus, built (or brought up to date) as a user would build it."""
    from indexer.build import build_index

    build_index(corpus.folder, corpus.index_dir)
    return corpus.index_dir
