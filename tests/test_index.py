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
