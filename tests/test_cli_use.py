"""The `liner` command as a new user meets it (issue 14): help that lists exit codes and every
`kind:`, paging, NO_COLOR, quiet builds, a progress line that names its phase, clear errors for a
stray argument and a missing index, citation paths that open from where `liner` runs, and
Markdown that keeps an unanswered question."""
from __future__ import annotations

import io
import json
import os
import pty
import select
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from indexer.build import build_index
from indexer.kinds import PassageKind
from search.cli import main
from search.progress import BuildProgress

ROOT = Path(__file__).resolve().parent.parent
LINER = Path(sys.executable).parent / "liner"
EXIT_CODE_LINES = ["0  something was found", "1  nothing was found", "2  bad usage or a bad query",
                   "3  the index is missing, unreadable or busy"]


def run_liner(*args: str, cwd: Path = ROOT, env: dict | None = None, timeout: float = 120):
    environment = {**os.environ, **(env or {})}
    return subprocess.run([str(LINER), *args], capture_output=True, text=True, cwd=cwd, env=environment, timeout=timeout)


def run_in_terminal(*args: str, env: dict) -> str:
    """What `liner` writes to a terminal (a pseudo-terminal as its stdout and stderr)."""
    leader, follower = pty.openpty()
    process = subprocess.Popen([str(LINER), *args], stdout=follower, stderr=follower, cwd=ROOT,
                               env={**os.environ, **env})
    os.close(follower)
    chunks = []
    while True:
        ready, _, _ = select.select([leader], [], [], 60)
        if not ready:
            break
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the other end closed
            break
        if not chunk:
            break
        chunks.append(chunk)
    process.wait(timeout=60)
    os.close(leader)
    return b"".join(chunks).decode("utf-8", "replace")


# -- help --------------------------------------------------------------------------------------


@pytest.mark.parametrize("command", [[], ["ask"], ["search"]])
def test_help_lists_the_exit_codes(command):
    output = CliRunner().invoke(main, [*command, "--help"]).output
    for line in EXIT_CODE_LINES:
        assert line in output


def test_search_help_lists_every_kind():
    output = CliRunner().invoke(main, ["search", "--help"]).output
    kinds = next(line for line in output.splitlines() if "kind:" in line)
    assert sorted(kinds.split("kind:", 1)[1].strip().split("|")) == sorted(kind.value for kind in PassageKind)


# -- errors ------------------------------------------------------------------------------------


def test_jsonl_refuses_a_stray_question_argument(seeds_index):
    result = run_liner("ask", "Who", "--jsonl", "--index", str(seeds_index))
    assert result.returncode == 2
    assert "--jsonl" in result.stderr and "drop Who" in result.stderr
    assert result.stdout == "" and "Traceback" not in result.stderr


def test_serve_warns_at_start_when_the_index_is_missing(tmp_path):
    missing = tmp_path / "nonexistent"
    process = subprocess.Popen([str(LINER), "serve", "--index", str(missing), "--port", "0", "--workers", "1"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        serving = process.stdout.readline()  # the warning comes before this, if at all
    finally:
        process.terminate()
        process.wait(timeout=10)
    warning = process.stderr.read()
    assert serving.startswith("Serving ")
    assert warning.startswith("warning: no index at ") and str(missing) in warning and "503" in warning


# -- colour ------------------------------------------------------------------------------------


def test_colour_on_a_terminal_unless_no_color_is_set(seeds_index):
    env = {"LINER_INDEX": str(seeds_index), "TERM": "xterm-256color"}
    coloured = run_in_terminal("search", "netflix", "-n", "1", env={**env, "NO_COLOR": ""})
    plain = run_in_terminal("search", "netflix", "-n", "1", env={**env, "NO_COLOR": "1"})
    assert "\x1b[" in coloured
    assert "\x1b[" not in plain and "netflix" in plain.lower()


# -- paging ------------------------------------------------------------------------------------


@pytest.mark.parametrize("command, text", [("search", "netflix series"), ("ask", "Who plays Joanna Kassem?")])
def test_pages_add_up_to_the_total(seeds_index, command, text):
    def page(*extra: str) -> dict:
        result = run_liner(command, text, "--json", "--index", str(seeds_index), *extra)
        return json.loads(result.stdout)

    everything = page("-n", "100")
    assert everything["total"] == len(everything["results"]) > 5  # every passage counted can be reached
    first, second = page("-n", "5"), page("-n", "5", "--offset", "5")
    assert first["total"] == second["total"] == everything["total"]
    assert second["offset"] == 5 and [hit["rank"] for hit in second["results"]] == [6, 7, 8, 9, 10]
    places = [(hit["path"], hit["line_start"]) for hit in first["results"] + second["results"]]
    assert places == [(hit["path"], hit["line_start"]) for hit in everything["results"][:10]]
    past = page("--offset", str(everything["total"]))
    assert past["results"] == [] and past["total"] == everything["total"]


def test_text_says_which_page_it_shows(seeds_index):
    result = run_liner("search", "netflix", "-n", "3", "--offset", "3", "--index", str(seeds_index))
    total = json.loads(run_liner("search", "netflix", "--json", "--index", str(seeds_index)).stdout)["total"]
    assert result.stdout.splitlines()[-1].startswith(f"4–6 of {total} passages, ")


# -- corrections and Markdown ----------------------------------------------------------------------


def test_a_correction_is_said_as_used_and_exact_searches_as_typed(seeds_index):
    corrected = run_liner("ask", "who plays jonna kasem", "-n", "1", "--index", str(seeds_index))
    assert corrected.stdout.splitlines()[0] == ("Showing results for: who plays joanna kassem "
                                                "(search instead for: who plays jonna kasem, with --exact)")
    exact = run_liner("ask", "who plays jonna kasem", "-n", "1", "--exact", "--json", "--index", str(seeds_index))
    assert json.loads(exact.stdout)["suggestion"] is None


def test_markdown_keeps_an_unanswered_question_and_its_correction(seeds_index):
    result = run_liner("ask", "Who won an Emmy for Soundtrak?", "-f", "markdown", "-n", "1", "--index", str(seeds_index))
    assert result.returncode == 1
    parts = result.stdout.split("\n\n")
    assert parts[0] == "_Showing results for “Who won an Emmy for Soundtrack?”; search instead for “Who won an Emmy for Soundtrak?”._"
    assert parts[1] == "**Q:** Who won an Emmy for Soundtrak?  \n**A:** _No answer: the documents do not say (closest passages below)._"
    assert parts[2].startswith("> ")


# -- index ---------------------------------------------------------------------------------------


def test_quiet_index_lists_no_skipped_files(tmp_path):
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "lantern.md").write_text("# Lantern\n\nThe lantern parade starts at nine.\n", encoding="utf-8")
    for number in range(3):
        (folder / f"empty{number}.txt").write_text("", encoding="utf-8")
    loud = run_liner("index", str(folder), "--index", str(tmp_path / "a"))
    quiet = run_liner("index", str(folder), "--index", str(tmp_path / "b"), "-q")
    assert loud.stderr.count("empty file") == 3
    assert (quiet.returncode, quiet.stdout, quiet.stderr) == (0, "", "")


def test_progress_names_the_phase_after_the_last_file_is_read():
    stream = io.StringIO()
    progress = BuildProgress(stream)
    for done in range(1, 31):
        progress.file_read(done, 30, f"notes/{done}.md")
    assert "Reading files" in stream.getvalue() and "30/30" in stream.getvalue()
    time.sleep(1.2)  # the workers index what they hold: the line names it and counts the seconds
    progress.phase_started("merging segments")
    time.sleep(1.2)
    progress.close()
    shown = stream.getvalue()
    assert "Indexing…  0:01" in shown
    assert shown.index("Merging segments…  0:01") > shown.index("Indexing…  0:01")


def test_a_build_announces_each_phase_after_reading_in_order(tmp_path):
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "a.md").write_text("# Herons\n\nThe herons came back to the pond in March.\n", encoding="utf-8")
    phases: list[str] = []
    report = build_index(folder, tmp_path / "index", on_phase=phases.append)
    assert phases[-4:] == ["checking", "synonyms and vocabulary", "writing the manifest to disk",
                           "switching to the new index"]
    assert set(phases) <= set(report.phases) and report.announce is None
    (folder / "b.md").write_text("# Kale\n\nKale was sown in the second bed.\n", encoding="utf-8")
    phases.clear()
    build_index(folder, tmp_path / "index", on_phase=phases.append)
    assert phases[-1] == "switching to the new index" and "checking" in phases


def test_progress_is_not_shown_for_a_few_files():
    stream = io.StringIO()
    progress = BuildProgress(stream)
    for done in range(1, 6):
        progress.file_read(done, 5, "a.md")
    progress.close()
    assert stream.getvalue() == ""


def test_the_estimate_waits_for_enough_files_and_then_holds_steady():
    now = [0.0]
    progress = BuildProgress(io.StringIO(), clock=lambda: now[0])
    estimates = []
    for done in range(1, 201):  # files alternately slow and fast: 0.9 s and 0.1 s
        now[0] += 0.9 if done % 2 else 0.1
        progress.file_read(done, 200, "a.md")
        estimates.append(progress.estimate(done, 200, now[0]))
    assert all(estimate is None for estimate in estimates[:9])  # under 5% of the files
    true_left = [0.5 * (200 - done) for done in range(1, 201)]
    for done in (20, 50, 100, 150, 190):
        assert abs(estimates[done - 1] - true_left[done - 1]) <= 0.15 * true_left[done - 1] + 1, done


# -- where citations point ---------------------------------------------------------------------


def test_citation_paths_open_from_where_liner_runs(tmp_path):
    folder = tmp_path / "project" / "notes"
    shutil.copytree(ROOT / "tests" / "data" / "tiny", folder)
    index = tmp_path / "index"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    built = run_liner("index", str(folder), "--index", str(index), cwd=elsewhere)  # indexed from outside the folder
    assert built.returncode == 0, built.stderr

    def cited(cwd: Path) -> list[str]:
        result = run_liner("search", "lantern", "--json", "--index", str(index), cwd=cwd)
        return [hit["path"] for hit in json.loads(result.stdout)["results"]]

    from_project = cited(tmp_path / "project")
    assert from_project and all(path.startswith("notes/") for path in from_project)
    assert all((tmp_path / "project" / path).is_file() for path in from_project)
    from_folder = cited(folder)
    assert all((folder / path).is_file() and "/" not in path for path in from_folder)
    from_elsewhere = cited(elsewhere)
    assert all(Path(path).is_absolute() and Path(path).is_file() for path in from_elsewhere)
