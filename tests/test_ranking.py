"""Ranking: BM25F field boosts (indexer/schema.py) and re-ranking / duplicate collapsing (search/rank.py).

The boost tests build an index over a tiny corpus where one document has the query word only in
its title and another only in its body, then rebuild the same corpus with the boosts changed:
the boosts are read when build_schema() runs and baked into the index, so monkeypatching the
module constants before a build is enough.
"""
from __future__ import annotations

import random
from pathlib import Path


import indexer.schema as schema
from indexer.build import build_index
from search.engine import Engine
from models import linear
from records import scored
from search.questions import analyse_question
from search.rank import CONTEXT_WEIGHT, covered_share, rerank

FILLER_WORDS = ("beds weeded compost turned volunteers watered rows kale beans squash herbs grey sky shed fence "
                "gate path barrow rake hoe spade trowel seedlings tomatoes peppers onions garlic leeks carrots "
                "radishes lettuce spinach chard basil parsley mint thyme sage rosemary dill fennel melons "
                "pumpkins gourds marigolds sunflowers daisies clover worms beetles bees wasps robins sparrows").split()
BOOSTS = ("TITLE_BOOST", "SECTION_BOOST", "FIELDS_BOOST", "BODY_BOOST")


def prose(words: int, seed: int = 0) -> str:
    """Made-up prose: different documents share words but not runs of words (no near-duplicates)."""
    chooser = random.Random(seed)
    return " ".join(chooser.choice(FILLER_WORDS) for _ in range(words)) + "."


def write_corpus(folder: Path, body_words: int, other_words: int = 30) -> Path:
    folder.mkdir(parents=True)
    (folder / "title_match.md").write_text(f"# Zephyr Notes\n\n{prose(other_words, 1)}\n", encoding="utf-8")
    (folder / "body_match.md").write_text(f"# Garden Diary\n\nA zephyr crossed the garden as {prose(body_words - 6, 2)}\n",
                                          encoding="utf-8")
    for number in range(4):
        (folder / f"filler{number}.md").write_text(f"# Filler {number}\n\n{prose(other_words, 3 + number)}\n", encoding="utf-8")
    return folder


def ranking(tmp_path: Path, name: str, body_words: int, monkeypatch=None, **boosts: float) -> list[str]:
    """File names of the hits for "zephyr", best first, over a fresh index built with `boosts`."""
    corpus = write_corpus(tmp_path / f"{name}-corpus", body_words)
    if monkeypatch is not None:
        for constant, value in boosts.items():
            monkeypatch.setattr(schema, constant, value)
    build_index(corpus, tmp_path / f"{name}-index")
    if monkeypatch is not None:
        monkeypatch.undo()
    return [Path(hit.path).name for hit in Engine(tmp_path / f"{name}-index").search("zephyr").results]


def test_the_title_boost_is_what_puts_a_title_match_above_a_body_match(tmp_path, monkeypatch):
    """Over the same corpus, built twice: with the boosts the title match comes first; with the title
    boost set to 1.0 the body match does. The body paragraph's length (ordinary, 1.5x, 2x the
    others') decides how close the two are, so the flip is looked for at each."""
    flips = []
    for body_words in (30, 45, 60):
        boosted = ranking(tmp_path, f"boosted-{body_words}", body_words)
        plain = ranking(tmp_path, f"plain-{body_words}", body_words, monkeypatch=monkeypatch, TITLE_BOOST=1.0)
        assert set(boosted[:2]) == set(plain[:2]) == {"title_match.md", "body_match.md"}
        # Never worse with the boost than without it.
        assert boosted.index("title_match.md") <= plain.index("title_match.md")
        if boosted[0] == "title_match.md" and plain[0] == "body_match.md":
            flips.append(body_words)
    assert flips, "the title boost never changed which match comes first"


def test_without_any_boost_a_body_match_comes_first(tmp_path, monkeypatch):
    flat = ranking(tmp_path, "flat", body_words=30, monkeypatch=monkeypatch, **{name: 1.0 for name in BOOSTS})
    assert flat[:2] == ["body_match.md", "title_match.md"]


def test_a_title_match_outranks_a_body_match_in_a_long_paragraph(tmp_path):
    assert ranking(tmp_path, "long", body_words=60)[:2] == ["title_match.md", "body_match.md"]


def test_boosts_are_baked_into_the_index_at_build_time(tmp_path, monkeypatch):
    corpus = write_corpus(tmp_path / "corpus", 30)
    monkeypatch.setattr(schema, "TITLE_BOOST", 7.0)
    build_index(corpus, tmp_path / "index")
    monkeypatch.undo()
    reader = Engine(tmp_path / "index").index.view().searcher.reader()  # the built index's postings
    postings, weights = reader.postings(schema.RANKED_FIELD, "zephyr"), {}
    while postings.is_active():  # weight() is the posting's own weight, as BM25F reads it
        weights[Path(reader.stored_fields(postings.id())["path"]).name] = postings.weight()
        postings.next()
    # The ranked field weighs each occurrence by its field's boost: the title's as changed, the body's as it was.
    assert weights == {"title_match.md": 7.0, "body_match.md": schema.BODY_BOOST}


def test_a_title_match_outranks_a_body_match_of_ordinary_length(tmp_path):
    assert ranking(tmp_path, "ordinary", body_words=30)[:2] == ["title_match.md", "body_match.md"]


def test_the_engine_scores_with_the_documented_bm25_parameters(engine):
    weighting = engine.index.view().searcher.weighting
    assert weighting.K1 == schema.BM25_K1 and weighting.B == schema.BM25_B
    assert weighting._field_B.get("title") == schema.TITLE_B  # noqa: SLF001


# -- re-ranking (pure; the features themselves: tests/test_features.py) ------------------------------------


def test_rerank_orders_by_the_rankers_score_of_each_passages_features():
    weights = {"joanna": 2.0, "kassem": 2.0, "play": 1.0}
    question = analyse_question("Who plays Joanna Kassem?")
    loose = scored("Joanna appears in the pilot.", bm25=5.0)
    answer = scored("Jenna Dewan plays Joanna Kassem.", bm25=4.0)
    by_coverage = rerank([loose, answer], question, weights, linear({"coverage": 1.0}))
    assert by_coverage[0] is answer and answer.score > loose.score
    assert answer.features["coverage"] == 1.0  # what the score was computed from is kept for --explain
    by_bm25 = rerank([loose, answer], question, weights, linear({"bm25": 1.0}))
    assert by_bm25[0] is loose


def test_covered_share_counts_context_words_at_their_weight():
    weights = {"editor": 1.0, "soundtrack": 1.0}
    assert covered_share(weights, {"editor", "soundtrack"}, set()) == 1.0
    assert covered_share(weights, {"editor"}, {"soundtrack"}) == 0.5 + CONTEXT_WEIGHT / 2
    assert covered_share({}, set(), set()) == 0.0


def test_search_ranks_by_score(engine):
    """One word: a single tier (tests/test_query.py checks that passages with every word of
    several come first)."""
    scores = [hit.score for hit in engine.search("Safran").results]
    assert len(scores) == 10 and scores == sorted(scores, reverse=True)


def test_two_swapped_letters_are_one_typo(engine):
    """Regression: Whoosh's Levenshtein automaton counts a swap as two edits, so "premeire" was
    left uncorrected on an index of one segment."""
    response = engine.ask("When did Soundtrack premeire on Netflix?")
    assert response.suggestion == "When did Soundtrack premiere on Netflix?"
    assert response.answer is not None and "December 18" in response.answer.text
