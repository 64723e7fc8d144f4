"""search/term_top.py: one word's best passages a block at a time are those of scoring every
posting with Whoosh's own matcher; and a search ranks the same whether its second tier is
ranked so or by Whoosh's AndMaybe."""
from __future__ import annotations

from matching import same_matches

import random
import time

import pytest
from whoosh import query as wq

from indexer.analysis import stem
from indexer.build import build_index
from indexer.postings import BLOCK_POSTINGS
from search import retrieval
from search.index import OpenIndex
from search.query import parse_query
from search.retrieval import match_key, retrieve
from search.term_top import NewPassages, new_passages, term_top

WORDS = [f"w{chr(97 + first)}{chr(97 + second)}" for first in range(14) for second in range(14)]  # "waa".."wnn"
# How fast a word's share of the passages falls with its rank in WORDS: the first in about half
# the passages, most of the others in a few, so that most pairs of words seldom meet.
DECAY = 0.04


@pytest.fixture(scope="module")
def view(tmp_path_factory):
    """An index of a few thousand short passages of words drawn unevenly (the first words of
    WORDS in most passages, the last in a few), so that words span many blocks of postings with
    lengths and repeats that vary."""
    chooser = random.Random(16)
    folder = tmp_path_factory.mktemp("notes")
    for number in range(40):
        paragraphs = []
        for _ in range(80):
            size = chooser.randint(2, 30)
            paragraphs.append(" ".join(WORDS[min(int(chooser.expovariate(DECAY)), len(WORDS) - 1)] for _ in range(size)))
        (folder / f"note{number:02d}.md").write_text(f"# Note {number}\n\n" + "\n\n".join(paragraphs) + "\n")
    index = folder.parent / "index"
    build_index(folder, index)
    return OpenIndex(index).view()


def _exhaustive(searcher, term: wq.Term, depth: int, excluded: set[int]) -> list[tuple[float, int]]:
    matcher = term.matcher(searcher, searcher.context())
    every = []
    while matcher.is_active():
        if matcher.id() not in excluded:
            every.append((matcher.score(), matcher.id()))
        matcher.next()
    return sorted(every, key=lambda item: (-item[0], item[1]))[:depth]


def test_a_words_best_passages_are_those_of_scoring_every_posting(view):
    searcher = view.searcher
    chooser = random.Random(7)
    spanning = 0
    for word in WORDS[::4]:
        term = wq.Term("text", stem(word))
        count = searcher.doc_frequency("text", stem(word))
        spanning += count > 2 * BLOCK_POSTINGS
        for depth in (1, 7, 34, 500):
            everything = [docnum for _, docnum in _exhaustive(searcher, term, 10**6, set())]
            excluded = set(chooser.sample(everything, min(len(everything), chooser.randint(0, 60))))
            items, scored, timed_out = term_top(searcher, NewPassages((term,)), depth, excluded, time.monotonic() + 60)
            assert items == _exhaustive(searcher, term, depth, excluded), (word, depth)
            assert not timed_out and scored <= count
    assert spanning >= 5  # the skipping of whole blocks was exercised


def test_the_passages_with_one_of_two_words_rank_as_their_coordinated_union_ranks_them(view):
    """A union's passages that hold one word only, ranked a word at a time through the union's
    coordination: those Whoosh's union matcher gives, score for score, best first."""
    from search.query_nodes import COORDINATION_SCALE, any_of

    searcher = view.searcher
    chooser = random.Random(5)
    for _ in range(12):
        words = [wq.Term("text", stem(word)) for word in chooser.sample(WORDS[:80], 2)]
        union = any_of(words, scale=COORDINATION_SCALE)
        both = {docnum for docnum in searcher.docs_for_query(wq.And(words))}
        matcher, every = union.matcher(searcher, searcher.context()), []
        while matcher.is_active():
            if matcher.id() not in both:
                every.append((matcher.score(), matcher.id()))
            matcher.next()
        every.sort(key=lambda item: (-item[0], item[1]))
        for depth in (1, 9, 40):
            items, _, _ = term_top(searcher, NewPassages(tuple(words), union), depth, both, time.monotonic() + 60)
            assert items == every[:depth], (words, depth)


def test_a_search_ranks_the_same_without_the_word_at_a_time_second_tier(view, monkeypatch):
    chooser = random.Random(3)
    queries = [" ".join(chooser.sample(WORDS[30:130], 2)) for _ in range(150)]
    ranked_by_a_word = 0
    for text in queries:
        parsed = parse_query(text)
        fast = retrieve(view, parsed, {}, limit=20, room=6, ranked=chooser.choice((1, 10, 26)))
        with monkeypatch.context() as patched:
            patched.setattr(retrieval, "new_passages", lambda queries, number: None)
            slow = retrieve(view, parsed, {}, limit=20, room=6, ranked=fast.ranked)
        assert [(match_key(p), p.bm25) for p in fast.passages] == [(match_key(p), p.bm25) for p in slow.passages], text
        assert (fast.total, fast.ranked, fast.unread) == (slow.total, slow.ranked, slow.unread)
        ranked_by_a_word += _ranks_by_a_word(view, parsed, fast.ranked)
    assert ranked_by_a_word >= 20  # the second tier was ranked a word at a time that often


def _ranks_by_a_word(view, parsed, ranked: int) -> bool:
    """Whether retrieving `parsed` ranks a second tier by one word (term_top answers)."""
    answered = []

    def watched(*arguments):
        answered.append(term_top(*arguments))
        return answered[-1]

    original, retrieval.term_top = retrieval.term_top, watched
    try:
        retrieve(view, parsed, {}, limit=20, room=6, ranked=ranked)
    finally:
        retrieval.term_top = original
    return any(answer is not None for answer in answered)


def test_only_the_first_tiers_two_words_one_at_a_time_rank_a_later_tier():
    from search.query_nodes import COORDINATION_SCALE, any_of

    first, second = wq.Term("text", "heron"), wq.Term("text", "garden")
    both, union = wq.And([first, second]), any_of([second, first], scale=COORDINATION_SCALE)
    assert new_passages([both, wq.AndMaybe(wq.And([first]), second)], 1) == NewPassages((first,))
    assert new_passages([both, wq.AndMaybe(second, first), wq.AndMaybe(second, first)], 2) == NewPassages((second,))
    assert new_passages([both, union], 1) == NewPassages((second, first), union)
    assert new_passages([both, wq.AndMaybe(second, first), union], 2) == NewPassages((second, first), union)
    assert new_passages([both, wq.AndMaybe(first, second), wq.AndMaybe(second, first)], 2) is None
    assert new_passages([both, wq.AndMaybe(first, wq.Term("text", "pond"))], 1) is None
    assert new_passages([both, wq.AndMaybe(wq.Term("text", "heron", boost=0.5), second)], 1) is None
    assert new_passages([wq.And([first, second, wq.Term("text", "pond")]), wq.AndMaybe(first, second)], 1) is None
    assert new_passages([both, wq.Or([first, second])], 1) is None  # no coordination
    assert new_passages([both, any_of([first, wq.Term("text", "pond")], scale=COORDINATION_SCALE)], 1) is None
    assert new_passages([both], 0) is None


def test_an_intersections_matches_score_a_term_at_a_time_as_whooshs_tree_scores_them(view):
    """_Intersected scores its documents a term at a time (query_nodes._tree_scores): the same
    floats as Whoosh's intersection tree, boosted terms and three words too."""
    from search.query_nodes import all_of

    searcher = view.searcher
    chooser = random.Random(11)
    scored = 0
    for _ in range(40):
        words = chooser.sample(WORDS[:40], chooser.choice((2, 3)))
        terms = [wq.Term("text", stem(word), boost=chooser.choice((1.0, 0.5, 0.8))) for word in words]
        ours = all_of(terms).matcher(searcher, searcher.context())
        whooshs = wq.And(terms).matcher(searcher, searcher.context())
        assert type(ours).__name__ == "_Intersected"
        matched = same_matches(ours, whooshs)
        assert ours._scores is not False  # scored a term at a time, not by Whoosh's tree
        scored += matched > 0
    assert scored > 20


def test_a_unions_first_matches_are_the_first_of_every_match(view):
    """collect.matching_documents counts a union by its parts' first matches: the first of all
    the documents Whoosh finds for it, nested unions and intersections in it too."""
    from search.collect import matching_documents
    from search.query_nodes import COORDINATION_SCALE, all_of, any_of

    searcher = view.searcher
    chooser = random.Random(9)
    for _ in range(30):
        terms = [wq.Term("text", stem(word)) for word in chooser.sample(WORDS, 4)]
        query = chooser.choice([any_of(terms[:2], scale=COORDINATION_SCALE),
                                any_of([terms[0], any_of(terms[1:3])]),
                                any_of([all_of(terms[:2]), terms[2], wq.Term("text", "zzz")])])
        every = sorted(searcher.docs_for_query(query))
        for cap in (1, 50, 124, 10**6):
            assert matching_documents(searcher, query, cap) == every[:cap], (query, cap)


@pytest.mark.parametrize("terms, scale", [(2, 0.9), (3, 0.9), (2, 1.0), (1, 1.0)])
def test_a_unions_one_word_scores_made_a_block_at_a_time_are_its_own(terms, scale):
    """_OneWord.many gives each score what the union's CoordMatcher._sqr gives it for one word,
    to the bit (a score at a time before), where _sqr is 0 too (as many terms as the scale)."""
    from whoosh.matching import CoordMatcher, ListMatcher, UnionMatcher

    from search.term_top import _OneWord

    child = ListMatcher([1, 5, 9], [1.0, 2.0, 3.0])
    for _ in range(terms - 1):
        child = UnionMatcher(child, ListMatcher([2, 4], [1.0, 1.0]))
    union = CoordMatcher(child, scale=scale)
    chooser = random.Random(terms)
    scores = [chooser.uniform(0, 40) for _ in range(500)] + [0.0, 1e-12, 123.456]
    one_word = _OneWord(union)
    assert one_word.many(scores) == [union._sqr(score, 1) for score in scores] == list(map(one_word, scores))
