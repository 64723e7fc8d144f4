"""Watching a folder: every change to its documents is indexed within a few seconds.

watchfiles (inotify on Linux) reports changes; a burst of them (an editor's save, a `git pull`)
is gathered until the folder has been quiet for QUIET_MS, then one incremental build
(indexer/build.py) indexes what changed. A build is atomic as always, so a server following the
index switches to the new generation in one step, and a removed file leaves the results with it.
Once the watch is set up, a change made before it (while a server was starting) is indexed too.

`liner index --watch` runs `watch_folder` after its first build; `liner serve --watch` runs it in
a process of its own beside the server (`watcher_process`), which dies with the server.
"""
from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

from indexer.build import BuildReport, IndexBusyError, build_index
from indexer.documents import find_source_files
from indexer.formats.files import kind_of
from indexer.layout import read_manifest

# A burst of changes is one build once the folder has been quiet this long (watchfiles' `step`),
# and at the latest after MAX_WAIT_MS (its `debounce`): a save is usually several events within
# a few milliseconds, a `git checkout` a few hundred within a second.
QUIET_MS = 300
MAX_WAIT_MS = 1600
# The watch reports a quiet spell of this length once set up: changes made before (while the
# server started) are then indexed, if there were any.
SETTLED_MS = 500
# Another build holding the index (a manual `liner index`) is waited for this long.
LOCK_TIMEOUT_S = 30.0

BuildCallback = Callable[[BuildReport | None, Exception | None], None]


def is_relevant(path: Path, folder: Path, index_dir: Path) -> bool:
    """A change that can alter the index: a document's file (or a folder) under `folder`, not in
    the index itself and not hidden."""
    try:
        relative = path.relative_to(folder)
    except ValueError:
        return False
    if path.is_relative_to(index_dir) or any(part.startswith(".") for part in relative.parts):
        return False
    # A removed path without a suffix may have been a folder, with documents in it.
    return kind_of(path.name) is not None or path.is_dir() or not (path.exists() or path.suffix)


def watch_folder(folder: Path, index_dir: Path, on_build: BuildCallback, stop: threading.Event | None = None) -> None:
    """Index `folder` into `index_dir` after every burst of relevant changes, until `stop` is
    set (or Ctrl-C). A build that fails is reported to `on_build` and the watch goes on."""
    from watchfiles import watch

    folder, index_dir = Path(folder).resolve(), Path(index_dir).resolve()
    caught_up = False
    for changes in watch(folder, step=QUIET_MS, debounce=MAX_WAIT_MS, stop_event=stop, raise_interrupt=False,
                         yield_on_timeout=True, rust_timeout=SETTLED_MS,
                         watch_filter=lambda _change, path: is_relevant(Path(path), folder, index_dir)):
        if not changes:  # quiet: the first time, index what changed before the watch was set up
            if caught_up or not out_of_date(folder, index_dir):
                caught_up = True
                continue
            caught_up = True
        try:
            on_build(build_index(folder, index_dir, lock_timeout=LOCK_TIMEOUT_S), None)
        except (IndexBusyError, OSError) as error:
            on_build(None, error)


def out_of_date(folder: Path, index_dir: Path) -> bool:
    """Whether the folder's documents differ from what the index holds (a path added or gone, or
    a size or modification time changed), by listing the folder: no file is read."""
    try:
        manifest = read_manifest(index_dir) or {}
    except ValueError:
        return True
    indexed = {path: (entry["size"], entry["mtime_ns"]) for path, entry in manifest.get("files", {}).items()}
    problems = {problem["path"] for problem in manifest.get("problems", [])}
    listed = {source.display_path: (source.size, source.mtime_ns) for source in find_source_files(folder)
              if not source.absolute.resolve().is_relative_to(index_dir)}
    return any(indexed.get(path) != stamp for path, stamp in listed.items() if path not in problems) or bool(
        set(indexed) - set(listed))


def indexed_folder(index_dir: Path) -> Path | None:
    """The folder the index at `index_dir` was built from (its manifest's root)."""
    try:
        manifest = read_manifest(index_dir)
    except ValueError:
        return None
    return Path(manifest["root"]) if manifest and manifest.get("root") else None


@contextmanager
def watcher_process(index_dir: Path) -> Iterator[subprocess.Popen]:
    """A process that watches the folder the index was built from and keeps the index up to
    date, for as long as the block runs (Linux also kills it should this process be killed)."""
    parent = os.getpid()

    def tie_to_parent() -> None:
        from indexer.processes import die_with_parent

        die_with_parent(parent)

    process = subprocess.Popen([sys.executable, "-m", "indexer.watch", str(index_dir)], preexec_fn=tie_to_parent)
    try:
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def describe(report: BuildReport | None, error: Exception | None) -> str:
    """One line for a build the watch made."""
    if error is not None:
        return f"watch: not indexed ({error}); trying again at the next change"
    assert report is not None
    return (f"{time.strftime('%H:%M:%S')} indexed changes: {report.files_indexed} read, "
            f"{report.files_removed} removed, {len(report.problems)} skipped; {report.passages} passages "
            f"in {report.seconds:.2f} s")


def _main(argv: list[str]) -> int:
    """`python -m indexer.watch INDEX_DIR`: what `liner serve --watch` runs beside the server."""
    index_dir = Path(argv[0])
    folder = indexed_folder(index_dir)
    if folder is None or not folder.is_dir():
        print(f"liner serve --watch: the index at {index_dir} names no folder to watch; "
              "build it with `liner index FOLDER` first", file=sys.stderr)
        return 2
    print(f"Watching {folder} for changes", file=sys.stderr)
    try:
        watch_folder(folder, index_dir, lambda report, error: print(describe(report, error), file=sys.stderr))
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
