"""Liner's Whoosh codec: Whoosh's term table and query machinery over postings laid out in
indexer/postings.py, stored fields in indexer/stored.py, and every file read through a memory map
(indexer/mapped.py).

A segment is written by indexer/segments.py (or merged by indexer/merge.py), never by Whoosh's
own writer: its files are

    <segment>.trm            Whoosh's ordered hash table of terms -> W3TermInfo (unchanged)
    <segment>.pst            posting blocks (indexer/postings.py)
    <segment>._<f>_len.col   one length byte per document for each scored field (as Whoosh's)
    <segment>.sto            stored fields in compressed blocks (indexer/stored.py)
    <segment>.sig            near-duplicate signatures (indexer/signatures.py; older segments
                             have none)

The codec is pickled into each generation's table of contents by reference, so an index names
the code that reads it: this module must keep its name.
"""
from __future__ import annotations

from array import array
from typing import Sequence

from whoosh.reading import MultiReader
from whoosh.codec.whoosh3 import W3Codec, W3FieldWriter, W3PerDocReader, W3Segment, W3TermInfo, W3TermsReader
from whoosh.reading import TermNotFound
from whoosh.filedb.filetables import OrderedHashWriter, _lengths as _RECORD_LENGTHS
from whoosh.system import pack_ushort
from whoosh.util.numeric import byte_to_length

from indexer.mapped import open_mapped
from indexer.signatures import RECORD, SIGNATURE_EXT, Signature, SignatureReader
from indexer.matcher import BlockMatcher, DecodedBlocks
from indexer.postings import (
    BLOCK_POSTINGS,
    ValueKind,
    encode_block,
    encode_bytes,
    encode_counts,
    encode_positions,
    value_kind,
)
from indexer.stored import StoredReader
from indexer.termtable import fixed_info, with_extent

STORED_EXT = ".sto"
_LENGTHS = array("I", (byte_to_length(code) for code in range(256)))  # length byte -> length


def length_column_name(segment, fieldname: str) -> str:
    return W3Codec.column_filename(segment, f"_{fieldname}_len")


class LinerCodec(W3Codec):
    def __init__(self) -> None:
        super().__init__(blocklimit=BLOCK_POSTINGS)

    def per_document_writer(self, storage, segment):
        raise NotImplementedError("a Liner index is written by indexer/segments.py, not by a Whoosh writer")

    def field_writer(self, storage, segment) -> "FieldWriter":
        return FieldWriter(self, storage, segment)

    def postings_reader(self, dbfile, terminfo, format_, term=None, scorer=None) -> BlockMatcher:
        # W3TermInfo reads its extent's length back as a tuple (a slip in Whoosh): the blocks say
        # where they end, so only the offset is used.
        return BlockMatcher(dbfile.buffer, terminfo.extent()[0], format_, term=term, scorer=scorer)

    def per_document_reader(self, storage, segment) -> "PerDocReader":
        return PerDocReader(storage, segment)

    def terms_reader(self, storage, segment) -> "TermsReader":
        name = segment.make_filename(self.TERMS_EXT)
        terms = open_mapped(storage, name)
        postings = open_mapped(storage, segment.make_filename(self.POSTS_EXT))
        return TermsReader(self, terms, storage.file_length(name), postings)

    def new_segment(self, storage, indexname) -> W3Segment:
        return W3Segment(self, indexname)


class TermsReader(W3TermsReader):
    """Whoosh's term table reader, remembering where each term it was asked for stands (or that it
    is not there). Whoosh looks a query's term up again for each thing it wants of it (is it
    there, its count, its postings) and each query of a search's tiers asks again: about forty
    hash-table lookups, an MD5 each, per keyword search on 100,000 passages. The table never
    changes under a reader."""

    # Terms remembered per segment reader (one a server thread), then it starts again: a query asks
    # for a few dozen, and every thread of a server keeps its own (memory counts: `liner serve`).
    MAX_CACHED = 512

    def __init__(self, codec, dbfile, length, postfile) -> None:
        super().__init__(codec, dbfile, length, postfile)
        self._places: dict[bytes, tuple[int, int] | None] = {}
        self.decoded = DecodedBlocks()  # postings blocks its matchers decoded, where they keep them

    def _place(self, key: bytes) -> tuple[int, int] | None:
        """(position, length) of a term's entry in the table; None when there is none."""
        places = self._places
        if key in places:
            return places[key]
        if len(places) >= self.MAX_CACHED:
            places.clear()
        place = places[key] = next(iter(self._tindex.ranges_for_key(key)), None)
        return place

    def _range_for_key(self, fieldname, tbytes) -> tuple[int, int]:
        place = self._place(self._keycoder(fieldname, tbytes))
        if place is None:
            raise KeyError((fieldname, tbytes))
        return place

    def __contains__(self, term) -> bool:
        return self._place(self._keycoder(*term)) is not None

    def term_info(self, fieldname, tbytes) -> W3TermInfo:
        place = self._place(self._keycoder(fieldname, tbytes))
        if place is None:
            raise TermNotFound(f"No term {fieldname}:{tbytes!r}")
        return W3TermInfo.from_bytes(self._dbfile.get(*place))


class _TermTable(OrderedHashWriter):
    """Whoosh's ordered term table, the same file, with each record written in one call and its
    position counted here: Whoosh's `add` asks the file where it stands twice and writes three
    times per term, a tenth of writing a segment of the bench corpus's 100,000 passages."""

    def __init__(self, dbfile) -> None:
        super().__init__(dbfile)
        self._at = dbfile.tell()

    def add(self, key: bytes, value: bytes) -> None:
        if key <= self.lastkey:
            raise ValueError(f"Keys must increase: {self.lastkey!r}..{key!r}")
        at = self._at
        self.index.append(at)
        record = _RECORD_LENGTHS.pack(len(key), len(value)) + key + value
        self.dbfile.write(record)
        self._at = at + len(record)
        hashed = self.hashfn(key)
        self.buckets[hashed & 255].append((hashed, at))
        self.lastkey = key


class FieldWriter(W3FieldWriter):
    """Whoosh's term table writer, with each term's postings written whole (`add_term`)."""

    def __init__(self, codec, storage, segment) -> None:  # noqa: D107 - W3FieldWriter's, with _TermTable
        self._codec, self._storage, self._segment = codec, storage, segment
        self._fieldname = self._fieldid = self._btext = self._fieldobj = self._format = None
        self._tindex = _TermTable(self._create_file(W3Codec.TERMS_EXT))
        self._fieldmap = self._tindex.extras["fieldmap"] = {}
        self._postfile = self._create_file(W3Codec.POSTS_EXT)
        self._postwriter = None
        self._infield = False
        self.is_closed = False

    def add_term(self, btext: bytes, ids: Sequence[int], weights: Sequence[float], length_codes=None, *,
                 counts: Sequence[int] = (), positions: Sequence[int] = (), values: Sequence[bytes] = ()) -> None:
        """The postings of one term of the current field, in document order. `length_codes`: the
        segment's length bytes of the field by document (None where it is not scored); by the
        field's format, `counts` (positions per posting, or Frequency's counts) and `positions`
        (all of them, flat), or `values` (any other format's bytes): this term's, whole."""
        start = self._written()
        if len(ids) <= BLOCK_POSTINGS:  # one block, as most terms have: nothing to cut
            shortest, longest = _length_range(ids, length_codes)
            encoded = self._values_part(counts, positions, values)
            self._write(encode_block(ids, weights, encoded, (shortest, longest), last=True))
        else:
            shortest, longest = self._add_blocks(ids, weights, length_codes, counts, positions, values)
        # The bytes of a W3TermInfo with these figures (packed here: no object a term).
        fixed = fixed_info(float(sum(weights)), len(ids), shortest, longest, float(max(weights)), ids[0], ids[-1])
        self._tindex.add(pack_ushort(self._fieldid) + btext, with_extent(fixed, start, self._written() - start))

    def _add_blocks(self, ids, weights, length_codes, counts, positions, values) -> tuple[int, int]:
        """A term's postings in blocks of BLOCK_POSTINGS; the shortest and longest length byte."""
        shortest, longest, at = 255, 0, 0
        for begin in range(0, len(ids), BLOCK_POSTINGS):
            end = begin + BLOCK_POSTINGS
            block_ids = ids[begin:end]
            lengths = _length_range(block_ids, length_codes)
            shortest, longest = min(shortest, lengths[0]), max(longest, lengths[1])
            if self._kind == ValueKind.POSITIONS:
                held = sum(counts[begin:end])
                encoded = encode_positions(counts[begin:end], positions[at:at + held])
                at += held
            else:
                encoded = self._values_part(counts[begin:end], (), values[begin:end])
            self._write(encode_block(block_ids, weights[begin:end], encoded, lengths, last=end >= len(ids)))
        return shortest, longest

    def _values_part(self, counts, positions, values) -> bytes:
        """The values part of a block, by the field's format."""
        kind = self._kind
        if kind == ValueKind.POSITIONS:
            return encode_positions(counts, positions)
        if kind == ValueKind.COUNTS:
            return encode_counts(counts)
        return encode_bytes(values) if kind == ValueKind.BYTES else b""

    def _written(self) -> int:
        """Where the postings file stands: counted here, not asked of the file at each term."""
        if self._at is None:
            self._at = self._postfile.tell()
        return self._at

    def _write(self, data: bytes) -> None:
        self._written()
        self._postfile.write(data)
        self._at += len(data)

    def add_raw_term(self, btext: bytes, info: W3TermInfo, blocks: bytes) -> None:
        """A term whose blocks are already encoded (merging segments): `info` without its extent."""
        start = self._written()
        self._write(blocks)
        info.set_extent(start, len(blocks))
        self._tindex.add(pack_ushort(self._fieldid) + btext, info.to_bytes())

    def add_encoded_term(self, btext: bytes, fixed_info: bytes, blocks: bytes) -> None:
        """add_raw_term with the info already packed but for its extent (indexer/termtable.py)."""
        start = self._written()
        self._write(blocks)
        self._tindex.add(pack_ushort(self._fieldid) + btext, with_extent(fixed_info, start, len(blocks)))

    def start_field(self, fieldname, fieldobj) -> None:
        super().start_field(fieldname, fieldobj)
        self._postwriter = None  # every term is written whole by add_term / add_raw_term
        self._kind = value_kind(self._format)
        self._at: int | None = None  # the postings file's position, once asked (_written)


def _length_range(ids: Sequence[int], length_codes) -> tuple[int, int]:
    """The shortest and longest length byte of the documents `ids` ((0, 0) unscored)."""
    if length_codes is None:
        return 0, 0
    if len(ids) == 1:
        code = length_codes[ids[0]]
        return code, code
    codes = [length_codes[docnum] for docnum in ids]
    return min(codes), max(codes)


class PerDocReader(W3PerDocReader):
    """Field lengths and stored fields of one segment, through memory maps, all mapped when the
    segment is opened: a generation's files may be removed once its readers have moved on
    (indexer/generations.py), and a query still running on it reads what it mapped."""

    def __init__(self, storage, segment) -> None:
        super().__init__(storage, segment)
        self._stored = StoredReader(open_mapped(storage, segment.make_filename(STORED_EXT)).buffer)
        prefix, suffix = segment.make_filename("._"), "_len" + W3Codec.COLUMN_EXT
        self._lengths: dict[str, object] = {
            name[len(prefix):-len(suffix)]: open_mapped(storage, name).buffer
            for name in storage.list() if name.startswith(prefix) and name.endswith(suffix)
        }
        signatures = segment.make_filename(SIGNATURE_EXT)
        self.signatures = None  # one record a document, or none at all
        if storage.file_exists(signatures) and storage.file_length(signatures) == RECORD.size * segment.doc_count_all():
            self.signatures = SignatureReader(open_mapped(storage, signatures).buffer)

    def _length_bytes(self, fieldname: str):
        return self._lengths.get(fieldname, b"")

    def doc_field_length(self, docnum: int, fieldname: str, default: int = 0) -> int:
        column = self._length_bytes(fieldname)
        if docnum >= len(column):
            return default
        code = column[docnum]
        return _LENGTHS[code] if code else default

    def min_field_length(self, fieldname: str) -> int:
        column = self._length_bytes(fieldname)
        return byte_to_length(min(column)) if column else 0

    def max_field_length(self, fieldname: str) -> int:
        column = self._length_bytes(fieldname)
        return byte_to_length(max(column)) if column else 0

    def stored_fields(self, docnum: int) -> dict:
        return self._stored.document(docnum)

    @property
    def stored(self) -> StoredReader:
        return self._stored


def stored_document(reader, docnum: int) -> dict:
    """The stored fields of document `docnum` of an index reader: straight from the segment's
    stored fields where it is a Liner segment (Whoosh's own path filters every field of every
    document against the schema again, a third of the cost of reading one)."""
    if isinstance(reader, MultiReader):
        number, docnum = reader._segment_and_docnum(docnum)
        reader = reader.readers[number]
    perdoc = getattr(reader, "_perdoc", None)
    if isinstance(perdoc, PerDocReader):
        return perdoc.stored_fields(docnum)
    return reader.stored_fields(docnum)


def stored_signature(reader, docnum: int) -> Signature | None:
    """Document `docnum`'s near-duplicate signature as its segment keeps it, its copy_of a
    document number of `reader`; None where the segment has none (written before signatures,
    or not a Liner segment)."""
    offset = 0
    if isinstance(reader, MultiReader):
        number, docnum = reader._segment_and_docnum(docnum)
        reader, offset = reader.readers[number], reader.doc_offsets[number]
    perdoc = getattr(reader, "_perdoc", None)
    signatures = perdoc.signatures if isinstance(perdoc, PerDocReader) else None
    return signatures.signature(docnum, offset) if signatures is not None else None


def decoded_blocks(reader) -> DecodedBlocks | None:
    """Where the matchers of a Liner segment's reader (one thread's) keep the blocks they decode,
    when asked to (BlockMatcher.keep_decoded); None for another reader."""
    terms = getattr(reader, "_terms", None)
    return terms.decoded if isinstance(terms, TermsReader) else None


def length_codes(reader, fieldname: str):
    """A Liner segment's length bytes of a field by document (indexed in place), or None for
    another reader."""
    perdoc = getattr(reader, "_perdoc", None)
    return perdoc._length_bytes(fieldname) if isinstance(perdoc, PerDocReader) else None


LENGTH_OF_CODE = _LENGTHS  # length byte -> the length Whoosh reads back for it
