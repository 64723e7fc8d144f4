"""A full build's worker processes (Whoosh's `procs`), tied to the build: they die with it, leave
Ctrl-C to it, and a worker that fails fails the build.

Whoosh's own parallel writer (whoosh.multiproc.MpWriter) lets a worker that raises print its
traceback and exit, and then commits what the other workers wrote: a file name that was not UTF-8
once cost an index the thousand passages its worker held, and the build said it had succeeded.
Here a worker that fails puts its reason on a queue and exits with status 1; the build checks
every worker before each batch it hands out, watches them through the commit, and checks their
exit statuses after it, so any worker that failed, or was killed, fails the build.
"""
from __future__ import annotations

import multiprocessing
import multiprocessing.util
import queue
import signal
import threading
from contextlib import contextmanager
from functools import lru_cache
from typing import Iterator

from whoosh.multiproc import MpWriter, SubWriterTask

from indexer.processes import die_with_parent

# How often (seconds) the build looks at its workers while it waits on them: while the job queue
# is full, and through the commit.
WORKER_CHECK_S = 0.2
# How long the build waits for a failed worker's reason to arrive on the error queue.
REASON_WAIT_S = 2.0


class WorkerFailedError(Exception):
    """A worker process failed or was killed; the message says how."""


class ParallelWriter(MpWriter):
    """MpWriter whose workers report their failures, and which raises WorkerFailedError when
    any worker did not finish its share (see the module's docstring)."""

    def __init__(self, index, **options) -> None:
        super().__init__(index, **options)
        self.errors = multiprocessing.Queue()
        self._workers_queue = self.jobqueue  # the workers take jobs from the queue itself
        self.jobqueue = _WatchedJobQueue(self.jobqueue, self)  # this process puts them through the watch
        self._first_failure: tuple[SubWriterTask, int] | None = None

    def _new_task(self) -> SubWriterTask:
        task = _Worker(self.storage, self.indexname, self._workers_queue, self.resultqueue, self.subargs,
                       self.multisegment, errors=self.errors)
        self.tasks.append(task)
        task.start()
        return task

    def commit(self, *args, **kwargs) -> None:
        stop = threading.Event()
        watcher = threading.Thread(target=self._stop_all_if_one_dies, args=(stop,), daemon=True)
        watcher.start()
        try:
            super().commit(*args, **kwargs)
        finally:
            stop.set()
            watcher.join()
        self.raise_if_a_worker_failed()

    def raise_if_a_worker_failed(self) -> None:
        """:raise WorkerFailedError: a worker exited with another status than 0, or was killed."""
        if self._first_failure is None:
            self._first_failure = next(((task, task.exitcode) for task in self.tasks if task.exitcode not in (None, 0)),
                                       None)
        if self._first_failure is not None:
            raise WorkerFailedError(self._reason(*self._first_failure))

    def _stop_all_if_one_dies(self, stop: threading.Event) -> None:
        """Through the commit: should a worker die, stop the others, which could otherwise wait
        for ever on a queue the dead one held (the commit waits for them all)."""
        while not stop.wait(WORKER_CHECK_S):
            failed = next(((task, task.exitcode) for task in self.tasks if task.exitcode not in (None, 0)), None)
            if failed is not None:
                self._first_failure = failed
                for task in self.tasks:
                    if task.exitcode is None:
                        task.terminate()
                return

    def _reason(self, task: SubWriterTask, code: int) -> str:
        try:
            said = self.errors.get(timeout=REASON_WAIT_S)
        except queue.Empty:
            said = None
        if said:
            return f"a worker process failed while indexing ({said})"
        if code < 0:
            try:
                name = signal.Signals(-code).name
            except ValueError:
                name = f"signal {-code}"
            return f"a worker process was killed ({name}) while indexing"
        return f"a worker process stopped with status {code} while indexing"


class _Worker(SubWriterTask):
    """Whoosh's worker, with its failure told to the build in one line instead of a traceback."""

    def __init__(self, *args, errors: multiprocessing.Queue) -> None:
        super().__init__(*args)
        self.errors = errors

    def run(self) -> None:
        try:
            super().run()
        except BaseException as error:  # noqa: BLE001 - whatever it is, the build must hear of it
            self.errors.put(" ".join(f"{type(error).__name__}: {error}".split()))
            raise SystemExit(1) from None  # exit status 1, and no traceback on the terminal


class _WatchedJobQueue:
    """This process's side of the job queue: hands a job out only while every worker is alive.
    A put on a full queue whose workers have all died would otherwise wait for ever."""

    def __init__(self, jobs: multiprocessing.Queue, writer: ParallelWriter) -> None:
        self._jobs, self._writer = jobs, writer

    def put(self, job) -> None:
        while True:
            self._writer.raise_if_a_worker_failed()
            try:
                self._jobs.put(job, timeout=WORKER_CHECK_S)
                return
            except queue.Full:
                continue


def stop_workers(writer) -> None:
    """Drop what the writer has written. Whoosh's parallel writer only marks its workers as
    cancelled in this process; they would go on with their work (and fail on the files the
    cancel deletes) or wait for more, and this process would wait for them at exit: they are
    stopped first. A writer already committed (Ctrl-C held through the commit arrives just
    after it) has nothing to drop: its generation is never switched to."""
    for worker in getattr(writer, "tasks", ()):
        if worker.pid is not None:  # started
            worker.terminate()
            worker.join()
    if not writer.is_closed:
        writer.cancel()


class _AfterFork:
    """multiprocessing keeps its after-fork callbacks by weak reference to an object: this one."""


_AFTER_FORK = _AfterFork()


@lru_cache(maxsize=1)
def workers_die_with_the_build() -> None:
    """Have Linux kill every worker process the build forks when the build process dies, and
    leave Ctrl-C to the build (which stops its workers: stop_workers).
    Whoosh's workers wait on a job queue whose pipe they hold open themselves: a build killed
    with SIGKILL would leave them waiting for ever, holding the write lock they inherited, and
    every later build would find the index busy."""
    def in_worker(_: object) -> None:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the build's to handle (it stops them)
        parent = multiprocessing.parent_process()
        if parent is not None:
            die_with_parent(parent.pid)

    multiprocessing.util.register_after_fork(_AFTER_FORK, in_worker)


@contextmanager
def ctrl_c_held() -> Iterator[None]:
    """Hold Ctrl-C (SIGINT) until the block is over. A parallel writer hands batches to its
    workers through a multiprocessing queue; a KeyboardInterrupt raised inside the queue's put
    leaves the queue's lock held, and Python then hangs at exit, waiting for the queue's thread.
    Held, the Ctrl-C arrives as soon as the block ends, between two files."""
    if threading.current_thread() is not threading.main_thread():
        yield  # only the main thread gets SIGINT
        return
    before = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, before)
