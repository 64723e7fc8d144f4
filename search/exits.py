"""The exit codes of the `liner` commands and the one error that carries one, shared by the CLI
(search/cli.py) and the commands it loads (search/cluster/cli.py, web/cli.py)."""
from __future__ import annotations

import click

EXIT_NOTHING_FOUND = 1
EXIT_BAD_QUERY = 2
EXIT_INDEX_PROBLEM = 3

EXIT_CODES_HELP = """\b
Exit codes:
  0  something was found
  1  nothing was found (no passage, or no answer to a question)
  2  bad usage or a bad query
  3  the index is missing, unreadable or busy"""


class LinerError(click.ClickException):
    """A user-facing error with its own exit code (never a traceback)."""

    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.exit_code = exit_code
