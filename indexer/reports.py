"""What a build did (`BuildReport`), filled in by the build (indexer/build.py) and by the
indexing of its files (indexer/indexing.py)."""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

from indexer.documents import LoadProblem
from indexer.ingest import Ingested, timed

# Told the name of each phase of a build as it starts (the progress line of `liner index`).
PhaseCallback = Callable[[str], None]


@dataclass
class BuildReport:
    index_dir: Path
    generation: str
    files_total: int = 0
    files_indexed: int = 0  # new or changed, read and (re)indexed
    files_unchanged: int = 0  # skipped without re-reading
    files_removed: int = 0
    passages: int = 0
    problems: list[LoadProblem] = field(default_factory=list)
    hidden: list[str] = field(default_factory=list)  # hidden files and folders left out (display paths)
    # Files indexed with a caveat the user should know of (legacy text decoded by a guess).
    notices: list[LoadProblem] = field(default_factory=list)
    seconds: float = 0.0
    full_rebuild: bool = False
    workers: int = 0  # worker processes that indexed beside this one (0: this process alone)
    # Seconds spent in each phase, summed over the processes that indexed (docs/benchmarks.md).
    phases: dict[str, float] = field(default_factory=dict)
    announce: PhaseCallback | None = field(default=None, repr=False, compare=False)

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        """A phase of the build: announced as it starts, its seconds added to `phases`."""
        if self.announce is not None:
            self.announce(name)
        with timed(self.phases, name):
            yield


def add_ingested(report: BuildReport, done: Ingested) -> None:
    """Count what one process indexed (its files, problems, notices and phase times) in the report."""
    report.problems.extend(done.problems)
    report.notices.extend(done.notices)
    report.files_indexed += done.indexed
    for phase, seconds in done.phases.items():
        report.phases[phase] = report.phases.get(phase, 0.0) + seconds
