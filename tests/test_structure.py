"""indexer/structure.py: titles, dates, headings, fields, tables, bylines and boilerplate.

Small inline documents check one rule each; tests/data/tiny/ is the golden corpus that checks
them together on files as they sit on disk.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from indexer.documents import Document
from indexer.passages import make_passages
from indexer.structure import SECTION_SEPARATOR, StructuredDocument, parse_structure

TINY = Path(__file__).resolve().parent / "data" / "tiny"


def parse(text: str, path: str = "note.md") -> StructuredDocument:
    return parse_structure(Document(path=path, relative_path=path, text=text, content_hash="test"))


def parse_file(name: str) -> StructuredDocument:
    path = TINY / name
    return parse(path.read_text(encoding="utf-8"), path=f"tests/data/tiny/{name}")


def kinds(structured: StructuredDocument) -> list[str]:
    return [block.kind for block in structured.blocks]


def block_at(structured: StructuredDocument, line: int):
    found = [block for block in structured.blocks if block.line_start <= line <= block.line_end]
    assert len(found) == 1, f"expected one block at line {line}, found {found}"
    return found[0]


def all_passage_text(structured: StructuredDocument) -> str:
    return "\n".join(passage.text for passage in make_passages(structured))


# -- titles and dates -------------------------------------------------------------------------------


def test_wiki_title_line_is_the_title_and_not_a_passage():
    structured = parse("= Harbor Lantern Festival =\n\nThe festival is held each October.\n")
    assert structured.title == "Harbor Lantern Festival"
    assert "title" not in kinds(structured)
    assert all("=" not in block.text for block in structured.blocks)


def test_markdown_title_line_is_the_title():
    structured = parse("# Crumb & Kettle Bakery\n\nFresh bread daily.\n")
    assert structured.title == "Crumb & Kettle Bakery"
    assert [block.section for block in structured.blocks] == [None]


def test_a_plain_first_line_is_the_title_and_a_passage_of_its_own():
    structured = parse("Lanterns Light Up Port Alder\n\nThousands walked the pier on Saturday.\n")
    assert structured.title == "Lanterns Light Up Port Alder"
    title = structured.blocks[0]
    assert (title.kind, title.line_start, title.line_end) == ("title", 1, 1)


def test_a_first_line_that_is_a_sentence_is_not_a_title():
    structured = parse("The festival began in 1987 on the pier.\nIt has grown every year since.\n")
    assert "title" not in kinds(structured)
    assert structured.title.startswith("The festival began in 1987")


def test_a_first_line_longer_than_a_headline_is_not_a_title():
    long_line = " ".join(["word"] * 30)
    structured = parse(long_line + "\n\nSecond paragraph here.\n")
    assert "title" not in kinds(structured)


def test_a_leading_date_line_is_the_date_and_not_the_title():
    structured = parse("date 2020-01-31\n'Soundtrack' Canceled After One Season\n\nNetflix has canceled it.\n")
    assert structured.date == "2020-01-31"
    assert structured.title == "'Soundtrack' Canceled After One Season"
    date_fields = [b for b in structured.blocks if b.field_name == "Date"]
    assert [(b.line_start, b.field_value) for b in date_fields] == [(1, "2020-01-31")]  # one can ask for it


def test_the_seed_date_line_with_a_stray_mark_is_read_as_the_date():
    structured = parse(" date 2020-01-31 ×\n'Soundtrack' Canceled After One Season at Netflix\n")
    assert structured.date == "2020-01-31"
    assert structured.title == "'Soundtrack' Canceled After One Season at Netflix"


def test_a_date_line_before_a_markdown_title():
    structured = parse("date 2023-10-14\n# Lanterns Light Up Port Alder\n\nText.\n")
    assert (structured.date, structured.title) == ("2023-10-14", "Lanterns Light Up Port Alder")


def test_published_line_gives_the_date():
    structured = parse("Garden Opens Sign-Ups\nBy Priya Natarajan\nPublished 2021-03-04\n\nGardeners can plan.\n")
    assert structured.date == "2021-03-04"


def test_a_document_without_a_date_has_none():
    assert parse("# Notes\n\nNothing dated here.\n").date is None


def test_an_empty_looking_document_is_titled_by_its_file_name():
    structured = parse("\n\n   \n", path="folder/empty-ish.md")
    assert structured.title == "empty-ish.md"
    assert structured.blocks == []


# -- headings and sections --------------------------------------------------------------------------


def test_markdown_sections_nest_and_close():
    text = "# Title\n\n## Story\n\nFirst.\n\n### Early days\n\nSecond.\n\n## Awards\n\nThird.\n"
    structured = parse(text)
    sections = {block.text: block.section for block in structured.blocks}
    assert sections == {
        "First.": "Story",
        "Second.": f"Story{SECTION_SEPARATOR}Early days",
        "Third.": "Awards",
    }


def test_wiki_sections_nest_and_close():
    text = "= Title =\n\n==History==\n===Origins===\nBegan in 1987.\n\n===Growth===\nGrew in 2005.\n\n==Schedule==\nFridays.\n"
    structured = parse(text)
    sections = {block.text: block.section for block in structured.blocks}
    assert sections == {
        "Began in 1987.": f"History{SECTION_SEPARATOR}Origins",
        "Grew in 2005.": f"History{SECTION_SEPARATOR}Growth",
        "Fridays.": "Schedule",
    }


def test_a_skipped_heading_level_still_nests_under_the_last_heading():
    structured = parse("# T\n\n## Menu\n\n#### Breads\n\nRye.\n\n## Hours\n\nDaily.\n")
    sections = {block.text: block.section for block in structured.blocks}
    assert sections == {"Rye.": f"Menu{SECTION_SEPARATOR}Breads", "Daily.": "Hours"}


def test_text_before_the_first_section_has_no_section():
    structured = parse("# T\n\nIntro line.\n\n## Later\n\nBody.\n")
    assert block_at(structured, 3).section is None
    assert block_at(structured, 7).section == "Later"


def test_a_hash_without_a_space_is_not_a_heading():
    structured = parse("# T\n\n#hashtag and more words\n")
    assert block_at(structured, 3).kind == "paragraph"


def test_a_wiki_title_repeating_the_first_line_is_not_a_section():
    structured = parse("Crumb & Kettle Bakery\n= Crumb & Kettle Bakery =\n\nAn independent bakery.\n\n==History==\nOpened in 2014.\n")
    assert structured.title == "Crumb & Kettle Bakery"
    assert block_at(structured, 4).section is None
    assert block_at(structured, 7).section == "History"


# -- fields -------------------------------------------------------------------------------------------


def test_bullet_key_value_lines_are_fields():
    structured = parse("# T\n\nInfobox\n- Genre: Musical drama\n- Executive Producer: Joshua Safran, Megan Ellison\n* Runtime: 51–60 minutes\n")
    fields = [(b.kind, b.field_name, b.field_value, b.line_start) for b in structured.blocks]
    assert fields == [
        ("field", "Genre", "Musical drama", 4),
        ("field", "Executive Producer", "Joshua Safran, Megan Ellison", 5),
        ("field", "Runtime", "51–60 minutes", 6),
    ]


def test_key_pipe_value_rows_are_fields():
    structured = parse("Soundtrack | |\n---|---|\nGenre | Musical drama |\nCreated by | Joshua Safran |\n")
    fields = [(b.kind, b.field_name, b.field_value) for b in structured.blocks]
    assert fields == [("field", "Genre", "Musical drama"), ("field", "Created by", "Joshua Safran")]
    assert structured.title == "Soundtrack"  # the one-cell header is the table's caption


def test_a_key_without_a_value_is_not_a_field():
    structured = parse("# T\n\nStarring | |\nComposers |\n")
    assert "field" not in kinds(structured)


def test_a_bullet_without_a_colon_is_a_list_item():
    structured = parse("# T\n\n- Paul James as Samson Hughes, a widower\n- Callie Hernandez as Nellie\n")
    assert kinds(structured) == ["list_item", "list_item"]


def test_an_infobox_label_line_is_not_a_passage():
    structured = parse("# T\n\nInfobox\n- Genre: Drama\n")
    assert all(block.text.strip() != "Infobox" for block in structured.blocks)


# -- tables ----------------------------------------------------------------------------------------


EPISODES = (
    "No. | Title | Directed by | Written by |\n"
    "---|---|---|---|\n"
    '1 | "Track 1: Nellie and Sam" | Jesse Peretz | Joshua Safran |\n'
    "As Fateful Connection Finds its footing, Nellie faces an uncertain future. | |||\n"
    '2 | "Track 2: Joanna and Nellie" | Karen Gaviola | |\n'
)


def test_pipe_table_rows_pair_each_cell_with_its_header():
    structured = parse("# Episodes\n\n" + EPISODES)
    rows = [block for block in structured.blocks if block.kind == "table_row"]
    assert [row.line_start for row in rows] == [5, 7]
    assert rows[0].cells == [
        ("No.", "1"),
        ("Title", '"Track 1: Nellie and Sam"'),
        ("Directed by", "Jesse Peretz"),
        ("Written by", "Joshua Safran"),
    ]
    assert rows[0].context == "No. Title Directed by Written by"


def test_empty_cells_are_left_out_of_a_row():
    rows = [block for block in parse("# E\n\n" + EPISODES).blocks if block.kind == "table_row"]
    assert rows[1].cells == [("No.", "2"), ("Title", '"Track 2: Joanna and Nellie"'), ("Directed by", "Karen Gaviola")]


def test_a_one_cell_row_under_a_table_row_describes_it():
    rows = [block for block in parse("# E\n\n" + EPISODES).blocks if block.kind == "table_row"]
    assert (rows[0].line_start, rows[0].line_end) == (5, 6)
    assert "Fateful Connection" in rows[0].text


def test_the_header_and_separator_lines_are_not_passages():
    structured = parse("# E\n\n" + EPISODES)
    assert all(not block.text.startswith(("No. |", "---")) for block in structured.blocks)


def test_a_blank_line_ends_a_table():
    text = "# T\n\nDay | Event | Venue |\n---|---|---|\nFriday | Lanterns | Boathouse |\n\nSaturday | Parade | Pier 9 |\n"
    structured = parse(text)
    after = block_at(structured, 7)
    assert after.kind == "table_row"
    assert [header for header, _ in after.cells] == ["", "", ""]  # no header: the table ended


def test_a_two_column_table_with_a_header_pairs_cells_with_headers():
    structured = parse("# Staff\n\n| Name | Role |\n|---|---|\n| Odette Lindqvist | Founder |\n| Felix Amankwah | Head baker |\n")
    rows = [block for block in structured.blocks if block.kind == "table_row"]
    assert [row.cells for row in rows] == [
        [("Name", "Odette Lindqvist"), ("Role", "Founder")],
        [("Name", "Felix Amankwah"), ("Role", "Head baker")],
    ]


# -- bylines ---------------------------------------------------------------------------------------


def test_by_name_line_is_the_byline():
    structured = parse("Garden Opens Sign-Ups\nBy Priya Natarajan\n\nGardeners can plan.\n")
    assert structured.byline == "Priya Natarajan"
    byline = block_at(structured, 2)
    assert (byline.kind, byline.field_name, byline.field_value) == ("byline", "Author", "Priya Natarajan")


def test_name_over_role_line_is_the_byline_with_its_bio():
    text = "Some Headline\n\nA paragraph of the story ends here.\n\nLaura Hurley\nSenior Content Producer\n\nLaura turned a love of TV into a job.\n"
    structured = parse(text)
    assert structured.byline == "Laura Hurley"
    byline = block_at(structured, 5)
    assert (byline.kind, byline.line_start, byline.line_end) == ("byline", 5, 8)
    assert byline.context == "Senior Content Producer"


def test_a_name_over_a_lowercase_line_is_not_a_byline():
    structured = parse("Some Headline\n\nJenna Dewan\nplayed a social worker on the show.\n")
    assert structured.byline is None
    assert "byline" not in kinds(structured)


def test_a_name_inside_running_prose_is_not_a_byline():
    text = "Some Headline\n\nThe pilot was directed by a newcomer, and the lead went to\nPaul James\nSenior Content Producer\n"
    structured = parse(text)
    assert structured.byline is None


def test_the_first_byline_is_the_document_byline():
    structured = parse("Headline\nBy Oskar Lindgren\n\nText here.\n\nBy Mara Quist\n")
    assert structured.byline == "Oskar Lindgren"


def test_a_wrapped_prose_line_starting_with_by_is_not_a_byline():
    structured = parse("Garden Notes\n\nThe garden sits on a weedy lot owned\nby the county\n")
    assert structured.byline is None
    assert "byline" not in kinds(structured)


# -- boilerplate -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "line",
    [
        "(Image credit: Netflix)",
        "Image credit: Port Alder Gazette",
        "Photo credit: Jane Doe",
        "CREDIT: Parrish Lewis/Netflix",
        "Photo: Jane Doe",
        "All rights reserved.",
        "Related Gallery",
        "Related Stories",
        "Advertisement",
        "![A lantern over the water](lantern.jpg)",
    ],
)
def test_boilerplate_lines_are_not_passages(line):
    structured = parse(f"Headline Here\n\nA real paragraph about lanterns.\n\n{line}\n\nAnother real paragraph.\n")
    texts = all_passage_text(structured)
    assert line not in texts
    assert "A real paragraph about lanterns." in texts and "Another real paragraph." in texts


@pytest.mark.parametrize(
    ("line", "holder"),
    [("© 2020 Penske Media Corporation", "2020 Penske Media Corporation"),
     ("Copyright 2023 Port Alder Gazette", "2023 Port Alder Gazette"),
     ("Copyright (c) 2019 Ann Lee and the Lantern contributors", "2019 Ann Lee and the Lantern contributors")],
)
def test_a_copyright_notice_is_a_field_not_prose(line, holder):
    structured = parse(f"Headline Here\n\nA real paragraph about lanterns.\n\n{line}\n\nAnother real paragraph.\n")
    notice = block_at(structured, 5)
    assert (notice.kind, notice.field_name, notice.field_value) == ("field", "Copyright", holder)
    assert [b.kind for b in structured.blocks if b.kind == "paragraph"] == ["paragraph", "paragraph"]


def test_a_hard_wrapped_line_that_starts_like_boilerplate_is_prose():
    # dropped as a notice, these lines took their words out of the paragraph
    wrapped = ("Headline\n\n   In this example, copyright in all files is held by the upstream, and that\n"
               "   copyright holder grants license under the GPL, version 2 or later. There\n"
               "   are three exceptions. It is valid to use License without an accompanying\n"
               "   Copyright field, but Copyright alone is not sufficient.\n")
    (paragraph,) = [b for b in parse(wrapped).blocks if b.kind == "paragraph"]
    assert (paragraph.line_start, paragraph.line_end) == (3, 6)


def test_boilerplate_ends_the_paragraph_around_it():
    structured = parse("Headline\n\nFirst half of a note\n© 2020 Someone\nsecond half of a note\n")
    paragraphs = [block for block in structured.blocks if block.kind == "paragraph"]
    assert [(p.line_start, p.line_end) for p in paragraphs] == [(3, 3), (5, 5)]


def test_a_paragraph_that_mentions_copyright_is_kept():
    prose = ("Copyright law kept the songs off streaming services for years, which is why the soundtrack album "
             "was never released on vinyl and why fans still trade recordings of the live performances.")
    structured = parse(f"Headline\n\n{prose}\n")
    assert prose in all_passage_text(structured)


def test_a_prose_line_starting_with_published_is_not_a_date_line():
    structured = parse("Notes\n\nThe recipe was first\npublished in 1998 by her grandmother.\n")
    assert "grandmother" in all_passage_text(structured)
    assert structured.date is None


# -- the golden tiny corpus ----------------------------------------------------------------------------


def test_golden_wiki_file():
    structured = parse_file("lantern_wiki.txt")
    assert structured.title == "Harbor Lantern Festival"
    assert structured.date is None and structured.byline is None
    summary = [(b.kind, b.line_start, b.line_end, b.section, b.field_name, b.field_value) for b in structured.blocks]
    assert summary == [
        ("field", 4, 4, None, "Founded", "1987"),
        ("field", 5, 5, None, "Organizer", "Ines Calloway"),
        ("field", 6, 6, None, "Location", "Pier 9, Port Alder"),
        ("field", 7, 7, None, "Attendance", "about 12,000"),
        ("paragraph", 9, 9, None, None, None),
        ("paragraph", 13, 13, f"History{SECTION_SEPARATOR}Origins", None, None),
        ("paragraph", 16, 16, f"History{SECTION_SEPARATOR}Growth", None, None),
        ("table_row", 21, 21, "Schedule", None, None),
        ("table_row", 22, 22, "Schedule", None, None),
        ("table_row", 23, 23, "Schedule", None, None),
        ("field", 26, 26, "Facts", "Budget", "$48,000"),
        ("field", 27, 27, "Facts", "Sponsor", "Alder Credit Union"),
    ]
    saturday = block_at(structured, 22)
    assert saturday.cells == [("Day", "Saturday"), ("Event", "Parade of Light"), ("Venue", "Pier 9")]
    assert saturday.context == "Day Event Venue"


def test_golden_markdown_news_file():
    structured = parse_file("lantern_news.md")
    assert structured.title == "Lanterns Light Up Port Alder for the 36th Time"
    assert structured.date == "2023-10-14"
    assert structured.byline == "Oskar Lindgren"
    assert block_at(structured, 4).kind == "byline"
    assert (block_at(structured, 9).kind, block_at(structured, 9).line_end) == ("paragraph", 10)
    assert block_at(structured, 14).section == "Parade"
    floats = block_at(structured, 18)
    assert (floats.kind, floats.section, floats.field_name, floats.field_value) == (
        "field", f"Parade{SECTION_SEPARATOR}Floats", "Floats", "31")
    assert block_at(structured, 23).section == "Weather"
    texts = all_passage_text(structured)
    for boilerplate in ("Image credit", "lantern.jpg", "Related Gallery"):
        assert boilerplate not in texts
    notice = block_at(structured, 25)  # the copyright notice: a fact, kept as a field
    assert (notice.kind, notice.field_name, notice.field_value) == ("field", "Copyright", "2023 Port Alder Gazette")
    assert (block_at(structured, 1).field_name, block_at(structured, 1).field_value) == ("Date", "2023-10-14")


def test_golden_profile_file():
    structured = parse_file("lantern_profile.txt")
    assert structured.title == "Meet the Woman Who Lights the Harbor"
    assert structured.byline == "Mara Quist"
    paragraph = block_at(structured, 3)
    assert (paragraph.kind, paragraph.line_start, paragraph.line_end) == ("paragraph", 3, 12)
    byline = block_at(structured, 16)
    assert (byline.kind, byline.line_start, byline.line_end, byline.context) == ("byline", 16, 19, "Staff Writer")
    notice = block_at(structured, 14)
    assert (notice.kind, notice.field_name) == ("field", "Copyright")
    assert notice.field_value == "2023 Port Alder Gazette. All rights reserved."


# -- introductions: a paragraph ending with a colon describes the code or quote that follows -------


def test_a_literal_block_keeps_the_sentence_that_introduces_it_as_context():
    structured = parse("Reading\n=======\n\nTo read the whole file at once, use::\n\n    data = f.read()\n\nDone.\n",
                       path="guide.rst")
    code = block_at(structured, 6)
    assert code.kind == "code"
    assert code.context == "To read the whole file at once, use:"


def test_an_introduction_does_not_reach_across_a_heading():
    structured = parse("# One\n\nThe values are:\n\n## Two\n\n```\nlow\n```\n")
    assert (block_at(structured, 8).kind, block_at(structured, 8).context) == ("code", "")


def test_a_paragraph_after_an_introduction_is_a_quote_of_it():
    structured = parse("Safran weighed in:\n\nIt was a show about music.\n\nThen nothing.\n", path="note.txt")
    quote = block_at(structured, 3)
    assert (quote.kind, quote.context) == ("quote", "Safran weighed in:")
    assert block_at(structured, 5).kind == "paragraph"


# -- the heading over a block: its line, and the release headings of changelogs -----------------------


def test_each_block_knows_the_line_of_the_heading_it_stands_under():
    structured = parse("# Title\n\nIntro.\n\n## Story\n\nFirst.\n\nSetext\n------\n\nSecond.\n")
    assert block_at(structured, 3).heading_line == 1  # under the title
    assert block_at(structured, 7).heading_line == 5
    assert block_at(structured, 12).heading_line == 9  # the title line of an underlined heading


def test_an_overlined_rst_heading_is_found_at_its_title_line():
    structured = parse("=====\nTitle\n=====\n\nIntro.\n\n-----\nInner\n-----\n\nBody.\n", path="guide.rst")
    assert block_at(structured, 11).heading_line == 8


@pytest.mark.parametrize("heading", [
    "tmux (3.3a-3) unstable; urgency=medium",  # a Debian changelog's entry
    "Version 4.0 (09 Oct 2013)",
    '\tMajor changes between "less" versions 530 and 551',
    "* Noteworthy changes in release 1.9 (2018-03-12) [stable]",  # GNU's NEWS
    "5.4.1 (2023-01-11)",
])
def test_a_release_line_standing_alone_heads_the_entries_under_it(heading):
    structured = parse(f"NEWS\n\nIntro.\n\n{heading}\n\n* Fix a crash.\n\n* Add an option.\n", path="NEWS")
    expected = heading.strip().removeprefix("* ")
    assert [block_at(structured, line).section for line in (7, 9)] == [expected, expected]
    assert block_at(structured, 9).heading_line == 5


@pytest.mark.parametrize("line", [
    "* Support version 3 of the protocol",  # an item that names a version, without a date
    "Fixed a bug in version 2.3.",  # a sentence
    "print(version(2.3))",  # code
])
def test_a_line_that_only_names_a_version_heads_nothing(line):
    structured = parse(f"NEWS\n\nIntro.\n\n{line}\n\n* Fix a crash.\n", path="NEWS")
    assert block_at(structured, 7).section is None


def test_a_title_heading_with_siblings_of_its_level_heads_the_first_section():
    news = "2.4 (2 May 2021)\n================\n\n* Faster.\n\n2.3 (4 March 2019)\n==================\n\n* Smaller.\n"
    structured = parse(news, path="NEWS.md")
    assert structured.title == "2.4 (2 May 2021)"
    assert [block_at(structured, line).section for line in (4, 9)] == ["2.4 (2 May 2021)", "2.3 (4 March 2019)"]
    # A title over sections of a lower level is the document's title only.
    guide = parse("# Guide\n\nIntro.\n\n## Setup\n\nSteps.\n")
    assert block_at(guide, 3).section is None
