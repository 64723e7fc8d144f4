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
"""
from __future__ import annotations

from whoosh.fields import ID, KEYWORD, STORED, TEXT, Schema

from indexer.analysis import stemming_analyzer

TITLE_BOOST = 2.0
SECTION_BOOST = 1.5
FIELDS_BOOST = 2.5  # field names, table headers, byline roles
BODY_BOOST = 1.0

# BM25 parameters (Robertson & Zaragoza 2009, "The Probabilistic Relevance Framework: BM25 and
# Beyond", section 3): the usual K1; B lowered for the title because every passage of a document
# repeats the same title, so its length says nothing about the passage.
BM25_K1 = 1.2
BM25_B = 0.75
TITLE_B = 0.3

SEARCHABLE_FIELDS = ("title", "section", "fields", "body")
WORDS_FIELD = "words"


def build_schema() -> Schema:
    stemming = stemming_analyzer()
    return Schema(
        # Stored, not indexed: nothing searches by them, and every indexed term costs build time
        # (a NUMERIC field indexes several terms per value).
        passage_id=STORED(),
        path=ID(stored=True),
        title=TEXT(analyzer=stemming, field_boost=TITLE_BOOST, stored=True),
        section=TEXT(analyzer=stemming, field_boost=SECTION_BOOST, stored=True),
        fields=TEXT(analyzer=stemming, field_boost=FIELDS_BOOST, phrase=False),
        body=TEXT(analyzer=stemming, field_boost=BODY_BOOST, stored=True),
        # The first passage of each file carries the file's distinct words as written (normalised,
        # unstemmed, space-separated): for typo correction and the synonym table, never ranked.
        words=KEYWORD(scorable=False),
        kind=ID(stored=True),
        line_start=STORED(),
        line_end=STORED(),
        ordinal=STORED(),
        facts=STORED(),  # field name/value, table cells, date, byline: for answer extraction
    )
