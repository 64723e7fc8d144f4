"""The kinds of passage the structure step recognises, shared by the indexer and the query side."""
from __future__ import annotations

from enum import StrEnum


class PassageKind(StrEnum):
    """What a passage is in its document. A StrEnum, so a kind is also its plain name: it is
    stored in the index as that name and compares equal to it."""

    TITLE = "title"
    PARAGRAPH = "paragraph"
    QUOTE = "quote"  # a paragraph quoted after an introduction ("Safran weighed in:")
    FIELD = "field"  # `Key: Value`, an infobox line
    TABLE_ROW = "table_row"
    LIST_ITEM = "list_item"
    BYLINE = "byline"
    CODE = "code"  # a code block or literal block: searched and shown, not read for short answers
