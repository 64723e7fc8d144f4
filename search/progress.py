"""What `liner index` shows on a terminal while it builds: the phase that is running and, while
files are read, how far along it is and a steady estimate of the time left.

A build reads and cuts every file (the one phase it reports file by file), then indexes what the
workers still hold, merges the segments, checks the new index, writes its synonyms and manifest
and switches to it. Once the last file is read the line names the phase that is running, as the
build announces it, and counts its seconds, instead of showing a bar stuck at 100%.
"""
from __future__ import annotations

import sys
import threading
import time
from typing import Callable, TextIO

# The estimate is shown once this share of the files is read and this many seconds have passed:
# before that, one slow or fast first file swings it by minutes (2:33 at 1% for a build that took
# 1:40 in all, on a 28 MB corpus). It is the average time per file since the first, times the
# files left: a run of large or small files moves it gradually, where the rate of the last few
# files (what click's bar shows) jumps with each.
ESTIMATE_FROM_SHARE = 0.05
ESTIMATE_FROM_S = 2.0
# Builds of fewer files are over too soon for a progress line to help.
SHOW_FROM_FILES = 20
TICK_S = 0.5


class BuildProgress:
    """The progress line of one build on `stream` (a terminal): call `file_read` for each file,
    `close` at the end."""

    def __init__(self, stream: TextIO = sys.stderr, clock: Callable[[], float] = time.monotonic) -> None:
        self.stream = stream
        self.clock = clock
        self.started = clock()
        self._first: tuple[int, float] | None = None  # (files done, time) at the first report
        self._finishing: threading.Thread | None = None
        self._stop = threading.Event()
        self._width = 0
        self._phase = "indexing"  # after the last file is read: what the workers still hold
        self._phase_started = clock()

    def file_read(self, done: int, total: int, path: str) -> None:
        if total < SHOW_FROM_FILES:
            return
        now = self.clock()
        if self._first is None:
            self._first = (done, now)
        self._show(reading_line(done, total, self.estimate(done, total, now)))
        if done == total and self._finishing is None:
            self._finishing = threading.Thread(target=self._count_seconds, daemon=True)
            self._finishing.start()

    def phase_started(self, name: str) -> None:
        """The build started another phase (indexer/build.py's on_phase): shown once files are."""
        self._phase, self._phase_started = name, self.clock()

    def close(self) -> None:
        self._stop.set()
        if self._finishing is not None:
            self._finishing.join()
        if self._width:
            self.stream.write("\r" + " " * self._width + "\r")
            self.stream.flush()

    def estimate(self, done: int, total: int, now: float) -> float | None:
        """Seconds left to read the remaining files; None while too little is known."""
        first_done, first_time = self._first or (done, now)
        if done < total * ESTIMATE_FROM_SHARE or now - self.started < ESTIMATE_FROM_S or done <= first_done:
            return None
        return (now - first_time) / (done - first_done) * (total - done)

    def _count_seconds(self) -> None:
        self._phase_started = self.clock()
        while not self._stop.wait(TICK_S):
            self._show(phase_line(self._phase, self.clock() - self._phase_started))

    def _show(self, line: str) -> None:
        padding = max(0, self._width - len(line))
        self._width = len(line)
        self.stream.write("\r" + line + " " * padding)
        self.stream.flush()


def reading_line(done: int, total: int, seconds_left: float | None) -> str:
    share = done / total if total else 1.0
    bar = "#" * int(share * 24)
    left = f"  about {_duration(seconds_left)} left" if seconds_left is not None else ""
    return f"Reading files  [{bar:<24}] {done}/{total}{left}"


def phase_line(phase: str, seconds: float) -> str:
    return f"{phase[:1].upper()}{phase[1:]}…  {_duration(seconds)}"


def _duration(seconds: float) -> str:
    seconds = int(round(seconds))
    return f"{seconds // 60}:{seconds % 60:02d}"
