"""indexer/signatures.py: a signature never rules out a pair that search/duplicates.py would merge,
and collapsing by signatures gives what comparing every pair by its text gives."""
from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st
from records import scored
from test_codec import SEEDS, _documents, _liner_index

from indexer.codec import stored_document, stored_signature
from indexer.signatures import (
    SATURATED,
    SIGNATURE_EXT,
    Signature,
    could_be_near_duplicates,
    figures,
    possible_near_duplicates,
    shingles,
    signature_of_text,
)
from search.duplicates import NEAR_DUPLICATE_JACCARD, collapse_near_duplicates, near_duplicates
from search.retrieval import ScoredPassage

# Few words, so that shingles recur, and some figures, so that copies may disagree.
WORDS = ["ferry", "tide", "harbour", "gull", "island", "the", "a", "of", "sails", "at", "Dawn", "2023", "41,200", "9"]


def _text(words: list[str]) -> str:
    return " ".join(words)


def _edited(rng: random.Random, words: list[str], edits: int) -> list[str]:
    """`words` with `edits` words replaced, dropped or added at random places."""
    words = list(words)
    for _ in range(edits):
        place = rng.randrange(len(words) + 1)
        action = rng.choice(("replace", "drop", "add"))
        if action == "add" or not words:
            words.insert(place, rng.choice(WORDS))
        elif place < len(words):
            if action == "drop":
                del words[place]
            else:
                words[place] = rng.choice(WORDS)
    return words


def _merged_by_text(a: str, b: str) -> bool:
    """What duplicates.py decides for a pair from their texts."""
    return figures(a) == figures(b) and near_duplicates(shingles(a), shingles(b))


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(WORDS), min_size=0, max_size=60), st.integers(0, 12), st.randoms())
def test_a_pair_that_would_merge_is_never_ruled_out(words, edits, rng):
    first, second = _text(words), _text(_edited(rng, words, edits))
    a, b = signature_of_text(first), signature_of_text(second)
    if _merged_by_text(first, second):
        assert could_be_near_duplicates(a, b, NEAR_DUPLICATE_JACCARD)
        assert could_be_near_duplicates(b, a, NEAR_DUPLICATE_JACCARD)
    # The bitmaps differ in no more places than the shingle sets do (the bound itself).
    own, other = shingles(first), shingles(second)
    assert (a.bits ^ b.bits).bit_count() <= len(own ^ other)
    assert a.size == len(own) and b.size == len(other)


def test_the_bound_holds_on_many_close_pairs_and_rules_out_unlike_ones():
    rng = random.Random(16)
    merged = ruled_out = 0
    for _ in range(3000):
        words = [rng.choice(WORDS) for _ in range(rng.randrange(1, 80))]
        first, second = _text(words), _text(_edited(rng, words, rng.randrange(0, 10)))
        could = could_be_near_duplicates(signature_of_text(first), signature_of_text(second), NEAR_DUPLICATE_JACCARD)
        if _merged_by_text(first, second):
            merged += 1
            assert could, (first, second)
        ruled_out += not could
    assert merged > 300 and ruled_out > 300  # both kinds of pair were tried
    unlike = ("The ferry sails at dawn from the harbour.", "Gulls nest on the island all summer long.")
    assert not could_be_near_duplicates(*map(signature_of_text, unlike), NEAR_DUPLICATE_JACCARD)


def test_a_saturated_size_rules_nothing_out_but_figures():
    huge = Signature(SATURATED, 7, 0)
    assert could_be_near_duplicates(huge, Signature(3, 7, 0b111), NEAR_DUPLICATE_JACCARD)
    assert not could_be_near_duplicates(huge, Signature(3, 8, 0b111), NEAR_DUPLICATE_JACCARD)


def test_the_passages_a_signature_could_copy_are_those_each_pair_allows():
    """possible_near_duplicates over many signatures (some unknown) keeps the places of the
    unknown ones and of those the pairwise bound allows, in order."""
    rng = random.Random(7)
    texts = [_text(_edited(rng, rng.sample(WORDS, 8), rng.randrange(4))) for _ in range(60)]
    signatures = [signature_of_text(text) if rng.random() > 0.1 else None for text in texts]
    signatures += [Signature(SATURATED, 7, 1), Signature(0, 7, 0)]
    for own in filter(None, signatures):
        assert possible_near_duplicates(own, signatures, NEAR_DUPLICATE_JACCARD) == [
            number for number, other in enumerate(signatures)
            if other is None or _allowed(own, other, NEAR_DUPLICATE_JACCARD)]


def _allowed(a: Signature, b: Signature, threshold: float) -> bool:
    """The bound of one pair, written out as it stood before the batch (search/duplicates.py)."""
    if a.figures != b.figures:
        return False
    if a.size == SATURATED or b.size == SATURATED:
        return True
    if not (a.size or b.size):
        return False
    smaller, larger = min(a.size, b.size), max(a.size, b.size)
    if smaller / larger < threshold:
        return False
    total = a.size + b.size
    shared = min((total - (a.bits ^ b.bits).bit_count()) // 2, smaller)
    return shared / (total - shared) >= threshold


def test_empty_passages_never_merge():
    empty = signature_of_text("")
    assert empty.size == 0
    assert not could_be_near_duplicates(empty, empty, NEAR_DUPLICATE_JACCARD)
    assert not could_be_near_duplicates(empty, signature_of_text("harbour"), NEAR_DUPLICATE_JACCARD)


class _Signed(ScoredPassage):
    """A passage whose index kept a signature (as a StoredMatch's segment does); `first`: the
    number of the first passage with its text, as a merge finds it (None: not known)."""

    first: int | None = None

    def signature(self):
        signature = signature_of_text(self.text)
        return signature if self.first is None else signature._replace(copy_of=self.first)


def _window(rng: random.Random, size: int) -> list[str]:
    texts: list[str] = []
    for _ in range(size):
        if texts and rng.random() < 0.5:  # a copy, exact or edited, of one before
            texts.append(_text(_edited(rng, rng.choice(texts).split(), rng.randrange(0, 6))))
        else:
            texts.append(_text([rng.choice(WORDS) for _ in range(rng.randrange(0, 30))]))
    return texts


def _collapsed(texts: list[str], signed: list[bool], copies: bool = False, cited: slice | None = None) -> list[tuple]:
    passages, firsts = [], {}
    for number, (text, has_signature) in enumerate(zip(texts, signed)):
        plain = scored(text, path=f"{number}.txt", line=number + 1)
        passages.append(_Signed(plain.passage, plain.bm25) if has_signature else plain)
        if has_signature and copies:
            passages[-1].first = firsts.setdefault(text, number)
    return [(kept.path, [(ref.path, ref.line_start) for ref in kept.also_in])
            for kept in collapse_near_duplicates(passages, window=20, cited=cited)]


def test_collapsing_by_signatures_gives_what_comparing_every_text_gives():
    rng = random.Random(1997)
    for _ in range(300):
        texts = _window(rng, rng.randrange(1, 30))
        by_text = _collapsed(texts, [False] * len(texts))
        assert _collapsed(texts, [True] * len(texts)) == by_text
        # Some passages from segments without signatures (written before them).
        assert _collapsed(texts, [rng.random() < 0.5 for _ in texts]) == by_text
        # Copies the index knows of (the same text) merged with neither read.
        assert _collapsed(texts, [True] * len(texts), copies=True) == by_text
        assert _collapsed(texts, [rng.random() < 0.5 for _ in texts], copies=True) == by_text
        # A page's passages list their sources as before; the others list none (not read).
        page = slice(rng.randrange(0, 12), rng.randrange(0, 24))
        paged = _collapsed(texts, [True] * len(texts), copies=True, cited=page)
        assert [path for path, _ in paged] == [path for path, _ in by_text]
        listed = set(range(len(by_text))[page])
        assert [sources if n in listed else [] for n, (_, sources) in enumerate(by_text)] == [s for _, s in paged]


def _signatures_read_back(ix) -> list:
    with ix.reader() as reader:
        return [(stored_signature(reader, docnum), stored_document(reader, docnum)["body"])
                for docnum in range(reader.doc_count_all())]


def _with_copies(documents: list[dict]) -> list[dict]:
    """`documents`, then every other one again under another path (a copied file's passages)."""
    return documents + [{**document, "path": "copy/" + document["path"]} for document in documents[::2]]


def test_an_index_keeps_each_passages_signature_through_a_merge(tmp_path):
    documents = _with_copies(_documents(SEEDS))
    gone = documents[0]["path"]
    for name, ix in (("whole", _liner_index(tmp_path / "whole", documents)),
                     ("merged", _liner_index(tmp_path / "merged", documents, parts=3, delete=(gone,)))):
        read = _signatures_read_back(ix)
        assert len(read) == len(documents) - (name == "merged") * sum(d["path"] == gone for d in documents)
        assert all(signature._replace(copy_of=-1) == signature_of_text(body) for signature, body in read), name
        firsts: dict[str, int] = {}
        for docnum, (signature, body) in enumerate(read):
            # One segment's buffer knows no copies; a merge finds the first passage of each text.
            assert signature.copy_of == (docnum if name == "whole" else firsts.setdefault(body, docnum)), name
        if name == "merged":
            assert len(firsts) < len(read)  # there were copies to find


def test_a_segment_without_signatures_reads_none_and_merges_into_none(tmp_path):
    from whoosh import index
    from whoosh.filedb.filestore import FileStorage

    from indexer.merge import merge_segments, write_toc
    from indexer.schema import build_schema
    from indexer.segments import SegmentBuffer

    documents = _documents(SEEDS)
    storage, schema = FileStorage(str(tmp_path)), build_schema()
    segments = []
    for part in (documents[:40], documents[40:]):
        buffer = SegmentBuffer(schema, storage, "MAIN")
        for document in part:
            buffer.add(document)
        segments.append(buffer.finish())
    storage.delete_file(segments[0].make_filename(SIGNATURE_EXT))  # as a segment written before signatures
    write_toc(storage, schema, segments)
    read = _signatures_read_back(index.open_dir(str(tmp_path)))
    assert {signature for signature, _ in read[:40]} == {None}
    assert all(signature._replace(copy_of=-1) == signature_of_text(body) for signature, body in read[40:])
    # copy_of is a document number of the whole reader: copies in different segments never match.
    assert [signature.copy_of for signature, _ in read[40:]] == list(range(40, len(read)))
    write_toc(storage, schema, [merge_segments(storage, schema, segments)])
    assert {signature for signature, _ in _signatures_read_back(index.open_dir(str(tmp_path)))} == {None}
