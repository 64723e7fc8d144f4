"""The abstention bar that training chooses (bench/fitting.py)."""
from bench.fitting import choose_bar


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
