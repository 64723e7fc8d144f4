"""How sure an answer is: a calibrated confidence from its score, and when to abstain.

Logistic calibration (Platt 1999, "Probabilistic outputs for support vector machines"), fitted to
the answers of our two QA sets (seeds and notes; docs/evaluation.md):
confidence = 1 / (1 + exp(-CALIBRATION_SLOPE * (score - CALIBRATION_MIDPOINT))).
"""
from __future__ import annotations

import math

CALIBRATION_SLOPE = 8.0
CALIBRATION_MIDPOINT = 0.65
# Below this score the engine abstains: measured so unanswerable questions abstain while answered
# ones keep their answers (docs/evaluation.md has the calibration table).
ABSTAIN_BELOW = 0.55
# When another source gives a different value, the answer is this much less sure.
CONFLICT_FACTOR = 0.8


def should_abstain(score: float) -> bool:
    return score < ABSTAIN_BELOW


def confidence(score: float, disputed: bool = False) -> float:
    """The probability that an answer of this score is right, lowered when sources disagree."""
    calibrated = 1.0 / (1.0 + math.exp(-CALIBRATION_SLOPE * (score - CALIBRATION_MIDPOINT)))
    return calibrated * (CONFLICT_FACTOR if disputed else 1.0)
