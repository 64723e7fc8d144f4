"""An index folder on disk: the one writer's lock, switching CURRENT, clearing old generations,
and writing files so that they survive a crash (see indexer/layout.py for the layout)."""
from __future__ import annotations

import errno
import fcntl
import os
import shutil
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from indexer.layout import CURRENT_FILE, GENERATION_PREFIX, LOCK_FILE, MANIFEST_FILE


class IndexBusyError(Exception):
    """Another build holds the write lock."""


@contextmanager
def write_lock(index_dir: Path, timeout: float) -> Iterator[None]:
    """Hold the index's write lock, waiting up to `timeout` seconds for another build."""
    path = Path(index_dir) / LOCK_FILE
    with open(path, "a+", encoding="utf-8") as handle:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as error:
                if error.errno not in (errno.EAGAIN, errno.EACCES) or time.monotonic() >= deadline:
                    handle.seek(0)
                    holder = handle.read().strip() or "unknown"
                    raise IndexBusyError(
                        f"another `liner index` is writing {index_dir} (pid {holder}); "
                        f"waited {timeout:g} s. Try again when it has finished."
                    ) from None
                time.sleep(0.1)
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        try:
            yield
        finally:
            handle.seek(0)
            handle.truncate()
            fcntl.flock(handle, fcntl.LOCK_UN)


def switch_current(index_dir: Path, generation: str) -> None:
    write_durably(index_dir / (CURRENT_FILE + ".tmp"), generation)
    os.replace(index_dir / (CURRENT_FILE + ".tmp"), index_dir / CURRENT_FILE)
    fsync_folder(index_dir)


def remove_old_generations(index_dir: Path, keep: set[str | None]) -> None:
    """Drop generations no reader will open again: all but the new one and the one before it
    (a server may still be answering from that one for a moment) and leftovers of dead builds."""
    for path in index_dir.iterdir():
        if path.is_dir() and path.name.startswith(GENERATION_PREFIX) and path.name not in keep:
            shutil.rmtree(path, ignore_errors=True)


def fsync_index_files(generation_dir: Path) -> dict[str, int]:
    """Flush the Whoosh files of a finished generation to disk (so that CURRENT never names a
    generation whose segments are still only in the page cache) and return their sizes."""
    sizes = {}
    for path in sorted(generation_dir.iterdir()):
        if path.name == MANIFEST_FILE or not path.is_file():
            continue
        with open(path, "rb") as handle:
            os.fsync(handle.fileno())
        sizes[path.name] = path.stat().st_size
    return sizes


def write_durably(path: Path, text: str) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())


def fsync_folder(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
