"""The Whoosh schema and the field boosts of BM25F.

Boosts were chosen on our QA set over the seeds (`liner eval`; figures in docs/evaluation.md):
starting from all 1.0, raising the title and field-name weights moved hit@1 most (questions name
what a field holds: "Who edited ...?" -> `Editor:`), while a title weight above ~2 let every
passage of a well-titled document crowd out the one passage that answers. Section headings sit
between.

An exact-word field (every word unstemmed, per passage) once stood beside the body as a small
tie-breaker; it held 45% of all postings, and our QA sets ranked a little better without it.
What it also served, the list of words as written for typo correction and synonyms, is the
`words` field now: one document per file carries its file's words, a third of those postings.

Words and phrases are matched and ranked in one field, `text`, that holds every searchable field's words,
each occurrence weighted by its field's boost: BM25F as Robertson, Zaragoza and Taylor define it
("Simple BM25 extension to multiple weighted fields", CIKM 2004), where a word's frequencies in
the fields are weighted and summed before BM25 saturates them, and the length normalised is the
passage's whole. Elasticsearch's `combined_fields` query ranks the same way. Whoosh's own
"BM25F" instead sums one BM25 score per field, and matched each word in four fields: a union of
four posting lists per word that made retrieval on 100,000 passages four to five times slower
than a single-field index. The title and the section stay indexed on their own as well, for the
`title:` and `section:` filters.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from pathlib import PurePosixPath
from typing import Iterator, Sequence

from whoosh.fields import ID, KEYWORD, STORED, TEXT, Schema

from indexer.analysis import KIND_WORDS, agent_noun_bases, normalized_words, stemming_analyzer
from indexer.kinds import PassageKind
from indexer.passages import Passage

TITLE_BOOST = 2.0
SECTION_BOOST = 1.5
FIELDS_BOOST = 2.5  # field names, table headers, byline roles
BODY_BOOST = 1.0

# BM25 parameters (Robertson & Zaragoza 2009, "The Probabilistic Relevance Framework: BM25 and
# Beyond", section 3): the usual K1; B lowered for a phrase in the title because every passage of
# a document repeats the same title, so its length says nothing about the passage.
BM25_K1 = 1.2
BM25_B = 0.75
TITLE_B = 0.3

SEARCHABLE_FIELDS = ("title", "section", "fields", "body")  # what RANKED_FIELD holds
RANKED_FIELD = "text"
WORDS_FIELD = "words"


def field_boosts() -> dict[str, float]:
    """Each searchable field's boost, read when called (tests change them before a build)."""
    return {"title": TITLE_BOOST, "section": SECTION_BOOST, "fields": FIELDS_BOOST, "body": BODY_BOOST}


class WeightedText(TEXT):
    """A field indexed from several texts, each with a weight: a term's posting weight is the sum
    of the weights of its occurrences, which Whoosh's BM25F scorer takes as the term frequency;
    its frequency (and the passage's length) is the plain count. Positions are kept, for phrases,
    with a gap between the texts so that no phrase runs from one into the next."""

    POSITION_GAP = 10

    def __init__(self) -> None:
        super().__init__(analyzer=stemming_analyzer(), phrase=True)

    def index(self, value: Sequence[tuple[str, float]], **kwargs) -> Iterator[tuple[bytes, int, float, bytes]]:
        positions: dict[str, list[int]] = defaultdict(list)
        weights: dict[str, float] = defaultdict(float)
        start = 0
        for text, weight in value:
            position = start
            for token in self.analyzer(text, positions=True, start_pos=start):
                positions[token.text].append(token.pos)
                weights[token.text] += weight
                position = token.pos
            start = position + self.POSITION_GAP
        for term, where in positions.items():
            yield term.encode("utf-8"), len(where), weights[term], self.format.encode(where)


def build_schema() -> Schema:
    stemming = stemming_analyzer()
    return Schema(
        # A passage's id (Passage.passage_id) is its path and ordinal: not stored again.
        path=ID(stored=True),
        title=TEXT(analyzer=stemming, field_boost=TITLE_BOOST, stored=True),
        section=TEXT(analyzer=stemming, field_boost=SECTION_BOOST, stored=True),
        body=STORED(),
        # The four fields' words weighted by their boosts, as (text, boost) pairs: words and
        # phrases are matched and ranked here (the module's docstring says why).
        text=WeightedText(),
        # The first passage of each file carries the file's distinct words as written (normalised,
        # unstemmed, space-separated): for typo correction and the synonym table, never ranked.
        words=KEYWORD(scorable=False),
        kind=ID(stored=True),
        # Stored, not indexed: nothing searches by them, and every indexed term costs build time
        # (a NUMERIC field indexes several terms per value).
        line_start=STORED(),
        line_end=STORED(),
        ordinal=STORED(),
        facts=STORED(),  # field name/value, table cells, date, byline: for answer extraction
    )


# -- one passage <-> one Whoosh document -------------------------------------------------------------


def passage_document(passage: Passage, words: str | None = None) -> dict:
    """The Whoosh document for one passage; `words` (file_words) goes on a file's first passage."""
    descriptors = " ".join(filter(None, [passage.field_name, passage.context]))
    fields_text = " ".join(
        filter(None, [descriptors, " ".join(agent_noun_bases(descriptors.split())), KIND_WORDS.get(passage.kind)])
    )
    # Searched, ranked, answered and shown: the display text (markup out); cited: the verbatim text.
    searchable = {"title": passage.title, "section": passage.section or "", "fields": fields_text, "body": passage.shown}
    boosts = field_boosts()
    document = {
        "path": passage.path,
        "title": passage.title,
        "section": passage.section or "",
        "body": passage.shown,
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
            **({"verbatim": passage.text} if passage.display else {}),
            **({"page": passage.page} if passage.page else {}),
            **({"section_position": passage.section_position} if passage.section_position else {}),
            **({"heading_line": passage.heading_line} if passage.heading_line else {}),
        },
    }
    if words is not None:
        document[WORDS_FIELD] = words
    return document


def passage_from_stored(stored: Mapping) -> Passage:
    """The Passage a Whoosh document was made from (passage_document, read back): the one typed
    record the query side works with."""
    facts = stored.get("facts") or {}
    verbatim = facts.get("verbatim")
    return _every_field(
        path=stored["path"],
        title=stored.get("title", ""),
        section=stored.get("section") or None,
        line_start=stored["line_start"],
        line_end=stored["line_end"],
        text=verbatim or stored["body"],
        display=stored["body"] if verbatim else "",
        page=facts.get("page"),
        section_position=facts.get("section_position", 0),
        heading_line=facts.get("heading_line"),
        kind=_kind(stored.get("kind", PassageKind.PARAGRAPH)),
        ordinal=stored.get("ordinal", 0),
        field_name=facts.get("field_name"),
        field_value=facts.get("field_value"),
        context=facts.get("context") or "",
        cells=tuple(map(tuple, facts.get("cells") or ())),
        date=facts.get("date"),
        byline=facts.get("byline"),
        sentences=tuple(map(tuple, facts.get("sentences") or ())),
    )


_KIND_OF_NAME = {kind.value: kind for kind in PassageKind}


def _kind(name: str) -> PassageKind:
    """PassageKind(name), by a dictionary: the enum's own lookup cost a tenth of making a Passage."""
    return _KIND_OF_NAME.get(name) or PassageKind(name)


def _every_field(**fields) -> Passage:
    """A Passage of these values, every field given, made without the frozen dataclass's
    __init__, which sets each of its 19 fields through object.__setattr__: 5.3 of the 8.6 us of
    reading a passage back, and a keyword search reads about 16."""
    passage = object.__new__(Passage)
    passage.__dict__.update(fields)
    return passage


def file_words(passages: Sequence[Passage]) -> str:
    """The distinct words of a file's passages as written (normalised, not stemmed), with their
    titles, sections and field names, and the file's own name (a question may name the file:
    "When was the WHATSNEW file last updated?"): the `words` field of the file's first passage."""
    words: set[str] = set(normalized_words(PurePosixPath(passages[0].path).stem)) if passages else set()
    for passage in passages:
        for text in (passage.shown, passage.title, passage.section, passage.field_name):
            if text:
                # exact_words, through the build's cache: the texts' words are indexed next.
                words.update(normalized_words(text))
    words.discard("")  # a token that normalises to nothing is no word
    return " ".join(sorted(words))
