"""A full build's worker processes: each indexes a share of the files (indexer/ingest.py) into
segments of its own, which the build then merges (indexer/merge.py). They die with the build,
leave Ctrl-C to it, and a worker that fails fails the build.

The files are cut into one contiguous share per worker, of about equal bytes, so that the
merged segments hold the passages in the order of the files. A worker tells the build each file
it starts (for the progress line) and, at its end, what it indexed, on one queue; a worker that
fails puts its reason there in one line and exits with status 1. The build watches the queue and
the workers' exit statuses together, so any worker that failed, or was killed, fails the build:
Whoosh's own parallel writer once let a worker print its traceback and exit, and then committed
what the others wrote (an index that lost a thousand passages, and a build that said it had
succeeded).
"""
from __future__ import annotations

import multiprocessing
import queue
import signal
from dataclasses import dataclass
from typing import Callable, Sequence

from indexer.documents import SourceFile
from indexer.ingest import Ingest, Ingested
from indexer.processes import die_with_parent

# How often (seconds) the build looks at its workers while it waits for a message from them.
WORKER_CHECK_S = 0.2
# How long the build waits for a failed worker's reason after seeing it exit.
REASON_WAIT_S = 2.0

Progress = Callable[[str], None]  # called with each file's display path as a worker starts it


class WorkerFailedError(Exception):
    """A worker process failed or was killed; the message says how."""


@dataclass(frozen=True)
class Share:
    """What one worker indexes, and where: a Whoosh storage's folder and index name."""

    number: int  # the share's place in the order of the files
    sources: Sequence[SourceFile]
    folder: str
    indexname: str
    memory_bytes: int


def shares(sources: Sequence[SourceFile], workers: int) -> list[list[SourceFile]]:
    """`sources` cut into at most `workers` contiguous runs of about equal bytes."""
    total = sum(source.size for source in sources) or 1
    runs: list[list[SourceFile]] = [[]]
    done = 0
    for source in sources:
        if done >= total * len(runs) / workers and len(runs) < workers and runs[-1]:
            runs.append([])
        runs[-1].append(source)
        done += source.size
    return [run for run in runs if run]


class Workers:
    """Worker processes indexing shares, started by `start`, watched by `wait`."""

    def __init__(self, schema) -> None:
        self._schema = schema
        self._context = multiprocessing.get_context("fork")
        self._messages = self._context.Queue()
        self.processes: list = []

    def start(self, work: Sequence[Share]) -> None:
        for share in work:
            process = self._context.Process(target=_work, args=(share, self._schema, self._messages), daemon=True)
            process.start()
            self.processes.append(process)

    def wait(self, progress: Progress | None = None) -> list[Ingested]:
        """Every worker's result, in share order.

        :raise WorkerFailedError: a worker failed or was killed (the others are stopped).
        """
        results: dict[int, Ingested] = {}
        while len(results) < len(self.processes):
            try:
                kind, number, payload = self._messages.get(timeout=WORKER_CHECK_S)
            except queue.Empty:
                self.raise_if_one_failed()
                continue
            if kind == "file" and progress:
                progress(payload)
            elif kind == "done":
                results[number] = payload
            elif kind == "failed":
                self.stop()
                raise WorkerFailedError(f"a worker process failed while indexing ({payload})")
            elif kind == "oserror":  # the disk filled up, a file could not be written: the build's to report
                self.stop()
                raise OSError(*payload)
        for process in self.processes:
            process.join()
        self.raise_if_one_failed()
        return [results[number] for number in range(len(self.processes))]

    def raise_if_one_failed(self) -> None:
        """:raise WorkerFailedError: a worker exited with another status than 0, or was killed."""
        failed = next((process for process in self.processes if process.exitcode not in (None, 0)), None)
        if failed is None:
            return
        code = failed.exitcode
        self.stop()
        try:
            kind, _, said = self._messages.get(timeout=REASON_WAIT_S)
        except queue.Empty:
            kind, said = None, None
        if kind == "failed":
            raise WorkerFailedError(f"a worker process failed while indexing ({said})")
        if kind == "oserror":
            raise OSError(*said)
        if code < 0:
            try:
                name = signal.Signals(-code).name
            except ValueError:
                name = f"signal {-code}"
            raise WorkerFailedError(f"a worker process was killed ({name}) while indexing")
        raise WorkerFailedError(f"a worker process stopped with status {code} while indexing")

    def stop(self) -> None:
        """Stop every worker still running and wait for it."""
        for process in self.processes:
            if process.exitcode is None:
                process.terminate()
        for process in self.processes:
            process.join()


def _work(share: Share, schema, messages) -> None:
    """A worker's life: tied to the build, its share indexed, its result or its failure sent."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the build's to handle (it stops us)
    parent = multiprocessing.parent_process()
    if parent is not None:
        die_with_parent(parent.pid)
    number = share.number
    try:
        from whoosh.filedb.filestore import FileStorage

        ingest = Ingest(FileStorage(share.folder), schema, share.indexname, share.memory_bytes)
        for source in share.sources:
            messages.put(("file", number, source.display_path))
            document = ingest.read(source)
            if document is not None:
                ingest.add(source, document)
        messages.put(("done", number, ingest.finish()))
    except OSError as error:
        filename = error.filename if isinstance(error.filename, (str, bytes)) else None
        messages.put(("oserror", number, (error.errno, error.strerror or str(error), filename)))
        _exit_failed(messages)
    except BaseException as error:  # noqa: BLE001 - whatever it is, the build must hear of it
        messages.put(("failed", number, " ".join(f"{type(error).__name__}: {error}".split())))
        _exit_failed(messages)
    messages.close()
    messages.join_thread()


def _exit_failed(messages) -> None:
    """Exit with status 1 once the failure is on its way, with no traceback on the terminal."""
    messages.close()
    messages.join_thread()
    raise SystemExit(1) from None
