"""search/duplicates.py: the same passage in several files is one result listing every place."""
from __future__ import annotations

from records import scored

from search.duplicates import collapse_near_duplicates, figures, shingles
from search.response import SourceRef


def passage(text, path, line):
    return scored(text, path=path, line=line)


def test_reference_marks_are_not_figures_nor_words():
    assert figures("Rated 38% by 8 reviews.[17]") == ("38", "8")
    assert shingles("one two three[4]") == frozenset({("one", "two", "three")})


PILOT = ("On January 19, 2018, it was announced that Fox had given the production a pilot order. The pilot episode "
         "was written by Joshua Safran who was also set to executive produce.")


def test_near_duplicates_collapse_into_the_best_copy_with_its_other_sources():
    first = passage(PILOT, "b.txt", 56)
    copy = passage(PILOT.replace("order.", "order.[5]"), "c.txt", 34)  # a wiki copy with reference marks
    different = passage("Netflix canceled the musical drama after one season.", "d.txt", 7)
    kept = collapse_near_duplicates([first, copy, different])
    assert kept == [first, different]
    assert first.also_in == [SourceRef("c.txt", 34, 34)]


def test_copies_that_give_different_figures_are_both_kept():
    text = "On Rotten Tomatoes, the series holds an approval rating of 38% with an average rating of 4.83/10."
    first, other = passage(text, "b.txt", 60), passage(text.replace("38%", "44%"), "c.txt", 64)
    assert collapse_near_duplicates([first, other]) == [first, other]
    assert first.also_in == []


def test_the_seeds_pilot_paragraph_is_shown_once_with_its_copy(engine):
    response = engine.search("Fox pilot order January 2018")
    copies = [hit for hit in response.results if hit.text.startswith("On January 19, 2018")]
    assert len(copies) == 1
    paths = {copies[0].path} | {ref.path for ref in copies[0].also_in}
    assert paths == {"seeds/001_181282d05fb4556f.txt", "seeds/003_77ca1b77362e00a9.txt"}


def test_the_seeds_rotten_tomatoes_paragraphs_disagree_so_both_are_shown(engine):
    response = engine.search("Rotten Tomatoes approval rating Metacritic")
    paths = sorted(hit.path for hit in response.results if "Metacritic" in hit.text)
    assert paths == ["seeds/001_181282d05fb4556f.txt", "seeds/003_77ca1b77362e00a9.txt"]
