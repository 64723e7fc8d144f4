"""search/cli.py: the `liner` command as a user runs it: help, exit codes, formats, output order.

Exit codes: 0 found, 1 nothing found (or the question not answered), 2 bad query or usage,
3 missing or unreadable index. Most tests run the installed `liner` in a subprocess, so stdout is
a pipe, as in scripts; a few use click's runner for speed.
"""
from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from search.cli import main

ROOT = Path(__file__).resolve().parent.parent
LINER = Path(sys.executable).parent / "liner"
ANSI = re.compile(r"\x1b\[[0-9;]*m")
CITATION = re.compile(r"(?:seeds|tests/data)/[\w./-]+:L\d+-L\d+")


def run_liner(*args: str, index: Path | None = None, stdin: str | None = None, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    env = {**os.environ, "NO_COLOR": "", "TERM": "xterm-256color"}
    env.pop("LINER_INDEX", None)
    if index is not None:
        env["LINER_INDEX"] = str(index)
    return subprocess.run([str(LINER), *args], input=stdin, capture_output=True, text=True, cwd=cwd, env=env, timeout=120)


def invoke(*args: str, index: Path | None = None, stdin: str | None = None):
    """In-process run (fast); the exit code and streams are those a process would have."""
    env = {"LINER_INDEX": str(index) if index is not None else None}
    return CliRunner().invoke(main, list(args), env=env, input=stdin)


def assert_clean_error(result, code: int) -> None:
    returncode = getattr(result, "returncode", getattr(result, "exit_code", None))
    assert returncode == code, (returncode, result.stdout, result.stderr)
    assert getattr(result, "exception", None) is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout
    assert result.stderr.strip(), "an error says what went wrong"


# -- help ------------------------------------------------------------------------------------------

COMMANDS = main.list_commands(click.Context(main))  # the built-in ones and those front ends add


def test_the_group_lists_every_command():
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    for name in COMMANDS:
        assert re.search(rf"^\s+{name}\b", result.output, re.MULTILINE), name


@pytest.mark.parametrize("name", COMMANDS)
@pytest.mark.parametrize("flag", ["--help", "-h"])
def test_every_command_help_has_an_example(name, flag):
    result = CliRunner().invoke(main, [name, flag])
    assert result.exit_code == 0, result.output
    assert "Example" in result.output
    examples = result.output.split("Example", 1)[1]
    assert f"liner {name}" in examples


def test_expected_commands_exist():
    assert {"index", "search", "ask", "serve", "eval"} <= set(COMMANDS)


def test_help_runs_in_a_real_process():
    result = run_liner("--help")
    assert result.returncode == 0 and "Usage" in result.stdout


# -- exit codes -------------------------------------------------------------------------------------


def test_exit_0_when_a_question_is_answered(seeds_index):
    assert run_liner("ask", "Who plays Joanna Kassem?", index=seeds_index).returncode == 0


def test_exit_0_when_a_search_finds_passages(seeds_index):
    assert run_liner("search", "pennies heaven", index=seeds_index).returncode == 0


def test_exit_1_when_a_search_finds_nothing(seeds_index):
    result = run_liner("search", '"pennies heaven"', index=seeds_index)
    assert result.returncode == 1
    assert "No passages match." in result.stdout


def test_exit_1_when_the_documents_do_not_answer(seeds_index):
    result = run_liner("ask", "Who directed Titanic?", index=seeds_index)
    assert result.returncode == 1
    assert result.stdout.startswith("No answer")


@pytest.mark.parametrize("args", [
    ["search", "*"],
    ["search", "-"],
    ["ask", ""],
    ["ask", "   "],
    ["search", "x" * 5000],
])
def test_exit_2_for_a_bad_query_with_a_clear_message(seeds_index, args):
    result = invoke(*args, index=seeds_index)
    assert_clean_error(result, 2)
    assert "Error:" in result.stderr


def test_exit_2_for_a_bad_query_in_a_real_process(seeds_index):
    result = run_liner("search", "*", index=seeds_index)
    assert_clean_error(result, 2)
    assert "no words" in result.stderr


@pytest.mark.parametrize("args", [
    ["search"],  # no query and no --jsonl
    ["ask"],
    ["search", "x", "--limit", "0"],
    ["search", "x", "--format", "html"],
    ["frobnicate"],
    ["index", "no/such/folder"],
])
def test_exit_2_for_bad_usage(seeds_index, args):
    assert_clean_error(invoke(*args, index=seeds_index), 2)


def test_exit_2_for_bad_usage_in_a_real_process(seeds_index):
    assert_clean_error(run_liner("search", index=seeds_index), 2)


@pytest.mark.parametrize("command", ["search", "ask"])
def test_exit_3_when_there_is_no_index(tmp_path, command):
    result = invoke(command, "netflix", "--index", str(tmp_path / "none"))
    assert_clean_error(result, 3)
    assert "liner index" in result.stderr  # says what to type next


def test_exit_3_when_the_env_index_is_missing(tmp_path):
    assert_clean_error(run_liner("search", "netflix", index=tmp_path / "missing"), 3)


# -- output ----------------------------------------------------------------------------------------


def test_ask_prints_answer_confidence_and_citation_before_the_passages(seeds_index):
    result = run_liner("ask", "Who plays Joanna Kassem?", index=seeds_index)
    lines = result.stdout.splitlines()
    assert lines[0].startswith("Answer: Jenna Dewan")
    assert re.search(r"\(confidence \d+%\)", lines[0])
    citation = next(i for i, line in enumerate(lines) if line.strip().startswith("— ") and CITATION.search(line))
    first_passage = next(i for i, line in enumerate(lines) if line.startswith("1. "))
    assert 0 < citation < first_passage


def test_text_output_has_no_colour_codes_when_not_a_terminal(seeds_index):
    for args in (["ask", "Who plays Joanna Kassem?"], ["search", "Jenna Dewan"], ["ask", "Who directed Titanic?"]):
        result = run_liner(*args, index=seeds_index)
        assert "\x1b" not in result.stdout and "\x1b" not in result.stderr


def test_markdown_output_quotes_bolds_and_cites(seeds_index):
    result = run_liner("search", '"Pennies From Heaven"', "--format", "markdown", index=seeds_index)
    assert result.returncode == 0
    quoted = [line for line in result.stdout.splitlines() if line.startswith("> ")]
    assert quoted, result.stdout
    assert "**Pennies From Heaven**" in result.stdout  # the phrase marked whole
    citations = re.findall(r"`(seeds/[\w.]+):L(\d+)-L(\d+)`", result.stdout)
    assert ("seeds/004_d16686d2a66679cd.txt", "7", "7") in citations


def test_markdown_answer_for_a_question(seeds_index):
    result = invoke("ask", "Who plays Joanna Kassem?", "-f", "markdown", index=seeds_index)
    assert result.stdout.startswith("**Q:** Who plays Joanna Kassem?")
    assert "**A:** Jenna Dewan" in result.stdout
    assert re.search(r"^> — \*Soundtrack \(TV series\)\*, `seeds/[\w.]+:L\d+-L\d+`$", result.stdout, re.MULTILINE)


def test_json_flag_is_the_json_format(seeds_index):
    by_flag = json.loads(invoke("search", "Stowe", "--json", index=seeds_index).stdout)
    by_format = json.loads(invoke("search", "Stowe", "--format", "json", index=seeds_index).stdout)
    strip = lambda data: {key: value for key, value in data.items() if key != "took_ms"}  # noqa: E731
    assert strip(by_flag) == strip(by_format)


def test_limit_bounds_the_passages(seeds_index):
    data = json.loads(invoke("search", "netflix", "--json", "-n", "2", index=seeds_index).stdout)
    assert len(data["results"]) == 2


def test_index_option_wins_over_the_environment(seeds_index, tmp_path):
    result = invoke("search", "netflix", "--index", str(seeds_index), index=tmp_path / "missing")
    assert result.exit_code == 0


def test_jsonl_answers_each_line_and_reports_bad_ones_in_place(seeds_index):
    result = run_liner("ask", "--jsonl", index=seeds_index, stdin="Who plays Joanna Kassem?\n\n*\nWho created Soundtrack?\n")
    assert result.returncode == 0
    objects = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o["query"] for o in objects] == ["Who plays Joanna Kassem?", "", "*", "Who created Soundtrack?"]
    assert objects[0]["answer"]["text"] == "Jenna Dewan"
    assert objects[1]["error"] and objects[2]["error"]


def test_index_then_search_a_folder(tmp_path):
    index = tmp_path / "index"
    first = run_liner("index", "tests/data/tiny", "--index", str(index))
    assert first.returncode == 0, first.stderr
    assert re.search(r"Indexed 3 files .*3 read, 0 unchanged", first.stdout)
    again = run_liner("index", "tests/data/tiny", "--index", str(index))
    assert re.search(r"0 read, 3 unchanged", again.stdout)
    quiet = run_liner("index", "tests/data/tiny", "--index", str(index), "-q")
    assert quiet.returncode == 0 and quiet.stdout == ""
    found = run_liner("ask", "Who organizes the Harbor Lantern Festival?", "--index", str(index))
    assert found.returncode == 0
    assert found.stdout.startswith("Answer: Ines Calloway")
    assert "tests/data/tiny/lantern_wiki.txt:L5-L5" in found.stdout


def test_library_errors_become_click_exceptions_with_exit_codes():
    from search.cli import LinerError

    error = LinerError("what to do next", 3)
    assert isinstance(error, click.ClickException) and error.exit_code == 3


@pytest.mark.parametrize("query", ["-netflix", "-crown netflix"])
def test_a_query_starting_with_minus_gets_an_actionable_message(seeds_index, query):
    result = invoke("search", query, index=seeds_index)
    assert result.exit_code == 2
    assert f"liner search -- {shlex.quote(query)}" in result.stderr


def test_a_query_starting_with_minus_works_after_a_double_dash(seeds_index):
    result = invoke("search", "-n", "3", "--", "-netflix", index=seeds_index)
    assert result.exit_code == 0
    assert result.stdout.count("  seeds/") == 3
    assert "netflix" not in result.stdout.lower()  # titles count: a title with the word excludes its passages
