"""Fitting the scoring models (scikit-learn, at training time only; the query path reads the
result as plain numbers, search/model.py).

- The ranker: a linear model trained on pairs of passages of one question, the one that holds an
  accepted answer against one that does not (Joachims 2002, "Optimizing search engines using
  clickthrough data": RankSVM's pairwise transform, here with logistic loss as RankNet's).
- The answer selector: a conditional logit over the candidates of one question (McFadden 1974's
  model of a choice among alternatives; the maximum-entropy answer selector of Ittycheriah et
  al. 2001): the right candidates' share of the softmax over a question's candidates is made as
  large as it can be.
- The confidence: logistic regression of whether the selected answer was right, on what the
  selector says of it and how well its passage matches, and its calibration: isotonic regression
  on predictions for corpora the confidence model was not trained on.
- The bar: the confidence below which Liner abstains, chosen for the best balanced accuracy over
  answerable and unanswerable questions.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression

from search.model import Calibration, LinearModel

# Inverse regularisation strength of both logistic regressions (scikit-learn's C): the default
# 1.0; weaker or stronger by 10x moved no corpus's leave-one-out hit@1 or answer by more than
# 0.01 in the runs recorded in docs/evaluation.md.
REGULARISATION_C = 1.0
# The smallest spread a feature is divided by when standardised (most features run from 0 to 1).
MIN_SCALE = 0.5
# The L2 penalty of the answer selector's conditional logit, on standardised features (about 700
# training questions, a few hundred features).
SELECTOR_L2 = 1.0
# The confidence model sees one row per question, and must hold on a corpus it did not see: its
# inverse regularisation strength (scikit-learn's C) is the one of these with the least log loss
# on each training corpus in turn, fitted on the others (choose_confidence_c). On the 931
# questions (2026-12-01) the shipped model chose 0.03, as did every fold in a simulation of make
# eval's folds, where 0.1 (set by hand before) kept 361 right answers at 85% abstention and 0.03
# kept 383.
CONFIDENCE_CS = (0.003, 0.01, 0.03, 0.1, 0.3, 1.0)
# Most pairs taken from one question (its positives against its negatives), so that questions
# with many passages do not outweigh the rest.
MAX_PAIRS_PER_QUESTION = 60
# A calibration step whose share of right answers is SURE_CONFIDENCE or more claims the lower end of
# a one-sided 95% interval for that share (z for 95%, one-sided); a step below claims its share.
# Every step claimed its interval's lower end until 2026-12-01: the answers were then
# under-confident by about 0.1 in every band (ECE 0.101, held out), since most steps rest on
# dozens of answers, not thousands. At 90% (z 1.2816), held out on the 931 questions (2026-12-01),
# the perlfaq fold's top step claimed 0.817 and 3 of its 12 answers there were wrong: a step's
# share right moves from corpus to corpus more than its count of answers says. At 95%: 2 answers
# at >= 80%, both right; ECE 0.086 against 0.085; always answering unchanged (458 of 834).
CALIBRATION_Z = 1.6449
# A calibration step that claims SURE_CONFIDENCE or more (the high band `liner eval` reports,
# search/evaluation.py CONFIDENCE_BANDS) claims no more than the share right of the corpus where it
# holds least, among the corpora with at least CORPUS_STEP_ANSWERS of its answers (fewer say little
# of a corpus). Held out on 2026-12-01, the perlfaq fold's top step claimed 0.816 with 3 of its 7
# answers there wrong: the corpora a step pools answer it right at different rates, and a user's
# folder is one corpus. Capping every step so left the answers under-confident (ECE 0.188); the
# lower end of an interval for the mean of the corpora's shares did not lower that step (3 of 11
# answers at >= 80% wrong, ECE 0.105).
SURE_CONFIDENCE = 0.8
CORPUS_STEP_ANSWERS = 5
# Confidence bars tried when choosing where to abstain.
BARS = tuple(round(0.05 * step, 2) for step in range(1, 20))
# The bar is chosen by the balanced accuracy of it and this many bars either side: the curve is
# flat near its top and ends in a cliff where the calibration takes a step (answered right 0.43 at
# a bar of 0.40, 0.30 at 0.50), and a user's folder shifts it; a bar at the cliff's edge is the
# first to fall.
BAR_NEIGHBOURS = 1
# The random state of the pair sampling: the same data gives the same model.
SEED = 20261129


def feature_scales(matrix: np.ndarray) -> np.ndarray:
    """Each feature's standard deviation, at least MIN_SCALE: a feature that is nearly always 0
    (a trait of one extractor, seen on few rows) would otherwise be blown up by its tiny spread
    and earn a large weight from a handful of rows."""
    return np.maximum(matrix.std(axis=0), MIN_SCALE)


@dataclass(frozen=True)
class Standardiser:
    names: tuple[str, ...]
    means: np.ndarray
    scales: np.ndarray

    @classmethod
    def of(cls, rows: list[dict[str, float]]) -> "Standardiser":
        names = tuple(sorted({name for row in rows for name in row}))
        matrix = np.array([[row.get(name, 0.0) for name in names] for row in rows], dtype=float)
        return cls(names, matrix.mean(axis=0), feature_scales(matrix))

    def matrix(self, rows: list[dict[str, float]]) -> np.ndarray:
        raw = np.array([[row.get(name, 0.0) for name in self.names] for row in rows], dtype=float)
        return (raw - self.means) / self.scales

    def model(self, weights: np.ndarray, bias: float = 0.0) -> LinearModel:
        return LinearModel(self.names, tuple(float(w) for w in weights), tuple(float(m) for m in self.means),
                           tuple(float(s) for s in self.scales), float(bias))


def fit_ranker(questions: list[tuple[list[dict[str, float]], list[bool]]]) -> LinearModel:
    """A linear ranker from (passage features, is a hit) per question."""
    standardiser = Standardiser.of([row for rows, _ in questions for row in rows])
    random = np.random.default_rng(SEED)
    differences = []
    for rows, hits in questions:
        positives = [i for i, hit in enumerate(hits) if hit]
        negatives = [i for i, hit in enumerate(hits) if not hit]
        pairs = [(p, n) for p in positives for n in negatives]
        if not pairs:
            continue
        if len(pairs) > MAX_PAIRS_PER_QUESTION:
            pairs = [pairs[i] for i in random.choice(len(pairs), MAX_PAIRS_PER_QUESTION, replace=False)]
        matrix = standardiser.matrix(rows)
        differences.extend(matrix[p] - matrix[n] for p, n in pairs)
    data = np.array(differences)
    labels = np.r_[np.ones(len(data)), np.zeros(len(data))]
    regression = LogisticRegression(C=REGULARISATION_C, fit_intercept=False, max_iter=2000)
    regression.fit(np.r_[data, -data], labels)
    return standardiser.model(regression.coef_[0])


def fit_selector(matrix: np.ndarray, right: np.ndarray, question: np.ndarray, penalty: float = SELECTOR_L2) -> np.ndarray:
    """The weights of a conditional logit: for each question (rows sharing a `question` id, which
    stand together) with a right and a wrong candidate, the softmax probability of its right
    candidates is maximised, under an L2 penalty."""
    from scipy.optimize import minimize

    starts = np.flatnonzero(np.r_[True, question[1:] != question[:-1]])
    group = np.repeat(np.arange(len(starts)), np.diff(np.r_[starts, len(question)]))
    positives = np.add.reduceat(right, starts)
    sizes = np.diff(np.r_[starts, len(question)])
    keep = ((positives > 0) & (positives < sizes))[group]
    matrix, right, question = matrix[keep], right[keep], question[keep]
    starts = np.flatnonzero(np.r_[True, question[1:] != question[:-1]])
    group = np.repeat(np.arange(len(starts)), np.diff(np.r_[starts, len(question)]))

    def loss_and_gradient(weights: np.ndarray) -> tuple[float, np.ndarray]:
        scores = matrix @ weights
        top = np.maximum.reduceat(scores, starts)
        exp = np.exp(scores - top[group])
        total = np.add.reduceat(exp, starts)
        exp_right = exp * right
        total_right = np.add.reduceat(exp_right, starts)
        loss = float(np.sum(np.log(total) - np.log(total_right)) + 0.5 * penalty * weights @ weights)
        gradient = matrix.T @ (exp / total[group] - exp_right / total_right[group]) + penalty * weights
        return loss, gradient

    solution = minimize(loss_and_gradient, np.zeros(matrix.shape[1]), jac=True, method="L-BFGS-B",
                        options={"maxiter": 500})
    return solution.x


def fit_confidence(rows: list[dict[str, float]], right: list[bool], c: float) -> LinearModel:
    """The probability that the selected answer is right, from its decision features, under the
    inverse regularisation strength `c`."""
    standardiser = Standardiser.of(rows)
    regression = LogisticRegression(C=c, max_iter=3000)
    regression.fit(standardiser.matrix(rows), np.array(right, dtype=float))
    return standardiser.model(regression.coef_[0], regression.intercept_[0])


def choose_confidence_c(rows: list[dict[str, float]], right: list[bool], corpora: list[str]) -> float:
    """The C of CONFIDENCE_CS whose confidence models, each fitted on all corpora but one, give
    the least log loss on the corpora they left out: the regularisation a new folder needs,
    chosen on the training corpora alone."""
    labels, groups = np.array(right, dtype=float), np.array(corpora)

    def held_out_loss(c: float) -> float:
        losses = []
        for corpus in np.unique(groups):
            fitted = np.flatnonzero(groups != corpus)
            if len(set(labels[fitted])) < 2:
                continue
            model = fit_confidence([rows[i] for i in fitted], [right[i] for i in fitted], c)
            for i in np.flatnonzero(groups == corpus):
                p = min(max(model.probability(rows[i]), 1e-6), 1 - 1e-6)
                losses.append(-np.log(p) if labels[i] else -np.log(1 - p))
        return float(np.mean(losses)) if losses else 0.0
    return min(CONFIDENCE_CS, key=held_out_loss)


def fit_calibration(probabilities: list[float], right: list[bool], corpora: list[str] | None = None) -> Calibration:
    """How often the best answer was right, by the confidence model's probability: isotonic
    regression (monotone; Zadrozny and Elkan 2002), each step claiming its share of right answers.
    These probabilities come from corpora the models had not seen, and a user's folder is another
    such corpus: a claim of 80% should hold there, not only on average. So a step whose share is
    SURE_CONFIDENCE or more claims the lower end of a one-sided interval for it (Wilson 1927's
    score interval: a step resting on few answers claims less), and no more than the share right
    of the corpus (of `corpora`, each answer's) where it holds least, among those with
    CORPUS_STEP_ANSWERS answers in it."""
    if len(set(right)) < 2:
        return Calibration((), ())
    order = np.argsort(probabilities)
    xs = np.array(probabilities)[order]
    ys = np.array(right, dtype=float)[order]
    groups = np.array(corpora if corpora is not None else [""] * len(xs))[order]
    fitted = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip").fit(xs, ys).predict(xs)
    inputs, outputs, floor = [], [], 0.0
    start = 0
    for end in range(1, len(xs) + 1):
        if end < len(xs) and fitted[end] == fitted[start]:
            continue
        claim = ys[start:end].mean()
        if claim >= SURE_CONFIDENCE:  # a sure claim holds for a new folder and on every corpus that shows it
            claim = min(_wilson_lower(claim, end - start), _worst_corpus(ys[start:end], groups[start:end]))
        floor = max(floor, claim)
        inputs += [float(xs[start]), float(xs[end - 1])]
        outputs += [floor, floor]
        start = end
    return Calibration(tuple(inputs), tuple(outputs))


def _worst_corpus(right: np.ndarray, corpora: np.ndarray) -> float:
    """The lowest share right of one corpus among the answers of a step, counting the corpora
    with CORPUS_STEP_ANSWERS answers there (1.0 when none has that many)."""
    shares = [right[corpora == corpus].mean() for corpus in np.unique(corpora)
              if np.count_nonzero(corpora == corpus) >= CORPUS_STEP_ANSWERS]
    return float(min(shares, default=1.0))


def _wilson_lower(share: float, count: int, z: float = CALIBRATION_Z) -> float:
    """The lower end of the Wilson score interval for a share of `count` trials."""
    centre = share + z * z / (2 * count)
    spread = z * np.sqrt(share * (1 - share) / count + z * z / (4 * count * count))
    return float(max(0.0, (centre - spread) / (1 + z * z / count)))


def choose_bar(confidences: list[float | None], right_if_answered: list[bool], answerable: list[bool]) -> float:
    """The confidence bar below which Liner abstains: the one with the best balanced accuracy
    (around it: BAR_NEIGHBOURS), the mean of the share of answerable questions answered right and
    the share of unanswerable ones abstained on. Each kind counts as a whole, not by how many the
    benchmark has: about one question in ten is unanswerable there because the benchmark was
    written so, and a user's folder leaves another share unanswered. Ties go to the higher bar (a
    wrong answer costs more trust than an abstention)."""
    can = [(confidence, right) for confidence, right, a in zip(confidences, right_if_answered, answerable) if a]
    cannot = [confidence for confidence, a in zip(confidences, answerable) if not a]

    def balanced(bar: float) -> float:
        rates = []
        if can:
            rates.append(sum(right and _answered(confidence, bar) for confidence, right in can) / len(can))
        if cannot:
            rates.append(sum(not _answered(confidence, bar) for confidence in cannot) / len(cannot))
        return sum(rates) / len(rates) if rates else 0.0
    accuracy = [balanced(bar) for bar in BARS]

    def around(index: int) -> float:  # the mean over the bar and its neighbours
        near = accuracy[max(0, index - BAR_NEIGHBOURS) : index + BAR_NEIGHBOURS + 1]
        return sum(near) / len(near)
    return BARS[max(range(len(BARS)), key=lambda index: (around(index), BARS[index]))]


def _answered(confidence: float | None, bar: float) -> bool:
    return confidence is not None and confidence >= bar
