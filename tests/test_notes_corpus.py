"""Quality on our second corpus (tests/data/notes, questions in tests/data/notes_qa.jsonl).

The notes are one of the benchmark's corpora (eval/benchmark.json), so the shipped model
(search/model.json, `make train`) has seen them: the figures here are in-sample, a guard against
a pipeline that breaks, not a measure of quality. What the model does on corpora it has not seen
is measured leaving each corpus out in turn (`make eval`, docs/evaluation.md). Each metric is
asserted a little under what the shipped model measures (2026-11-29: hit@1 0.83, hit@5 0.96,
answer 0.78 (18 of 23), abstention 1 of 2, attribution 1.00); which single questions are right
moves when the model is trained again, so none is pinned, but the behaviours below are.
"""
from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
QA_FILE = ROOT / "tests" / "data" / "notes_qa.jsonl"
ROWS = [json.loads(line) for line in QA_FILE.read_text(encoding="utf-8").splitlines() if line.strip()]
BY_ID = {row["id"]: row for row in ROWS}


def normalize(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).lower().replace("’", "'").replace("–", "-")
    return re.sub(r"\s+", " ", text).strip()


def contains_answer(text: str | None, accepted: list[str]) -> bool:
    return bool(text) and any(normalize(a) in normalize(text) for a in accepted)


def answer_is_right(text: str | None, accepted: list[str]) -> bool:
    if not text:
        return False
    got = normalize(text)
    return any(normalize(a) in got or (len(got) >= 4 and got in normalize(a)) for a in accepted)


@pytest.fixture(scope="module")
def responses(notes_engine) -> dict[str, dict]:
    return {row["id"]: notes_engine.ask(row["question"]).to_dict() for row in ROWS}


def answerable() -> list[dict]:
    return [row for row in ROWS if row["answers"]]


def first_rank_with_answer(response: dict, accepted: list[str]) -> int | None:
    for rank, hit in enumerate(response["results"][:10], 1):
        if contains_answer(hit["text"], accepted):
            return rank
    return None


def share(values: list[bool]) -> float:
    return sum(values) / len(values)


# -- retrieval -------------------------------------------------------------------------------------------


def test_hit_at_5(responses):
    hits = [(first_rank_with_answer(responses[row["id"]], row["answers"]) or 99) <= 5 for row in answerable()]
    assert share(hits) >= 0.90, [row["id"] for row, hit in zip(answerable(), hits) if not hit]


def test_hit_at_1(responses):
    hits = [first_rank_with_answer(responses[row["id"]], row["answers"]) == 1 for row in answerable()]
    assert share(hits) >= 0.78, [row["id"] for row, hit in zip(answerable(), hits) if not hit]


def test_a_source_document_is_in_the_top_5(responses):
    hits = [any(hit["path"] in row["sources"] for hit in responses[row["id"]]["results"][:5]) for row in answerable()]
    assert share(hits) >= 0.90, [row["id"] for row, hit in zip(answerable(), hits) if not hit]


def test_every_top_passage_stands_at_its_cited_lines(responses):
    for response in responses.values():
        for hit in response["results"][:5]:
            lines = (ROOT / hit["path"]).read_text(encoding="utf-8").split("\n")
            cited = " ".join(lines[hit["line_start"] - 1 : hit["line_end"]])
            assert " ".join(hit["text"].split()) in " ".join(cited.split()), hit["path"]


# -- answers ----------------------------------------------------------------------------------------------

def test_answer_accuracy(responses):
    right = [answer_is_right((responses[row["id"]]["answer"] or {}).get("text"), row["answers"]) for row in answerable()]
    assert share(right) >= 0.73, [row["id"] for row, ok in zip(answerable(), right) if not ok]


def test_an_unanswerable_question_abstains(responses):
    assert responses["n020"]["answer"] is None  # calories of a cardamom knot: the notes never say


@pytest.mark.parametrize("question", ["Who is the garden coordinator?", "Who is the garden cordinator?"])
def test_an_accented_name_is_an_answer(notes_engine, question):
    answer = notes_engine.ask(question).answer
    assert answer is not None and answer.text == "Tomás Reyes"


def test_a_price_keeps_its_currency_sign(notes_engine):
    answer = notes_engine.ask(BY_ID["n015"]["question"]).answer
    assert answer is not None and answer.text == "$35"


def test_a_street_is_never_the_answer_to_who(responses):
    for row in ROWS:
        if row["question"].startswith("Who"):
            answer = responses[row["id"]]["answer"]
            assert answer is None or not answer["text"].endswith("Street"), (row["question"], answer["text"])


def test_two_ratings_from_two_sources_are_a_conflict(responses):
    response = responses["n022"]  # 4.5 stars in bakery.md, 4.2 stars in bakery_wiki.txt
    values = [response["answer"]["text"]] + [conflict["text"] for conflict in response["conflicts"]]
    assert any("4.5" in value for value in values) and any("4.2" in value for value in values)
    paths = {response["answer"]["path"]} | {conflict["path"] for conflict in response["conflicts"]}
    assert paths == {"tests/data/notes/bakery.md", "tests/data/notes/bakery_wiki.txt"}


PLACES = {"Ashby Ridge", "Market Street", "Depot Street", "Portland", "Gothenburg", "Cascade Valley", "Pellham Hardware"}


def test_a_place_is_never_the_answer_to_who(notes_engine, responses):
    extra = ["Who designed the Crumb & Kettle logo?", "Who painted the tool shed?", "Who built the rain barrels?"]
    answers = [responses[row["id"]]["answer"] for row in ROWS if row["question"].startswith("Who")]
    answers += [notes_engine.ask(question).to_dict()["answer"] for question in extra]
    assert not [answer["text"] for answer in answers if answer and answer["text"] in PLACES]
