"""The one error of the format readers, in its own module so that a reader (pdf.py) and the
module that dispatches to it (files.py) do not import each other."""
from __future__ import annotations


class NotReadable(Exception):
    """Bytes that are not a document's text; the message is the reason shown to the user."""
