"""Builds that cannot finish: they fail whole, in one line, and change nothing.

Promises (docs/reliability.md, "Builds that fail"):
- any name the OS can hold is indexed (under a name every output can take) or reported: bytes that
  are not UTF-8, control characters, bidirectional overrides, a real "%E9" beside the byte 0xe9;
  in a serial build and in a parallel one;
- a worker process of a parallel build that fails (raises, is killed, dies while finishing its
  segment) fails the whole build: exit 3, one line that says why, no traceback, the previous
  index still current and answering, the failed generation's files removed; never a commit of
  partial work. A generation that holds fewer passages than its files gave is never switched
  to, and one left by older builds is rebuilt rather than built upon;
- an OS error ends a build in one line and exit 3, the previous index unchanged and the failed
  generation's files removed: a disk that fills up (simulated at each step of a build, and once
  for real on a small tmpfs where one can be mounted), an index folder that cannot be created, a
  lock file that cannot be opened;
- folders nested 1,100 deep are indexed; a path too long for the system, and a folder that cannot
  be read, are reported and the rest is indexed.
"""
from __future__ import annotations

import errno
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from indexer.build import BuildError, build_index
from indexer.layout import current_generation, read_manifest
from search.engine import Engine
from figures import record_figures
from folders import deep_tmp_path, nest  # noqa: F401 - deep_tmp_path: a fixture

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
NOTES = ROOT / "tests" / "data" / "notes"
LINER = Path(sys.executable).with_name("liner")

# A liner process whose full builds run in two worker processes, each writing a segment every
# few passages, whatever the folder's size; PATCH is Python run first (in the build process, so
# the workers inherit it).
PARALLEL_LINER = ("import os, sys; import indexer.indexing as b; b.PARALLEL_FROM_BYTES = 0; "
                  "os.environ['LINER_INDEX_MEMORY_MB'] = '0.02'; "
                  "os.cpu_count = lambda: 2; {patch}; from search.cli import main; main(sys.argv[1:])")


def liner(*args, cwd: Path = ROOT, timeout: float = 180) -> subprocess.CompletedProcess:
    return subprocess.run([str(LINER), *map(str, args)], cwd=cwd, capture_output=True, text=True, timeout=timeout)


def parallel_liner(*args, patch: str = "pass", timeout: float = 180) -> subprocess.CompletedProcess:
    code = PARALLEL_LINER.format(patch=patch)
    return subprocess.run([sys.executable, "-c", code, *map(str, args)], cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout)


def generations(index_dir: Path) -> list[str]:
    return sorted(path.name for path in index_dir.iterdir() if path.name.startswith("gen-"))


def assert_one_line_failure(result: subprocess.CompletedProcess, *phrases: str) -> None:
    assert result.returncode == 3, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr + result.stdout, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    for phrase in phrases:
        assert phrase in lines[0], (phrase, lines[0])


def copy_of(folder: Path, to: Path) -> Path:
    shutil.copytree(folder, to)
    return to


def passages_held(index_dir: Path) -> int:
    from whoosh import index as whoosh_index

    with whoosh_index.open_dir(str(index_dir / current_generation(index_dir))).reader() as reader:
        return reader.doc_count()


# -- names: any name the OS can hold is indexed or reported -------------------------------------

ODD_NAMES = {
    b"caf\xe9.txt": "caf%E9.txt",  # Latin-1, not UTF-8
    b"caf%E9.txt": "caf%25E9.txt",  # a real "%E9": a different file, a different name
    b"\xff\xfe.md": "%FF%FE.md",
    b"line\nbreak.md": "line%0Abreak.md",
    b"esc\x1b[2J.md": "esc%1B[2J.md",
    "evil\u202egnp.md".encode(): "evil%E2%80%AEgnp.md",
    "日本語.md".encode(): "日本語.md",
}


def write_odd_names(folder: Path) -> None:
    for number, name in enumerate(ODD_NAMES):
        with open(os.fsencode(folder) + b"/" + name, "wb") as handle:
            handle.write(f"# Odd name {number}\n\nThe oddname{number} note.\n".encode())


@pytest.mark.parametrize("parallel", [False, True], ids=["serial", "parallel"])
def test_files_whose_names_are_not_utf8_or_not_printable_are_indexed_under_escaped_names(tmp_path, parallel):
    """Regression: a file named caf\\xe9.txt crashed a serial build with a traceback, and in a
    parallel build killed the worker it was sent to: 'Indexed 7 files', exit 0, and every
    passage of that worker lost, the seeds' included."""
    folder = copy_of(SEEDS, tmp_path / "notes")
    write_odd_names(folder)
    index_dir = tmp_path / "index"
    result = (parallel_liner if parallel else liner)("index", folder, "--index", index_dir)
    assert result.returncode == 0, result.stderr
    assert result.stderr == "" and "Traceback" not in result.stdout
    assert ("worker processes" in result.stdout) == parallel
    engine = Engine(index_dir)
    shown = sorted(Path(path).name for path in engine.indexed_paths())
    assert shown == sorted([seed.name for seed in SEEDS.glob("*.txt")] + list(ODD_NAMES.values()))
    assert passages_held(index_dir) == read_manifest(index_dir)["passages"]
    assert engine.ask("Who plays Joanna Kassem?").answer.text == "Jenna Dewan"
    for number, name in enumerate(ODD_NAMES.values()):
        hits = engine.search(f"oddname{number}").results
        assert [Path(hit.path).name for hit in hits] == [name]
        json.dumps(engine.search(f"oddname{number}").to_dict(), ensure_ascii=False).encode("utf-8")
    again = (parallel_liner if parallel else liner)("index", folder, "--index", index_dir)
    assert "0 read" in again.stdout and f"{len(ODD_NAMES) + 5} unchanged" in again.stdout


def test_the_cli_prints_odd_names_in_one_line_each(tmp_path):
    folder = tmp_path / "notes"
    folder.mkdir()
    write_odd_names(folder)
    (folder / "empty\x1b[31m.md").write_bytes(b"")  # a problem, reported under its escaped name
    result = liner("index", folder, "--index", tmp_path / "index")
    assert result.returncode == 0
    assert result.stderr.splitlines() == [f"skipped {folder.as_posix()}/empty%1B[31m.md: empty file"]
    found = liner("search", "oddname3", "--index", tmp_path / "index")
    assert "line%0Abreak.md:L3-L3" in found.stdout and "\x1b" not in found.stdout


# -- a worker that fails fails the build ------------------------------------------------------------

# Python run in the build process before it forks its workers: only the workers index (the parent
# merges what they wrote), so these fail in a worker, on the passages of one marked file.
FAIL_IN_WORKER = {
    "raises": "import indexer.segments as w; add = w.SegmentBuffer.add; "
              "w.SegmentBuffer.add = lambda self, d: (_ for _ in ()).throw(UnicodeEncodeError("
              "'utf-8', 'x', 0, 1, 'surrogates not allowed')) if 'failpoint' in d.get('body', '') else add(self, d)",
    "is killed": "import indexer.segments as w, signal; add = w.SegmentBuffer.add; "
                 "w.SegmentBuffer.add = lambda self, d: os.kill(os.getpid(), signal.SIGKILL) "
                 "if 'failpoint' in d.get('body', '') else add(self, d)",
    "every worker is killed": "import indexer.segments as w, signal; "
                              "w.SegmentBuffer.add = lambda self, d: os.kill(os.getpid(), signal.SIGKILL)",
    "fails finishing its segment": "import indexer.segments as w; "
                                   "w.SegmentBuffer.finish = lambda self: 1 / 0",
}
WHY = {
    "raises": "a worker process failed while indexing (UnicodeEncodeError:",
    "is killed": "a worker process was killed (SIGKILL) while indexing",
    "every worker is killed": "a worker process was killed (SIGKILL) while indexing",
    "fails finishing its segment": "a worker process failed while indexing (ZeroDivisionError: division by zero)",
}


@pytest.fixture(scope="module")
def notes_and_index(tmp_path_factory) -> tuple[Path, Path]:
    """A copy of the notes with a marked file, and a good index of it (to be copied)."""
    base = tmp_path_factory.mktemp("worker-failures")
    folder = copy_of(NOTES, base / "notes")
    (folder / "zz-marked.md").write_text("# Marked\n\nThis note holds the failpoint word.\n", encoding="utf-8")
    result = liner("index", folder, "--index", base / "index")
    assert result.returncode == 0, result.stderr
    return folder, base / "index"


@pytest.mark.parametrize("how", list(FAIL_IN_WORKER))
def test_a_worker_that_fails_fails_the_build_and_the_previous_index_stays(notes_and_index, tmp_path, how):
    folder, good_index = notes_and_index
    index_dir = tmp_path / "index"
    shutil.copytree(good_index, index_dir)
    before = current_generation(index_dir)
    answers = Engine(index_dir).search("compost").to_dict()["results"]
    started = time.monotonic()
    result = parallel_liner("index", folder, "--index", index_dir, "--rebuild", patch=FAIL_IN_WORKER[how], timeout=120)
    assert_one_line_failure(result, WHY[how], "the previous index is unchanged")
    assert time.monotonic() - started < 120
    assert current_generation(index_dir) == before
    assert generations(index_dir) == [before], "the failed generation's files were left behind"
    assert Engine(index_dir).search("compost").to_dict()["results"] == answers
    healed = parallel_liner("index", folder, "--index", index_dir, "--rebuild")
    assert healed.returncode == 0, healed.stderr
    assert passages_held(index_dir) == read_manifest(index_dir)["passages"]


def test_a_generation_that_lost_passages_is_never_made_current(notes_and_index, tmp_path):
    """The second line of defence: were a worker to lose passages without failing (as Whoosh's own
    writer once did), the passage count the manifest would list still refuses the generation."""
    folder, good_index = notes_and_index
    index_dir = tmp_path / "index"
    shutil.copytree(good_index, index_dir)
    before = current_generation(index_dir)
    patch = ("import indexer.segments as w; add = w.SegmentBuffer.add; "
             "w.SegmentBuffer.add = lambda self, d: None if 'failpoint' in d.get('body', '') else add(self, d)")
    result = parallel_liner("index", folder, "--index", index_dir, "--rebuild", patch=patch)
    assert_one_line_failure(result, "the new index holds", "passages where the files gave")
    assert current_generation(index_dir) == before and generations(index_dir) == [before]


def test_an_index_that_lost_passages_is_rebuilt_not_built_upon(notes_and_index, tmp_path):
    """Indexes left by builds before this check could hold fewer passages than their manifest (and
    said '7 unchanged' for ever after): the next build, even an incremental one, starts afresh."""
    folder, good_index = notes_and_index
    index_dir = tmp_path / "index"
    shutil.copytree(good_index, index_dir)
    manifest_file = index_dir / current_generation(index_dir) / "manifest.json"
    manifest = json.loads(manifest_file.read_text(encoding="utf-8"))
    manifest["passages"] += 200  # what the manifest of such an index says: more than Whoosh holds
    manifest_file.write_text(json.dumps(manifest), encoding="utf-8")
    report = build_index(folder, index_dir)
    assert report.full_rebuild and report.files_indexed == report.files_total
    assert passages_held(index_dir) == read_manifest(index_dir)["passages"]


# -- OS errors --------------------------------------------------------------------------------------

def _raise_enospc(*args, **kwargs):
    raise OSError(errno.ENOSPC, "No space left on device")


# Each step of a build at which a disk can fill up: (what is patched, whether the build is incremental).
DISK_FULL_AT = {
    "creating the index files": ("whoosh.filedb.filestore.FileStorage.create_file", False),
    "linking the previous generation's segments": ("indexer.indexing.os.link", True),
    "writing the synonyms": ("indexer.build._write_synonyms", True),
    "flushing the index files": ("indexer.build.fsync_index_files", False),
    "switching CURRENT": ("indexer.generations.os.replace", True),
}


@pytest.mark.parametrize("step", list(DISK_FULL_AT))
def test_a_disk_that_fills_up_ends_the_build_in_one_line_and_changes_nothing(tmp_path, monkeypatch, step):
    folder = copy_of(NOTES, tmp_path / "notes")
    index_dir = tmp_path / "index"
    build_index(folder, index_dir)
    before = current_generation(index_dir)
    (folder / "new.md").write_text("# New\n\nA heron by the pond.\n", encoding="utf-8")
    target, incremental = DISK_FULL_AT[step]
    monkeypatch.setattr(target, _raise_enospc)
    with pytest.raises(BuildError) as raised:
        build_index(folder, index_dir, rebuild=not incremental)
    monkeypatch.undo()
    message = str(raised.value)
    assert "No space left on device" in message and "free some space" in message and "\n" not in message
    assert current_generation(index_dir) == before
    assert generations(index_dir) == [before] and not (index_dir / "CURRENT.tmp").exists()
    assert Engine(index_dir).search("heron").results == []
    build_index(folder, index_dir)
    assert Engine(index_dir).search("heron").results


@pytest.fixture
def small_disk(tmp_path):
    """A 3 MB tmpfs mounted for the test, where this process may mount one (root, and a kernel
    that lets it); skipped elsewhere."""
    mount_point = tmp_path / "small-disk"
    mount_point.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a small tmpfs needs root")
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(mount_point)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode(errors='replace').strip()}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], capture_output=True)


def fill(disk: Path, leave: int) -> Path:
    """Fill `disk` with one file until only about `leave` bytes are free."""
    filler = disk / "filler"
    free = shutil.disk_usage(disk).free
    with open(filler, "wb") as handle:
        handle.write(b"\0" * max(0, free - leave))
    return filler


@pytest.mark.parametrize("parallel", [False, True], ids=["serial", "parallel"])
def test_a_real_full_disk_ends_the_build_in_one_line_and_frees_what_it_wrote(small_disk, tmp_path, tmp_path_factory,
                                                                             parallel):
    folder = copy_of(SEEDS, tmp_path / "notes")
    index_dir = small_disk / "index"
    assert liner("index", folder, "--index", index_dir).returncode == 0
    before = current_generation(index_dir)
    answer = Engine(index_dir).ask("Who plays Joanna Kassem?").answer.text
    filler = fill(small_disk, leave=200_000)  # less than a generation of the seeds takes
    free_before = shutil.disk_usage(small_disk).free
    result = (parallel_liner if parallel else liner)("index", folder, "--index", index_dir, "--rebuild")
    assert_one_line_failure(result, "No space left on device", "free some space")
    assert current_generation(index_dir) == before and generations(index_dir) == [before]
    assert shutil.disk_usage(small_disk).free >= free_before - 16_384, "the failed generation's files stayed"
    assert Engine(index_dir).ask("Who plays Joanna Kassem?").answer.text == answer
    filler.unlink()
    assert liner("index", folder, "--index", index_dir, "--rebuild").returncode == 0
    record_figures(tmp_path_factory, f"disk_full_{'parallel' if parallel else 'serial'}",
                   message=result.stderr.strip()[:200])


def test_an_index_folder_that_cannot_be_created_is_one_line(tmp_path):
    (tmp_path / "a-file").write_text("not a folder", encoding="utf-8")
    for index_dir, reason in [(tmp_path / "a-file" / "index", "Not a directory"), (Path("/proc/liner-index"), "")]:
        result = liner("index", SEEDS, "--index", index_dir)
        assert_one_line_failure(result, f"cannot create the index folder {index_dir}", reason, "--index DIR")


def test_a_lock_file_that_cannot_be_opened_is_one_line(tmp_path):
    index_dir = tmp_path / "index"
    (index_dir / "write.lock").mkdir(parents=True)
    result = liner("index", SEEDS, "--index", index_dir)
    assert_one_line_failure(result, "cannot write the index at", "Is a directory")


# -- folders --------------------------------------------------------------------------------------


def test_folders_nested_1100_deep_are_indexed_and_a_path_too_long_is_reported(deep_tmp_path):
    """Regression: os.walk recursed, and 1,100 nested folders ended the build in a RecursionError."""
    tmp_path = deep_tmp_path
    folder = tmp_path / "notes"
    (folder / "deep").mkdir(parents=True)
    (folder / "long").mkdir()
    (folder / "top.md").write_text("# Top\n\nA note at the top about gannets.\n", encoding="utf-8")
    nest(folder / "deep", 1100)
    nest(folder / "long", 30, name=b"n" * 250)  # 7,500 bytes: past Linux's 4,096
    result = liner("index", folder, "--index", tmp_path / "index")
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr[-2000:]
    problems = result.stderr.splitlines()
    assert len(problems) == 1 and "folder not read (path too long for the system" in problems[0], problems
    engine = Engine(tmp_path / "index")
    assert [hit.path.split("/").count("d") for hit in engine.search("bathyscaphe").results] == [1100]
    assert len(engine.search("gannets").results) == 1
    view = engine.document(engine.search("bathyscaphe").results[0].path)
    assert view is not None and view.lines[-1] == "A bathyscaphe at the bottom."


# -- what a build says -----------------------------------------------------------------------------


def test_hidden_files_and_folders_are_named_in_the_build_report(tmp_path):
    folder = tmp_path / "notes"
    (folder / ".obsidian").mkdir(parents=True)
    (folder / ".obsidian" / "workspace.md").write_text("settings", encoding="utf-8")
    (folder / ".draft.md").write_text("# Draft\n\nA hidden draft about puffins.\n", encoding="utf-8")
    (folder / "seen.md").write_text("# Seen\n\nA note about terns.\n", encoding="utf-8")
    result = liner("index", folder, "--index", tmp_path / "index")
    assert result.returncode == 0 and result.stderr == ""
    lines = result.stdout.splitlines()
    assert lines[0].startswith("Indexed 1 files")
    assert lines[1] == (f"Left out 2 hidden files or folders (names starting with '.'): "
                        f"{folder.as_posix()}/.draft.md, {folder.as_posix()}/.obsidian.")
    assert read_manifest(tmp_path / "index")["hidden"] == [f"{folder.as_posix()}/.draft.md", f"{folder.as_posix()}/.obsidian"]
    assert Engine(tmp_path / "index").search("puffins").results == []


def test_a_nul_past_the_first_8_kb_keeps_the_file_out_of_the_index(tmp_path):
    """Regression: only the first 8 KB were sniffed for NUL; a NUL after them went into the index
    and into every output that showed the passage."""
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "late.md").write_bytes(b"# Late\n\n" + b"Plain words about storks.\n" * 400 + b"A NUL \x00 here.\n")
    (folder / "fine.md").write_text("# Fine\n\nStorks nest on chimneys.\n", encoding="utf-8")
    result = liner("index", folder, "--index", tmp_path / "index")
    assert result.stderr.splitlines() == [f"skipped {folder.as_posix()}/late.md: binary file (a NUL byte at offset 10,414)"]
    found = liner("search", "storks", "--index", tmp_path / "index", "--json")
    assert "\\u0000" not in found.stdout and "\x00" not in found.stdout
    assert [Path(hit["path"]).name for hit in json.loads(found.stdout)["results"]] == ["fine.md"]
