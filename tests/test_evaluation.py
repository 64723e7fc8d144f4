"""search/evaluation.py: the metrics themselves, and quality on our QA set kept from regressing.

Thresholds sit a little under what `liner eval` measured with the shipped model on 2026-11-29:
hit@1 0.854, hit@5 0.951, MRR@10 0.900, answers 0.732, abstention 0.667, attribution 1.0. The
model was trained with these questions among others (in-sample): this guards against breakage;
docs/evaluation.md has the figures on corpora a model had not seen.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from search.evaluation import answer_is_right, evaluate, evaluate_file, format_report, stands_at_lines

QA_FILE = Path(__file__).resolve().parent.parent / "eval" / "qa_seeds.jsonl"


@pytest.fixture(scope="module")
def report(engine):
    return evaluate_file(engine, QA_FILE)


def test_an_answer_is_right_when_it_contains_an_accepted_one_or_sits_inside_a_long_one():
    assert answer_is_right("Jenna Dewan", ["Jenna Dewan"])
    assert answer_is_right("December 18, 2019", ["December 18, 2019", "2019-12-18"])
    assert answer_is_right("the 51–60 minutes", ["51-60 minutes"])  # dashes and case fold
    assert answer_is_right("Dewan", ["Jenna Dewan"])
    assert not answer_is_right("Dew", ["Jenna Dewan"])  # too short to count as inside
    assert not answer_is_right(None, ["Jenna Dewan"])
    assert not answer_is_right("Callie Hernandez", ["Jenna Dewan"])


def test_attribution_checks_the_cited_lines_of_the_file():
    lines: dict = {}
    good = {"path": "seeds/003_77ca1b77362e00a9.txt", "line_start": 33, "line_end": 33,
            "text": "- Jenna Dewan as Joanna Kassem, a former struggling dancer who is now a social worker"}
    assert stands_at_lines(good, lines)
    assert not stands_at_lines({**good, "line_start": 34, "line_end": 34}, lines)
    assert not stands_at_lines({**good, "path": "seeds/missing.txt"}, lines)


def test_unanswerable_questions_count_towards_abstention(engine):
    rows = [
        {"id": "x1", "question": "Who directed Titanic?", "answers": [], "kind": "unanswerable"},
        {"id": "x2", "question": "Who plays Joanna Kassem?", "answers": ["Jenna Dewan"], "kind": "who"},
    ]
    result = evaluate(engine, rows)
    assert result["per_kind"]["unanswerable"]["abstention"] == 1.0
    assert result["per_kind"]["who"]["answer"] == 1.0
    assert "abstention" not in result["per_kind"]["who"]


def test_the_report_prints_every_kind_and_the_calibration(report):
    text = format_report(report)
    for kind in report["per_kind"]:
        assert kind in text
    assert "calibration" in text


def test_our_qa_set_covers_every_question_type():
    rows = [json.loads(line) for line in QA_FILE.read_text(encoding="utf-8").splitlines() if line.strip()]
    kinds = {row["kind"] for row in rows}
    assert len(rows) >= 60
    assert {"who", "when", "where", "how_many", "how_long", "what", "which", "why", "yes_no", "keyword", "phrase",
            "typo", "unanswerable", "conflict"} <= kinds


# In-sample floors, each a question or two under the shipped model's figures. hit@1 went from 0.83
# to 0.82 when the model stopped preferring passages with a negation for yes/no questions (a prior
# the benchmark's 72 'no' answers of 89 had taught it): "Did Fox order the pilot to series?"
# ranks the passage that says Fox passed on it second. It went from 0.829 to 0.817 with the refit
# of 2026-12-01 (release headings, options in questions): "What did Cary Fukunaga call Netflix?"
# ranks the passage that quotes him second, under one that names Netflix twice.
@pytest.mark.parametrize("metric, floor", [
    ("hit@1", 0.81), ("hit@5", 0.93), ("mrr@10", 0.87), ("answer", 0.70), ("abstention", 0.65), ("attribution", 1.0),
])
def test_quality_on_our_qa_set_does_not_regress(report, metric, floor):
    assert report["overall"][metric] >= floor, format_report(report)


def test_higher_confidence_is_right_more_often(report):
    bands = [row for row in report["calibration"] if row["answers"] >= 5]
    shares = [row["right"] for row in bands]
    assert shares == sorted(shares), report["calibration"]
