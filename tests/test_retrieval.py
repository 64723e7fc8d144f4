"""search/retrieval.py: tiers from term statistics (pure), and retrieval over a small index."""
from __future__ import annotations

from matching import same_matches
from records import Stats

from indexer.analysis import stem
from indexer.build import build_index
from search.index import OpenIndex
from search.query import parse_query
from search.retrieval import retrieve, tiers

STATS = Stats(stems={stem("heron"): 3, stem("garden"): 40, stem("grey"): 10})


def test_tiers_drop_the_most_frequent_word_first():
    parsed = parse_query("heron garden grey")
    assert tiers(parsed, {}, STATS, wanted=2, all_words_first=True, common=frozenset()) == [
        frozenset({"heron", "garden", "grey"}), frozenset({"heron", "grey"}), frozenset({"heron"})]


def test_no_tier_when_the_rarest_word_cannot_fill_one():
    parsed = parse_query("heron garden")
    assert tiers(parsed, {}, STATS, wanted=5, all_words_first=False, common=frozenset()) == []
    assert tiers(parsed, {}, STATS, wanted=5, all_words_first=True, common=frozenset()) == [frozenset({"heron", "garden"})]


def test_one_word_needs_no_tiers():
    assert tiers(parse_query("heron"), {}, STATS, wanted=1, all_words_first=True, common=frozenset()) == []


def test_passages_with_every_word_come_first(tmp_path):
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "both.md").write_text("# Both\n\nThe grey heron waded in the garden pond.\n")
    (folder / "one.md").write_text("# One\n\nA heron, a heron, a heron again: herons everywhere.\n")
    build_index(folder, tmp_path / "index")
    view = OpenIndex(tmp_path / "index").view()
    retrieved = retrieve(view, parse_query("heron garden"), {}, limit=5)
    assert retrieved.passages[0].path.endswith("both.md") and retrieved.notices == []
    assert {passage.path.rsplit("/", 1)[-1] for passage in retrieved.passages} == {"both.md", "one.md"}


def _seeds_and_notes(tmp_path):
    """An index of the seeds and the test notes together, and queries made from its passages."""
    from pathlib import Path

    from bench.corpus import read_passages
    from bench.queries import make_queries

    folders = [Path("seeds"), Path("tests/data/notes")]
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for folder in folders:
        for file in folder.iterdir():
            if file.is_file():
                (corpus / f"{folder.name}-{file.name}").write_bytes(file.read_bytes())
    build_index(corpus, tmp_path / "index")
    passages = read_passages(corpus)
    queries = make_queries(passages, "keyword", 40) + make_queries(passages, "phrase", 15) + ["the", "soundtrack netflix"]
    return tmp_path / "index", queries


def test_ranking_only_the_page_gives_the_page_and_the_count_of_ranking_everything(tmp_path):
    """retrieve(ranked=R) ranks only as deep as the page: its first R passages are those of
    ranking every tier to the full depth, in the same order, and it finds as many in all."""
    from search.retrieval import match_key

    index, queries = _seeds_and_notes(tmp_path)
    view = OpenIndex(index).view()
    limit, room = 12, 6
    for text in queries:
        parsed = parse_query(text)
        full = retrieve(view, parsed, {}, limit=limit, room=room)
        for ranked in (1, 5, 10):
            paged = retrieve(view, parsed, {}, limit=limit, room=room, ranked=ranked)
            assert [(match_key(p), p.bm25) for p in paged.passages[:ranked]] == \
                [(match_key(p), p.bm25) for p in full.passages[:ranked]], (text, ranked)
            # the matches beyond the ranked ones are counted, not made into passages
            assert len(paged.passages) == paged.ranked, (text, ranked)
            assert len(paged.passages) + paged.unread == min(len(full.passages), limit + room), (text, ranked)
            assert paged.ranked == min(ranked, len(paged.passages) + paged.unread)


def test_a_search_that_only_counts_its_unread_matches_gives_what_ranking_them_all_does(tmp_path, monkeypatch):
    """Engine.search counts the matches beyond its page and room (Retrieved.unread) without
    making passages of them: every page and total are those of a search that ranks them all."""
    import search.engine
    from search.engine import Engine

    index, queries = _seeds_and_notes(tmp_path)
    engine = Engine(index)
    unread = []

    def counting(*arguments, **options):
        retrieved = retrieve(*arguments, **options)
        unread.append(retrieved.unread)
        return retrieved

    def ranking_all(*arguments, **options):
        options.pop("ranked", None)
        return retrieve(*arguments, **options)

    for text in queries:
        for offset, limit in ((0, 10), (10, 10), (0, 3), (5, 20)):
            monkeypatch.setattr(search.engine, "retrieve", counting)
            counted = engine.search(text, limit, offset=offset).to_dict()
            monkeypatch.setattr(search.engine, "retrieve", ranking_all)
            ranked = engine.search(text, limit, offset=offset).to_dict()
            counted.pop("took_ms"), ranked.pop("took_ms")
            assert counted == ranked, (text, offset, limit)
    assert sum(1 for count in unread if count > 0) >= 10  # searches of common words left some unread (19 here)


def test_every_word_is_found_around_passages_an_update_deleted(tmp_path):
    """An update marks a changed or removed file's passages deleted; an intersection of words
    ("heron garden") must skip them wherever they stand, the last passage of the index too."""
    folder = tmp_path / "notes"
    folder.mkdir()
    for name in ("a", "b", "c", "y", "z"):
        (folder / f"{name}.md").write_text(f"# {name}\n\nThe grey heron waded in the garden pond of {name}.\n")
    build_index(folder, tmp_path / "index")
    (folder / "z.md").unlink()
    (folder / "b.md").write_text("# b\n\nNo bird here.\n")
    build_index(folder, tmp_path / "index")
    view = OpenIndex(tmp_path / "index").view()
    for text in ("heron garden", "grey heron garden", "heron"):
        retrieved = retrieve(view, parse_query(text), {}, limit=10)
        assert sorted(p.path.rsplit("/", 1)[-1] for p in retrieved.passages) == ["a.md", "c.md", "y.md"], text


def test_an_intersection_matched_twice_finds_the_same_passages(engine):
    """A search ranks a query and then counts it: the second matcher reuses the intersection,
    and a copy of the query with other words finds its own."""
    from whoosh import query as wq

    from search.collect import matching_documents
    from search.query_nodes import all_of

    searcher = engine.index.view().searcher
    both = all_of([wq.Term("text", "joanna"), wq.Term("text", "kassem")])
    expected = sorted(searcher.docs_for_query(wq.And([wq.Term("text", "joanna"), wq.Term("text", "kassem")])))
    assert expected and matching_documents(searcher, both, 100) == expected
    assert matching_documents(searcher, both, 100) == expected
    other = both.copy()
    other.subqueries = [wq.Term("text", "jenna"), wq.Term("text", "dewan")]
    assert matching_documents(searcher, other, 100) == sorted(
        searcher.docs_for_query(wq.And([wq.Term("text", "jenna"), wq.Term("text", "dewan")])))


def test_an_intersections_words_keep_their_decoded_blocks_and_other_matchers_do_not(seeds_index):
    """A keyword search's intersection keeps the blocks it decodes for the searches after it
    (indexer/codec.py's decoded_blocks); a matcher Whoosh makes for anything else (a phrase's
    words) keeps none, as reading a common word's every block would only push them out."""
    from whoosh import query as wq

    from indexer.codec import decoded_blocks
    from search.collect import matching_documents
    from search.engine import Engine
    from search.query_nodes import all_of

    searcher = Engine(seeds_index).index.view().searcher  # its own, with nothing decoded yet
    reader = searcher.reader()
    decoded = decoded_blocks(reader)
    assert decoded is not None and not len(decoded.ids)
    for docnum in reader.postings("text", "the").all_ids():  # as a phrase's word is read
        pass
    assert not len(decoded.ids)
    both = all_of([wq.Term("text", "joanna"), wq.Term("text", "kassem")])
    assert matching_documents(searcher, both, 100)
    assert len(decoded.ids)


def test_a_union_scores_every_passage_as_whooshs_coordination_does(engine):
    """_CoordMatcher counts the terms matching at a passage itself; Whoosh's CoordMatcher walks
    the tree for them: the same score, to the bit, at every passage of the union."""
    from whoosh import query as wq
    from whoosh.matching import CoordMatcher

    from search.query_nodes import COORDINATION_SCALE, any_of

    searcher = engine.index.view().searcher
    words = [wq.Term("text", word) for word in ("joanna", "kassem", "dewan", "soundtrack")]
    words += [wq.Term("text", "netflix", boost=0.5), wq.Term("text", "zzzunheard")]  # a synonym, a typo
    union = any_of(words, scale=COORDINATION_SCALE)
    ours = union.matcher(searcher, searcher.context())
    assert ours._leaves is not None  # the counted path, not Whoosh's walk
    whooshs = CoordMatcher(union.matcher(searcher, searcher.context()).child, scale=COORDINATION_SCALE)
    assert same_matches(ours, whooshs) > 10


def test_an_intersection_scores_every_passage_as_whooshs_does(engine):
    """_Intersected moves the terms, not Whoosh's tree, to each passage: the same scores."""
    from whoosh import query as wq

    from search.query_nodes import all_of

    searcher = engine.index.view().searcher
    terms = [wq.Term("text", stem(word)) for word in ("soundtrack", "netflix", "series")]
    ours = all_of(terms).matcher(searcher, searcher.context())
    whooshs = wq.And(terms).matcher(searcher, searcher.context())
    assert type(ours).__name__ == "_Intersected"
    assert same_matches(ours, whooshs) > 3


def test_a_stored_match_has_every_field_of_a_scored_passage(engine):
    """StoredMatch sets ScoredPassage's fields itself: every one but the passage, read on first
    use, with its default."""
    from dataclasses import fields

    from search.retrieval import ScoredPassage, StoredMatch

    searcher = engine.index.view().searcher
    match = StoredMatch(searcher, 0, 1.5)
    whole = ScoredPassage(match.passage, 1.5)
    assert {field.name: getattr(match, field.name) for field in fields(ScoredPassage)} == \
        {field.name: getattr(whole, field.name) for field in fields(ScoredPassage)}


def test_a_stored_match_cites_its_place_unread_as_its_passage_does(engine):
    """A copy's SourceRef, read from its stored fields without making its Passage, is the one
    its Passage gives (path, lines, page), before and after the Passage is read."""
    from search.retrieval import ScoredPassage, StoredMatch

    searcher = engine.index.view().searcher
    for docnum in range(searcher.doc_count_all()):
        unread = StoredMatch(searcher, docnum, 1.0)
        cited = unread.source_ref()
        assert "passage" not in unread.__dict__
        assert cited == ScoredPassage(unread.passage, 1.0).source_ref() == unread.source_ref()
