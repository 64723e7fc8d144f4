"""The build's shortcuts give what the general code they stand beside gives (issue #16): each is
checked against that code, on generated input and on real files."""
from __future__ import annotations

import os
import re
import shutil
import zlib

from hypothesis import given, settings
from hypothesis import strategies as st
from test_codec import NOTES, SEEDS, _contents, _documents, _liner_index
from whoosh.filedb.filestore import FileStorage

import indexer.merge as merge
from indexer.analysis import exact_words, normalized_words, positioned_terms, stemming_analyzer
from indexer.formats.text import BOILERPLATE, is_boilerplate
from indexer.passages import MAX_PASSAGE_WORDS, _bounded
from indexer.postings import _encode_many, encode_block, encode_positions
from indexer.schema import build_schema
from indexer.segments import SegmentBuffer
from indexer.sentences import _STRAIGHT_QUOTES, _joined, sentence_spans, sentence_tokenizer
from indexer.signatures import _SEPARATOR, SATURATED, SIGNATURE_BITS, Signature, figures, shingles, signature_of_text

# Text with marks, figures, reference marks, odd white space and sentence ends, or none.
TEXT = st.lists(st.one_of(st.sampled_from(["[12]", "[3]'s", "41,200", "2023", "a.", "Why?", "no!", "\u00a0", "\u2003",
                                           "\t", "\n", "O’Brien", "didn't", "x's", "’’"]),
                          st.text(alphabet="abcXYZ éüÀ’'-,0123 \n\tst", max_size=10)), max_size=40).map(" ".join)


@settings(max_examples=300, deadline=None)
@given(TEXT)
def test_a_texts_words_found_once_are_its_terms_and_its_words_as_written(text):
    assert positioned_terms(text) == tuple((t.text, t.pos) for t in stemming_analyzer()(text, positions=True))
    assert [word for word in normalized_words(text) if word] == exact_words(text)


def _signature_as_before(text: str) -> Signature:
    """signature_of_text as it was: the shingles of the text (reference marks out), hashed one by one."""
    bitmap, held = 0, shingles.__wrapped__(text)
    for shingle in held:
        bitmap |= 1 << (zlib.crc32(_SEPARATOR.join(shingle).encode("utf-8", "surrogatepass")) % SIGNATURE_BITS)
    stated = zlib.crc32(_SEPARATOR.join(figures.__wrapped__(text)).encode("utf-8", "surrogatepass")) & 0xFFFF
    return Signature(min(len(held), SATURATED), stated, bitmap)


@settings(max_examples=300, deadline=None)
@given(TEXT)
def test_a_signature_from_the_words_found_once_is_the_signature_of_the_text(text):
    assert signature_of_text(text) == _signature_as_before(text)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(0, 2**32 - 1), min_size=1, max_size=1), st.sampled_from([1.0, 0.5, 2.5, 0.3, 7.25]),
       st.lists(st.integers(0, 70000), min_size=1, max_size=400), st.booleans())
def test_a_block_of_one_posting_is_what_the_general_encoder_writes(ids, weight, positions, last):
    values = encode_positions([len(positions)], positions)
    assert encode_block(ids, [weight], values, (3, 9), last) == _encode_many(ids, [weight], values, (3, 9), last)


def _bounded_as_before(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    bounded = []
    for start, end in spans:
        words = list(re.finditer(r"\S+", text[start:end]))
        for first in range(0, len(words), MAX_PASSAGE_WORDS):
            chunk = words[first:first + MAX_PASSAGE_WORDS]
            bounded.append((start + chunk[0].start(), start + chunk[-1].end()))
    return bounded


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["word", "x", " ", "\u00a0", "\u2003", "\n", "\t", "a.b", "\u3000"]), max_size=300)
       .map("".join), st.data())
def test_sentences_are_bounded_as_the_word_by_word_cut_bounds_them(text, data):
    cuts = sorted(data.draw(st.lists(st.integers(0, len(text)), max_size=5)))
    spans = list(zip([0] + cuts, cuts + [len(text)]))
    assert _bounded(text, spans) == _bounded_as_before(text, spans)


@settings(max_examples=300, deadline=None)
@given(TEXT)
def test_sentences_of_a_text_with_no_sentence_end_are_punkts(text):
    straight = text.translate(_STRAIGHT_QUOTES)
    punkt = [] if not text.strip() else _joined(straight, list(sentence_tokenizer().span_tokenize(straight)))
    assert sentence_spans(text) == punkt


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.sampled_from(["Photo credit: AP", "(c) 2020 Acme", "Related stories", "  Subscribe now",
                                  "![x](y.png) caption", "copyright 2001", "All rights reserved.", "Source : Reuters",
                                  "a photo of the credit card", "Advertisements"]), st.text(max_size=40)))
def test_one_boilerplate_search_finds_what_one_of_the_patterns_finds(line):
    assert is_boilerplate(line) == any(pattern.search(line) for pattern in BOILERPLATE)


def test_a_keyword_field_with_repeats_and_tabs_holds_what_whooshs_analysis_gives(tmp_path):
    """The `words` field counted here (SegmentBuffer._add_keywords) and by Whoosh's field.index."""
    documents = _documents(SEEDS)[:40]
    for number, document in enumerate(documents):
        document["words"] = f"b a\ta  c\nb Ünï {number % 3} {'a' * (number % 4)}"
    storage = FileStorage(str(tmp_path)).create()
    buffer = SegmentBuffer(build_schema(), storage, "MAIN")
    general = SegmentBuffer(build_schema(), storage, "MAIN")
    general._fields["words"] = (general.schema["words"], False, general._add_generic)
    for document in documents:
        buffer.add(document)
        general.add(document)
    assert buffer.memory == general.memory
    terms = {term: (list(p.ids), list(p.weights), list(p.counts)) for term, p in buffer._terms["words"].items()}
    assert terms == {term: (list(p.ids), list(p.weights), list(p.counts)) for term, p in general._terms["words"].items()}


def _segment_files(folder) -> dict[str, bytes]:
    """The merged segment's files by what follows its name, and the TOC's segments' counts."""
    files = {}
    for path in folder.iterdir():
        match = re.match(r"^MAIN_[0-9a-z]+(\..*)$", path.name)
        if match:
            files[match.group(1)] = path.read_bytes()
    return files


def test_merging_whole_segments_straight_through_writes_what_the_term_by_term_merge_wrote(tmp_path, monkeypatch):
    documents = _documents(NOTES) + _documents(SEEDS)
    fast = _liner_index(tmp_path / "fast", documents, parts=4)
    monkeypatch.setattr(merge, "in_name_order", lambda reader: False)  # the general path, term by term
    general = _liner_index(tmp_path / "general", documents, parts=4)
    assert _segment_files(tmp_path / "fast") == _segment_files(tmp_path / "general")
    assert _contents(fast) == _contents(general)
    shutil.rmtree(tmp_path / "general")


def test_a_file_is_read_whole_up_to_the_limit_even_when_it_grew_since_its_size_was_taken(tmp_path, monkeypatch):
    from indexer import documents

    path = tmp_path / "notes.txt"
    path.write_bytes(b"x" * 1000)
    assert documents.read_regular_file(path, 10_000) == b"x" * 1000
    assert documents.read_regular_file(path, 10) == b"x" * 10
    real = os.fstat
    # The size fstat gives is 10: the file grew to 1,000 bytes between that and the read.
    monkeypatch.setattr(documents.os, "fstat", lambda fd: os.stat_result((*real(fd)[:6], 10, *real(fd)[7:10])))
    assert documents.read_regular_file(path, 10_000) == b"x" * 1000
    assert documents.read_regular_file(path, 500) == b"x" * 500
    assert documents.read_regular_file(path, 11) == b"x" * 11


@settings(max_examples=300, deadline=None)
@given(st.floats(0, 1e6, width=32), st.integers(1, 2**31), st.integers(0, 255), st.integers(0, 255),
       st.floats(0, 1e6, width=32), st.integers(0, 2**32 - 2), st.integers(0, 2**32 - 2), st.integers(0, 2**40),
       st.integers(1, 2**31 - 1))
def test_a_term_info_packed_here_is_the_one_whoosh_packs(weight, frequency, low, high, highest, first, last, at, size):
    from whoosh.codec.whoosh3 import W3TermInfo
    from whoosh.util.numeric import byte_to_length

    from indexer.termtable import fixed_info, with_extent

    info = W3TermInfo(weight=weight, df=frequency, minlength=byte_to_length(low), maxlength=byte_to_length(high),
                      maxweight=highest, minid=first, maxid=last)
    info.set_extent(at, size)
    assert with_extent(fixed_info(weight, frequency, low, high, highest, first, last), at, size) == info.to_bytes()
