"""The JSON contract (search/answer.schema.json) as every producer emits it.

Every object from `liner ask --json`, `liner search --json`, `liner ask/search --jsonl` and
`Response.to_dict()` must validate, and what it cites must hold: each result's text stands
verbatim at its lines, the answer's sentence at its lines, and highlights fall inside the snippet
on matched words.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINER = Path(sys.executable).parent / "liner"
TOKEN = re.compile(r"\w+(?:['’]\w+)*")

ODD_LINES = [
    "",
    "   ",
    "*",
    "-",
    '"unbalanced quote',
    "title:",
    "AND OR NOT",
    "[a TO z] {b} (c)",
    "foo:bar",
    "Jenna*~^2",
    "🙂 🎶",
    "Wer spielt Joanna Kassem?",
    "x" * 2000,
    "the of and",
]
QUESTIONS = [
    "Who plays Joanna Kassem?",
    "When did Netflix cancel Soundtrack?",
    "How many episodes does Soundtrack have?",
    "What is the rating on Rotten Tomatoes?",
    "Who directed Titanic?",
    '"Pennies From Heaven"',
    "soundtrack cast",
]


def liner(*args: str, index: Path, stdin: str | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "LINER_INDEX": str(index)}
    return subprocess.run([str(LINER), *args], input=stdin, capture_output=True, text=True, cwd=ROOT, env=env, timeout=300)


def file_lines(path: str) -> list[str]:
    file = Path(path)
    assert not file.is_absolute(), f"{path} should be relative to the project root"
    text = (ROOT / file).read_text(encoding="utf-8-sig")
    return [line[:-1] if line.endswith("\r") else line for line in text.split("\n")]


def fold(text: str) -> str:
    return " ".join(text.split())


def words_within(part: str, whole: str) -> bool:
    """The words of `part` stand together, in order, in `whole`: a display form (markup such as
    table pipes taken out) still comes from the text it is shown for."""
    part_words, whole_words = TOKEN.findall(part), TOKEN.findall(whole)
    return any(whole_words[i : i + len(part_words)] == part_words for i in range(len(whole_words) - len(part_words) + 1))


def check_object(data: dict, validator, query: str | None = None) -> None:
    """Schema-valid, and every citation holds."""
    errors = sorted(validator.iter_errors(data), key=lambda error: list(error.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors]
    if query is not None:
        assert data["query"] == query
    results = data["results"]
    assert [hit["rank"] for hit in results] == list(range(1, len(results) + 1))
    assert data.get("total", len(results)) >= len(results)
    for hit in results:
        where = f"{hit['path']}:L{hit['line_start']}-L{hit['line_end']}"
        lines = file_lines(hit["path"])
        assert hit["line_start"] <= hit["line_end"] <= len(lines), where
        cited = "\n".join(lines[hit["line_start"] - 1 : hit["line_end"]])
        assert hit["text"].strip() and fold(hit["text"]) in fold(cited), f"{where}: text is not at its lines"
        snippet = hit["snippet"]
        assert words_within(snippet.strip("…"), hit["text"]), f"{where}: snippet is not from the text"
        previous = 0
        for start, end in hit.get("highlights", []):
            assert previous <= start < end <= len(snippet), (where, start, end, len(snippet))
            # a run of whole matched words ("Joanna Kassem", a phrase), never part of one
            assert all(TOKEN.fullmatch(word) for word in snippet[start:end].split()), (where, snippet[start:end])
            assert start == 0 or not snippet[start - 1].isalnum(), (where, start)
            assert end == len(snippet) or not snippet[end].isalnum(), (where, end)
            previous = end
        for ref in hit.get("also_in", []):
            other = file_lines(ref["path"])
            assert 1 <= ref["line_start"] <= ref["line_end"] <= len(other)
    answer = data["answer"]
    if answer is not None:
        lines = file_lines(answer["path"])
        assert 1 <= answer["line_start"] <= answer["line_end"] <= len(lines)
        cited = fold("\n".join(lines[answer["line_start"] - 1 : answer["line_end"]]))
        if "sentence" in answer:
            assert words_within(answer["sentence"], cited), "the answer's sentence is not at its lines"
    for conflict in data.get("conflicts", []):
        lines = file_lines(conflict["path"])
        cited = fold("\n".join(lines[conflict["line_start"] - 1 : conflict["line_end"]]))
        if "sentence" in conflict:
            assert words_within(conflict["sentence"], cited)


# -- the CLI as a program uses it ----------------------------------------------------------------------


def test_ask_json_validates_and_cites(seeds_index, answer_validator):
    result = liner("ask", "--json", "Who plays Joanna Kassem?", index=seeds_index)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    check_object(data, answer_validator, "Who plays Joanna Kassem?")
    assert data["answer"]["text"] == "Jenna Dewan"


def test_search_json_validates_and_cites(seeds_index, answer_validator):
    result = liner("search", "--json", '"Pennies From Heaven"', index=seeds_index)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    check_object(data, answer_validator, '"Pennies From Heaven"')
    assert data["answer"] is None and len(data["results"]) == 2


def test_search_json_with_nothing_found_still_validates(seeds_index, answer_validator):
    result = liner("search", "--json", '"pennies heaven"', index=seeds_index)
    assert result.returncode == 1
    check_object(json.loads(result.stdout), answer_validator)


@pytest.mark.parametrize("command", ["ask", "search"])
def test_jsonl_answers_every_line_with_a_valid_object(seeds_index, answer_validator, command):
    lines = QUESTIONS + ODD_LINES
    result = liner(command, "--jsonl", index=seeds_index, stdin="".join(line + "\n" for line in lines))
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    objects = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(objects) == len(lines), "one object per input line, in order"
    for line, data in zip(lines, objects):
        check_object(data, answer_validator, line)
    errors = {data["query"] for data in objects if "error" in data}
    assert {"", "   ", "*", "-", "x" * 2000} <= errors
    assert not errors & set(QUESTIONS)


def test_jsonl_with_windows_line_ends(seeds_index, answer_validator):
    result = liner("ask", "--jsonl", index=seeds_index, stdin="Who plays Joanna Kassem?\r\nWho created Soundtrack?\r\n")
    objects = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(objects) == 2
    for data in objects:
        check_object(data, answer_validator)
    assert objects[0]["answer"]["text"] == "Jenna Dewan"


# -- Response.to_dict(), the source of every front end ---------------------------------------------------


def qa_questions(name: str) -> list[str]:
    return [json.loads(line)["question"] for line in (ROOT / name).read_text(encoding="utf-8").splitlines() if line.strip()]


def test_every_seed_question_gives_a_valid_cited_response(engine, answer_validator):
    from search.query import QueryError

    for question in qa_questions("eval/qa_seeds.jsonl") + QUESTIONS + ODD_LINES:
        for method in (engine.ask, engine.search):
            try:
                response = method(question)
            except QueryError:
                continue
            check_object(json.loads(json.dumps(response.to_dict())), answer_validator, question)


def test_every_notes_question_gives_a_valid_cited_response(notes_engine, answer_validator):
    for question in qa_questions("tests/data/notes_qa.jsonl"):
        for method in (notes_engine.ask, notes_engine.search):
            check_object(method(question).to_dict(), answer_validator, question)


def test_limits_are_honoured_in_the_contract(engine, answer_validator):
    for limit in (1, 3, 100):
        data = engine.search("netflix", limit=limit).to_dict()
        check_object(data, answer_validator)
        assert len(data["results"]) <= limit


def test_answers_are_short(engine):
    for question in qa_questions("eval/qa_seeds.jsonl"):
        answer = engine.ask(question).answer
        if answer is not None:
            assert len(answer.text) <= 120 and 0 <= answer.confidence <= 1
