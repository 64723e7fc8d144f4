"""The learned scoring: linear models over named features, and the calibration of the answer's
confidence, read from search/model.json (written by `make train`, bench/train.py).

Inference is arithmetic: a standardised feature vector times the weights, and for the answer a
logistic function and a monotone calibration table (isotonic regression, Zadrozny & Elkan 2002,
"Transforming classifier scores into accurate multiclass probability estimates", KDD), fitted on
predictions for corpora the model was not trained on. No learning library is imported here.
"""
from __future__ import annotations

import bisect
import json
import math
from dataclasses import dataclass
from functools import cache, cached_property
from importlib import resources
from pathlib import Path

MODEL_FILE = "model.json"


@dataclass(frozen=True)
class LinearModel:
    """score = bias + sum of weight * (value - mean) / scale, over named features; a feature the
    model does not know is ignored, one it knows but is not given counts as 0."""

    features: tuple[str, ...]
    weights: tuple[float, ...]
    means: tuple[float, ...]
    scales: tuple[float, ...]
    bias: float = 0.0

    @classmethod
    def from_dict(cls, data: dict) -> "LinearModel":
        return cls(tuple(data["features"]), tuple(data["weights"]), tuple(data["means"]), tuple(data["scales"]),
                   float(data.get("bias", 0.0)))

    def to_dict(self) -> dict:
        return {"features": list(self.features), "weights": list(self.weights), "means": list(self.means),
                "scales": list(self.scales), "bias": self.bias}

    def score(self, values: dict[str, float]) -> float:
        """bias + sum of weight * (value - mean) / scale: the constant part once, then only the
        features `values` holds (a candidate has a few dozen of the selector's ~170)."""
        coefficient_of = self._coefficients.get  # bound once: called for every feature of every candidate
        total = self._intercept
        for name, value in values.items():
            # A zero adds nothing (coefficient * 0.0 is a zero), and most of a candidate's features
            # are zeros (one of its ~30 source_* is 1): they are not looked up.
            if value:
                coefficient = coefficient_of(name)
                if coefficient is not None:
                    total += coefficient * value
        return total

    @cached_property
    def _coefficients(self) -> dict[str, float]:
        return {name: weight / scale for name, weight, scale in zip(self.features, self.weights, self.scales)}

    @cached_property
    def _intercept(self) -> float:
        """The score of no features at all: the bias less each feature's mean, weighted."""
        return self.bias - sum(weight * mean / scale for weight, mean, scale in zip(self.weights, self.means, self.scales))

    def probability(self, values: dict[str, float]) -> float:
        return _logistic(self.score(values))

    def contributions(self, values: dict[str, float]) -> dict[str, float]:
        """What each feature adds to the score (for `liner ask --explain`)."""
        return {name: weight * (values.get(name, 0.0) - mean) / scale
                for name, weight, mean, scale in zip(self.features, self.weights, self.means, self.scales)}


@dataclass(frozen=True)
class Calibration:
    """A monotone map from a model's probability to the share of such answers that were right,
    as breakpoints, interpolated linearly between them."""

    inputs: tuple[float, ...]
    outputs: tuple[float, ...]

    @classmethod
    def from_dict(cls, data: dict) -> "Calibration":
        return cls(tuple(data["inputs"]), tuple(data["outputs"]))

    def to_dict(self) -> dict:
        return {"inputs": list(self.inputs), "outputs": list(self.outputs)}

    def __call__(self, probability: float) -> float:
        xs, ys = self.inputs, self.outputs
        if not xs:
            return probability
        if probability <= xs[0]:
            return ys[0]
        if probability >= xs[-1]:
            return ys[-1]
        i = bisect.bisect_right(xs, probability)
        x0, x1, y0, y1 = xs[i - 1], xs[i], ys[i - 1], ys[i]
        return y0 if x1 == x0 else y0 + (y1 - y0) * (probability - x0) / (x1 - x0)


@dataclass(frozen=True)
class Model:
    """Everything `make train` fits: the passage ranker, the answer selector (which candidate is
    the answer), the confidence model (how likely that answer is right) and its calibration, and
    the confidence below which Liner abstains (for questions, and the higher bar for keyword and
    phrase searches)."""

    ranker: LinearModel
    selector: LinearModel
    confidence: LinearModel
    calibration: Calibration
    abstain_below: float
    search_abstain_below: float
    about: dict

    @classmethod
    def from_dict(cls, data: dict) -> "Model":
        return cls(LinearModel.from_dict(data["ranker"]), LinearModel.from_dict(data["selector"]),
                   LinearModel.from_dict(data["confidence"]), Calibration.from_dict(data["calibration"]),
                   float(data["abstain_below"]), float(data["search_abstain_below"]), data.get("about", {}))

    def to_dict(self) -> dict:
        return {"about": self.about, "ranker": self.ranker.to_dict(), "selector": self.selector.to_dict(),
                "confidence": self.confidence.to_dict(), "calibration": self.calibration.to_dict(),
                "abstain_below": self.abstain_below, "search_abstain_below": self.search_abstain_below}

    def save(self, path: Path) -> None:
        Path(path).write_text(json.dumps(self.to_dict(), indent=1) + "\n", encoding="utf-8")


@cache
def shipped_model() -> Model:
    """The model in search/model.json, read once per process."""
    text = resources.files("search").joinpath(MODEL_FILE).read_text(encoding="utf-8")
    return Model.from_dict(json.loads(text))


def _logistic(score: float) -> float:
    if score >= 0:
        return 1.0 / (1.0 + math.exp(-score))
    exp = math.exp(score)
    return exp / (1.0 + exp)
