"""search/confidence.py: a calibrated confidence that rises with the score, and abstention."""
from __future__ import annotations

from search.confidence import ABSTAIN_BELOW, CALIBRATION_MIDPOINT, CONFLICT_FACTOR, confidence, should_abstain


def test_confidence_rises_with_the_score_and_stays_a_probability():
    scores = [0.0, 0.3, 0.6, 0.9, 1.5]
    values = [confidence(score) for score in scores]
    assert values == sorted(values) and all(0.0 < value < 1.0 for value in values)
    assert abs(confidence(CALIBRATION_MIDPOINT) - 0.5) < 1e-9


def test_a_disputed_answer_is_less_sure():
    assert confidence(0.9, disputed=True) == confidence(0.9) * CONFLICT_FACTOR


def test_below_the_threshold_the_engine_abstains():
    assert should_abstain(ABSTAIN_BELOW - 0.01) and not should_abstain(ABSTAIN_BELOW)
