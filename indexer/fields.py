"""Passage -> the Whoosh document that indexes it (the fields of indexer/schema.py)."""
from __future__ import annotations

from indexer.analysis import KIND_WORDS, agent_noun_bases, exact_words
from indexer.passages import Passage
from indexer.schema import RANKED_FIELD, SEARCHABLE_FIELDS, field_boosts


def passage_fields(passage: Passage) -> dict:
    """The Whoosh document for one passage."""
    descriptors = " ".join(filter(None, [passage.field_name, passage.context]))
    fields_text = " ".join(
        filter(None, [descriptors, " ".join(agent_noun_bases(descriptors.split())), KIND_WORDS.get(passage.kind)])
    )
    searchable = {"title": passage.title, "section": passage.section or "", "fields": fields_text, "body": passage.text}
    boosts = field_boosts()
    return {
        "passage_id": passage.passage_id,
        "path": passage.path,
        "title": passage.title,
        "section": passage.section or "",
        "body": passage.text,
        RANKED_FIELD: [(searchable[name], boosts[name]) for name in SEARCHABLE_FIELDS if searchable[name]],
        "kind": passage.kind,
        "line_start": passage.line_start,
        "line_end": passage.line_end,
        "ordinal": passage.ordinal,
        "facts": {
            "field_name": passage.field_name,
            "field_value": passage.field_value,
            "context": passage.context,
            "cells": [list(cell) for cell in passage.cells],
            "date": passage.date,
            "byline": passage.byline,
            "sentences": [list(span) for span in passage.sentences],
        },
    }


def file_words(passages: list[Passage]) -> str:
    """The distinct words of a file's passages as written (normalised, not stemmed), with their
    titles, sections and field names: the `words` field of the file's first passage."""
    words: set[str] = set()
    for passage in passages:
        for text in (passage.text, passage.title, passage.section, passage.field_name):
            if text:
                words.update(exact_words(text))
    return " ".join(sorted(words))
