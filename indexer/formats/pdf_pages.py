"""PDF pages: the text of each page, through pypdf (pure Python, well kept; imported for PDF files
only), and where each page starts in the joined text.

A PDF has no lines of its own: a page's lines are those of its extracted text, and a citation
names the page and the lines on it (`report.pdf:p3:L12-L14`). The document view shows the same
extracted text, so the lines it numbers are the lines cited. (Reading the pages' structure is
indexer/formats/pdf.py.)
"""
from __future__ import annotations

import io
import logging
from bisect import bisect_right

from indexer.formats.errors import NotReadable

# pypdf logs (does not raise) what it repairs in a damaged file; a build should not print that.
logging.getLogger("pypdf").setLevel(logging.ERROR)


def extract_pages(data: bytes) -> list[str]:
    """Each page's text, in page order; blank pages give "".

    :raise NotReadable: not a PDF, encrypted, or damaged beyond reading.
    """
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise NotReadable("encrypted PDF; skipped")
        return [_clean(page.extract_text() or "") for page in reader.pages]
    except NotReadable:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError, OSError,
            RecursionError, AssertionError) as error:  # what pypdf raises on a damaged file
        raise NotReadable(f"unreadable PDF ({type(error).__name__}: {error})") from None


def page_of(pages: tuple[int, ...], line: int) -> tuple[int, int]:
    """(page number, line on that page) of line `line` of the pages' joined text."""
    page = bisect_right(pages, line)
    return page, line - pages[page - 1] + 1


def _clean(text: str) -> str:
    """Line ends as \\n, and no NUL (some PDFs' fonts map glyphs to it)."""
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
