"""`liner serve`: the web front end's command, added to the `liner` CLI through the
`liner.commands` entry point (pyproject.toml), so the CLI in search/ never imports web/."""
from __future__ import annotations

import os
import sys
from contextlib import nullcontext
from pathlib import Path

import click

from search.cli import cluster_option, index_option
from search.exits import EXIT_BAD_QUERY, LinerError


@click.command()
@index_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535),
              help="Port to listen on (0: any free port).")
@click.option("--workers", type=click.IntRange(1, 32), default=None,
              help="Worker processes (default: one per core, up to 4); each answers one query at a time.")
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 64),
              help="Threads per worker: connections in flight.")
@click.option("--allowed-host", "allowed_hosts", multiple=True, metavar="NAME",
              help="Also answer requests for this host name (repeatable). Always answered: localhost, "
                   "127.0.0.1, ::1 and the --host address; others get 400.")
@click.option("--watch", is_flag=True, help="Also watch the indexed folder and index every change within seconds.")
@cluster_option
def serve(index_dir: Path, host: str, port: int, workers: int | None, threads: int,
          allowed_hosts: tuple[str, ...], watch: bool, cluster: str | None) -> None:
    """Serve the web app (search page, document viewer, JSON API) with waitress, in one worker
    process per core.

    \b
    Example:
      liner serve --port 8000
      liner serve --host 0.0.0.0 --workers 2 --allowed-host notes.example.org
      liner serve --watch                 # and index every change to the folder
      liner serve --cluster 10.0.0.5:6379 --index /shared/liner   # a sharded index (docs/cluster.md)
    """
    from web.server import default_workers, serve as serve_app

    workers = workers or default_workers()
    warning = index_warning(index_dir) if workers == 1 else index_warning_apart(index_dir)
    if warning:
        click.echo(f"warning: {warning}", err=True)

    def announce(url: str) -> None:
        plural = "es" if workers > 1 else ""
        click.echo(f"Serving {index_dir} on {url}  ({workers} worker process{plural}; Ctrl+C to stop)")

    watching = nullcontext()
    if watch:  # imported only then: the server's own start stays as quick as before
        from indexer.watch import watcher_process

        watching = watcher_process(index_dir)
    try:
        with watching:
            status = serve_app(index_dir, host, port, threads, workers, announce, allowed_hosts, cluster)
    except OSError as error:  # the port is taken, or the address is not this machine's
        raise LinerError(f"cannot listen on {host}:{port}: {error.strerror or error}", EXIT_BAD_QUERY) from None
    sys.exit(status)


def index_warning(index_dir: Path) -> str | None:
    """Why the pages would answer 503, said before serving (the server still starts, and picks
    the index up as soon as `liner index` builds it); None when the index opens."""
    from search.engine import Engine, IndexCorruptError, IndexMissingError

    try:
        Engine(index_dir)
    except (IndexMissingError, IndexCorruptError) as error:
        return f"{error}; until then every page answers 503"
    return None


def index_warning_apart(index_dir: Path) -> str | None:
    """`index_warning`, worked out in a forked child. The first process of several workers only
    supervises them: the engine's modules, imported here to open the index, would stay resident
    in it for nothing (17 MB on the seeds: the first process took 36.6 MB, 19.6 MB without), and
    be copied into each worker it forks besides. Checked here after all if the child fails."""
    if not hasattr(os, "fork"):
        return index_warning(index_dir)
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        status = 1
        try:
            os.close(read_end)
            with os.fdopen(write_end, "w", encoding="utf-8") as said:
                said.write(index_warning(index_dir) or "")
            status = 0
        finally:  # never return into the command's code: only the parent goes on to serve
            os._exit(status)
    os.close(write_end)
    with os.fdopen(read_end, encoding="utf-8") as said:
        warning = said.read()
    _, wait_status = os.waitpid(pid, 0)
    if os.waitstatus_to_exitcode(wait_status) != 0:
        return index_warning(index_dir)
    return warning or None
