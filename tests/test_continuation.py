"""search/continuation.py: a sentence that announces a block ("..., use:") answers with the block
too, cited to the block's lines; on hand-made passages and a hand-set model, no index."""
from __future__ import annotations

from models import model
from records import scored

from indexer.analysis import stem
from search.answers import extract_answer
from search.expansion import TermWeights
from search.phrases import MAX_ANSWER_CHARS, shown_length
from search.questions import analyse_question

QUESTION = analyse_question("How do I build the tool from a release tarball?")
WEIGHTS = TermWeights({stem(word): 1.0 for word in ("build", "tool", "release", "tarball")})
# Every candidate that covers the question scores alike: the announcing sentence wins on coverage.
COVERAGE = model({"unit_coverage": 1.0}, bar=0.0)


def test_an_announcing_sentence_answers_with_the_block_below_it_and_cites_its_lines():
    announcing = scored("To build and install the tool from a release tarball, use:", path="README", line=24, score=3.0)
    block = scored("\t$ ./configure && make\n\t$ sudo make install", path="README", line=26, score=2.0)
    result = extract_answer(QUESTION, [announcing, block], WEIGHTS, [], COVERAGE)
    answer = result.answer
    assert answer.text == "To build and install the tool from a release tarball, use: $ ./configure && make $ sudo make install"
    assert (answer.line_start, answer.line_end) == (24, 27)
    assert answer.sentence == "To build and install the tool from a release tarball, use:"


def test_a_block_too_long_to_show_whole_is_cut_at_a_word_and_cited_to_its_last_line_shown():
    announcing = scored("To build the tool from a release tarball, use:", path="README", line=3, score=3.0)
    commands = "\n".join(f"\t$ make step-{number} OPTIONS=--with-everything-enabled" for number in range(8))
    block = scored(commands, path="README", line=5, score=2.0)
    answer = extract_answer(QUESTION, [announcing, block], WEIGHTS, [], COVERAGE).answer
    assert shown_length(answer.text) <= MAX_ANSWER_CHARS
    assert answer.text.startswith("To build the tool from a release tarball, use: $ make step-0")
    assert answer.line_start == 3 and 5 <= answer.line_end < 12


def test_a_block_far_below_or_in_another_file_does_not_continue_an_announcement():
    announcing = scored("To build the tool from a release tarball, use:", path="README", line=3, score=3.0)
    elsewhere = scored("\t$ ./configure && make", path="INSTALL", line=5, score=2.0)
    far = scored("\t$ ./configure && make", path="README", line=40, score=2.0)
    answer = extract_answer(QUESTION, [announcing, elsewhere, far], WEIGHTS, [], COVERAGE).answer
    assert "$" not in answer.text and answer.line_end == 3


def test_a_sentence_not_ending_with_a_colon_is_left_as_it_is():
    plain = scored("Build the tool from a release tarball with make.", path="README", line=3, score=3.0)
    block = scored("\t$ ./configure && make", path="README", line=5, score=2.0)
    answer = extract_answer(QUESTION, [plain, block], WEIGHTS, [], COVERAGE).answer
    assert answer.text == "Build the tool from a release tarball with make." and answer.line_end == 3
