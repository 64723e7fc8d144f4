"""indexer/display.py: display text keeps every newline of its source, and maps its spans back to
the source characters they came from."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from indexer.display import Display, clean
from indexer.formats.markdown import INLINE as MARKDOWN_INLINE
from indexer.formats.rst import INLINE as RST_INLINE
from indexer.formats.text import pipe_row_display


def test_a_link_keeps_its_text_and_maps_back_to_it():
    source = "See [the harbour](https://example.org/h) **today**.\nThen go."
    display = clean(source, MARKDOWN_INLINE).build()
    assert display.text == "See the harbour today.\nThen go."
    start = display.text.index("harbour")
    span = display.source_span(start, display.text.index("."))
    assert source[span[0] : span[1]] == "harbour](https://example.org/h) **today"


def test_rst_roles_literals_and_references_read_as_their_text():
    source = "Use :func:`~os.path.join` or ``open()`` (see `the docs <https://x.org>`_ [#n]_).\nDone::"
    assert clean(source, RST_INLINE).build().text == "Use os.path.join or open() (see the docs).\nDone:"


def test_a_pipe_row_maps_each_cell_to_its_place():
    source = "Created by | Joshua Safran |"
    display = pipe_row_display(source)
    assert display.text == "Created by: Joshua Safran"
    span = display.source_span(0, len(display.text))
    assert source[span[0] : span[1]] == "Created by | Joshua Safran"


def test_generated_text_alone_maps_to_nothing():
    display = Display(": ", ())
    assert display.source_span(0, 2) is None


TEXT = st.lists(st.sampled_from(list("ab *_`[]()<>:|\\\n.~") + ["http://x", "``", "**", ":func:"]), max_size=40).map("".join)


@settings(max_examples=300, deadline=None)
@given(TEXT)
def test_property_display_keeps_the_newlines_and_maps_into_the_source(source):
    for pattern in (MARKDOWN_INLINE, RST_INLINE):
        display = clean(source, pattern).build()
        assert display.text.count("\n") == source.count("\n")
        for start, source_start, length in display.runs:  # copied runs are the source's own characters
            assert display.text[start : start + length] == source[source_start : source_start + length]
        span = display.source_span(0, len(display.text))
        if span is not None:
            assert 0 <= span[0] < span[1] <= len(source)
