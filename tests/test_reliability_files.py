"""Files the indexer cannot use are reported with their path and a reason, and the build goes on.

Promises (docs/reliability.md, "Files"):
- empty, binary, non-UTF-8, very large (100 MB, never read), unreadable, not-a-file (FIFO,
  socket), looping links, links out of the folder and links to folders: each one is reported with
  its path and reason, and every good file beside them is indexed;
- a file reached through a link inside the folder is indexed once, under its own path;
- a deleted file leaves the index (search no longer finds it), also when it disappears between
  the listing and the reading, and re-indexing never indexes anything twice.
"""
from __future__ import annotations

import builtins
import io
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path


from indexer.build import build_index
from indexer.layout import read_manifest
from search.engine import MAX_REACHABLE, Engine
from figures import record_figures

ROOT = Path(__file__).resolve().parent.parent
LINER = Path(sys.executable).with_name("liner")
BIG_FILE_BYTES = 100 * 1024 * 1024

# One unusual word per good file, so a search tells exactly which files are in the index.
GOOD_FILES = {
    "good.md": "# Zebras\n\nThe quagga grazes near the river.\n",
    "nested/deep.txt": "Deep notes\n\nA narwhal surfaces at dawn.\n",
    "z_real.md": "# Target\n\nThe axolotl regrows its limbs.\n",
    "dir.txt/inside.md": "# Folder named like a file\n\nThe pangolin rolls up.\n",
}




def make_awkward_folder(base: Path) -> tuple[Path, Path]:
    """A folder of good files and every kind of file the indexer must refuse; returns the folder
    and the file outside it that some links point to."""
    folder = base / "notes"
    for name, text in GOOD_FILES.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")
    outside = base / "outside.txt"
    outside.write_text("The okapi lives outside the indexed folder.\n", encoding="utf-8")
    (base / "outside-folder").mkdir()
    (base / "outside-folder" / "hidden.md").write_text("The tapir is outside too.\n", encoding="utf-8")

    (folder / "empty.txt").write_bytes(b"")
    (folder / "blank.md").write_bytes(b"  \n\t\n")
    (folder / "binary.txt").write_bytes(b"PK\x03\x04\x00\x00binary quokka\x00\xff")
    (folder / "latin1.txt").write_bytes("Caf\xe9 au lait, the wombat said.".encode("latin-1"))
    with open(folder / "huge.txt", "wb") as handle:  # sparse: 100 MB in no time and no space
        handle.truncate(BIG_FILE_BYTES)
    os.mkfifo(folder / "pipe.txt")
    (folder / "loop.txt").symlink_to("loop.txt")
    (folder / "ping.md").symlink_to("pong.md")
    (folder / "pong.md").symlink_to("ping.md")
    (folder / "dangling.md").symlink_to("no-such-file.md")
    (folder / "escape.txt").symlink_to(outside)
    (folder / "escape-relative.md").symlink_to("../outside.txt")
    (folder / "outside-link").symlink_to(base / "outside-folder")
    (folder / "self").symlink_to(".")
    (folder / "a_alias.md").symlink_to("z_real.md")  # sorts before its target
    (folder / "nested" / "alias-of-good.md").symlink_to("../good.md")
    return folder, outside


EXPECTED_PROBLEMS = {
    "empty.txt": "empty file",
    "blank.md": "empty file",
    "binary.txt": "binary file",
    "huge.txt": "larger than 20 MB",
    "pipe.txt": "not a regular file",
    "loop.txt": "looping link",
    "ping.md": "looping link",
    "pong.md": "looping link",
    "dangling.md": "broken or looping link",
    "escape.txt": "outside the indexed folder",
    "escape-relative.md": "outside the indexed folder",
    "outside-link": "link to a folder; not followed",
    "self": "link to a folder; not followed",
}


def unix_socket(path: Path) -> socket.socket:
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(path))
    return server


def test_every_unusable_file_is_reported_with_path_and_reason_and_the_rest_is_indexed(tmp_path, tmp_path_factory):
    folder, _ = make_awkward_folder(tmp_path)
    with unix_socket(folder / "socket.md"):
        started = time.perf_counter()
        result = subprocess.run(
            [str(LINER), "index", str(folder), "--index", str(tmp_path / "index")],
            cwd=ROOT, capture_output=True, text=True, timeout=60,  # a FIFO read would hang: fail instead
        )
        seconds = time.perf_counter() - started
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    skipped, notes = {}, {}
    for line in result.stderr.splitlines():
        assert line.startswith(("skipped ", "note ")), line
        found = skipped if line.startswith("skipped ") else notes
        path, _, reason = line.partition(" ")[2].partition(": ")
        found[Path(path).relative_to(folder).as_posix()] = reason
    assert list(notes) == ["latin1.txt"] and "not UTF-8; read as" in notes["latin1.txt"], notes  # indexed, and said
    expected = {**EXPECTED_PROBLEMS, "socket.md": "not a regular file"}
    assert set(skipped) == set(expected), skipped
    for name, reason in expected.items():
        assert reason in skipped[name], (name, skipped[name])
    assert f"Indexed {len(GOOD_FILES) + 1} files" in result.stdout

    engine = Engine(tmp_path / "index")
    indexed = sorted(Path(p).relative_to(folder).as_posix() for p in engine.indexed_paths())
    assert indexed == sorted([*GOOD_FILES, "latin1.txt"])
    for word in ("quagga", "narwhal", "axolotl", "pangolin", "wombat"):
        assert len(engine.search(word).results) == 1, word
    for word in ("okapi", "tapir", "quokka"):
        assert engine.search(word).results == [], word
    record_figures(tmp_path_factory, "files", awkward_files_reported=len(skipped), good_files_indexed=len(GOOD_FILES),
                   awkward_folder_build_seconds=round(seconds, 2))


def test_a_100_mb_file_is_reported_without_being_read(tmp_path, monkeypatch):
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "small.md").write_text("A small note about lemurs.\n", encoding="utf-8")
    with open(folder / "huge.md", "wb") as handle:
        handle.truncate(BIG_FILE_BYTES)
    opened: list[str] = []
    real_open, real_io_open, real_os_open = builtins.open, io.open, os.open

    def spy(real):
        def wrapper(file, *args, **kwargs):
            opened.append(os.fspath(file) if isinstance(file, (str, bytes, os.PathLike)) else repr(file))
            return real(file, *args, **kwargs)
        return wrapper

    monkeypatch.setattr(builtins, "open", spy(real_open))
    monkeypatch.setattr(io, "open", spy(real_io_open))
    monkeypatch.setattr(os, "open", spy(real_os_open))
    started = time.perf_counter()
    report = build_index(folder, tmp_path / "index")
    seconds = time.perf_counter() - started
    monkeypatch.undo()

    assert [(Path(p.path).name, p.reason) for p in report.problems] == [
        ("huge.md", f"larger than 20 MB ({BIG_FILE_BYTES:,} bytes); skipped")
    ]
    assert not [path for path in opened if path.endswith("huge.md")], "the 100 MB file was opened"
    assert any(path.endswith("small.md") for path in opened), "the spy saw no reads at all"
    assert seconds < 10


def _build_as_nobody(folder: Path, index_dir: Path) -> list[tuple[str, str]]:
    """Run build_index in a forked child that has dropped root, so file permissions apply; return
    its problems. (Everything the build needs is imported before the fork: the child may not be
    able to read the interpreter's own files.)"""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # child
        status = 1
        try:
            os.close(read_end)
            os.setgroups([])
            os.setgid(65534)
            os.setuid(65534)
            report = build_index(folder, index_dir)
            os.write(write_end, json.dumps([[p.path, p.reason] for p in report.problems]).encode())
            status = 0
        except BaseException as error:  # noqa: BLE001 - reported to the parent
            os.write(write_end, json.dumps({"error": repr(error)}).encode())
        finally:
            os._exit(status)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        output = pipe.read()
    _, status = os.waitpid(pid, 0)
    result = json.loads(output)
    assert os.waitstatus_to_exitcode(status) == 0, result
    return [tuple(problem) for problem in result]


def test_an_unreadable_file_is_reported_and_the_build_goes_on(tmp_path):
    """chmod 000 means nothing to root, and the suite runs as root in CI: there the build runs in
    a forked child that has switched to user `nobody`, so the permission check is real."""
    base = Path(tempfile.mkdtemp(dir="/tmp" if os.geteuid() == 0 else tmp_path))
    try:
        os.chmod(base, 0o755)
        folder = base / "notes"
        folder.mkdir()
        (folder / "open.md").write_text("The ibex climbs.\n", encoding="utf-8")
        (folder / "secret.md").write_text("The caracal hides.\n", encoding="utf-8")
        os.chmod(folder / "secret.md", 0)
        index_dir = base / "index"
        index_dir.mkdir()
        os.chmod(index_dir, 0o777)
        if os.geteuid() == 0:
            build_index(folder, base / "warm-up")  # import every module before dropping root
            problems = _build_as_nobody(folder, index_dir)
        else:
            problems = [(p.path, p.reason) for p in build_index(folder, index_dir).problems]
        assert [(Path(path).name, reason) for path, reason in problems] == [("secret.md", "permission denied")]
        engine = Engine(index_dir)
        assert len(engine.search("ibex").results) == 1
        assert engine.search("caracal").results == []
    finally:
        shutil.rmtree(base, ignore_errors=True)


def test_a_file_reached_through_links_is_indexed_once_under_its_own_path(tmp_path):
    folder = tmp_path / "notes"
    (folder / "sub").mkdir(parents=True)
    (folder / "z_real.md").write_text("# Real\n\nThe capybara swims.\n", encoding="utf-8")
    (folder / "a_link.md").symlink_to("z_real.md")  # sorts before the file it points to
    (folder / "sub" / "again.md").symlink_to("../z_real.md")
    (folder / "sub" / "only-link.md").symlink_to("../.hidden/kept.md")  # target not walked
    (folder / ".hidden").mkdir()
    (folder / ".hidden" / "kept.md").write_text("The dugong grazes.\n", encoding="utf-8")
    index_dir = tmp_path / "index"
    for _ in range(3):  # and re-indexing adds nothing
        report = build_index(folder, index_dir)
        assert report.problems == []
    engine = Engine(index_dir)
    names = sorted(Path(p).relative_to(folder).as_posix() for p in engine.indexed_paths())
    assert names == ["sub/only-link.md", "z_real.md"]
    hits = engine.search("capybara").results
    assert [Path(hit.path).name for hit in hits] == ["z_real.md"]
    assert len(engine.search("dugong").results) == 1
    full = build_index(folder, tmp_path / "fresh-index", rebuild=True)
    assert read_manifest(index_dir)["passages"] == full.passages


def test_deleted_and_changed_files_leave_the_index(tmp_path, tmp_path_factory):
    folder = tmp_path / "notes"
    folder.mkdir()
    words = {"one.md": "gecko", "two.md": "iguana", "three.md": "komodo", "four.md": "chameleon"}
    for name, word in words.items():
        (folder / name).write_text(f"# {name}\n\nThe {word} basks.\n", encoding="utf-8")
    index_dir = tmp_path / "index"
    build_index(folder, index_dir)
    engine = Engine(index_dir)
    assert all(len(engine.search(word).results) == 1 for word in words.values())

    (folder / "one.md").unlink()  # deleted
    (folder / "two.md").write_bytes(b"\x00\x01 now binary")  # became unusable
    (folder / "three.md").write_text("# three\n\nThe monitor lizard basks.\n", encoding="utf-8")  # changed
    report = build_index(folder, index_dir)
    assert [(Path(p.path).name, p.reason) for p in report.problems] == [("two.md", "binary file (a NUL byte at offset 0)")]
    assert engine.search("gecko").results == []  # the same Engine, moved to the new generation
    assert engine.search("iguana").results == []
    assert engine.search("komodo").results == []
    assert len(engine.search("monitor").results) == 1
    assert len(engine.search("chameleon").results) == 1
    assert sorted(Path(p).name for p in engine.indexed_paths()) == ["four.md", "three.md"]

    full = build_index(folder, tmp_path / "fresh-index", rebuild=True)
    assert engine.stats["passages"] == full.passages  # nothing left over, nothing twice


def test_a_file_deleted_between_listing_and_reading_is_reported_and_left_out(tmp_path):
    folder = tmp_path / "notes"
    folder.mkdir()
    for name in ("a.md", "b.md", "c.md"):
        (folder / name).write_text(f"# {name}\n\nThe {name[0]}-marmot whistles.\n", encoding="utf-8")

    def delete_b_just_before_it_is_read(done: int, total: int, path: str) -> None:
        if path.endswith("b.md"):
            (folder / "b.md").unlink()

    report = build_index(folder, tmp_path / "index", progress=delete_b_just_before_it_is_read)
    assert [(Path(p.path).name, p.reason) for p in report.problems] == [("b.md", "No such file or directory")]
    assert sorted(Path(p).name for p in Engine(tmp_path / "index").indexed_paths()) == ["a.md", "c.md"]


def test_total_counts_only_the_passages_still_indexed_after_an_update(tmp_path):
    """Regression: after an incremental re-index, `total` counted the passages the update had
    replaced (Whoosh's estimate keeps them until their segment is merged): "No passages match."
    above "2 passages", or 150 passages reported where 15 were left."""
    folder = tmp_path / "notes"
    folder.mkdir()
    animals = ["otter", "badger", "stoat", "weasel", "marten", "polecat"]
    for number in range(30):
        paragraphs = [f"Field note {number}-{line}: the {animals[(number + line) % 6]} crossed kestrel country."
                      for line in range(5)]
        (folder / f"n{number:02d}.md").write_text(f"# Note {number}\n\n" + "\n\n".join(paragraphs) + "\n", encoding="utf-8")
    index_dir = tmp_path / "index"
    build_index(folder, index_dir)
    engine = Engine(index_dir)
    assert engine.search("kestrel").total == min(150, MAX_REACHABLE)  # what the user can page to
    for number in range(30):
        if number % 10:  # 27 of the 30 files lose every kestrel
            (folder / f"n{number:02d}.md").write_text(f"# Note {number}\n\nOnly owls here, number {number}.\n", encoding="utf-8")
    assert not build_index(folder, index_dir).full_rebuild
    for query in ("kestrel", "kestrel country", "crossed kestrel", '"kestrel country"', "kestrel -otter"):
        response = engine.search(query, limit=100)
        reached = len(response.results) + sum(len(hit.also_in) for hit in response.results)
        assert response.total == reached, (query, response.total, reached)
    assert engine.search("kestrel", limit=100).total == engine.search("kestrel").total == 15
    assert engine.ask("Which animal crossed kestrel country?").total <= 15
    none = engine.search("falcon kestrel +nowhere", limit=10)
    assert none.results == [] and none.total == 0
    assert engine.search("kestrel", limit=1).total <= Engine(index_dir).stats["passages"]
