"""search/index.py: the open index follows CURRENT, one view per query, the files beside it."""
from __future__ import annotations

import pytest

from indexer.build import build_index
from search.index import GenerationFiles, IndexMissingError, OpenIndex


def build(folder, index_dir, text: str) -> None:
    folder.mkdir(exist_ok=True)
    (folder / "note.md").write_text(text)
    build_index(folder, index_dir)


def test_a_view_moves_to_the_generation_a_new_build_switched_to(tmp_path):
    build(tmp_path / "notes", tmp_path / "index", "# Note\n\nThe heron waded.\n")
    index = OpenIndex(tmp_path / "index")
    first = index.view()
    assert first.counts.in_index("heron") and not first.counts.in_index("egret")
    build(tmp_path / "notes", tmp_path / "index", "# Note\n\nThe egret waded.\n")
    second = index.view()
    assert second.generation != first.generation
    assert second.counts.in_index("egret") and not second.counts.has_live_word("heron")


def test_the_same_thread_keeps_its_searcher_within_a_generation(tmp_path):
    build(tmp_path / "notes", tmp_path / "index", "# Note\n\nThe heron waded.\n")
    index = OpenIndex(tmp_path / "index")
    assert index.view().searcher is index.view().searcher


def test_no_index_says_how_to_build_one(tmp_path):
    with pytest.raises(IndexMissingError, match="liner index"):
        OpenIndex(tmp_path / "nothing")


def test_files_a_build_did_not_write_are_empty(tmp_path):
    files = GenerationFiles(tmp_path, index=None)
    assert files.synonym_table == {} and files.common_words == frozenset()


def test_a_generations_passages_are_read_once_and_then_kept(seeds_index, monkeypatch):
    from indexer.codec import stored_document
    from indexer.schema import passage_from_stored
    from search.index import PassageCache

    view = OpenIndex(seeds_index).view()
    reader = view.searcher.reader()
    cache = view.files.passages
    first = cache.read(reader, 3)
    assert first == passage_from_stored(stored_document(reader, 3))
    assert cache.read(reader, 3) is first  # kept: not read again
    monkeypatch.setattr(PassageCache, "MAX_CACHED", 2)
    small = PassageCache()
    for docnum in range(5):
        small.read(reader, docnum)
    assert len(small._passages) <= 2
    assert OpenIndex(seeds_index).view().files.passages is not cache  # one per opened generation


def test_liner_bm25f_scores_every_posting_as_whooshs_bm25f_does(seeds_index):
    """LinerBM25F's scorer (its length part made once per field: _length_norms) gives each
    posting Whoosh's own BM25F score to the bit, one at a time and a block at once, in every
    ranked field's B (the title's differs)."""
    from whoosh import scoring

    from indexer.schema import BM25_B, BM25_K1, RANKED_FIELD, TITLE_B
    from search.index import bm25_of_many, bm25f

    view = OpenIndex(seeds_index).view()
    searcher, reader = view.searcher, view.searcher.reader()
    stock = scoring.BM25F(B=BM25_B, K1=BM25_K1, title_B=TITLE_B)
    checked = 0
    for fieldname in [RANKED_FIELD] + [name for name in reader.indexed_field_names() if name == "title"]:
        for text in list(reader.lexicon(fieldname))[:60]:
            ours = searcher.postings(fieldname, text, weighting=bm25f())
            theirs = searcher.postings(fieldname, text, weighting=stock)
            weights, docnums, scores = [], [], []
            while ours.is_active():
                assert ours.score() == theirs.score(), (fieldname, text, ours.id())
                weights.append(ours.weight())
                docnums.append(ours.id())
                scores.append(theirs.score())
                ours.next()
                theirs.next()
            assert bm25_of_many(searcher.postings(fieldname, text, weighting=bm25f()))(weights, docnums) == scores
            checked += len(scores)
    assert checked > 500
