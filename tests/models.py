"""Small hand-set models for the unit tests of the stages that read one (search/model.py): what
a test checks is the mechanics (which candidate wins for which reason, when Liner abstains), not
the shipped weights, which `make train` changes."""
from __future__ import annotations

from search.model import Calibration, LinearModel, Model


def linear(weights: dict[str, float], bias: float = 0.0) -> LinearModel:
    names = tuple(weights)
    return LinearModel(names, tuple(weights[name] for name in names), (0.0,) * len(names), (1.0,) * len(names), bias)


def model(selector: dict[str, float] | None = None, bar: float = 0.5, confidence_weight: float = 8.0) -> Model:
    """Ranker by BM25 and coverage; selector by `selector` (by default: its sentence's coverage,
    its passage's rank and whether its type is the one asked); confidence from the selector's
    share of the probability (0.5 at a share of 0.5)."""
    return Model(
        ranker=linear({"bm25": 1.0, "coverage": 1.0}),
        selector=linear(selector or {"unit_coverage": 2.0, "passage_rank": 2.0, "type_match": 1.0, "nearness": 1.0,
                                     "field_match": 2.0}),
        confidence=linear({"selector_share": confidence_weight}, -confidence_weight / 2),
        calibration=Calibration((), ()),
        abstain_below=bar,
        search_abstain_below=max(bar, 0.8),
        about={"note": "a test model"},
    )
