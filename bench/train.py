"""`make train` / `python -m bench.train`: fit the scoring model on every benchmark corpus and write
search/model.json.

    python -m bench.train                 all corpora of eval/benchmark.json
    python -m bench.train --corpus seeds --corpus pylib

The ranker and the answer scorer are fitted on all the corpora given. The calibration of the
answer's confidence, and the bar below which Liner abstains, are fitted on predictions for corpora
the scorer was not trained on: for each corpus, a scorer fitted on the others answers it
(leave one corpus out), so that the confidence says how often answers are right on a folder the
model never saw, which is every user's folder.
"""
from __future__ import annotations

import argparse
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bench.benchmark import ROOT, corpora
from bench.fitting import (choose_bar, choose_confidence_c, feature_scales, fit_calibration, fit_confidence, fit_ranker,
                           fit_selector)
from bench.learning import Record, candidates, collect, outcome
from search.model import MODEL_FILE, Calibration, LinearModel, Model, shipped_model

MODEL_PATH = ROOT / "search" / MODEL_FILE

@dataclass
class CandidateRows:
    """Every candidate of some records as one matrix (features by name), with its label, the
    question it answers and that question's corpus."""

    names: tuple[str, ...]
    matrix: np.ndarray
    right: np.ndarray
    question: np.ndarray
    corpus: np.ndarray

    @classmethod
    def of(cls, records: list[Record], ranker: LinearModel) -> "CandidateRows":
        rows, right, question, corpus = [], [], [], []
        for number, record in enumerate(records):
            for candidate, is_right in candidates(record, ranker):
                rows.append(candidate.features)
                right.append(is_right)
                question.append(number)
                corpus.append(record.item.corpus)
        names = tuple(sorted({name for row in rows for name in row}))
        index = {name: i for i, name in enumerate(names)}
        matrix = np.zeros((len(rows), len(names)))
        for r, row in enumerate(rows):
            for name, value in row.items():
                matrix[r, index[name]] = value
        return cls(names, matrix, np.array(right, dtype=float), np.array(question), np.array(corpus))

    def selector(self, excluded: set[str]) -> LinearModel:
        """The answer selector fitted on the candidates of every corpus but those `excluded`."""
        keep = ~np.isin(self.corpus, list(excluded))
        matrix = self.matrix[keep]
        means, scales = matrix.mean(axis=0), feature_scales(matrix)
        weights = fit_selector((matrix - means) / scales, self.right[keep], self.question[keep])
        return LinearModel(self.names, tuple(map(float, weights)), tuple(map(float, means)), tuple(map(float, scales)))


@dataclass
class Decisions:
    """For each record: what decided whether to answer (the decision features of its selected
    answer, under a selector that had not seen its corpus), whether that answer was right, and
    whether the question has an answer at all."""

    corpus: list[str]
    features: list[dict[str, float] | None]
    right: list[bool]
    answerable: list[bool]

    def confidence(self, excluded: set[str], c: float) -> LinearModel:
        chosen = self._shown(excluded)
        return fit_confidence([self.features[i] for i in chosen], [self.right[i] for i in chosen], c)

    def regularisation(self) -> float:
        """The confidence model's C, chosen on these decisions' corpora (choose_confidence_c)."""
        chosen = self._shown(set())
        return choose_confidence_c([self.features[i] for i in chosen], [self.right[i] for i in chosen],
                                   [self.corpus[i] for i in chosen])

    def _shown(self, excluded: set[str]) -> list[int]:
        """The decisions that had an answer to judge, of corpora not `excluded`."""
        return [i for i, f in enumerate(self.features) if f is not None and self.corpus[i] not in excluded]


def fit_model(records: list[Record], about: dict | None = None) -> Model:
    """The whole model from these records: ranker and selector on all of them; the confidence
    model on the selector's choices for corpora it had not seen; its calibration and the bar on
    the confidence model's predictions for corpora it had not seen."""
    searchable = [record for record in records if record.question is not None]
    ranker = fit_ranker([([p.features for p in r.passages], r.hits) for r in searchable])
    rows = CandidateRows.of(searchable, ranker)
    corpora_seen = sorted({record.item.corpus for record in records})
    decisions = _decisions(records, ranker, {corpus: rows.selector({corpus}) for corpus in corpora_seen})
    confidence_c = decisions.regularisation()
    unseen_confidence = {corpus: decisions.confidence({corpus}, confidence_c) for corpus in corpora_seen}
    predicted = [unseen_confidence[corpus].probability(f) if f is not None else None
                 for corpus, f in zip(decisions.corpus, decisions.features)]
    shown = [i for i, value in enumerate(predicted) if value is not None]
    calibration = fit_calibration([predicted[i] for i in shown], [decisions.right[i] for i in shown],
                                  [decisions.corpus[i] for i in shown])
    confidences = [calibration(v) if v is not None else None for v in predicted]
    bar = choose_bar(confidences, decisions.right, decisions.answerable)
    # Keyword and phrase searches get their own bar, chosen the same way on the searches alone
    # (words are not a question: the answer card is a bonus there), never below the questions' bar.
    searches = [i for i, record in enumerate(records) if record.is_search]
    search_bar = choose_bar([confidences[i] for i in searches], [decisions.right[i] for i in searches],
                            [decisions.answerable[i] for i in searches]) if searches else bar
    return Model(ranker, rows.selector(set()), decisions.confidence(set(), confidence_c), calibration, bar,
                 max(bar, search_bar), {**(about or {}), "confidence_c": confidence_c})


def _decisions(records: list[Record], ranker: LinearModel, selectors: dict[str, LinearModel]) -> Decisions:
    """Each record answered by the selector that had not seen its corpus, always answering (no
    confidence model yet: a zero model and a bar of 0)."""
    anything = LinearModel((), (), (), ())
    decisions = Decisions([], [], [], [])
    for record in records:
        model = Model(ranker, selectors[record.item.corpus], anything, Calibration((), ()), 0.0, 0.0, {})
        result = outcome(record, model)
        decisions.corpus.append(record.item.corpus)
        decisions.features.append(result.decision or None)
        decisions.right.append(result.answer is not None and result.right)
        decisions.answerable.append(record.item.answerable)
    return decisions


def collect_all(names: list[str] | None, model: Model | None = None) -> list[Record]:
    """Every question of the corpora run through the pipeline once (the features do not depend
    on the model's weights, only the order in which the answer step reads the passages)."""
    records = []
    for corpus in corpora(names):
        started = time.monotonic()
        found = collect(corpus, model or shipped_model())
        records.extend(found)
        print(f"  {corpus.name}: {len(found)} questions in {time.monotonic() - started:.0f} s", flush=True)
    return records


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.train", description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", action="append", help="a corpus of eval/benchmark.json (default: all)")
    parser.add_argument("--output", type=Path, default=MODEL_PATH, help=f"where to write the model (default {MODEL_FILE})")
    arguments = parser.parse_args(argv)
    print("train: running every question through the pipeline", flush=True)
    records = collect_all(arguments.corpus)
    names = sorted({record.item.corpus for record in records})
    about = {"trained_on": names, "questions": len(records), "command": "make train",
             "calibrated_on": "leave-one-corpus-out predictions"}
    model = fit_model(records, about)
    model.save(arguments.output)
    print(f"train: wrote {arguments.output} (bar {model.abstain_below:.2f}, searches {model.search_abstain_below:.2f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
