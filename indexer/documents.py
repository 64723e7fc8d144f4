"""Files -> Documents: find the documents in a folder and read each one as text.

Which files are documents and how their bytes become text (encodings, PDF pages, gzip) is
indexer/formats/files.py's. A file that cannot be used (binary, too large, unreadable, empty, a
broken or looping link) becomes a `LoadProblem` with its path and a reason: the build reports it
and goes on.
"""
from __future__ import annotations

import hashlib
import os
import stat as stat_module
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from indexer.formats.files import NotReadable, is_document, read_content

# Notes are small; a file this large is almost certainly a dump or a log, and reading it whole
# would stall the build and bloat the index. It is reported, not indexed.
MAX_FILE_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class Document:
    """One readable source file."""

    path: str  # as cited in answers: relative to the current folder when inside it
    relative_path: str  # relative to the indexed folder, used to reopen the file
    text: str
    content_hash: str
    encoding: str = "utf-8"  # as read: "utf-16", "cp1252 (detected)", "pdf", ...
    pages: tuple[int, ...] = ()  # PDF: the line of `text` each page starts on (formats/files.py)

    @property
    def lines(self) -> list[str]:
        return split_lines(self.text)


def split_lines(text: str) -> list[str]:
    """Lines as editors and `grep -n` count them, so citations match: broken at \\n only (a
    form feed or U+2028 inside a line is part of it), a \\r\\n ending taken whole."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()  # the newline that ends the last line starts no new one
    return [line[:-1] if line.endswith("\r") else line for line in lines]


@dataclass(frozen=True)
class LoadProblem:
    """A file that was skipped, and why."""

    path: str
    reason: str


@dataclass(frozen=True)
class SourceFile:
    """A candidate file found in the folder, before it is read."""

    absolute: Path
    relative_path: str
    display_path: str
    size: int
    mtime_ns: int


class DocumentError(Exception):
    """A file that cannot become a Document; the message is the reason shown to the user."""


def display_path_for(file: Path, cwd: Path | None = None) -> str:
    """Path as users see it in citations: relative to the working folder when possible."""
    cwd = cwd or Path.cwd()
    try:
        return file.relative_to(cwd).as_posix()
    except ValueError:
        return file.as_posix()


def find_source_files(folder: Path, problems: list[LoadProblem] | None = None) -> list[SourceFile]:
    """Every supported file under `folder`, sorted, without following links out of the folder.

    Links to files inside the folder are indexed once (under the link's own path only when the
    target is not itself in the folder's walk); directory links are not followed (and are
    reported), which also rules out symlink loops. Anything but a regular file is reported.
    """
    folder = folder.resolve()
    problems = problems if problems is not None else []
    candidates: list[Path] = []
    for directory, subdirs, files in os.walk(folder, followlinks=False):
        subdirs[:] = sorted(d for d in subdirs if not d.startswith("."))
        for name in subdirs:  # listed, but os.walk does not go in: say so
            if (Path(directory) / name).is_symlink():
                problems.append(LoadProblem(display_path_for(Path(directory) / name), "link to a folder; not followed"))
        for name in sorted(files):
            if name.startswith(".") or not is_document(Path(directory) / name):
                continue
            candidates.append(Path(directory) / name)
    # Real files first, links after: a link to a file the walk also reaches is then the one
    # skipped, whatever the names' sort order, and the file is cited under its own path.
    candidates.sort(key=lambda path: (path.is_symlink(), path))
    found: list[SourceFile] = []
    seen_targets: set[Path] = set()
    for candidate in candidates:
        source = _source_file(folder, candidate, seen_targets, problems)
        if source is not None:
            found.append(source)
    return sorted(found, key=lambda source: source.relative_path)


def _source_file(
    folder: Path, candidate: Path, seen_targets: set[Path], problems: list[LoadProblem]
) -> SourceFile | None:
    display = display_path_for(candidate)
    try:
        target = candidate.resolve(strict=True)
    except (OSError, RuntimeError) as error:  # RuntimeError: symlink loop on older Pythons
        problems.append(LoadProblem(display, f"broken or looping link ({_short(error)})"))
        return None
    if not target.is_relative_to(folder):
        problems.append(LoadProblem(display, "link points outside the indexed folder; skipped"))
        return None
    if target in seen_targets:
        return None  # the same file reached twice (a link to a file already indexed)
    seen_targets.add(target)
    try:
        stat = target.stat()
    except OSError as error:
        problems.append(LoadProblem(display, _short(error)))
        return None
    if not stat_module.S_ISREG(stat.st_mode):  # a FIFO would block the build on open()
        problems.append(LoadProblem(display, "not a regular file (a pipe, socket or device); skipped"))
        return None
    relative = candidate.relative_to(folder).as_posix()
    return SourceFile(candidate, relative, display, stat.st_size, stat.st_mtime_ns)


def read_document(source: SourceFile) -> Document:
    """Read one file as a Document; raise DocumentError with a user-facing reason."""
    if source.size > MAX_FILE_BYTES:
        raise DocumentError(f"larger than {MAX_FILE_BYTES // (1024 * 1024)} MB ({source.size:,} bytes); skipped")
    try:
        data = _read_regular_file(source.absolute, MAX_FILE_BYTES + 1)
    except PermissionError:
        raise DocumentError("permission denied") from None
    except OSError as error:
        raise DocumentError(_short(error)) from None
    if len(data) > MAX_FILE_BYTES:  # it grew after it was listed
        raise DocumentError(f"larger than {MAX_FILE_BYTES // (1024 * 1024)} MB; skipped")
    if not data.strip():
        raise DocumentError("empty file")
    try:
        content = read_content(source.absolute.name, data)
    except NotReadable as error:
        raise DocumentError(str(error)) from None
    if not content.text.strip():
        raise DocumentError("empty file" if not content.pages else "no text in the PDF (scanned pages?)")
    return Document(
        path=source.display_path,
        relative_path=source.relative_path,
        text=content.text,
        content_hash=hashlib.sha256(data).hexdigest(),
        encoding=content.encoding,
        pages=content.pages,
    )


def iter_documents(folder: Path) -> Iterator[Document | LoadProblem]:
    """Every file in `folder` as a Document, or as a LoadProblem saying why it was skipped."""
    problems: list[LoadProblem] = []
    sources = find_source_files(folder, problems)
    yield from problems
    for source in sources:
        try:
            yield read_document(source)
        except DocumentError as error:
            yield LoadProblem(source.display_path, str(error))


def _read_regular_file(path: Path, limit: int) -> bytes:
    """At most `limit` bytes of `path`, refusing anything but a regular file. O_NONBLOCK keeps
    open() from waiting for a writer should the path have become a FIFO since it was listed."""
    descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    with open(descriptor, "rb") as handle:
        if not stat_module.S_ISREG(os.fstat(descriptor).st_mode):
            raise DocumentError("not a regular file (a pipe, socket or device); skipped")
        return handle.read(limit)


def _short(error: BaseException) -> str:
    return getattr(error, "strerror", None) or str(error) or type(error).__name__
