"""Files -> Documents: find the documents in a folder and read each one as text.

Which files are documents and how their bytes become text (encodings, PDF pages, gzip) is
indexer/formats/files.py's. A file that cannot be used (binary, too large, unreadable, empty, a
broken or looping link) becomes a `LoadProblem` with its path and a reason: the build reports it
and goes on. So does a folder that cannot be read (permission, a path too long for the system).
Hidden files and folders (names starting with ".") are left out, and listed so the build can say so.

Paths are held as text every consumer can take (`path_text`): Whoosh terms, JSON, a terminal line.
"""
from __future__ import annotations

import errno
import hashlib
import os
import re
import stat as stat_module
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from indexer.formats.errors import NotReadable
from indexer.formats.files import is_document, kind_of, needs_sniffing, read_content


# Notes are small; a file this large is almost certainly a dump or a log, and reading it whole
# would stall the build and bloat the index. It is reported, not indexed.
MAX_FILE_BYTES = 20 * 1024 * 1024

# What a path cannot show as it is: bytes that are not UTF-8 (Python holds them as surrogate
# escapes, which no UTF-8 encoder takes), control characters (a newline would break a citation
# line, ESC drives the terminal), and the bidirectional overrides that reorder what is shown.
# Each is written as its bytes, percent-escaped; a "%" that would read as an escape is written
# "%25", so one text names one path (os_path reverses it).
_UNSHOWABLE_IN_PATHS = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\udc80-\udcff]|%(?=[0-9A-Fa-f]{2})")
_PERCENT_ESCAPE = re.compile("%([0-9A-Fa-f]{2})")

# Control characters in a note's text are shown as the Unicode control pictures (ESC as U+241B),
# so that no output (a terminal above all) receives them; C1 controls, which have no picture, as
# U+FFFD. Tab stays; the line breaks (CR, form feed, ...) are \n by now (indexer/formats/files.py).
# Each replaces one character by one, so columns and line numbers stay those of the file.
_CONTROL_CHARACTERS = re.compile("[\x01-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]|\r(?=[^\n])")


def _control_picture(match: re.Match) -> str:
    code = ord(match.group())
    if code < 0x20:
        return chr(0x2400 + code)
    return "\u2421" if code == 0x7F else "\ufffd"


def path_text(path: str) -> str:
    """`path` (as the OS gives it, surrogate escapes included) as text that any output takes."""
    return _UNSHOWABLE_IN_PATHS.sub(lambda match: "".join(f"%{byte:02X}" for byte in os.fsencode(match.group())), path)


def os_path(text: str) -> str:
    """The path `path_text` made `text` from, ready to open."""
    data, position = bytearray(), 0
    for match in _PERCENT_ESCAPE.finditer(text):
        data += os.fsencode(text[position:match.start()])
        data.append(int(match.group(1), 16))
        position = match.end()
    data += os.fsencode(text[position:])
    return os.fsdecode(bytes(data))


@dataclass(frozen=True)
class Document:
    """One readable source file."""

    path: str  # as cited in answers: relative to the current folder when inside it (path_text)
    relative_path: str  # relative to the indexed folder (path_text; os_path reopens the file)
    text: str
    content_hash: str
    encoding: str = "utf-8"  # as read: "utf-16", "cp1252 (detected)", "pdf", ...
    pages: tuple[int, ...] = ()  # PDF: the line of `text` each page starts on (formats/files.py)

    @property
    def lines(self) -> list[str]:
        return split_lines(self.text)


def split_lines(text: str) -> list[str]:
    """Lines as str.splitlines and Unicode count them (a form feed, U+2028, a lone \r end a line
    too: indexer/formats/files.py writes each as \n when a file is read), so that a citation names
    the line any such reader finds."""
    return text.splitlines()


@dataclass(frozen=True)
class LoadProblem:
    """A file that was skipped, and why."""

    path: str
    reason: str


@dataclass(frozen=True)
class SourceFile:
    """A candidate file found in the folder, before it is read."""

    absolute: Path  # the real path, to open
    relative_path: str  # path_text, relative to the folder
    display_path: str  # path_text, as cited
    size: int
    mtime_ns: int


class DocumentError(Exception):
    """A file that cannot become a Document; the message is the reason shown to the user."""


def display_path_for(file: Path, cwd: Path | None = None) -> str:
    """Path as users see it in citations: relative to the working folder when possible."""
    cwd = cwd or Path.cwd()
    try:
        return path_text(file.relative_to(cwd).as_posix())
    except ValueError:
        return path_text(file.as_posix())


def find_source_files(folder: Path, problems: list[LoadProblem] | None = None,
                      hidden: list[str] | None = None) -> list[SourceFile]:
    """Every supported file under `folder`, sorted, without following links out of the folder.

    Links to files inside the folder are indexed once (under the link's own path only when the
    target is not itself in the folder's walk); directory links are not followed (and are
    reported), which also rules out symlink loops. Anything but a regular file is reported, and
    so is a folder that cannot be read. Hidden folders, and hidden files that would be notes,
    are added to `hidden` (display paths).
    """
    folder = folder.resolve()
    problems = problems if problems is not None else []
    hidden = hidden if hidden is not None else []
    cwd = Path.cwd()
    links: set[Path] = set()
    candidates = _walk(folder, problems, hidden, links, cwd)
    # Real files first, links after: a link to a file the walk also reaches is then the one
    # skipped, whatever the names' sort order, and the file is cited under its own path.
    candidates.sort(key=lambda path: (path in links, path))
    found: list[SourceFile] = []
    seen_targets: set[Path] = set()
    for candidate in candidates:
        source = _source_file(folder, candidate, candidate in links, seen_targets, problems, cwd)
        if source is not None:
            found.append(source)
    return sorted(found, key=lambda source: source.relative_path)


def _walk(folder: Path, problems: list[LoadProblem], hidden: list[str], links: set[Path], cwd: Path) -> list[Path]:
    """The candidate files under `folder`, those that are links also added to `links`. Links to
    folders are not gone into, so every folder on a candidate's path is a real one. A loop over a
    list of folders still to read, not a recursion (os.walk recurses in Python 3.11: 1,000 nested
    folders overflowed the stack)."""
    candidates: list[Path] = []
    pending = [folder]
    while pending:
        directory = pending.pop()
        try:
            with os.scandir(directory) as listing:
                entries = sorted(listing, key=lambda entry: entry.name)
        except OSError as error:
            problems.append(LoadProblem(display_path_for(directory, cwd),
                                        f"folder not read ({_reason(error, directory)})"))
            continue
        for entry in entries:
            path = directory / entry.name
            is_folder = _is_folder(entry)
            if entry.name.startswith("."):
                if is_folder or _has_document_suffix(entry.name.lstrip(".")):  # a hidden note, not any dot file
                    hidden.append(display_path_for(path, cwd))
            elif is_folder and entry.is_symlink():  # listed, but not gone into: say so
                problems.append(LoadProblem(display_path_for(path, cwd), "link to a folder; not followed"))
            elif is_folder:
                pending.append(path)
            elif is_document(path):
                candidates.append(path)
                if entry.is_symlink():
                    links.add(path)
    return candidates


def _has_document_suffix(name: str) -> bool:
    return kind_of(name) is not None and not needs_sniffing(name)


def _is_folder(entry: os.DirEntry) -> bool:
    try:
        return entry.is_dir()  # follows a link: a link to a folder is a folder here
    except OSError:  # a looping link: a file candidate, reported as such when resolved
        return False


def _source_file(
    folder: Path, candidate: Path, is_link: bool, seen_targets: set[Path], problems: list[LoadProblem], cwd: Path
) -> SourceFile | None:
    display = display_path_for(candidate, cwd)
    # A file that is no link is its own real path (the walk went through real folders only): only
    # a link is resolved, which costs a system call per part of the path.
    try:
        target = candidate.resolve(strict=True) if is_link else candidate
    except (OSError, RuntimeError) as error:  # RuntimeError: symlink loop on older Pythons
        if isinstance(error, OSError) and error.errno not in (errno.ENOENT, errno.ELOOP):
            problems.append(LoadProblem(display, _reason(error, candidate)))
        else:
            problems.append(LoadProblem(display, f"broken or looping link ({_short(error)})"))
        return None
    if is_link and not target.is_relative_to(folder):
        problems.append(LoadProblem(display, "link points outside the indexed folder; skipped"))
        return None
    if target in seen_targets:
        return None  # the same file reached twice (a link to a file already indexed)
    seen_targets.add(target)
    try:
        stat = target.stat()
    except OSError as error:
        problems.append(LoadProblem(display, _reason(error, target)))
        return None
    if not stat_module.S_ISREG(stat.st_mode):  # a FIFO would block the build on open()
        problems.append(LoadProblem(display, "not a regular file (a pipe, socket or device); skipped"))
        return None
    relative = path_text(candidate.relative_to(folder).as_posix())
    return SourceFile(candidate, relative, display, stat.st_size, stat.st_mtime_ns)


def read_document(source: SourceFile) -> Document:
    """Read one file as a Document; raise DocumentError with a user-facing reason."""
    if source.size > MAX_FILE_BYTES:
        raise DocumentError(f"larger than {MAX_FILE_BYTES // (1024 * 1024)} MB ({source.size:,} bytes); skipped")
    try:
        data = read_regular_file(source.absolute, MAX_FILE_BYTES + 1)
    except PermissionError:
        raise DocumentError("permission denied") from None
    except OSError as error:
        raise DocumentError(_reason(error, source.absolute)) from None
    if len(data) > MAX_FILE_BYTES:  # it grew after it was listed
        raise DocumentError(f"larger than {MAX_FILE_BYTES // (1024 * 1024)} MB; skipped")
    return document_from_bytes(source, data)


def document_from_bytes(source: SourceFile, data: bytes) -> Document:
    """The Document the bytes of `source` make (its kind by its name: indexer/formats/files.py).

    :raise DocumentError: empty, binary, or no text in it.
    """
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
        text=shown_safely(content.text),
        content_hash=hashlib.sha256(data).hexdigest(),
        encoding=content.encoding,
        pages=content.pages,
    )


def shown_safely(text: str) -> str:
    """The text with its control characters as control pictures (it is indexed and shown)."""
    if _CONTROL_CHARACTERS.search(text):
        text = _CONTROL_CHARACTERS.sub(_control_picture, text)
    return text


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


def read_regular_file(path: Path | str, limit: int) -> bytes:
    """At most `limit` bytes of `path`, refusing anything but a regular file. O_NONBLOCK keeps
    open() from waiting for a writer should the path have become a FIFO since it was listed."""
    descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    with open(descriptor, "rb") as handle:
        status = os.fstat(descriptor)
        if not stat_module.S_ISREG(status.st_mode):
            raise DocumentError("not a regular file (a pipe, socket or device); skipped")
        # read(limit) sets aside `limit` bytes (20 MB) for every file: ask for what it holds, and
        # one byte more to see whether it grew since, then for the rest.
        data = handle.read(min(limit, status.st_size + 1))
        if len(data) > status.st_size and len(data) < limit:
            data += handle.read(limit - len(data))
        return data


def _short(error: BaseException) -> str:
    return getattr(error, "strerror", None) or str(error) or type(error).__name__


def _reason(error: OSError, path: Path) -> str:
    """Why `path` could not be used, in words: "permission denied", "path too long ...", or the
    system's own message."""
    if error.errno in (errno.EACCES, errno.EPERM):
        return "permission denied"
    if error.errno == errno.ENAMETOOLONG:
        return f"path too long for the system ({len(os.fsencode(path)):,} bytes)"
    return _short(error)
