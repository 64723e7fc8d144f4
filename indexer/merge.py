"""The segments of a generation: merged into one, documents marked deleted, and the table of
contents (Whoosh's TOC) that lists them.

A full build writes a segment each time its memory budget fills, then merges them all into one
in a single pass: where no document of a segment is deleted, its posting blocks and its stored
blocks are copied as they are, only the block headers rewritten (the document numbers move up by
the documents before it, indexer/postings.py); a segment with deletions has its postings decoded,
the deleted documents dropped and the rest renumbered. An update writes the changed files' passages
into a new segment and marks the old ones deleted in the TOC; `segments_to_merge` then merges
segments of like size once there are MERGE_FACTOR of them (as Lucene's tiered merges), and rewrites
a segment most of whose documents are deleted.

The merge reads its inputs with ordinary reads, not memory maps: a map's pages count in the
process's resident memory, and a merge reads everything once.
"""
from __future__ import annotations

import heapq
import math
import os
from array import array
from itertools import groupby

from whoosh.codec.whoosh3 import W3TermInfo, W3TermsReader
from whoosh.index import TOC, _DEF_INDEX_NAME, clean_files
from whoosh.util.numeric import byte_to_length

from indexer.codec import STORED_EXT, LinerCodec, length_column_name
from indexer.matcher import BlockMatcher
from indexer.signatures import RECORD, SIGNATURE_EXT, SignatureReader, merge_copies
from indexer.postings import HEADER, LAST_BLOCK, ValueKind, shifted_header, value_kind
from indexer.stored import StoredReader, StoredWriter
from indexer.termtable import extent, in_name_order, merged_info, term_records

# Segments of one size tier (their live documents within a factor of MERGE_FACTOR) are merged once
# there are MERGE_FACTOR of them; a segment with this share of its documents deleted is rewritten.
MERGE_FACTOR = 8
REWRITE_DELETED_SHARE = 0.5


def write_toc(storage, schema, segments: list, indexname: str = _DEF_INDEX_NAME) -> None:
    """A new table of contents listing `segments`; files of segments it no longer lists go."""
    generation = TOC._latest_generation(storage, indexname) + 1
    TOC(schema, segments, generation).write(storage, indexname)
    clean_files(storage, indexname, generation, segments)


def read_segments(storage, indexname: str = _DEF_INDEX_NAME) -> tuple[object, list]:
    """The schema and segments of the latest table of contents."""
    toc = TOC.read(storage, indexname)
    return toc.schema, list(toc.segments)


def delete_documents(storage, schema, segments: list, field: str, texts: list[str]) -> None:
    """Mark deleted every document whose `field` holds one of `texts` (an update's old passages)."""
    if not texts:
        return
    for segment in segments:
        terms = _terms_reader(storage, segment)
        try:
            for text in texts:
                btext = text.encode("utf-8")
                if (field, btext) in terms:
                    for docnum in _all_ids(storage, segment, terms.term_info(field, btext), schema[field].format):
                        segment.delete_document(docnum)
        finally:
            _close(terms)


def segment_terms(storage, segment, field: str) -> list[str]:
    """The terms of one field in one segment, in lexicon order (an update's new words)."""
    terms = _terms_reader(storage, segment)
    try:
        return [btext.decode("utf-8") for btext, _number, _info in _field_items(terms, field, 0)]
    finally:
        _close(terms)


def segments_to_merge(segments: list) -> list:
    """The segments an update should merge now (none: an empty list)."""
    for segment in segments:
        total = segment.doc_count_all()
        if total and segment.deleted_count() >= REWRITE_DELETED_SHARE * total:
            return [other for other in segments if _tier(other) == _tier(segment)] if len(segments) > 1 else [segment]
    for _tier_number, tier in groupby(sorted(segments, key=_tier), key=_tier):
        members = list(tier)
        if len(members) >= MERGE_FACTOR:
            return members
    return []


def _tier(segment) -> int:
    return int(math.log(max(segment.doc_count(), 1), MERGE_FACTOR))


def merge_segments(storage, schema, segments: list, indexname: str = _DEF_INDEX_NAME):
    """One new segment holding the live documents of `segments`, in their order; the inputs'
    files are left for write_toc to clean once the TOC no longer lists them."""
    codec = LinerCodec()
    merged = codec.new_segment(storage, indexname)
    renumbered = [_Renumbering(segment) for segment in segments]
    _merge_lengths(storage, schema, merged, segments, renumbered)
    _merge_stored(storage, merged, segments, renumbered)
    _merge_signatures(storage, merged, segments, renumbered)
    _merge_postings(storage, schema, codec, merged, segments, renumbered)
    merged.set_doc_count(sum(item.live for item in renumbered))
    merged._fieldlengths = _field_totals(storage, schema, segments, renumbered)
    merged.path_order = _path_order(segments)
    return merged


def _path_order(segments: list) -> tuple | None:
    """The first and last (path, ordinal) of segments merged in this order, when each one's
    documents are in that order and they follow one another (segments.SegmentBuffer)."""
    orders = [getattr(segment, "path_order", None) for segment in segments]
    if None in orders or any(before[1] >= after[0] for before, after in zip(orders, orders[1:])):
        return None
    return orders[0][0], orders[-1][1]


class _Renumbering:
    """Where a segment's documents go in the merged one: all moved up by `offset`, or (with
    deletions) each live one to its own new number."""

    def __init__(self, segment) -> None:
        self.segment = segment
        self.deleted = set(segment.deleted_docs()) if segment.has_deletions() else set()
        self.live = segment.doc_count_all() - len(self.deleted)
        self.offset = 0
        self.new_numbers: array | None = None

    def place(self, offset: int) -> None:
        self.offset = offset
        if self.deleted:
            numbers, next_number = array("i"), offset
            for docnum in range(self.segment.doc_count_all()):
                numbers.append(-1 if docnum in self.deleted else next_number)
                next_number += docnum not in self.deleted
            self.new_numbers = numbers


def _merge_lengths(storage, schema, merged, segments, renumbered) -> None:
    offset = 0
    for item in renumbered:
        item.place(offset)
        offset += item.live
    for name, field in schema.items():
        if not (field.indexed and field.scorable):
            continue
        column = bytearray()
        for segment, item in zip(segments, renumbered):
            own = _read_file(storage, length_column_name(segment, name)).ljust(segment.doc_count_all(), b"\0")
            column += own if not item.deleted else bytes(b for d, b in enumerate(own) if d not in item.deleted)
        with storage.create_file(length_column_name(merged, name)) as out:
            out.write(bytes(column))


def _field_totals(storage, schema, segments, renumbered) -> dict[str, int]:
    """The total length of each scored field, from which Whoosh makes its average: the segments'
    own totals (exact), less the lengths of the documents dropped (as their length bytes say)."""
    totals = {}
    for name, field in schema.items():
        if not (field.indexed and field.scorable):
            continue
        total = 0
        for segment, item in zip(segments, renumbered):
            total += segment._fieldlengths.get(name, 0)
            if item.deleted:
                own = _read_file(storage, length_column_name(segment, name))
                total -= sum(byte_to_length(own[docnum]) for docnum in item.deleted if docnum < len(own) and own[docnum])
        totals[name] = total
    return totals


def _merge_stored(storage, merged, segments, renumbered) -> None:
    writer = StoredWriter(merged.create_file(storage, STORED_EXT))
    for segment, item in zip(segments, renumbered):
        reader = StoredReader(_read_file(storage, segment.make_filename(STORED_EXT)))
        if not item.deleted:
            for block in range(len(reader)):
                writer.add_block(reader.raw_block(block), reader.block_documents(block))
            continue
        for docnum in range(segment.doc_count_all()):
            if docnum not in item.deleted:
                stored = reader.document(docnum)
                writer.add(stored, 64 + len(stored.get("body", "")))
    writer.close()


def _merge_signatures(storage, merged, segments, renumbered) -> None:
    """The live documents' near-duplicate signatures, when every segment has them (a segment
    written before signatures has none: then neither has the merged one, and its passages are
    compared by their text, as before), with the copies among all of them found anew."""
    names = [segment.make_filename(SIGNATURE_EXT) for segment in segments]
    if not all(storage.file_exists(name) and storage.file_length(name) == RECORD.size * segment.doc_count_all()
               for name, segment in zip(names, segments)):
        return
    stored: dict[int, StoredReader] = {}

    def text_of(number: int, docnum: int) -> str:
        if number not in stored:
            stored[number] = StoredReader(_read_file(storage, segments[number].make_filename(STORED_EXT)))
        return stored[number].document(docnum).get("body") or ""

    readers = [SignatureReader(_read_file(storage, name)) for name in names]
    with storage.create_file(merged.make_filename(SIGNATURE_EXT)) as out:
        out.write(merge_copies(readers, [item.deleted for item in renumbered], text_of))


def _merge_postings(storage, schema, codec, merged, segments, renumbered) -> None:
    writer = codec.field_writer(storage, merged)
    readers = [_terms_reader(storage, segment) for segment in segments]
    if not any(item.deleted for item in renumbered) and all(map(in_name_order, readers)):
        try:
            _merge_whole(storage, schema, codec, writer, segments, readers, renumbered)
        finally:
            for reader in readers:
                _close(reader)
        writer.close()
        return
    postings = [open(_path(storage, segment.make_filename(codec.POSTS_EXT)), "rb") for segment in segments]
    codes = {}
    try:
        for name in sorted(set().union(*(reader.indexed_field_names() for reader in readers))):
            if name in schema and schema[name].scorable:
                codes = _read_file(storage, length_column_name(merged, name))
            field_terms = [_field_items(reader, name, number) for number, reader in enumerate(readers)]
            writer.start_field(name, schema[name])
            for btext, group in groupby(heapq.merge(*field_terms), key=lambda item: item[0]):
                _merge_term(writer, schema[name], btext, [(number, info) for _, number, info in group], postings,
                            renumbered, codes if schema[name].scorable else None)
            writer.finish_field()
    finally:
        for reader in readers:
            _close(reader)
        for handle in postings:
            handle.close()
    writer.close()


def _merge_whole(storage, schema, codec, writer, segments, readers, renumbered) -> None:
    """_merge_postings of segments with no deleted document: each term's blocks copied, their
    headers moved up, its info merged as bytes; every table and postings file read straight
    through, once (indexer/termtable.py)."""
    paths = [_path(storage, segment.make_filename(codec.TERMS_EXT)) for segment in segments]
    postings = [open(_path(storage, segment.make_filename(codec.POSTS_EXT)), "rb") for segment in segments]
    records = [term_records(reader, path, number) for number, (reader, path) in enumerate(zip(readers, paths))]
    field = None
    try:
        for (name, btext), group in groupby(heapq.merge(*records), key=lambda record: record[:2]):
            if name != field:
                if field is not None:
                    writer.finish_field()
                writer.start_field(name, schema[name])
                field = name
            parts = [(info, renumbered[number].offset, number) for _, _, number, info in group]
            blocks = [_shifted_blocks(_read_next(postings[number], info), offset, last=position == len(parts) - 1)
                      for position, (info, offset, number) in enumerate(parts)]
            writer.add_encoded_term(btext, merged_info([part[:2] for part in parts]), b"".join(blocks))
        if field is not None:
            writer.finish_field()
    finally:
        for handle in postings:
            handle.close()


def _read_next(handle, info: bytes) -> bytes:
    """A term's postings: where the last read ended, when terms are read in the order their
    postings were written (a seek otherwise)."""
    offset, length = extent(info)
    if handle.tell() != offset:
        handle.seek(offset)
    return handle.read(length)


def _field_items(reader, name: str, number: int):
    """(term, segment number, term info) of one field of one segment, in term order."""
    for (fieldname, btext), info in reader.items_from(name, b""):
        if fieldname != name:
            return
        yield btext, number, info


def _merge_term(writer, field, btext: bytes, group: list, postings: list, renumbered: list, codes) -> None:
    if any(renumbered[number].deleted for number, _ in group):
        _rewrite_term(writer, field, btext, group, postings, renumbered, codes)
        return
    info = W3TermInfo()
    blocks = []
    for position, (number, part) in enumerate(group):
        offset = renumbered[number].offset
        blocks.append(_shifted_blocks(_read_extent(postings[number], part), offset, last=position == len(group) - 1))
        info._df += part.doc_frequency()
        info._weight += part.weight()
        info._maxweight = max(info._maxweight, part.max_weight())
        info._minlength = part._minlength if info._minlength is None else min(info._minlength, part._minlength)
        info._maxlength = max(info._maxlength, part._maxlength)
    info._minid = group[0][1].min_id() + renumbered[group[0][0]].offset
    info._maxid = group[-1][1].max_id() + renumbered[group[-1][0]].offset
    writer.add_raw_term(btext, info, b"".join(blocks))


def _shifted_blocks(data: bytes, offset: int, last: bool) -> bytes:
    """A segment's blocks of one term, their document numbers moved up by `offset`; the last one
    marked last only if `last`."""
    if not offset and last:
        return data
    out, at = [], 0
    while at < len(data):
        header = HEADER.unpack_from(data, at)
        size, final = header[0], bool(header[7] & LAST_BLOCK)
        out.append(shifted_header(memoryview(data)[at:], offset, last=final and last))
        out.append(data[at + HEADER.size:at + size])
        at += size
    return b"".join(out)


def _rewrite_term(writer, field, btext: bytes, group: list, postings: list, renumbered: list, codes) -> None:
    """A term some of whose documents are deleted: decoded, the deleted dropped, written anew."""
    kind = value_kind(field.format)
    ids, weights, counts, positions, values = array("I"), array("f"), array("I"), array("I"), []
    for number, info in group:
        data = _read_extent(postings[number], info)
        matcher = BlockMatcher(data, 0, field.format)
        item = renumbered[number]
        while matcher.is_active():
            docnum = matcher.id()
            new = item.new_numbers[docnum] if item.new_numbers is not None else docnum + item.offset
            if new >= 0:
                ids.append(new)
                weights.append(matcher.weight())
                _keep_value(matcher, kind, counts, positions, values)
            matcher.next()
    if ids:
        writer.add_term(btext, ids, weights, codes, counts=counts, positions=positions, values=values)


def _keep_value(matcher, kind: str, counts, positions, values) -> None:
    if kind == ValueKind.POSITIONS:
        where = matcher.value_as("positions")
        counts.append(len(where))
        positions.extend(where)
    elif kind == ValueKind.COUNTS:
        counts.append(matcher.value_as("frequency"))
    elif kind == ValueKind.BYTES:
        values.append(matcher.value())


# -- reading a segment's files ---------------------------------------------------------------------


def _terms_reader(storage, segment) -> W3TermsReader:
    """The segment's term table through ordinary reads (see the module's docstring)."""
    name = segment.make_filename(LinerCodec.TERMS_EXT)
    return W3TermsReader(LinerCodec(), storage.open_file(name), storage.file_length(name), None)


def _close(terms: W3TermsReader) -> None:
    terms._tindex.close()  # it has no postings file of its own to close


def _path(storage, name: str) -> str:
    return os.path.join(storage.folder, name)


def _read_extent(handle, info) -> bytes:
    offset, length = info.extent()
    length = length[0] if isinstance(length, tuple) else length  # see LinerCodec.postings_reader
    return os.pread(handle.fileno(), length, offset)


def _read_file(storage, name: str) -> bytes:
    if not storage.file_exists(name):
        return b""
    with storage.open_file(name) as handle:
        return handle.read()


def _all_ids(storage, segment, info, format_) -> list[int]:
    with open(_path(storage, segment.make_filename(LinerCodec.POSTS_EXT)), "rb") as handle:
        data = _read_extent(handle, info)
    return list(BlockMatcher(data, 0, format_).all_ids())
