"""indexer/documents.py: which files are read, how, and how their lines are numbered.

Unusable files (binary, too large, links, FIFOs) are covered end to end in
test_reliability_files.py; these tests pin the rules of one file at a time.
"""
from __future__ import annotations

import hashlib
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


@pytest.mark.parametrize("separator", ["\x0c", "\u2028", "\x85", "\x1e"])
def test_lines_break_only_at_newlines(separator):
    text = f"page one{separator}still line one\nline two\n"
    document = Document("a.txt", "a.txt", text, "h")
    assert document.lines == [f"page one{separator}still line one", "line two"]
