"""search/model.py: the arithmetic of the learned models and the shipped model file."""
from __future__ import annotations

import json
import math

import pytest

from search.model import Calibration, LinearModel, Model, shipped_model


def test_a_linear_model_standardises_each_feature_and_ignores_unknown_ones():
    model = LinearModel(("a", "b"), (2.0, -1.0), (1.0, 0.0), (0.5, 2.0), bias=0.25)
    assert model.score({"a": 2.0, "b": 4.0, "unknown": 99.0}) == pytest.approx(0.25 + 2.0 * 2.0 - 1.0 * 2.0)
    assert model.score({}) == pytest.approx(0.25 - 4.0)  # a missing feature counts as 0
    assert model.contributions({"a": 2.0, "b": 4.0}) == pytest.approx({"a": 4.0, "b": -2.0})
    assert model.probability({"a": 1.0}) == pytest.approx(1 / (1 + math.exp(-0.25)))


def test_a_huge_score_gives_a_probability_without_overflow():
    model = LinearModel(("a",), (1.0,), (0.0,), (1.0,))
    assert model.probability({"a": 5000.0}) == 1.0 and model.probability({"a": -5000.0}) == 0.0


def test_calibration_interpolates_between_breakpoints_and_holds_at_the_ends():
    calibration = Calibration((0.2, 0.6), (0.1, 0.5))
    assert calibration(0.0) == 0.1 and calibration(1.0) == 0.5
    assert calibration(0.4) == pytest.approx(0.3)
    assert Calibration((), ())(0.42) == 0.42


def test_a_model_survives_a_round_trip_through_its_file(tmp_path):
    model = shipped_model()
    model.save(tmp_path / "model.json")
    assert Model.from_dict(json.loads((tmp_path / "model.json").read_text(encoding="utf-8"))) == model


def test_the_shipped_model_is_complete_and_its_calibration_is_monotone():
    model = shipped_model()
    for part in (model.ranker, model.selector, model.confidence):
        assert len(part.features) == len(part.weights) == len(part.means) == len(part.scales) > 0
        assert all(scale > 0 for scale in part.scales)
    outputs = model.calibration.outputs
    assert list(outputs) == sorted(outputs) and all(0.0 <= value <= 1.0 for value in outputs)
    assert 0.0 < model.abstain_below <= model.search_abstain_below <= 1.0
    assert model.about.get("trained_on")  # which corpora, so that figures can say what was held out
