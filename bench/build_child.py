"""One index build in a process of its own, so its peak memory (getrusage of the child) and its
time are its own: `python -m bench.build_child ENGINE FOLDER INDEX_DIR [--incremental]`.

Prints one JSON object: seconds (files -> index, the whole build), chunk_seconds (reading and
chunking the files, part of seconds), passages. Liner reads and chunks inside `build_index`, so its
chunk_seconds is not split out (null). A peer chunks first with Liner's chunker, then indexes; with
`--passages FILE --chunk-seconds S` it indexes passages the parent already chunked (in S seconds).
"""
from __future__ import annotations

import json
import os
import pickle
import resource
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

LINER = "Liner"


@dataclass(frozen=True)
class BuildMeasure:
    seconds: float  # files -> index
    chunk_seconds: float | None  # of which reading + chunking (peers only)
    passages: int
    peak_rss_mb: float  # of the whole child process (with its workers: an upper bound, see main)
    size_mb: float  # index on disk after the build
    cpu_seconds: float = 0.0  # user + system time of the child: steadier than wall time on a busy machine
    # The largest sum of the resident memory of the child and its workers seen at one moment
    # (sampled every SAMPLE_S): what the machine held for the build.
    tree_peak_rss_mb: float | None = None
    phases: dict | None = None  # Liner's own timing of its build phases (BuildReport.phases)

    @property
    def index_seconds(self) -> float:
        return self.seconds - (self.chunk_seconds or 0.0)


SAMPLE_S = 0.02


def build_in_child(engine: str, folder: Path, index_dir: Path, incremental: bool = False,
                   timeout_s: float = 900.0, passages_file: Path | None = None,
                   chunk_seconds: float | None = None, from_index: Path | None = None,
                   rebuild: bool = False) -> BuildMeasure:
    """Run one build in a fresh Python process and measure it.

    A peer given `passages_file` (the pickled passages of `folder`) indexes those instead of
    chunking the files again; `chunk_seconds`, the time chunking them took, is counted in.

    :raise RuntimeError: the build failed (its stderr is in the message).
    :raise TimeoutError: it ran longer than `timeout_s` and was killed.
    """
    command = [sys.executable, "-m", "bench.build_child", engine, str(folder), str(index_dir)]
    if incremental:
        command.append("--incremental")
    if passages_file is not None:
        command += ["--passages", str(passages_file), "--chunk-seconds", str(chunk_seconds or 0.0)]
    if from_index is not None:
        command += ["--from-index", str(from_index)]
    if rebuild:
        command.append("--rebuild")
    output = index_dir.parent / f".{index_dir.name}.build.json"
    index_dir.parent.mkdir(parents=True, exist_ok=True)
    with open(output, "w+", encoding="utf-8") as out, open(output.with_suffix(".err"), "w+", encoding="utf-8") as err:
        process = subprocess.Popen(command, stdout=out, stderr=err)
        deadline = time.monotonic() + timeout_s
        timed_out = False
        tree_peak = 0.0
        while True:
            tree_peak = max(tree_peak, tree_rss_mb(process.pid))
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() > deadline:
                process.kill()
                pid, status, usage = os.wait4(process.pid, 0)
                timed_out = True
                break
            time.sleep(SAMPLE_S)
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        text, problems = out.read(), err.read()
    output.unlink(missing_ok=True)
    output.with_suffix(".err").unlink(missing_ok=True)
    if timed_out:
        raise TimeoutError(f"{engine} build stopped after {timeout_s:.0f} s")
    if process.returncode != 0:
        raise RuntimeError(f"{engine} build failed (exit {process.returncode}): {problems.strip()[-2000:]}")
    result = json.loads(text.strip().splitlines()[-1])
    return BuildMeasure(
        seconds=result["seconds"],
        chunk_seconds=result["chunk_seconds"],
        passages=result["passages"],
        # The child's own VmHWM. getrusage's ru_maxrss of a child also counts the parent's pages
        # (the kernel carries the pre-exec address space's high-water mark over exec), so it is only
        # the fallback where /proc is missing.
        peak_rss_mb=result.get("peak_rss_mb") or usage.ru_maxrss / 1024.0,
        size_mb=folder_size(index_dir) / 1e6,
        cpu_seconds=usage.ru_utime + usage.ru_stime,
        tree_peak_rss_mb=tree_peak or None,
        phases=result.get("phases"),
    )


def tree_rss_mb(pid: int) -> float:
    """The resident memory (VmRSS) of a process and all its descendants now, in MB."""
    total, pending = 0, [pid]
    while pending:
        current = pending.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
        pending.extend(int(child) for child in children)
    return total / 1024.0


def folder_size(path: Path) -> int:
    """Bytes of every file under `path` (the index on disk)."""
    return sum(file.stat().st_size for file in Path(path).rglob("*") if file.is_file())


def main(argv: list[str]) -> None:
    engine, folder, index_dir = argv[0], Path(argv[1]), Path(argv[2])
    options = argv[3:]
    incremental = "--incremental" in options
    if engine == LINER:
        from bench.peers import Liner

        started = time.perf_counter()
        report = Liner().build_folder(folder, index_dir, rebuild="--rebuild" in options)
        seconds = time.perf_counter() - started
        result = {"seconds": seconds, "chunk_seconds": None, "passages": report.passages,
                  "full_rebuild": report.full_rebuild, "files_indexed": report.files_indexed,
                  "workers": report.workers, "phases": report.phases}
    else:
        if incremental:
            raise SystemExit(f"{engine}: only Liner builds incrementally here")
        from bench.corpus import read_passages
        from bench.peers import peer_named

        peer = peer_named(engine)
        if "--from-index" in options:  # the very passages Liner indexed, read back from its index
            from bench.peers import passages_of_index

            started = time.perf_counter()
            passages = passages_of_index(Path(options[options.index("--from-index") + 1]))
            chunk_seconds = 0.0
        elif "--passages" in options:
            with open(options[options.index("--passages") + 1], "rb") as handle:
                passages = pickle.load(handle)
            chunk_seconds = float(options[options.index("--chunk-seconds") + 1])
            started = time.perf_counter()
        else:
            started = time.perf_counter()
            passages = read_passages(folder)
            chunk_seconds = time.perf_counter() - started
        indexing = time.perf_counter()
        passages = _Counted(passages)
        peer.build(passages, index_dir)
        seconds = chunk_seconds + time.perf_counter() - indexing
        result = {"seconds": seconds, "chunk_seconds": chunk_seconds, "passages": passages.count}
    result["peak_rss_mb"] = _own_peak_rss_mb()
    if result.get("workers") and result["peak_rss_mb"] is not None:
        # Worker processes count too: the largest one's peak (getrusage of the waited-for
        # children) times their number. An upper bound: pages they share with this process
        # (forked, copy-on-write) are counted in each.
        largest = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024.0
        result["peak_rss_mb"] += result["workers"] * largest
    print(json.dumps(result))


class _Counted:
    """The passages a peer indexes, counted as it goes (they may come one at a time)."""

    def __init__(self, passages) -> None:
        self._passages = passages
        self.count = 0

    def __iter__(self):
        for passage in self._passages:
            self.count += 1
            yield passage


def _own_peak_rss_mb() -> float | None:
    """VmHWM of this process since its exec, in MB (None without /proc)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    except OSError:
        return None
    return None


if __name__ == "__main__":
    main(sys.argv[1:])
