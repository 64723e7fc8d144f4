"""indexer/postings.py, matcher.py, stored.py, segments.py and merge.py: Liner's own segments hold
what Whoosh's writer would have written for the same passages, read back through Whoosh's query
machinery, and merged segments are one segment written at once."""
from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh import formats
from whoosh.filedb.filestore import FileStorage

from indexer.codec import LinerCodec
from indexer.documents import iter_documents
from indexer import matcher as matcher_module
from indexer.matcher import BlockMatcher, DecodedBlocks, RecentBlocks, common_documents
from indexer.merge import delete_documents, merge_segments, write_toc
from indexer.passages import make_passages
from indexer.postings import (
    BLOCK_POSTINGS,
    encode_block,
    encode_bytes,
    encode_counts,
    encode_positions,
)
from indexer.schema import build_schema, file_words, passage_document
from indexer.segments import SegmentBuffer
from indexer.stored import StoredReader, StoredWriter
from indexer.structure import parse_structure

NOTES = Path("tests/data/notes")
SEEDS = Path("seeds")


def _documents(folder: Path) -> list[dict]:
    documents = []
    for document in iter_documents(folder):
        if hasattr(document, "text"):
            passages = make_passages(parse_structure(document))
            documents += [passage_document(p, file_words(passages) if n == 0 else None) for n, p in enumerate(passages)]
    return documents


def _blocks(ids, weights, values_of, kind_values) -> bytes:
    """A posting list as FieldWriter.add_term writes it."""
    out = []
    for begin in range(0, len(ids), BLOCK_POSTINGS):
        end = begin + BLOCK_POSTINGS
        out.append(encode_block(ids[begin:end], weights[begin:end], values_of(begin, end), (1, 2), end >= len(ids)))
    return b"".join(out)


# -- one posting list ----------------------------------------------------------------------------------

postings = st.lists(st.tuples(st.integers(1, 5000), st.sampled_from([1.0, 1.5, 2.0, 3.5, 0.3, 7.25]),
                              st.lists(st.integers(0, 70000), min_size=1, max_size=5, unique=True)),
                    min_size=1, max_size=400)


@settings(max_examples=60, deadline=None)
@given(postings, st.booleans())
def test_a_posting_list_reads_back_as_written(items, same_weights):
    ids, total = [], 0
    for gap, _, _ in items:
        total += gap
        ids.append(total)
    weights = [2.5] * len(items) if same_weights else [weight for _, weight, _ in items]
    positions = [sorted(where) for _, _, where in items]
    counts = [len(where) for where in positions]

    def values(begin, end):
        flat = [p for where in positions[begin:end] for p in where]
        return encode_positions(counts[begin:end], flat)

    matcher = BlockMatcher(_blocks(ids, weights, values, None), 0, formats.Positions())
    read = []
    while matcher.is_active():
        read.append((matcher.id(), matcher.weight(), matcher.value_as("positions")))
        matcher.next()
    assert read == [(i, float(_f32(w)), p) for i, w, p in zip(ids, weights, positions)]


def test_ids_are_written_as_they_are_and_compressed_ids_of_older_indexes_read_back(monkeypatch):
    """An ids part is never compressed now (IDS_COMPRESSED); an index written before may hold
    compressed ones, and they read back the same."""
    import indexer.postings as postings

    ids = list(range(3, 3 + 3 * 300, 3))  # even gaps: a part that compresses
    weights = [1.0] * len(ids)

    def read_back(data: bytes) -> tuple[list[int], bool]:
        matcher, read, compressed = BlockMatcher(data, 0, formats.Existence()), [], False
        while matcher.is_active():
            compressed = compressed or bool(matcher._flags & postings.IDS_ZLIB)
            read.append(matcher.id())
            matcher.next()
        return read, compressed

    assert read_back(_blocks(ids, weights, lambda begin, end: b"", None)) == (ids, False)
    monkeypatch.setattr(postings, "IDS_COMPRESSED", True)
    assert read_back(_blocks(ids, weights, lambda begin, end: b"", None)) == (ids, True)


def _f32(value: float) -> float:
    from array import array
    return array("f", [value])[0]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 3000), min_size=1, max_size=600, unique=True), st.integers(-5, 3100))
def test_skip_to_lands_where_a_search_of_the_list_would(numbers, target):
    ids = sorted(numbers)
    matcher = BlockMatcher(_blocks(ids, [1.0] * len(ids), lambda b, e: b"", None), 0, formats.Existence())
    matcher.skip_to(target)
    expected = next((i for i in ids if i >= target), None)
    assert (matcher.id() if matcher.is_active() else None) == expected


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 3000), min_size=1, max_size=600, unique=True), st.integers(-5, 3100),
       st.integers(0, 700))
def test_first_ids_are_the_first_of_all_ids_from_where_the_matcher_stands(numbers, target, cap):
    ids = sorted(numbers)
    data = _blocks(ids, [1.0] * len(ids), lambda b, e: b"", None)
    one, other = BlockMatcher(data, 0, formats.Existence()), BlockMatcher(data, 0, formats.Existence())
    one.skip_to(target)
    other.skip_to(target)
    assert one.first_ids(cap) == list(itertools.islice(other.all_ids(), cap))


@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(st.integers(0, 2000), min_size=1, max_size=300, unique=True), min_size=2, max_size=4))
def test_common_documents_are_the_intersection(lists):
    matchers = [BlockMatcher(_blocks(sorted(ids), [1.0] * len(ids), lambda b, e: b"", None), 0, formats.Existence())
                for ids in lists]
    assert common_documents(matchers) == sorted(set.intersection(*map(set, lists)))


def test_decoded_blocks_let_the_one_used_longest_ago_go_first():
    decoded = RecentBlocks(capacity=2)
    decoded.put(10, [1, 2])
    decoded.put(20, [3, 4])
    assert decoded.get(10) == [1, 2]  # now the one used last
    decoded.put(30, [5, 6])
    assert decoded.get(20) is None
    assert decoded.get(10) == [1, 2] and decoded.get(30) == [5, 6]


def test_matchers_sharing_decoded_blocks_decode_each_block_once(monkeypatch):
    """An intersection, then a ranking and a count of the same words: each block is decoded once."""
    ids = list(range(0, 900, 3))
    data = _blocks(ids, [1.0] * len(ids), lambda b, e: b"", None)
    calls = []
    decode = matcher_module.decode_ids
    monkeypatch.setattr(matcher_module, "decode_ids", lambda *args: calls.append(args[1]) or decode(*args))
    decoded = DecodedBlocks()
    first = BlockMatcher(data, 0, formats.Existence(), decoded=decoded)
    assert common_documents([first]) == ids
    assert list(BlockMatcher(data, 0, formats.Existence(), decoded=decoded).all_ids()) == ids
    assert len(calls) == len(set(calls)) == -(-len(ids) // BLOCK_POSTINGS)


@pytest.mark.parametrize("weights", [[1.5, 2.0, 3.5] * 100, [0.3, 7.25, 1.0] * 100])  # halves; float32s
def test_weights_kept_decoded_are_those_read_anew(monkeypatch, weights):
    ids = list(range(len(weights)))
    data = _blocks(ids, weights, lambda b, e: b"", None)
    calls = []
    stored = matcher_module.stored_weights
    monkeypatch.setattr(matcher_module, "stored_weights", lambda *args: calls.append(args[1]) or stored(*args))
    decoded = DecodedBlocks()
    for _ in range(2):
        some, every = BlockMatcher(data, 0, formats.Existence(), decoded=decoded), []
        while some.is_active():
            assert some.block_weights_at([0, 5]) == [_f32(weights[some.block_ids()[0] + n]) for n in (0, 5)]
            every += BlockMatcher(data, some._position, formats.Existence(), decoded=decoded).block_weights()
            some.next_block()
        assert every == [_f32(weight) for weight in weights]
    assert len(calls) == len(set(calls)) == -(-len(ids) // BLOCK_POSTINGS)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from([1.0, 1.5, 2.0, 3.5, 0.3, 7.25, 120.5]), min_size=1, max_size=300),
       st.sampled_from(["as drawn", "all ones", "all equal"]), st.data())
def test_a_blocks_weights_at_some_postings_are_those_it_reads_one_by_one(weights, kind, data):
    """block_weights_at decodes only the postings asked for: the weights every mode of
    encoding (ones, one value, halves, floats) reads back posting by posting."""
    weights = {"all ones": [1.0] * len(weights), "all equal": [2.5] * len(weights)}.get(kind, weights)
    ids = list(range(3, 3 + 2 * len(weights), 2))
    blocks = _blocks(ids, weights, lambda begin, end: b"", None)
    expected = BlockMatcher(blocks, 0, formats.Existence())
    matcher = BlockMatcher(blocks, 0, formats.Existence())
    while matcher.is_active():
        count = len(matcher.block_ids())
        wanted = sorted(data.draw(st.lists(st.integers(0, count - 1), max_size=count, unique=True)))
        one_by_one = []
        for _ in range(count):
            one_by_one.append(expected.weight())
            expected.next()
        assert matcher.block_weights_at(wanted) == [one_by_one[number] for number in wanted]
        matcher.next_block()


def test_counts_and_bytes_values_read_back():
    ids = list(range(0, 900, 3))
    counts = [n % 7 + 1 for n in range(len(ids))]
    matcher = BlockMatcher(_blocks(ids, [1.0] * len(ids), lambda b, e: encode_counts(counts[b:e]), None), 0,
                           formats.Frequency())
    read = []
    while matcher.is_active():
        read.append(matcher.value_as("frequency"))
        matcher.next()
    assert read == counts
    raw = [bytes([n % 256]) * (n % 5) for n in range(len(ids))]
    matcher = BlockMatcher(_blocks(ids, [1.0] * len(ids), lambda b, e: encode_bytes(raw[b:e]), None), 0,
                           formats.Characters())
    read = []
    while matcher.is_active():
        read.append(matcher.value())
        matcher.next()
    assert read == raw


# -- stored fields -----------------------------------------------------------------------------------------


def test_stored_fields_read_back_by_number_across_blocks(tmp_path):
    stored = [{"path": f"notes/{n // 7}.md", "body": "word " * (n % 50), "ordinal": n} for n in range(500)]
    with open(tmp_path / "s.sto", "wb") as handle:
        writer = StoredWriter(handle)
        for document in stored:
            writer.add(document, len(document["body"]))
        writer.close()
    reader = StoredReader((tmp_path / "s.sto").read_bytes())
    assert len(reader) > 5  # cut into blocks
    assert [reader.document(n) for n in (499, 0, 250, 7, 498)] == [stored[n] for n in (499, 0, 250, 7, 498)]
    assert sum(reader.block_documents(block) for block in range(len(reader))) == len(stored)


# -- a segment holds what Whoosh's own writer would hold -------------------------------------------------------


def _whoosh_index(folder: Path, documents: list[dict]):
    from whoosh import index

    folder.mkdir()
    ix = index.create_in(str(folder), build_schema())
    writer = ix.writer()
    for document in documents:
        writer.add_document(**document)
    writer.commit()
    return ix


def _liner_index(folder: Path, documents: list[dict], parts: int = 1, delete: tuple[str, ...] = ()):
    """Liner's segments of `documents` in `parts` pieces, merged into one (after deleting the
    passages of the paths in `delete`)."""
    from whoosh import index

    folder.mkdir()
    storage, schema = FileStorage(str(folder)), build_schema()
    segments = []
    size = -(-len(documents) // parts)
    for start in range(0, len(documents), size):
        buffer = SegmentBuffer(schema, storage, "MAIN")
        for document in documents[start:start + size]:
            buffer.add(document)
        segments.append(buffer.finish())
    delete_documents(storage, schema, segments, "path", list(delete))
    if len(segments) > 1 or delete:
        segments = [merge_segments(storage, schema, segments)]
    write_toc(storage, schema, segments)
    return index.open_dir(str(folder))


def _contents(ix) -> dict:
    """Every term's postings (document, weight, positions or count), field lengths and stored
    fields, as readers see them."""
    with ix.reader() as reader:
        terms = {}
        for field, term in reader.all_terms():
            matcher = reader.postings(field, term)
            kind = "positions" if matcher.supports("positions") else "frequency"
            terms[(field, term)] = [(d, w, v) for d, w, v in _walk(matcher, kind)]
        # (Whoosh's reader gives None for a passage with none of a field's words: 0 here.)
        lengths = {(d, f): reader.doc_field_length(d, f) or 0 for d in range(reader.doc_count_all())
                   for f in ("text", "title", "section")}
        stored = [reader.stored_fields(d) for d in range(reader.doc_count_all())]
        totals = {f: reader.field_length(f) for f in ("text", "title", "section")}
        return {"terms": terms, "lengths": lengths, "stored": stored, "totals": totals,
                "frequencies": {key: reader.doc_frequency(*key) for key in terms}}


def _walk(matcher, kind: str):
    while matcher.is_active():
        yield matcher.id(), matcher.weight(), matcher.value_as(kind) if matcher.supports(kind) else None
        matcher.next()


def test_a_liner_segment_holds_what_whooshs_writer_writes(tmp_path):
    documents = _documents(NOTES) + _documents(SEEDS)
    assert _contents(_liner_index(tmp_path / "liner", documents)) == _contents(_whoosh_index(tmp_path / "w", documents))


def test_segments_merged_are_one_segment_written_at_once(tmp_path):
    documents = _documents(SEEDS)
    whole = _contents(_liner_index(tmp_path / "whole", documents))
    assert _contents(_liner_index(tmp_path / "parts", documents, parts=5)) == whole


def test_a_merge_drops_deleted_passages_and_renumbers_the_rest(tmp_path):
    documents = _documents(SEEDS)
    gone = documents[0]["path"]
    kept = [document for document in documents if document["path"] != gone]
    merged = _contents(_liner_index(tmp_path / "merged", documents, parts=3, delete=(gone,)))
    fresh = _contents(_liner_index(tmp_path / "fresh", kept))
    # Everything but the field totals, which a merge lowers by the deleted passages' stored
    # lengths (as Whoosh's own merge counts them), where a fresh index sums the exact ones.
    assert {k: v for k, v in merged.items() if k != "totals"} == {k: v for k, v in fresh.items() if k != "totals"}


def test_the_codec_is_named_in_the_table_of_contents(tmp_path):
    ix = _liner_index(tmp_path / "ix", _documents(NOTES))
    assert all(isinstance(segment.codec(), LinerCodec) for segment in ix._segments())


def test_a_terms_reader_answers_again_as_the_table_does(seeds_index):
    from whoosh import index as whoosh_index
    from whoosh.codec.whoosh3 import W3TermsReader
    from whoosh.reading import TermNotFound

    from indexer.layout import current_generation

    ix = whoosh_index.open_dir(str(seeds_index / current_generation(seeds_index)))
    with ix.reader() as reader:
        terms = reader._terms  # Whoosh's own methods, called on it, read the table each time
        for term in [("text", b"kassem"), ("text", b"soundtrack"), ("title", b"netflix"), ("text", b"zzzunheard")] * 2:
            assert (term in terms) == W3TermsReader.__contains__(terms, term)
            if W3TermsReader.__contains__(terms, term):
                info = W3TermsReader.term_info(terms, *term)
                again = terms.term_info(*term)
                assert (again.doc_frequency(), again.weight(), again.min_id(), again.max_id(), again.extent()[0]) == \
                    (info.doc_frequency(), info.weight(), info.min_id(), info.max_id(), info.extent()[0])
                assert (terms.doc_frequency(*term), terms.frequency(*term)) == (info.doc_frequency(), info.weight())
            else:
                with pytest.raises(TermNotFound):
                    terms.term_info(*term)
                with pytest.raises(KeyError):
                    terms.doc_frequency(*term)
