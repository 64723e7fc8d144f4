"""indexer/passages.py: every passage cites exact lines, and long paragraphs are cut at sentences.

The contract says a passage's text stands verbatim (runs of white space may be folded) at lines
line_start..line_end of its file. Lines here are numbered as an editor or `grep -n` numbers them:
split at "\\n", with a "\\r" before it dropped.
"""
from __future__ import annotations

from pathlib import Path
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import indexer.passages as passages_module
from indexer.documents import Document, iter_documents
from indexer.formats.files import with_newlines
from indexer.passages import MAX_PASSAGE_WORDS, make_passages
from indexer.sentences import sentence_spans
from indexer.structure import parse_structure

ROOT = Path(__file__).resolve().parent.parent
CORPORA = [ROOT / "seeds", ROOT / "tests" / "data" / "notes", ROOT / "tests" / "data" / "tiny"]


def file_lines(text: str) -> list[str]:
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [line[:-1] if line.endswith("\r") else line for line in lines]


def fold(text: str) -> str:
    return " ".join(text.split())


def assert_cites_its_lines(passage, lines: list[str]) -> None:
    where = f"{passage.path}:L{passage.line_start}-L{passage.line_end}"
    assert 1 <= passage.line_start <= passage.line_end <= len(lines), where
    cited = "\n".join(lines[passage.line_start - 1 : passage.line_end])
    assert passage.text.strip(), f"{where}: empty passage"
    assert fold(passage.text) in fold(cited), f"{where}: {passage.text!r} not in {cited!r}"
    # Exact, not only folded: the text is a slice of the cited lines that starts on the first
    # cited line and ends on the last one.
    assert passage.text in cited, where
    assert passage.text.count("\n") == passage.line_end - passage.line_start, where


def corpus_documents():
    for folder in CORPORA:
        for item in iter_documents(folder):
            assert isinstance(item, Document), f"could not read {item}"
            yield item


DOCUMENTS = list(corpus_documents())


@pytest.mark.parametrize("document", DOCUMENTS, ids=[document.relative_path for document in DOCUMENTS])
def test_every_passage_stands_verbatim_at_its_cited_lines(document):
    on_disk = file_lines(Path(document.path).read_text(encoding="utf-8-sig"))
    passages = make_passages(parse_structure(document))
    assert passages, "a real document yields passages"
    for passage in passages:
        assert_cites_its_lines(passage, on_disk)
        assert_sentence_offsets_are_valid(passage)


@pytest.mark.parametrize("document", DOCUMENTS, ids=[document.relative_path for document in DOCUMENTS])
def test_passages_are_in_reading_order_with_unique_ids(document):
    passages = make_passages(parse_structure(document))
    assert [p.ordinal for p in passages] == list(range(len(passages)))
    assert len({p.passage_id for p in passages}) == len(passages)
    starts = [p.line_start for p in passages]
    assert starts == sorted(starts)


def test_the_corpora_cover_every_passage_kind():
    seen = {p.kind for document in DOCUMENTS for p in make_passages(parse_structure(document))}
    assert {"title", "paragraph", "field", "table_row", "list_item", "byline"} <= seen


def test_passages_carry_the_document_title_date_and_byline():
    document = next(d for d in DOCUMENTS if d.relative_path == "lantern_news.md")
    for passage in make_passages(parse_structure(document)):
        assert passage.title == "Lanterns Light Up Port Alder for the 36th Time"
        assert passage.date == "2023-10-14"
        assert passage.byline == "Oskar Lindgren"


# -- cutting long paragraphs -------------------------------------------------------------------------


def paragraph_blocks():
    for document in DOCUMENTS:
        for block in parse_structure(document).blocks:
            if block.kind in ("paragraph", "quote"):
                yield document, block


def windows_of(document, block):
    return [p for p in make_passages(parse_structure(document)) if block.line_start <= p.line_start <= block.line_end
            and p.kind == block.kind and p.line_end <= block.line_end]


def assert_cut_at_sentences(block_text: str, window_texts: list[str], limit: int) -> None:
    """Windows hold at most `limit` words, lose or repeat none, and are cut between sentences;
    only a sentence longer than `limit` words may itself be cut (at a space)."""
    spans = sentence_spans(block_text)
    offsets = []
    position = 0
    for text in window_texts:
        assert len(text.split()) <= limit, f"a window of {len(text.split())} words"
        offset = block_text.index(text, position)
        offsets.append(offset)
        position = offset + len(text)
    assert [w for t in window_texts for w in t.split()] == block_text.split(), "words lost or repeated"
    for offset in offsets[1:]:
        sentence = next(((s, e) for s, e in spans if s <= offset < e), None)
        if sentence is None or sentence[0] == offset:
            continue  # a cut between sentences
        assert block_text[offset - 1].isspace(), "a cut inside a word"
        words = len(block_text[sentence[0] : sentence[1]].split())
        assert words > limit, f"a sentence of {words} words was cut: {block_text[sentence[0]:sentence[1]][:60]!r}"


def assert_sentence_offsets_are_valid(passage) -> None:
    previous = 0
    for start, end in passage.sentences:  # offsets into the display text, which answers read
        assert previous <= start < end <= len(passage.shown), (passage.sentences, len(passage.shown))
        piece = passage.shown[start:end]
        assert piece.strip(), f"an empty sentence {piece!r}"
        previous = end


def test_long_paragraphs_of_the_corpora_are_cut_into_windows_at_sentence_boundaries():
    long_ones = 0
    for document, block in paragraph_blocks():
        windows = [p.text for p in windows_of(document, block)]
        if len(block.text.split()) <= MAX_PASSAGE_WORDS:
            assert windows == [block.text]
            continue
        long_ones += 1
        assert len(windows) >= 2
        assert_cut_at_sentences(block.text, windows, MAX_PASSAGE_WORDS)
    assert long_ones >= 3, "the corpora should hold several paragraphs longer than a window"


def test_golden_profile_paragraph_is_cut_across_its_wrapped_lines():
    document = next(d for d in DOCUMENTS if d.relative_path == "lantern_profile.txt")
    paragraph = [p for p in make_passages(parse_structure(document)) if p.kind == "paragraph"]
    assert [(p.line_start, p.line_end) for p in paragraph] == [(3, 8), (9, 12)]
    assert paragraph[0].text.startswith("Ines Calloway keeps her lanterns")
    assert paragraph[1].text.endswith("count the lanterns that survived.")
    assert all(len(p.text.split()) <= MAX_PASSAGE_WORDS for p in paragraph)


def test_one_sentence_longer_than_a_window_is_cut_at_spaces_losing_no_word():
    sentence = " ".join(f"word{i}" for i in range(2 * MAX_PASSAGE_WORDS + 25)) + "."
    document = Document("a.txt", "a.txt", f"Headline\n\n{sentence}\n", "h")
    paragraph = [p for p in make_passages(parse_structure(document)) if p.kind == "paragraph"]
    assert len(paragraph) == 3
    assert_cut_at_sentences(sentence, [p.text for p in paragraph], MAX_PASSAGE_WORDS)


def test_passages_know_their_sentences():
    text = "Headline\n\nThe parade starts at nine. It ends at the pier!\nLanterns are lit at dusk.\n"
    paragraph = [p for p in make_passages(parse_structure(Document("a.txt", "a.txt", text, "h"))) if p.kind == "paragraph"]
    assert len(paragraph) == 1
    passage = paragraph[0]
    assert [passage.text[s:e] for s, e in passage.sentences] == [
        "The parade starts at nine.", "It ends at the pier!", "Lanterns are lit at dusk."]


def test_a_long_single_line_is_cut_into_windows_on_that_line():
    sentences = [f"Sentence number {i} talks about lanterns on the pier at night." for i in range(20)]
    line = " ".join(sentences)
    document = Document("a.txt", "a.txt", f"Headline\n\n{line}\n", "h")
    paragraph = [p for p in make_passages(parse_structure(document)) if p.kind == "paragraph"]
    assert len(paragraph) >= 3
    assert all((p.line_start, p.line_end) == (3, 3) for p in paragraph)
    assert_cut_at_sentences(line, [p.text for p in paragraph], MAX_PASSAGE_WORDS)


# -- property: any text ---------------------------------------------------------------------------------

WORDS = st.sampled_from([
    "Jenna", "Dewan", "the", "show", "was", "canceled.", "Why?", "Wow!", "Dr.", "U.S.", "L.A.", "By", "Key:",
    "value", "|", "-", "*", "#", "##", "=", "==", "date", "2020-01-31", "©", "a", "“quoted”", '"q"', "—", "1.",
    "Published", "1998", "Infobox", "Related", "Gallery", "---|---|", "O’Brien", "café", "\t", "  ",
])
LINE = st.lists(WORDS, max_size=30).map(" ".join)
TEXT = st.tuples(st.lists(LINE, min_size=1, max_size=25), st.sampled_from(["\n", "\r\n"]), st.booleans()).map(
    lambda parts: parts[1].join(parts[0]) + (parts[1] if parts[2] else "")
)


def check_text(text: str) -> None:
    document = Document("p.txt", "p.txt", text, "h")
    lines = file_lines(text)
    structured = parse_structure(document)
    for passage in make_passages(structured):
        assert_cites_its_lines(passage, lines)
        assert_sentence_offsets_are_valid(passage)
    for block in structured.blocks:  # blocks too: answers cite sentences inside them
        assert block.text == "\n".join(lines[block.line_start - 1 : block.line_end])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXT)
def test_property_passages_of_any_text_are_verbatim_slices_of_their_lines(text):
    check_text(text)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXT)
def test_property_small_windows_are_verbatim_and_cut_at_sentences(text):
    with mock.patch.object(passages_module, "MAX_PASSAGE_WORDS", 6):
        check_text(text)
        structured = parse_structure(Document("p.txt", "p.txt", text, "h"))
        passages = make_passages(structured)
        for block in structured.blocks:
            if block.kind not in ("paragraph", "quote") or len(block.text.split()) <= 6:
                continue
            windows = [p.text for p in passages if p.kind == block.kind
                       and block.line_start <= p.line_start and p.line_end <= block.line_end]
            assert_cut_at_sentences(block.text, windows, 6)


@pytest.mark.parametrize("separator", ["\x0c", "\u2028"])
def test_a_page_break_inside_a_line_is_a_line_break_as_splitlines_counts_it(separator):
    raw = f"Harbor Notes\n\nPage one ends here.{separator}Page two starts on the same line.\nThe parade starts at nine.\n"
    text = with_newlines(raw)  # as indexer/formats/files.py reads the file
    check_text(text)
    passage = next(p for p in make_passages(parse_structure(Document("p.txt", "p.txt", text, "h"))) if "parade" in p.text)
    assert raw.splitlines()[passage.line_end - 1] == "The parade starts at nine."
    assert passage.line_end == 5
