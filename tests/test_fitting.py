"""The abstention bar and the calibration that training chooses (bench/fitting.py)."""
import numpy as np

from bench.fitting import CONFIDENCE_CS, SURE_CONFIDENCE, choose_bar, choose_confidence_c, fit_calibration


def test_bar_weighs_unanswerable_questions_as_a_kind_not_by_their_count():
    # Ten answerable questions, two of them right only at confidence 0.2, and one unanswerable
    # at 0.25. Counting questions, answering at 0.2 is best (10 right against 8 + 1 at 0.3);
    # weighing each kind as a whole, abstaining on the unanswerable one is worth more than the two
    # answers it costs: (0.8 + 1) / 2 against (1.0 + 0) / 2. Any bar above 0.25 that keeps the
    # eight sure answers does that.
    confidences = [0.2, 0.2] + [0.9] * 8 + [0.25]
    right = [True] * 10 + [False]
    answerable = [True] * 10 + [False]
    assert 0.25 < choose_bar(confidences, right, answerable) <= 0.9


def test_bar_without_unanswerable_questions_keeps_every_right_answer():
    confidences = [0.35, 0.6, 0.9, None]
    right = [True, False, True, False]
    assert choose_bar(confidences, right, [True] * 4) <= 0.35


def test_bar_abstains_below_wrong_answers_it_can_spare():
    # The wrong answers stand lower than the right ones: the bar goes between them, not at the
    # edge of the right ones (0.6), where a folder whose confidences run a little lower loses them.
    confidences = [0.1, 0.15, 0.6, 0.7, 0.12]
    right = [False, False, True, True, False]
    answerable = [True, True, True, True, False]
    assert 0.15 < choose_bar(confidences, right, answerable) < 0.6


def test_a_sure_claim_holds_on_the_corpus_where_it_holds_least():
    # 200 sure answers from two corpora: all of one's hundred right, 85 of the other's. Pooled,
    # the step would claim over 0.88; a new corpus is promised what the worse one showed.
    probabilities = [0.1] * 40 + [0.9] * 200
    right = [False] * 40 + [True] * 100 + [True] * 85 + [False] * 15
    corpora = ["a", "b"] * 20 + ["a"] * 100 + ["b"] * 100
    pooled = fit_calibration(probabilities, right)
    by_corpus = fit_calibration(probabilities, right, corpora)
    assert pooled(0.9) > 0.88 and by_corpus(0.9) == 0.85
    assert by_corpus(0.1) == pooled(0.1) == 0.0
    # A corpus with fewer answers in the step than a few says little of it: it is not counted.
    few = ["a", "b"] * 20 + ["a"] * 196 + ["b"] * 4
    assert fit_calibration(probabilities, right, few)(0.9) == pooled(0.9)


def test_a_claim_below_sure_is_the_pooled_share():
    # Forty answers at 0.9, 70% right pooled (1.0 and 0.4 by corpus): under SURE_CONFIDENCE the
    # step claims its share, whatever the corpora.
    probabilities = [0.1] * 20 + [0.9] * 40
    right = [False] * 20 + [True] * 20 + [True] * 8 + [False] * 12
    corpora = ["a"] * 10 + ["b"] * 10 + ["a"] * 20 + ["b"] * 20
    pooled = fit_calibration(probabilities, right)
    assert pooled(0.9) == 0.7 and fit_calibration(probabilities, right, corpora)(0.9) == pooled(0.9)


def test_a_sure_step_on_few_answers_claims_less_than_its_share():
    # Ten answers at 0.9, all right: 100% is more than ten answers can show.
    calibration = fit_calibration([0.1] * 10 + [0.9] * 10, [False] * 10 + [True] * 10)
    assert SURE_CONFIDENCE > calibration(0.9) > 0.7


def _corpora_of(make_row, corpora: int = 4, per_corpus: int = 40):
    random = np.random.default_rng(7)
    rows, right, names = [], [], []
    for corpus in range(corpora):
        for _ in range(per_corpus):
            ok = bool(random.random() < 0.5)
            rows.append(make_row(ok, random))
            right.append(ok)
            names.append(f"corpus{corpus}")
    return rows, right, names


def test_confidence_regularisation_is_strongest_where_features_say_nothing():
    # Features unrelated to whether the answer was right: any weight learned is fitted noise,
    # and the corpora left out show it.
    rows, right, names = _corpora_of(lambda ok, random: {f"noise{i}": random.normal() for i in range(8)})
    assert choose_confidence_c(rows, right, names) == min(CONFIDENCE_CS)


def test_confidence_regularisation_is_weakest_where_a_feature_decides():
    # One feature tells right from wrong in every corpus: holding its weight back only costs.
    rows, right, names = _corpora_of(lambda ok, random: {"signal": (1.0 if ok else -1.0) + random.normal(0, 0.2)})
    assert choose_confidence_c(rows, right, names) == max(CONFIDENCE_CS)
