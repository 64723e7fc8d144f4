"""The `liner` command: a thin layer over `search.engine.Engine` and `indexer.build`.

Each command parses its options, calls one function, and renders. Heavy modules (Whoosh, NLTK,
Flask) are imported inside the commands so `liner --help` starts fast.

Exit codes: 0 found something, 1 found nothing (no passage, or no answer to a question),
2 bad usage or a bad query, 3 the index is missing, unreadable or busy.
"""
from __future__ import annotations

import os
import re
import shlex
import sys
from functools import cache
from pathlib import Path
from typing import NamedTuple

import click

from indexer.kinds import PassageKind
from search.exits import EXIT_BAD_QUERY, EXIT_CODES_HELP, EXIT_INDEX_PROBLEM, EXIT_NOTHING_FOUND, LinerError

# The passage kinds `kind:` filters on, as the indexer names them (a light enum module).
PASSAGE_KINDS = tuple(kind.value for kind in PassageKind)


class QueryCommand(click.Command):
    """`search` and `ask`: a query may start with "-" ("-crown": must not appear), which reads like
    an option. When that makes parsing fail, the error says how to pass such a query."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        given = list(args)  # the parser consumes `args`
        try:
            return super().parse_args(ctx, args)
        except click.UsageError as error:
            options = {name for param in self.params for name in (*param.opts, *param.secondary_opts)}
            query = next((arg for arg in given if re.match(r"-[^\W\d_]", arg) and arg.split("=")[0] not in options), None)
            if query is not None and "--" not in given:
                error.message += f"\nA query that starts with '-' goes after `--`: liner {self.name} -- {shlex.quote(query)}"
            raise


def index_option(function):
    return click.option(
        "--index", "index_dir", type=click.Path(file_okay=False, path_type=Path), envvar="LINER_INDEX",
        default=".liner/index", show_default=True, show_envvar=True, help="Index folder.",
    )(function)


def cluster_option(function):
    """`--cluster ADDRESS`: the sharded index at --index, served by a Ray cluster (docs/cluster.md)."""
    return click.option("--cluster", metavar="ADDRESS", envvar="LINER_CLUSTER", default=None,
                        help="A Ray cluster's head (host:port) serving a sharded index (needs liner[cluster]).")(function)


def output_options(function):
    """The same output flags on every command that prints results."""
    function = click.option("--exact", is_flag=True,
                            help="Take every word as typed: no typo correction.")(function)
    function = click.option("--offset", default=0, show_default=True, type=click.IntRange(0, 10_000),
                            help="Skip this many passages (the next page: --offset 10).")(function)
    function = click.option("--limit", "-n", default=10, show_default=True, type=click.IntRange(1, 100),
                            help="How many passages to show.")(function)
    function = click.option("--jsonl", is_flag=True,
                            help="Read one query per line from stdin; write one JSON object per line.")(function)
    function = click.option("--json", "as_json", is_flag=True, help="Shortcut for --format json.")(function)
    function = click.option("--format", "-f", "output_format", type=click.Choice(["text", "json", "markdown"]),
                            default="text", show_default=True, help="Output format.")(function)
    return function


class LinerGroup(click.Group):
    """The built-in commands, and those a front end adds through the `liner.commands` entry-point
    group, as Flask's CLI takes `flask.commands`: `liner serve` comes from web/ (web/cli.py), which
    nothing under the engine imports. The entry points are only read for a command that is not
    built in, and for `--help`."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | set(_front_end_commands()))

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        command = super().get_command(ctx, name)
        if command is None and name in _front_end_commands():
            command = _front_end_commands()[name].load()
        return command


@cache
def _front_end_commands() -> dict:
    # Imported here: importlib.metadata costs about 20 ms, a fifteenth of a cold `liner ask`, which
    # is built in and never reads the entry points.
    from importlib.metadata import entry_points

    return {point.name: point for point in entry_points(group="liner.commands")}


@click.group(cls=LinerGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
             epilog=EXIT_CODES_HELP)
@click.version_option(package_name="liner")
def main() -> None:
    """Liner: ask questions of a folder of notes and get answers that cite their lines.

    \b
    Start here:
      liner index seeds                     # index a folder of .txt/.md files
      liner ask "Who plays Joanna Kassem?"   # a short answer, its source, the passages
      liner search '"Pennies From Heaven"'  # ranked passages for keywords and phrases
      liner serve                           # the web app on http://127.0.0.1:8000

    The index lives in .liner/index (or --index DIR, or $LINER_INDEX). Colour only on a
    terminal, and never when NO_COLOR is set.
    """


@main.command()
@click.argument("folder", default="seeds", type=click.Path(path_type=Path))
@index_option
@click.option("--rebuild", is_flag=True, help="Re-read every file instead of only the changed ones.")
@click.option("--wait", default=10.0, show_default=True, help="Seconds to wait for another running build.")
@click.option("--quiet", "-q", is_flag=True, help="Print nothing but errors (skipped files are not listed).")
@click.option("--watch", is_flag=True, help="Then keep watching FOLDER: index every change within seconds (Ctrl+C stops).")
@cluster_option
@click.option("--shards", type=click.IntRange(1, 1024), default=None,
              help="With --cluster: how many shards (default 3, or as the index was built).")
def index(folder: Path, index_dir: Path, rebuild: bool, wait: float, quiet: bool, watch: bool, cluster: str | None,
          shards: int | None) -> None:
    """Index FOLDER (default: seeds) for searching.

    Reads every text, Markdown, reStructuredText, HTML and PDF file (and text files without a
    suffix, such as README or GPL-3), recovers titles, sections, fields and tables, and cuts them
    into passages. Only changed files are re-read; the new index replaces the old one only once
    it is complete, so searches keep working during a build and a killed build loses nothing.

    \b
    Example:
      liner index ~/notes
      liner index --rebuild seeds
      liner index ~/notes --watch
    """
    from indexer.build import BuildError, IndexBusyError, build_index
    from indexer.documents import path_text

    from search.progress import BuildProgress

    if not folder.is_dir():
        raise LinerError(f"{folder} is not a folder. Give the folder of notes to index, e.g. `liner index seeds`.", 2)
    if cluster or shards:
        from search.cluster.cli import index_on_cluster

        return index_on_cluster(folder, index_dir, cluster, shards, rebuild, wait, quiet)
    progress = BuildProgress(sys.stderr) if sys.stderr.isatty() and not quiet else None
    try:
        report = build_index(folder, index_dir, rebuild=rebuild, progress=progress and progress.file_read,
                             lock_timeout=wait, on_phase=progress and progress.phase_started)
    except (IndexBusyError, BuildError) as error:
        raise LinerError(str(error), EXIT_INDEX_PROBLEM) from None
    finally:
        if progress is not None:
            progress.close()
    for problem in report.problems if not quiet else ():
        click.echo(f"skipped {problem.path}: {problem.reason}", err=True)
    for notice in report.notices if not quiet else ():
        click.echo(f"note {notice.path}: {notice.reason}", err=True)
    if not quiet:
        click.echo(
            f"Indexed {report.files_total - len(report.problems)} files into {path_text(str(index_dir))}: "
            f"{report.files_indexed} read, {report.files_unchanged} unchanged, {report.files_removed} removed; "
            f"{report.passages} passages in {report.seconds:.2f} s"
            + (f" ({report.workers} worker processes)." if report.workers else ".")
        )
        if report.hidden:
            click.echo(_hidden_note(report.hidden))
    if watch:
        from indexer.watch import describe, watch_folder

        click.echo(f"Watching {folder} for changes (Ctrl+C stops).", err=True)
        watch_folder(folder, index_dir, lambda report, error: click.echo(describe(report, error), err=True))


SEARCH_HELP = f"""Ranked passages for QUERY.

    \b
    Query language:
      words            ranked by how well passages match, more matched words first
      "exact phrase"   must appear as written
      +word / -word    must / must not appear (--word is an option, searched for)
      title:word  section:word  file:name
      kind:{"|".join(PASSAGE_KINDS)}
    Example:
      liner search 'cancel netflix -crown'
      liner search '"Pennies From Heaven"' --format markdown
      liner search netflix --offset 10      # the second page
    """


@main.command(cls=QueryCommand, help=SEARCH_HELP, epilog=EXIT_CODES_HELP)
@click.argument("query", required=False)
@index_option
@output_options
@cluster_option
def search(query: str | None, index_dir: Path, output_format: str, as_json: bool, jsonl: bool, limit: int,
           offset: int, exact: bool, cluster: str | None) -> None:
    _run(query, index_dir, output_format, as_json, jsonl, Page(limit, offset, exact), method="search", cluster=cluster)


@main.command(cls=QueryCommand, epilog=EXIT_CODES_HELP)
@click.argument("question", required=False)
@index_option
@output_options
@cluster_option
@click.option("--explain", is_flag=True,
              help="Also say why: how the question was read, the passages and candidates with what moved "
                   "their scores, and why Liner answered or abstained.")
def ask(question: str | None, index_dir: Path, output_format: str, as_json: bool, jsonl: bool, limit: int,
        offset: int, exact: bool, cluster: str | None, explain: bool) -> None:
    """A short answer to QUESTION, with its confidence and exact source lines.

    Prints the answer first (or says the documents do not answer), then the passages behind it.
    When sources disagree, every value is shown with its own citation.

    \b
    Example:
      liner ask "Who plays Joanna Kassem?"
      liner ask "When was the show canceled?" --format markdown
      printf 'Who created Soundtrack?\\nWho plays Nellie?\\n' | liner ask --jsonl
      liner ask "Who created Soundtrack?" --explain
    """
    _run(question, index_dir, output_format, as_json, jsonl, Page(limit, offset, exact, explain), method="ask",
         cluster=cluster)


@main.command(name="eval")
@index_option
@click.option("--qa", "qa_file", default="eval/qa_seeds.jsonl", show_default=True,
              type=click.Path(exists=True, dir_okay=False, path_type=Path), help="QA set, JSON lines.")
@click.option("--json", "as_json", is_flag=True, help="Print the metrics as JSON.")
def evaluate(index_dir: Path, qa_file: Path, as_json: bool) -> None:
    """Score the engine on a QA set: hit@1, hit@5, MRR@10, answers, abstention, attribution,
    per question type, and a confidence calibration table.

    \b
    Example:
      liner index seeds && liner eval
    """
    import json

    from search.evaluation import evaluate_file, format_report

    report = evaluate_file(_open_engine(index_dir), qa_file)
    click.echo(json.dumps(report, indent=1) if as_json else format_report(report))


# -- shared ------------------------------------------------------------------------------------------


def _hidden_note(hidden: list[str], shown: int = 3) -> str:
    """One line on the hidden files and folders a build left out, naming the first few."""
    names = ", ".join(hidden[:shown]) + (f" and {len(hidden) - shown} more" if len(hidden) > shown else "")
    return f"Left out {len(hidden)} hidden file{'s' if len(hidden) > 1 else ''} or folder{'s' if len(hidden) > 1 else ''} (names starting with '.'): {names}."


def _open_engine(index_dir: Path, cluster: str | None = None):
    from search.engine import Engine, IndexCorruptError, IndexMissingError

    if cluster:
        from search.cluster.cli import open_engine

        return open_engine(cluster, index_dir)

    try:
        return Engine(index_dir)
    except (IndexMissingError, IndexCorruptError) as error:
        raise LinerError(str(error), EXIT_INDEX_PROBLEM) from None


class Page(NamedTuple):
    """Which results a query prints, and whether its words are corrected."""

    limit: int
    offset: int = 0
    exact: bool = False
    explain: bool = False  # ask only: and why (search/explain.py)


def use_color(output_format: str) -> bool:
    """Colour only for text on a terminal, and never under NO_COLOR (https://no-color.org/)."""
    return output_format == "text" and sys.stdout.isatty() and not os.environ.get("NO_COLOR")


def _run(text: str | None, index_dir: Path, output_format: str, as_json: bool, jsonl: bool, page: Page,
         method: str, cluster: str | None = None) -> None:
    from search.query import QueryError
    from search.render import render, render_json

    if as_json:
        output_format = "json"
    if jsonl and text is not None:
        raise LinerError(f"--jsonl reads one {'question' if method == 'ask' else 'query'} a line from standard input, "
                         f"so it takes no argument: drop {shlex.quote(text)}, or drop --jsonl", EXIT_BAD_QUERY)
    engine = _open_engine(index_dir, cluster)

    def run(query: str):
        options = {"explain_answer": True} if page.explain else {}
        return getattr(engine, method)(query, limit=page.limit, offset=page.offset, correct=not page.exact, **options)

    if jsonl:
        for line in sys.stdin:
            query = line.rstrip("\n")
            try:
                click.echo(render_json(run(query)))
            except QueryError as error:
                import json

                click.echo(json.dumps({"query": query, "answer": None, "results": [], "total": 0, "error": str(error)}))
        return
    if text is None:
        raise LinerError(f"give a {'question' if method == 'ask' else 'query'}, e.g. "
                         f"`liner {method} \"Who plays Nellie?\"`, or use --jsonl to read them from stdin", 2)
    try:
        response = run(text)
    except QueryError as error:
        raise LinerError(f"bad query: {error}", EXIT_BAD_QUERY) from None
    click.echo(render(response, output_format, color=use_color(output_format)))
    if page.explain and output_format != "json" and response.explanation is not None:
        from search.explain import render_explanation

        click.echo(render_explanation(response.explanation))
    found = response.answer is not None if method == "ask" and response.is_question else bool(response.results)
    if not found:
        sys.exit(EXIT_NOTHING_FOUND)
