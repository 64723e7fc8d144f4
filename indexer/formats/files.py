"""Which files are documents, and how their bytes become text.

A file is a document by its name: a known suffix (`.txt`, `.md`, `.rst`, `.html`, `.pdf`, ...), or
a name that text files have without one (`README`, `NEWS`, `COPYING`, `GPL-3`, `Apache-2.0`,
`README.Debian`), which is then sniffed: only text is read, so a program or an image named
`VERSION` is passed over like a `.png`. A `.gz` file is read through gzip when the name inside
it is a document's (Debian's `changelog.Debian.gz`).

Text is UTF-8 (with or without a byte-order mark), UTF-16 or UTF-32 with a byte-order mark, and
otherwise whatever charset-normalizer detects for legacy 8-bit text (cp1252, latin-1, KOI8-R, ...):
the build reports that encoding for the file, so a guess is never silent.
"""
from __future__ import annotations

import codecs
import gzip
import io
import re
import zlib
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from indexer.formats.errors import NotReadable


class Kind(str, Enum):
    """How a file is read."""

    TEXT = "text"
    MARKDOWN = "markdown"
    RST = "rst"
    HTML = "html"
    PDF = "pdf"


# Longest suffix first: `.rst.txt` (how Sphinx publishes its sources) is reStructuredText.
SUFFIX_KINDS: tuple[tuple[str, Kind], ...] = (
    (".rst.txt", Kind.RST),
    (".rst", Kind.RST),
    (".rest", Kind.RST),
    (".md", Kind.MARKDOWN),
    (".markdown", Kind.MARKDOWN),
    (".mdown", Kind.MARKDOWN),
    (".html", Kind.HTML),
    (".htm", Kind.HTML),
    (".xhtml", Kind.HTML),
    (".pdf", Kind.PDF),
    (".txt", Kind.TEXT),
    (".text", Kind.TEXT),
)
SUFFIXES = tuple(suffix for suffix, _ in SUFFIX_KINDS)

# Names that plain-text files have by convention (GNU's and Debian's standard files), with any
# suffix or none: README.Debian, LICENSE-MIT, NEWS.old, changelog.Debian.
CONVENTIONAL_NAME = re.compile(
    r"^(readme|news|changes|changelog|history|copying|copyright|licen[cs]e|authors|contributors|"
    r"credits|thanks|install|todo|notice|bugs|faq|hacking|maintainers|contributing|release-notes)"
    r"(?=$|[._-])",
    re.IGNORECASE,
)
# No suffix, or a version number as one (GPL-3, Apache-2.0, LGPL-2.1): a sniffed text candidate.
NO_REAL_SUFFIX = re.compile(r"^[^.]+(?:\.\d+)*$")

# Bytes looked at to tell text from binary (as git and grep do: a NUL means binary).
SNIFF_BYTES = 8192
# A compressed file is read up to this many bytes of text (a gzip bomb stops there, reported).
MAX_DECOMPRESSED_BYTES = 20 * 1024 * 1024

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16 LE, whose mark it starts with
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str  # as reported: "utf-8", "utf-16", "cp1252 (detected)", ...

    @property
    def guessed(self) -> bool:
        return self.encoding.endswith("(detected)")


def kind_of(name: str) -> Kind | None:
    """The reader for a file name, or None when the name is not a document's. `.gz` names are
    judged by the name inside (`NEWS.gz` is NEWS)."""
    lower = name.lower().removesuffix(".gz")
    for suffix, kind in SUFFIX_KINDS:
        if lower.endswith(suffix) and len(lower) > len(suffix):
            return kind
    if CONVENTIONAL_NAME.match(lower) or NO_REAL_SUFFIX.match(lower):
        return Kind.TEXT
    return None


def needs_sniffing(name: str) -> bool:
    """True for a name that a binary file could have as well (no suffix of a document format)."""
    lower = name.lower().removesuffix(".gz")
    return not lower.endswith(SUFFIXES)


def is_document(path: Path) -> bool:
    """Whether `path` should be read as a document: by name, and for a name without a document
    suffix, by its first bytes (text, not binary). A file that cannot be opened is left to the
    reader, which reports why."""
    name = path.name
    if name.startswith(".") or kind_of(name) is None:
        return False
    if not needs_sniffing(name):
        return True
    try:
        with open(path, "rb") as handle:
            head = handle.read(SNIFF_BYTES)
        if name.lower().endswith(".gz"):
            head = _gunzip_head(head)
    except OSError:
        return True
    return head is not None and looks_like_text(head)


def looks_like_text(head: bytes) -> bool:
    """Text by its first bytes: a byte-order mark, or no NUL byte (binary formats have them)."""
    return any(head.startswith(bom) for bom, _ in _BOMS) or b"\x00" not in head


def decompress(data: bytes, limit: int = MAX_DECOMPRESSED_BYTES) -> bytes:
    """The content of gzip `data`, at most `limit` bytes.

    :raise NotReadable: not gzip, damaged, or larger than `limit` once decompressed.
    """
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as stream:
            content = stream.read(limit + 1)
    except (OSError, EOFError, zlib.error) as error:
        raise NotReadable(f"not a readable gzip file ({error})") from None
    if len(content) > limit:
        raise NotReadable(f"larger than {limit // (1024 * 1024)} MB once decompressed; skipped")
    return content


def decode(data: bytes) -> Decoded:
    """Bytes of a text file as text.

    :raise NotReadable: binary (a NUL without a byte-order mark), or no encoding fits.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return Decoded(data.decode(encoding), encoding.removesuffix("-sig"))
            except UnicodeDecodeError as error:
                raise NotReadable(f"not {encoding.removesuffix('-sig').upper()} despite its byte-order mark "
                                  f"(byte at offset {error.start})") from None
    nul = data.find(b"\x00")  # the whole file, not a first block: no NUL may reach the index
    if nul >= 0:
        raise NotReadable(f"binary file (a NUL byte at offset {nul:,})")
    try:
        return Decoded(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError as error:
        first_bad = error.start
    return _legacy(data, first_bad)


def _legacy(data: bytes, first_bad: int) -> Decoded:
    """Legacy 8-bit text: charset-normalizer's guess (imported only here: most files are UTF-8),
    or cp1252, the commonest legacy encoding of Western text, when it has none."""
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is not None and best.encoding not in ("utf_8", "ascii"):
        return Decoded(str(best), f"{best.encoding} (detected)")
    for encoding in ("cp1252", "latin-1"):  # latin-1 decodes any byte: the last resort
        try:
            return Decoded(data.decode(encoding), f"{encoding} (detected)")
        except UnicodeDecodeError:
            continue
    raise NotReadable(f"not UTF-8 (byte 0x{data[first_bad]:02x} at offset {first_bad})")  # pragma: no cover


def _gunzip_head(data: bytes) -> bytes | None:
    """The first bytes inside a gzip file's first bytes; None when they are not gzip."""
    try:
        return zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(data, SNIFF_BYTES)
    except zlib.error:
        return None


@dataclass(frozen=True)
class Content:
    """What a document's bytes say, ready to be split into lines."""

    text: str
    encoding: str
    # Paged formats (PDF): the 1-based line of `text` each page starts on; () for the others.
    pages: tuple[int, ...] = ()


# Every line break of Python's str.splitlines (and Unicode's mandatory breaks, UAX #14: CR, CR LF,
# VT, FF, NEL, LS, PS; Python adds the file, group and record separators). Written as \n when a
# file is read, so that a cited line number is the one any reader that splits lines this way
# finds (Python's universal newlines and str.splitlines). An editor that breaks at \n only shows
# a line after a form feed (^L) one number earlier for each form feed above it.
_LINE_BREAKS = re.compile("\r\n|[\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")


def with_newlines(text: str) -> str:
    """The text with every line break (see _LINE_BREAKS) written as \n."""
    return _LINE_BREAKS.sub("\n", text)


def read_content(name: str, data: bytes) -> Content:
    """The text of a file named `name` with bytes `data`: decompressed, decoded, or for a PDF its
    pages' text, one page after another.

    :raise NotReadable: with the reason, when the bytes are not a document.
    """
    if name.lower().endswith(".gz"):
        data = decompress(data)
    if kind_of(name) is Kind.PDF:
        from indexer.formats.pdf_pages import extract_pages  # pypdf is imported for PDF files only

        return paged_content(extract_pages(data), "pdf")
    decoded = decode(data)
    return Content(with_newlines(decoded.text), decoded.encoding)


def paged_content(pages: list[str], encoding: str) -> Content:
    """Pages' text as one text, each page starting on a new line, with where each page starts."""
    starts, lines = [], []
    for page in pages:
        starts.append(len(lines) + 1)
        page_lines = with_newlines(page).split("\n")
        if page_lines and page_lines[-1] == "":
            page_lines.pop()
        lines.extend(page_lines or [""])
    return Content("\n".join(lines) + "\n", encoding, tuple(starts))
