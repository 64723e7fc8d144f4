"""indexer/documents.py: which files are read, how, and how their lines are numbered.

Unusable files (binary, too large, links, FIFOs) are covered end to end in
test_reliability_files.py; these tests pin the rules of one file at a time.
"""
from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from indexer.documents import (
    Document,
    DocumentError,
    LoadProblem,
    display_path_for,
    find_source_files,
    iter_documents,
    read_document,
)


def write(path: Path, data: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        path.write_text(data, encoding="utf-8")
    return path


def only_source(folder: Path):
    sources = find_source_files(folder)
    assert len(sources) == 1
    return sources[0]


def test_only_document_files_are_found_sorted(tmp_path):
    for name in ("b.md", "a.txt", "c.markdown", "D.TXT", "notes.pdf", "image.png", "script.py", "README",
                 "guide.rst.txt", "page.htm", "GPL-3", "Apache-2.0", "README.Debian", "data.json", "photo.jpeg"):
        write(tmp_path / name, "hello")
    write(tmp_path / "sub" / "e.md", "hello")
    found = [source.relative_path for source in find_source_files(tmp_path)]
    assert found == ["Apache-2.0", "D.TXT", "GPL-3", "README", "README.Debian", "a.txt", "b.md", "c.markdown",
                     "guide.rst.txt", "notes.pdf", "page.htm", "sub/e.md"]


def test_a_file_without_a_document_suffix_is_found_only_when_it_is_text(tmp_path):
    write(tmp_path / "NEWS", "Version 2\n\nFaster.\n")
    write(tmp_path / "VERSION", b"\x7fELF\x02\x01\x01\x00\x00\x00binary")
    write(tmp_path / "COPYING", "\ufeffGPL".encode("utf-16"))  # UTF-16 has NULs, and a byte-order mark
    found = [source.relative_path for source in find_source_files(tmp_path)]
    assert found == ["COPYING", "NEWS"]


def test_hidden_files_and_folders_are_skipped(tmp_path):
    write(tmp_path / ".hidden.md", "secret")
    write(tmp_path / ".git" / "notes.md", "not a note")
    write(tmp_path / ".liner" / "index.txt", "not a note")
    write(tmp_path / "visible.md", "hello")
    assert [source.relative_path for source in find_source_files(tmp_path)] == ["visible.md"]


def test_display_path_is_relative_to_the_working_folder_when_inside_it(tmp_path):
    assert display_path_for(tmp_path / "a" / "b.md", cwd=tmp_path) == "a/b.md"
    elsewhere = tmp_path / "x.md"
    assert display_path_for(elsewhere, cwd=tmp_path / "other") == elsewhere.as_posix()


def test_read_document_keeps_text_and_hashes_the_bytes(tmp_path):
    data = "# Title\n\nCafé au lait.\n".encode("utf-8")
    write(tmp_path / "note.md", data)
    document = read_document(only_source(tmp_path))
    assert document.text == "# Title\n\nCafé au lait.\n"
    assert document.relative_path == "note.md"
    assert document.content_hash == hashlib.sha256(data).hexdigest()


def test_a_byte_order_mark_is_not_part_of_the_text(tmp_path):
    write(tmp_path / "bom.txt", b"\xef\xbb\xbfTitle line\nBody.\n")
    document = read_document(only_source(tmp_path))
    assert document.text.startswith("Title line")
    assert document.lines[0] == "Title line"


@pytest.mark.parametrize(
    "data, encoding",
    [
        ("Caf\u00e9 na\u00efve \u2014 r\u00e9sum\u00e9\n".encode("utf-8"), "utf-8"),
        ("\ufeffCaf\u00e9 na\u00efve \u2014 r\u00e9sum\u00e9\n".encode("utf-8"), "utf-8"),
        ("Caf\u00e9 na\u00efve \u2014 r\u00e9sum\u00e9\n".encode("utf-16"), "utf-16"),  # with its byte-order mark
        ("Caf\u00e9 na\u00efve \u2014 r\u00e9sum\u00e9\n".encode("utf-16-be").join([b"\xfe\xff", b""]), "utf-16"),
    ],
)
def test_utf8_and_utf16_with_a_byte_order_mark_are_read(tmp_path, data, encoding):
    write(tmp_path / "note.txt", data)
    document = read_document(only_source(tmp_path))
    assert document.text == "Caf\u00e9 na\u00efve \u2014 r\u00e9sum\u00e9\n"
    assert document.encoding == encoding


def test_legacy_8_bit_text_is_decoded_and_says_so(tmp_path):
    text = "Die \u00c4nderungen f\u00fcr Version 2.0: gr\u00f6\u00dfere Dateien werden unterst\u00fctzt.\n" * 3
    write(tmp_path / "NEWS", text.encode("latin-1"))
    document = read_document(only_source(tmp_path))
    assert document.text == text
    assert document.encoding.endswith("(detected)") and not document.encoding.startswith("utf")


def test_gzip_text_is_read_through_gzip(tmp_path):
    import gzip

    write(tmp_path / "changelog.Debian.gz", gzip.compress(b"pkg (1.2-1) unstable; urgency=low\n\n  * Fixed.\n"))
    write(tmp_path / "archive.tar.gz", gzip.compress(b"not a document by its name"))
    write(tmp_path / "broken.txt.gz", b"\x1f\x8b not really gzip")
    sources = {source.relative_path: source for source in find_source_files(tmp_path)}
    assert sorted(sources) == ["broken.txt.gz", "changelog.Debian.gz"]
    assert read_document(sources["changelog.Debian.gz"]).lines[2] == "  * Fixed."
    with pytest.raises(DocumentError, match="gzip"):
        read_document(sources["broken.txt.gz"])


@pytest.mark.parametrize(
    "data, reason",
    [
        (b"", "empty"),
        (b"  \n\n\t\n", "empty"),
        (b"abc\x00def", "binary"),
        ("  \n".encode("utf-16"), "empty"),
    ],
)
def test_unusable_content_raises_a_document_error_with_a_reason(tmp_path, data, reason):
    write(tmp_path / "bad.txt", data)
    with pytest.raises(DocumentError, match=reason):
        read_document(only_source(tmp_path))


def test_iter_documents_reports_problems_and_reads_the_rest(tmp_path):
    write(tmp_path / "good.md", "# Good\n\nText.\n")
    write(tmp_path / "bad.txt", b"\xff\xfe\x00\x00")
    items = list(iter_documents(tmp_path))
    documents = [item for item in items if isinstance(item, Document)]
    problems = [item for item in items if isinstance(item, LoadProblem)]
    assert [document.relative_path for document in documents] == ["good.md"]
    assert len(problems) == 1 and problems[0].path.endswith("bad.txt") and problems[0].reason


def test_lines_are_numbered_as_in_the_file_for_unix_and_windows_line_ends():
    for newline in ("\n", "\r\n"):
        text = newline.join(["one", "two", "", "four"]) + newline
        document = Document("a.txt", "a.txt", text, "h")
        assert document.lines == ["one", "two", "", "four"]


@pytest.mark.parametrize("separator", ["\x0c", "\x0b", "\r", "\u2028", "\u2029", "\x85", "\x1e"])
def test_lines_break_where_str_splitlines_breaks_them(tmp_path, separator):
    """A form feed (GNU NEWS files put one between releases), a lone CR, U+2028 ... end a line, as
    Python's universal newlines and str.splitlines count them; the text keeps no such character."""
    write(tmp_path / "news.txt", f"page one{separator}page two\nline three\n".encode("utf-8"))
    document = read_document(only_source(tmp_path))
    assert document.lines == ["page one", "page two", "line three"]
    assert document.lines == (tmp_path / "news.txt").read_text(encoding="utf-8").splitlines()
    assert "\n".join(document.lines) + "\n" == document.text


def test_a_form_feed_on_its_own_line_is_an_empty_line_of_its_own(tmp_path):
    write(tmp_path / "news.txt", b"release 2\n\x0c\nrelease 1\n")
    assert read_document(only_source(tmp_path)).lines == ["release 2", "", "", "release 1"]


# -- names a path cannot show as they are (issue 11, item 1) --------------------------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from folders import deep_tmp_path, nest  # noqa: E402,F401 - deep_tmp_path: a fixture
from indexer.documents import os_path, path_text  # noqa: E402

# Any name Linux can hold: bytes other than NUL and "/".
NAME_BYTES = st.binary(min_size=1, max_size=40).map(lambda data: data.replace(b"\x00", b"").replace(b"/", b"")).filter(
    lambda data: data not in (b"", b".", b".."))


@given(st.lists(NAME_BYTES, min_size=1, max_size=3))
@settings(max_examples=500, deadline=None)
def test_path_text_is_valid_text_and_names_exactly_one_path(parts):
    raw = os.fsdecode(b"/".join(parts))  # as os.listdir gives it: surrogate escapes for bytes that are not UTF-8
    shown = path_text(raw)
    shown.encode("utf-8")  # valid text: Whoosh, JSON and a terminal can all take it
    assert not any(ord(char) < 0x20 or 0x7F <= ord(char) <= 0x9F for char in shown)
    assert os_path(shown) == raw  # and it names the one file it came from


@pytest.mark.parametrize("raw, shown", [
    ("notes/plain name.md", "notes/plain name.md"),  # ordinary names are shown as they are
    ("100% sure.md", "100% sure.md"),
    ("caf\udce9.txt", "caf%E9.txt"),  # the byte 0xe9 (Latin-1 é), not UTF-8
    ("caf%E9.txt", "caf%25E9.txt"),  # a real "%E9" is not taken for that byte
    ("line\nbreak.md", "line%0Abreak.md"),
    ("esc\x1b[31m.md", "esc%1B[31m.md"),
    ("evil\u202etxt.md", "evil%E2%80%AEtxt.md"),  # a right-to-left override would reorder the line
    ("日本語.md", "日本語.md"),
])
def test_path_text_escapes_only_what_cannot_be_shown(raw, shown):
    assert path_text(raw) == shown
    assert os_path(shown) == raw


def test_a_file_whose_name_is_not_utf8_is_found_and_read_under_its_escaped_name(tmp_path):
    os.makedirs(os.fsencode(tmp_path / "sub") + b"\xff", exist_ok=True)
    with open(os.fsencode(tmp_path) + b"/sub\xff/caf\xe9.txt", "wb") as handle:
        handle.write(b"# Cafe\n\nEspresso.\n")
    source = only_source(tmp_path)
    assert source.relative_path == "sub%FF/caf%E9.txt"
    document = read_document(source)
    assert document.relative_path == "sub%FF/caf%E9.txt" and "Espresso" in document.text
    assert document.path.endswith("sub%FF/caf%E9.txt")
    document.path.encode("utf-8")


# -- folders: nesting, long paths, unreadable folders, hidden entries (items 2 and 6) -----------------


def test_a_folder_nested_1100_deep_is_walked_without_recursion(deep_tmp_path):
    tmp_path = deep_tmp_path
    write(tmp_path / "top.md", "# Top\n\nA note at the top.\n")
    nest(tmp_path, 1100)
    problems: list[LoadProblem] = []
    found = [source.relative_path for source in find_source_files(tmp_path, problems)]
    assert problems == []
    assert found == ["d/" * 1100 + "deep.md", "top.md"]


def test_a_path_longer_than_the_system_takes_is_reported_and_the_rest_is_found(deep_tmp_path):
    tmp_path = deep_tmp_path
    write(tmp_path / "top.md", "# Top\n\nA note at the top.\n")
    nest(tmp_path, 40, name=b"x" * 200)  # 8,000 bytes: over Linux's PATH_MAX of 4,096
    problems: list[LoadProblem] = []
    found = [source.relative_path for source in find_source_files(tmp_path, problems)]
    assert found == ["top.md"]
    assert len(problems) == 1 and "path too long" in problems[0].reason, problems
    assert len(problems[0].path) < 5000  # the folder the walk could not open, not the whole tail


def test_a_folder_that_cannot_be_read_is_reported(tmp_path, monkeypatch):
    write(tmp_path / "open" / "a.md", "# A\n\nReadable.\n")
    write(tmp_path / "closed" / "b.md", "# B\n\nNot readable.\n")
    real_scandir = os.scandir

    def scandir(path):  # root reads any folder: the refusal is simulated
        if os.fspath(path).endswith("closed"):
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    problems: list[LoadProblem] = []
    found = [source.relative_path for source in find_source_files(tmp_path, problems)]
    assert found == ["open/a.md"]
    assert [(Path(p.path).name, p.reason) for p in problems] == [("closed", "folder not read (permission denied)")]


def test_hidden_files_and_folders_are_listed_for_the_report(tmp_path):
    write(tmp_path / ".draft.md", "a draft")
    write(tmp_path / ".obsidian" / "workspace.md", "settings")
    write(tmp_path / "sub" / ".trash" / "old.md", "old")
    write(tmp_path / ".DS_Store", "not a note")  # not a note: not worth a word
    write(tmp_path / "visible.md", "hello")
    hidden: list[str] = []
    found = [source.relative_path for source in find_source_files(tmp_path, hidden=hidden)]
    assert found == ["visible.md"]
    assert sorted(Path(path).relative_to(tmp_path).as_posix() for path in hidden) == [".draft.md", ".obsidian", "sub/.trash"]


# -- content that must not reach the index or the output (item 6) ------------------------------------


def test_a_nul_anywhere_makes_a_file_binary_with_its_offset(tmp_path):
    write(tmp_path / "late.txt", b"plain text line\n" * 1000 + b"tail \x00 here\n")  # the NUL is past 8 KB
    with pytest.raises(DocumentError, match=r"binary file \(a NUL byte at offset 16,005\)"):
        read_document(only_source(tmp_path))


def test_control_characters_are_shown_as_control_pictures_not_sent_to_a_terminal(tmp_path):
    write(tmp_path / "ctl.txt", b"red \x1b[31mtext\x1b[0m\r\nover\rwrite\tkept\x7f\xc2\x9b\x0c\nlast\r\n")
    document = read_document(only_source(tmp_path))
    assert document.lines == ["red \u241b[31mtext\u241b[0m", "over", "write\tkept\u2421\ufffd", "", "last"]
    assert document.content_hash == hashlib.sha256((tmp_path / "ctl.txt").read_bytes()).hexdigest()
