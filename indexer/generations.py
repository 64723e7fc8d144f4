"""An index folder on disk: the one writer's lock, switching CURRENT, clearing old generations
once no reader holds them, and writing files so that they survive a crash (see
indexer/layout.py for the layout).

Every process that reads a generation holds a shared flock on its readers.lock for as long as it
reads it (search/index.py). A generation is removed, by the build that made a newer one current or
by the last reader to move on from it, only by whoever takes that lock exclusively, and it is
removed while the lock is held: a reader that opens it meanwhile cannot take its shared lock, or
finds it gone once it has, and reads CURRENT again. So a `--rebuild` leaves one generation on disk
(two generations once took twice the index's space), and a server answering from the old one
keeps it until it moves on.
"""
from __future__ import annotations

import errno
import fcntl
import os
import shutil
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from indexer.layout import CURRENT_FILE, GENERATION_PREFIX, LOCK_FILE, MANIFEST_FILE, READERS_LOCK_FILE


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


def remove_old_generations(index_dir: Path, current: str, previous: str | None = None) -> None:
    """Remove every generation but `current` that no reader holds, and leftovers of dead builds.
    A generation made by an older Liner (no readers.lock) is kept while it is the previous one, as
    a server may still be answering from it."""
    for path in Path(index_dir).iterdir():
        if path.is_dir() and path.name.startswith(GENERATION_PREFIX) and path.name != current:
            if (path / READERS_LOCK_FILE).exists() or path.name != previous:
                remove_if_unheld(path)


def remove_if_unheld(generation_dir: Path) -> bool:
    """Remove a generation no reader holds (taking its readers' lock exclusively while it goes);
    whether it was removed."""
    try:
        descriptor = os.open(generation_dir / READERS_LOCK_FILE, os.O_RDONLY)
    except FileNotFoundError:
        shutil.rmtree(generation_dir, ignore_errors=True)  # a dead build's, before it made the lock
        return True
    except OSError:
        return False
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return False  # a reader holds it
        shutil.rmtree(generation_dir, ignore_errors=True)
        return True
    finally:
        os.close(descriptor)


def create_readers_lock(generation_dir: Path) -> None:
    (Path(generation_dir) / READERS_LOCK_FILE).touch()


class GenerationHold:
    """A reader's shared hold on one generation: release(), the hold's collection (an index
    nobody reads any more) or the process's end lets go."""

    def __init__(self, descriptor: int | None) -> None:
        self._descriptor = descriptor

    def release(self) -> None:
        if self._descriptor is not None:
            os.close(self._descriptor)
            self._descriptor = None

    def __del__(self) -> None:
        self.release()


class GenerationGone(Exception):
    """The generation is being removed, or was: CURRENT has moved on since it was read."""


def hold_generation(generation_dir: Path) -> GenerationHold:
    """Hold `generation_dir` for reading. A generation without readers.lock (an older Liner's,
    or none at all: the caller finds out) is read without a hold.

    :raise GenerationGone: it is being removed or was removed: read CURRENT again.
    """
    path = Path(generation_dir) / READERS_LOCK_FILE
    try:
        descriptor = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        if Path(generation_dir, MANIFEST_FILE).exists() or not Path(generation_dir).exists():
            return GenerationHold(None)
        raise GenerationGone(str(generation_dir)) from None  # its files are going
    except (OSError, ValueError):  # unreadable, or no path at all: opening it reports what is wrong
        return GenerationHold(None)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_SH | fcntl.LOCK_NB)
        if os.fstat(descriptor).st_ino != os.stat(path).st_ino:
            raise FileNotFoundError(path)
    except OSError:
        os.close(descriptor)
        raise GenerationGone(str(generation_dir)) from None
    return GenerationHold(descriptor)


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
