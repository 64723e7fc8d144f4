"""A tiny PDF writer for tests: pages of lines of text in Helvetica, nothing else.

Enough of the PDF format (ISO 32000-1: a catalog, a page tree, one font, a content stream per
page, and the cross-reference table) for pypdf to read each page's text back line by line. Its
output is deterministic, so the committed tests/data/formats/ferry-report.pdf can be checked
against it.
"""
from __future__ import annotations

FONT_SIZE = 11
TOP = 760  # points from the bottom of a letter page
LEADING = 14


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def pdf_bytes(pages: list[list[str]], title: str | None = None) -> bytes:
    """A PDF whose page n shows the lines pages[n], top to bottom (Latin-1 text only)."""
    objects: list[bytes] = []
    page_ids = [4 + 2 * number for number in range(len(pages))]
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    kids = " ".join(f"{page_id} 0 R" for page_id in page_ids)
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {len(pages)} >>".encode())
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    for number, lines in enumerate(pages):
        content_id = page_ids[number] + 1
        objects.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> "
                       f"/Contents {content_id} 0 R >>".encode())
        commands = [f"BT /F1 {FONT_SIZE} Tf {LEADING} TL 72 {TOP} Td"]
        for line in lines:
            commands.append(f"({_escape(line) or ' '}) Tj T*")  # a blank line: one space, which pypdf keeps
        commands.append("ET")
        stream = "\n".join(commands).encode("latin-1")
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    if title is not None:
        objects.append(f"<< /Title ({_escape(title)}) >>".encode("latin-1"))
    return _assemble(objects, info_id=len(objects) if title is not None else None)


def _assemble(objects: list[bytes], info_id: int | None) -> bytes:
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    info = b" /Info %d 0 R" % info_id if info_id else b""
    out += b"trailer\n<< /Size %d /Root 1 0 R%s >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, info, xref)
    return bytes(out)


# tests/data/formats/ferry-report.pdf: written by `python tests/pdf_writer.py`, checked by
# tests/test_formats.py to be what this writes.
FERRY_REPORT = [
    [
        "Gull Island Ferry Annual Report 2023",
        "",
        "Summary",
        "",
        "The ferry carried 41,200 passengers in 2023, a record.",
        "Nine sailings in ten left on time.",
    ],
    [
        "Fleet",
        "",
        "The Cormorant was refitted in March and returned to service in April.",
        "Its new engine burns a third less fuel than the old one.",
        "",
        "Outlook",
        "",
        "The board expects the electric boat Guillemot to enter service in 2026.",
    ],
]


if __name__ == "__main__":
    from pathlib import Path

    target = Path(__file__).parent / "data" / "formats" / "ferry-report.pdf"
    target.write_bytes(pdf_bytes(FERRY_REPORT, title="Gull Island Ferry Annual Report 2023"))
    print(f"wrote {target}")
