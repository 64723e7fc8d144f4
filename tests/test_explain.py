"""search/explain.py: `liner ask --explain` shows what the pipeline computed, and it adds up."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from search.cli import main
from search.explain import SHOWN_FEATURES, SHOWN_PASSAGES, render_explanation


@pytest.fixture(scope="module")
def explained(engine):
    return engine.ask("Who plays Joanna Kassem?", explain_answer=True)


def test_each_passage_shown_is_a_ranked_passage_and_its_strongest_features(engine, explained):
    passages = explained.explanation.passages
    assert 0 < len(passages) <= SHOWN_PASSAGES
    scores = [p["score"] for p in passages]
    assert scores == sorted(scores, reverse=True)  # in the ranker's order
    for passage in passages:
        because = passage["because"]
        assert 0 < len(because) <= SHOWN_FEATURES
        sizes = [abs(value) for value in because.values()]
        assert sizes == sorted(sizes, reverse=True)  # the features that moved it most, first


def test_the_contributions_add_up_to_the_rankers_score(engine):
    """A linear model's score is its bias plus what each feature adds: the explanation's figures
    are the model's own, not a story told beside it."""
    answered = engine.answer("Who plays Joanna Kassem?")
    ranker = engine.model.ranker
    for passage in answered.ranked[:5]:
        total = ranker.bias + sum(ranker.contributions(passage.features).values())
        assert total == pytest.approx(passage.score, abs=1e-6)


def test_the_decision_matches_the_answer_given(engine, explained):
    decision = explained.explanation.decision
    assert (decision["outcome"] == "answered") == (explained.answer is not None)
    if explained.answer is not None:
        assert decision["confidence"] >= decision["bar"]


def test_an_abstention_is_explained_too(engine):
    response = engine.ask("What is the boiling point of mercury on Mars?", explain_answer=True)
    decision = response.explanation.decision
    assert response.answer is None and decision["outcome"] == "abstained"
    assert "decision: abstained" in render_explanation(response.explanation)


def test_the_cli_prints_it_after_the_passages_and_json_carries_it(seeds_index):
    runner = CliRunner()
    text = runner.invoke(main, ["ask", "Who plays Joanna Kassem?", "--index", str(seeds_index), "--explain"]).output
    assert text.index("Why this answer:") > text.index("1. ")
    assert "word weights:" in text and "decision:" in text
    data = json.loads(runner.invoke(main, ["ask", "Who plays Joanna Kassem?", "--index", str(seeds_index), "--json",
                                           "--explain"]).output)
    assert set(data["explanation"]) == {"question", "passages", "candidates", "decision"}
