"""`make eval` / `python -m bench.evaluate`: Liner on the multi-genre benchmark, leave one corpus out,
beside SQLite FTS5 and tantivy on the same passages.

    python -m bench.evaluate                      every corpus; writes the tables into docs/evaluation.md
    python -m bench.evaluate --corpus pylib ...   some corpora (the others still train the folds)
    python -m bench.evaluate --no-write           print only

For each corpus, the model that answers it is fitted on the other corpora only (bench/train.py's
fit_model, whose calibration is itself fitted leave-one-out among those), so every figure is for
documents the model did not see. The peers index the passages Liner's chunker cut from the same
files and take each question's text as their query (BM25; an OR of its words).
"""
from __future__ import annotations

import argparse
import re
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from bench.benchmark import ROOT, Corpus, Item, corpora
from bench.corpus import read_passages
from bench.learning import Outcome, outcome
from bench.peers import PEERS
from bench.scoring import first_hit_rank
from bench.train import collect_all, fit_model

REPORT = ROOT / "docs" / "evaluation.md"
PEER_NAMES = ("SQLite FTS5", "tantivy")
BEGIN, END = "<!-- make eval: begin -->", "<!-- make eval: end -->"
# Answers at or above this confidence must be right at least this often (issue 13's target).
CONFIDENT = 0.8
CALIBRATION_BINS = 10


@dataclass
class Scores:
    """The figures of a set of outcomes (and the peers' hit ranks for the same items)."""

    outcomes: list[Outcome]
    peer_ranks: dict[str, list[int | None]]

    def _answerable(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.item.answerable]

    def hit(self, k: int, ranks: list[int | None] | None = None) -> float:
        ranks = ranks if ranks is not None else [o.hit_rank for o in self._answerable()]
        return _mean([r is not None and r <= k for r in ranks])

    def mrr(self) -> float:
        return _mean([1.0 / o.hit_rank if o.hit_rank else 0.0 for o in self._answerable()])

    def answer(self) -> float:
        return _mean([o.right for o in self.outcomes])

    def conflicts_shown(self) -> float:
        """Questions whose sources disagree: the share where every value is shown."""
        return _mean([o.shows_every_value for o in self.outcomes if o.item.kind == "conflict"])

    def abstention(self) -> float:
        return _mean([o.answer is None for o in self.outcomes if not o.item.answerable])

    def confident_wrong(self) -> tuple[float, int]:
        sure = [o for o in self.outcomes if o.answer is not None and o.confidence >= CONFIDENT]
        return _mean([not o.right for o in sure]), len(sure)

    def calibration_bins(self) -> dict[int, list[Outcome]]:
        """The answers given, by confidence in CALIBRATION_BINS equal bins."""
        bins: dict[int, list[Outcome]] = defaultdict(list)
        for o in self.outcomes:
            if o.answer is not None:
                bins[min(CALIBRATION_BINS - 1, int(o.confidence * CALIBRATION_BINS))].append(o)
        return dict(sorted(bins.items()))

    def calibration_error(self) -> float:
        """Expected calibration error of the answers given (Naeini et al. 2015), 10 equal bins."""
        bins = self.calibration_bins()
        given = sum(len(b) for b in bins.values())
        return sum(abs(_mean([o.right for o in b]) - _mean([o.confidence for o in b])) * len(b)
                   for b in bins.values()) / given if given else float("nan")


def peer_ranks(corpus: Corpus, items: list[Item]) -> dict[str, list[int | None]]:
    """Each peer's rank of the first passage holding an accepted answer, per answerable item."""
    passages = read_passages(corpus.folder)
    ranks = {}
    with tempfile.TemporaryDirectory() as work:
        for name in PEER_NAMES:
            peer = PEERS[name]
            peer.build(passages, Path(work) / name)
            searcher = peer.open(Path(work) / name, passages)
            kinds = {"keyword": "keyword", "phrase": "phrase"}
            ranks[name] = [first_hit_rank(searcher.texts(item.question, kinds.get(item.kind, "question")), item)
                           for item in items if item.answerable]
            searcher.close()
    return ranks


def evaluate(names: list[str] | None) -> tuple[dict[str, Scores], list[str]]:
    print("eval: running every question through the pipeline", flush=True)
    records = collect_all(None)
    scores: dict[str, Scores] = {}
    for corpus in corpora(names):
        started = time.monotonic()
        model = fit_model([r for r in records if r.item.corpus != corpus.name])
        held_out = [r for r in records if r.item.corpus == corpus.name]
        outcomes = [outcome(record, model) for record in held_out]
        scores[corpus.name] = Scores(outcomes, peer_ranks(corpus, [r.item for r in held_out]))
        print(f"  {corpus.name}: {_line(scores[corpus.name])} ({time.monotonic() - started:.0f} s)", flush=True)
    return scores, [c.genre for c in corpora(names)]


def _line(s: Scores) -> str:
    peers = " ".join(f"{name} {s.hit(1, r):.3f}/{s.hit(5, r):.3f}" for name, r in s.peer_ranks.items())
    wrong, sure = s.confident_wrong()
    return (f"Liner hit@1/5 {s.hit(1):.3f}/{s.hit(5):.3f} | {peers} | answer {s.answer():.3f} conflicts {s.conflicts_shown():.2f} "
            f"abstain {s.abstention():.3f} | wrong at >=80%: {wrong:.3f} of {sure} | ECE {s.calibration_error():.3f}")


def _share(share: float, count: int) -> str:
    """A share of `count` answers, "-" when there were none (not "nan")."""
    return f"{share:.3f}" if count else "-"


def report(scores: dict[str, Scores], genres: list[str]) -> str:
    lines = ["| corpus | genre | questions | Liner hit@1 | hit@5 | MRR@10 | best peer hit@1 | best peer hit@5 | "
             "answer right | unanswerable abstained | wrong at >= 80% | ECE |",
             "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    everything = Scores([o for s in scores.values() for o in s.outcomes], {})
    for (name, s), genre in zip(scores.items(), genres):
        best1 = max(s.hit(1, r) for r in s.peer_ranks.values())
        best5 = max(s.hit(5, r) for r in s.peer_ranks.values())
        wrong, sure = s.confident_wrong()
        lines.append(f"| {name} | {genre} | {len(s.outcomes)} | {s.hit(1):.3f} | {s.hit(5):.3f} | {s.mrr():.3f} | "
                     f"{best1:.3f} | {best5:.3f} | {s.answer():.3f} | {s.abstention():.3f} | {_share(wrong, sure)} ({sure}) | "
                     f"{s.calibration_error():.3f} |")
    wrong, sure = everything.confident_wrong()
    lines.append(f"| all | | {len(everything.outcomes)} | {everything.hit(1):.3f} | {everything.hit(5):.3f} | "
                 f"{everything.mrr():.3f} | | | {everything.answer():.3f} | {everything.abstention():.3f} | "
                 f"{_share(wrong, sure)} ({sure}) | {everything.calibration_error():.3f} |")
    lines += ["", "| question kind | questions | hit@1 | hit@5 | answer right |", "| --- | --- | --- | --- | --- |"]
    by_kind: dict[str, list[Outcome]] = defaultdict(list)
    for o in everything.outcomes:
        by_kind[o.item.kind].append(o)
    for kind, outcomes in sorted(by_kind.items()):
        s = Scores(outcomes, {})
        answerable = any(o.item.answerable for o in outcomes)
        lines.append(f"| {kind} | {len(outcomes)} | {s.hit(1):.3f} | {s.hit(5):.3f} | {s.answer():.3f} |" if answerable
                     else f"| {kind} | {len(outcomes)} | - | - | {s.answer():.3f} (abstained) |")
    return "\n".join(lines + ["", *calibration_table(everything)])


def calibration_table(scores: Scores) -> list[str]:
    """How often the answers given at each confidence were right, every corpus held out in turn."""
    lines = ["| confidence | answers given | mean confidence | right |", "| --- | --- | --- | --- |"]
    for index, outcomes in scores.calibration_bins().items():
        low, high = index / CALIBRATION_BINS, (index + 1) / CALIBRATION_BINS
        lines.append(f"| {low:.0%}-{high:.0%} | {len(outcomes)} | {_mean(o.confidence for o in outcomes):.3f} | "
                     f"{_mean(o.right for o in outcomes):.3f} |")
    return lines


def write_report(table: str, command: str) -> None:
    text = REPORT.read_text(encoding="utf-8")
    block = f"{BEGIN}\n```console\n$ {command}\n```\n\n{table}\n{END}"
    if BEGIN in text:
        text = re.sub(re.escape(BEGIN) + ".*?" + re.escape(END), lambda _: block, text, flags=re.S)
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    REPORT.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.evaluate", description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", action="append", help="report only these corpora (default: all)")
    parser.add_argument("--no-write", action="store_true", help="print only; leave docs/evaluation.md")
    arguments = parser.parse_args(argv)
    scores, genres = evaluate(arguments.corpus)
    table = report(scores, genres)
    print(table)
    if not arguments.no_write and not arguments.corpus:
        write_report(table, "make eval")
    return 0


def _mean(values) -> float:
    values = list(values)
    return sum(values) / len(values) if values else float("nan")


if __name__ == "__main__":
    raise SystemExit(main())
