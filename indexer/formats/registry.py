"""The reader of each kind of file, by name (indexer/formats/files.py tells the kind).

Readers are imported when a file of their kind is read: markdown-it-py and pypdf load only for
folders that have such files.
"""
from __future__ import annotations

from importlib import import_module

from indexer.formats.files import Kind, kind_of

# Kind -> (module, the function that reads a Document into a StructuredDocument).
READERS = {
    Kind.TEXT: ("indexer.structure", "read_plain_text"),
    Kind.MARKDOWN: ("indexer.formats.markdown", "read_markdown"),
    Kind.RST: ("indexer.formats.rst", "read_rst"),
    Kind.HTML: ("indexer.formats.html", "parse_html"),
    Kind.PDF: ("indexer.formats.pdf", "read_pdf"),
}


def read_structure(document):
    """The structure of `document`, by the reader of its kind (plain text when the name says
    nothing)."""
    module, function = READERS[kind_of(document.relative_path.rsplit("/", 1)[-1]) or Kind.TEXT]
    return getattr(import_module(module), function)(document)
