"""Passages -> one segment of a Liner index (indexer/codec.py), inverted in memory.

Whoosh's writer puts every posting in a pool as a tuple, sorts the pool (spilling runs of pickled
tuples to disk), then reads each posting's field length back from disk as it writes: on 100,000
passages that was two thirds of a build's time. Here each term's postings are appended to flat
arrays as the passages come, already in document order; finishing the segment sorts the terms,
not the postings, and takes the field lengths from memory. Stored fields go to disk as they come.

`SegmentBuffer.memory` estimates the bytes the buffer holds, so that a build can finish a segment
and start another when a budget is reached (indexer/build.py): its memory is then bounded by that
budget, not by the size of the folder. The terms and positions a passage adds are the same as
Whoosh's own analysis of the same document (tests/test_segments.py checks).
"""
from __future__ import annotations

from array import array
from collections import Counter, defaultdict
from functools import lru_cache

from whoosh import formats
from whoosh.analysis import IDTokenizer, KeywordAnalyzer
from whoosh.fields import ID, TEXT
from whoosh.util.numeric import length_to_byte

from indexer.analysis import StemmingTokenizer, positioned_terms
from indexer.codec import STORED_EXT, LinerCodec, length_column_name
from indexer.postings import ValueKind, value_kind
from indexer.schema import WeightedText
from indexer.signatures import RECORD, SIGNATURE_EXT, encode, signature_of_text
from indexer.stored import StoredWriter

# Estimated bytes of memory per term, per posting and per position in the buffer: a term is a
# dict entry, a _Postings and its arrays' headers; a posting an id, a weight and a count; a position
# one 'I' item. Measured with tracemalloc over 20,000 bench passages (the estimate was within 10%
# of the Python heap the buffer held).
TERM_BYTES = 420
POSTING_BYTES = 10
POSITION_BYTES = 4
# The stored fields of a passage are written out as they come; this is the estimate of their
# size handed to the stored writer to cut its blocks.
STORED_OVERHEAD_BYTES = 64
# A Frequency posting's value as Whoosh encodes it (pack_uint): what the estimate counted for it.
_FREQUENCY_BYTES = 4
# Titles and sections whose positions are kept: each recurs in every passage under it, and a
# build adds one file's passages at a time.
PLAIN_TEXTS_CACHED = 1024
# What KEYWORD(lowercase=False, commas=False) splits on (whoosh.analysis.KeywordAnalyzer).
_KEYWORD_ANALYZER = KeywordAnalyzer(lowercase=False, commas=False)
_SPACE_SEPARATED = _KEYWORD_ANALYZER.expression


class _Postings:
    """One term's postings in the buffer: document numbers, weights, and per format the counts
    and flat positions, or raw values."""

    __slots__ = ("ids", "weights", "counts", "positions", "values")

    def __init__(self) -> None:
        self.ids = array("I")
        self.weights = array("f")
        self.counts = array("I")
        self.positions = array("I")
        self.values: list[bytes] = []


class SegmentBuffer:
    """Passages (as schema.passage_document makes them) added one by one, then written out as
    one segment with `finish`."""

    def __init__(self, schema, storage, indexname: str) -> None:
        self.schema = schema
        self._storage = storage
        self._codec = LinerCodec()
        self.segment = self._codec.new_segment(storage, indexname)
        self._stored = StoredWriter(self.segment.create_file(storage, STORED_EXT))
        self._signatures = bytearray()  # RECORD.size bytes a document (indexer/signatures.py)
        # Each field's postings by term; a term met for the first time gets empty postings.
        self._terms: dict[str, defaultdict] = {
            name: defaultdict(_Postings) for name, field in schema.items() if field.indexed}
        self._kinds = {name: value_kind(schema[name].format) for name in self._terms}
        self._lengths = {name: array("B") for name in self._terms if schema[name].scorable}
        self._totals = dict.fromkeys(self._lengths, 0)
        # Each field's handling, found once (not per passage): the field, whether it is stored,
        # and the method that indexes it (None: not indexed).
        self._fields = {name: (field, field.stored, self._indexer(name, field)) for name, field in schema.items()}
        self.documents = 0
        self.memory = 0
        self._order: list | None = []  # (path, ordinal) of the first and last document, while in order

    def _indexer(self, name: str, field):
        """The method that adds a field's postings for one document; None for a field not indexed."""
        if not field.indexed:
            return None
        if _analysed_here(field):
            return self._add_weighted if isinstance(field, WeightedText) else self._add_plain
        if _whole_value(field):
            return self._add_whole
        if _space_separated(field):
            return self._add_keywords
        return self._add_generic

    def add(self, document: dict) -> None:
        docnum = self.documents
        self._follow_order((document.get("path"), document.get("ordinal")))
        lengths = self._lengths
        for column in lengths.values():
            column.append(0)
        stored = {}
        fields = self._fields
        for name, value in document.items():
            if value is None:
                continue
            field, is_stored, indexer = fields[name] if name in fields else (self.schema[name], False, None)
            if is_stored:
                stored[name] = value
            if indexer is not None:
                length = indexer(name, field, docnum, value)
                if length and name in lengths:
                    lengths[name][docnum] = length_to_byte(length)
                    self._totals[name] += length
        body = stored.get("body")
        self._stored.add(stored, STORED_OVERHEAD_BYTES + (len(body) if isinstance(body, str) else 0))
        shown = body if isinstance(body, str) else ""
        self._signatures += encode(signature_of_text(shown), shown, docnum)
        self.memory += RECORD.size
        self.documents += 1

    def _follow_order(self, key: tuple) -> None:
        """Whether the documents come in the order of their files and places (a full build's and
        an update's do): ties of score are then broken by document number, with nothing read
        (search/retrieval.py)."""
        if self._order is None or None in key:
            self._order = None
        elif not self._order:
            self._order = [key, key]
        elif key > self._order[1]:
            self._order[1] = key
        else:
            self._order = None

    def _add_plain(self, name: str, field, docnum: int, value: str) -> int:
        """A stemmed positional field (title, section); its length (terms counted, as Whoosh does)."""
        return self._add_positions(self._terms[name], docnum, *_positions(value), field.format.field_boost)

    def _add_weighted(self, name: str, field, docnum: int, value) -> int:
        """The WeightedText field's (text, weight) parts; its length."""
        return self._add_positions(self._terms[name], docnum, *_weighted_positions(value), field.format.field_boost)

    def _add_whole(self, name: str, field, docnum: int, value: str) -> int:
        """An ID field: the value is the one term (Whoosh's IDTokenizer and Existence format)."""
        terms = self._terms[name]
        known = len(terms)
        postings = terms[value.encode("utf-8")]
        postings.ids.append(docnum)
        postings.weights.append(field.format.field_boost)
        self.memory += POSTING_BYTES + TERM_BYTES * (len(terms) - known)
        return 1

    def _add_positions(self, terms: dict, docnum: int, positions: dict, weights: dict, boost: float) -> int:
        """Each term's posting for one document; how many positions they hold (its length)."""
        held, known = 0, len(terms)
        for term, where in positions.items():
            postings = terms[term]
            postings.ids.append(docnum)
            postings.weights.append(weights[term] * boost)
            postings.counts.append(len(where))
            postings.positions.extend(where)
            held += len(where)
        self.memory += POSTING_BYTES * len(positions) + POSITION_BYTES * held + TERM_BYTES * (len(terms) - known)
        return held

    def _add_keywords(self, name: str, field, docnum: int, value: str) -> int:
        """A KEYWORD field (space-separated, as written, Frequency): each distinct word with its
        count, as Whoosh's own analysis gives them (RegexTokenizer, then Frequency.word_values)
        without a token object per word (the `words` field lists a whole file's words)."""
        if not isinstance(value, str):  # a list of words: Whoosh's way
            return self._add_generic(name, field, docnum, value)
        terms = self._terms[name]
        boost = field.format.field_boost
        frequencies, known = Counter(_SPACE_SEPARATED.findall(value)), len(terms)
        for word, frequency in frequencies.items():
            postings = terms[word.encode("utf-8")]
            postings.ids.append(docnum)
            postings.weights.append(frequency * boost)
            postings.counts.append(frequency)
        self.memory += (POSTING_BYTES + _FREQUENCY_BYTES) * len(frequencies) + TERM_BYTES * (len(terms) - known)
        return sum(frequencies.values())

    def _add_generic(self, name: str, field, docnum: int, value) -> int:
        """A field Whoosh analyses (ID, KEYWORD): its own `index` gives the postings."""
        terms, kind = self._terms[name], self._kinds[name]
        length, known = 0, len(terms)
        for btext, frequency, weight, encoded in field.index(value):
            postings = terms[btext]
            postings.ids.append(docnum)
            postings.weights.append(weight)
            if kind == ValueKind.COUNTS:
                postings.counts.append(frequency)
            elif kind == ValueKind.POSITIONS:
                where = field.format.decode_positions(encoded)
                postings.counts.append(len(where))
                postings.positions.extend(where)
            elif kind == ValueKind.BYTES:
                postings.values.append(encoded)
            self.memory += POSTING_BYTES + len(encoded)
            length += frequency
        self.memory += TERM_BYTES * (len(terms) - known)
        return length

    def finish(self):
        """Write the segment's postings, lengths and stored fields; the segment (for a TOC)."""
        writer = self._codec.field_writer(self._storage, self.segment)
        for name in sorted(self._terms):
            terms = self._terms[name]
            if not terms:
                continue
            writer.start_field(name, self.schema[name])
            codes = self._lengths.get(name)
            for term in sorted(terms):
                postings = terms[term]
                btext = term.encode("utf-8") if isinstance(term, str) else term
                writer.add_term(btext, postings.ids, postings.weights, codes, counts=postings.counts,
                                positions=postings.positions, values=postings.values)
            writer.finish_field()
        writer.close()
        for name, codes in self._lengths.items():
            with self._storage.create_file(length_column_name(self.segment, name)) as column:
                column.write(codes.tobytes())
        self._stored.close()
        with self._storage.create_file(self.segment.make_filename(SIGNATURE_EXT)) as handle:
            handle.write(bytes(self._signatures))
        self.segment.set_doc_count(self.documents)
        self.segment._fieldlengths = dict(self._totals)  # what Whoosh's per-document writer sets
        self.segment.path_order = tuple(self._order) if self._order else None
        self._terms.clear()
        return self.segment

    def discard(self) -> None:
        """Remove what this buffer wrote (a build that failed)."""
        for name in self.segment.list_files(self._storage):
            self._storage.delete_file(name)


def _analysed_here(field) -> bool:
    """Fields whose words are analysed here rather than by Whoosh: the stemmed positional ones."""
    return isinstance(field, TEXT) and isinstance(field.analyzer, StemmingTokenizer) and \
        value_kind(field.format) == ValueKind.POSITIONS


def _space_separated(field) -> bool:
    """Fields Whoosh splits at white space and counts (KEYWORD, as written, not lower-cased):
    their words are counted here (_add_keywords)."""
    return type(field.format) is formats.Frequency and field.analyzer == _KEYWORD_ANALYZER


def _whole_value(field) -> bool:
    """Fields whose value is their one term, indexed without analysis: Whoosh's ID."""
    return isinstance(field, ID) and type(field.analyzer) is IDTokenizer and \
        value_kind(field.format) == ValueKind.NONE


@lru_cache(maxsize=PLAIN_TEXTS_CACHED)  # only read after: _add_positions changes neither dict
def _positions(text: str) -> tuple[dict[str, list[int]], dict[str, float]]:
    """Each term's positions in `text` and its count (as Whoosh's Positions format weighs it)."""
    positions: dict[str, list[int]] = {}
    for term, position in positioned_terms(text):
        where = positions.get(term)
        if where is None:
            positions[term] = [position]
        else:
            where.append(position)
    return positions, {term: float(len(where)) for term, where in positions.items()}


def _weighted_positions(parts) -> tuple[dict[str, list[int]], dict[str, float]]:
    """WeightedText.index without its token objects: the texts one after another with a gap of
    positions between them, each occurrence weighted by its text's weight."""
    positions: dict[str, list[int]] = {}
    weights: dict[str, float] = {}
    start = 0
    for text, weight in parts:
        position = start
        for term, number in positioned_terms(text):
            position = start + number
            where = positions.get(term)
            if where is None:
                positions[term] = [position]
                weights[term] = weight
            else:
                where.append(position)
                weights[term] += weight
        start = position + WeightedText.POSITION_GAP
    return positions, weights
