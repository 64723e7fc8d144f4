"""indexer/formats/: each format's titles, sections and line (or page) spans, on the mixed
folder tests/data/formats/ and on small documents written here; then `liner ask` over the
folder, with citations that open the document view at the cited lines."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from indexer.documents import Document, find_source_files, read_document
from indexer.passages import make_passages
from indexer.structure import SECTION_SEPARATOR, StructuredDocument, parse_structure
from pdf_writer import FERRY_REPORT, pdf_bytes

ROOT = Path(__file__).resolve().parent.parent
FORMATS = ROOT / "tests" / "data" / "formats"
LINER = Path(sys.executable).with_name("liner")


def parse(text: str, name: str) -> StructuredDocument:
    return parse_structure(Document(name, name, text, "test"))


def read(name: str) -> StructuredDocument:
    source = next(source for source in find_source_files(FORMATS) if source.relative_path == name)
    return parse_structure(read_document(source))


def passage_at(structured: StructuredDocument, line: int, page: int | None = None):
    found = [p for p in make_passages(structured) if p.line_start <= line <= p.line_end and p.page == page]
    assert found, f"no passage at line {line}"
    return found[0]


def sections(structured: StructuredDocument) -> list[str | None]:
    return [passage.section for passage in make_passages(structured)]


# -- the corpus, file by file ---------------------------------------------------------------------


def test_the_committed_pdf_is_what_the_test_writer_writes():
    assert (FORMATS / "ferry-report.pdf").read_bytes() == pdf_bytes(FERRY_REPORT, title=FERRY_REPORT[0][0])


def test_every_passage_of_the_corpus_stands_verbatim_at_its_cited_lines_or_page():
    for source in find_source_files(FORMATS):
        document = read_document(source)
        lines = document.lines
        for passage in make_passages(parse_structure(document)):
            first = passage.line_start + (document.pages[passage.page - 1] - 1 if passage.page else 0)
            cited = "\n".join(lines[first - 1 : first - 1 + passage.line_end - passage.line_start + 1])
            assert passage.text.strip() and passage.text in cited, (source.relative_path, passage)


def test_restructuredtext_titles_sections_and_spans():
    doc = read("tidewatch.rst.txt")
    assert doc.title == "tidewatch --- Tide tables for small harbours"  # the :mod: role read as its text
    assert (doc.date, doc.byline) == ("2022-05-17", "Wren Abernathy")
    highs = passage_at(doc, 34)
    assert highs.section == SECTION_SEPARATOR.join(["Basic Usage", 'highs(harbour, day, *, datum="chart")'])
    assert (highs.line_start, highs.line_end) == (34, 36)
    assert "``" not in highs.shown and "*harbour*" not in highs.shown and "HH:MM" in highs.shown
    code = passage_at(doc, 21)
    assert (code.kind, code.line_start, code.line_end) == ("code", 20, 22)
    assert code.text.splitlines()[0].strip() == ">>> import tidewatch"
    note = passage_at(doc, 26)  # a note's text is text, not code
    assert (note.kind, note.line_start, note.line_end) == ("paragraph", 26, 27)
    changed = passage_at(doc, 38)
    assert (changed.field_name, changed.field_value) == ("Changed in version", "1.4: The datum argument was added.")
    assert passage_at(doc, 43).section == "Basic Usage › lows(harbour, day)"
    assert passage_at(doc, 60).section == "Configuration › Exceptions › UnknownHarbour"  # ~~~ is a third level
    assert passage_at(doc, 63).section == "Configuration › Exceptions"  # the description ended
    assert passage_at(doc, 52).line_end == 53  # a wrapped list item is one passage
    texts = " ".join(p.shown for p in make_passages(doc))
    for markup in ("tidewatch-top", ".. note", ":func:", "#offline", "<https://"):
        assert markup not in texts


def test_restructuredtext_adornments_are_not_tables_or_rules():
    doc = parse("=======\nOverview\n=======\n\nText one.\n\n----------\n\nText two.\n\nPart\n----\n\nText three.\n",
                "guide.rst")
    assert doc.title == "Overview"
    assert [(p.kind, p.line_start, p.section) for p in make_passages(doc)] == [
        ("paragraph", 5, None), ("paragraph", 9, None), ("paragraph", 14, "Part")]


def test_markdown_setext_titles_badges_fences_front_matter_and_tables():
    readme = read("README.md")
    assert readme.title == "Gull Island Ferry"  # the setext title, not the badge line above it
    assert "Sailings" in sections(readme) and "Booking a bicycle" in sections(readme) and "Contacts" in sections(readme)
    code = passage_at(readme, 26)
    assert (code.kind, code.line_start, code.line_end) == ("code", 26, 27)
    assert code.context == "Bicycles need a reservation. Book one from the command line: sh"  # introduction, language
    row = passage_at(readme, 18)
    assert (row.kind, row.shown) == ("table_row", "Gull Island to Skerry Point · 40 minutes · Puffin")
    assert row.cells[-1] == ("Boat", "*Puffin*")
    intro = passage_at(readme, 6)
    assert "**" not in intro.shown and "https://" not in intro.shown and "Port Alder" in intro.shown
    notes = read("meeting-notes.md")
    assert (notes.title, notes.date) == ("Ferry committee, spring meeting", "2024-03-12")
    assert (passage_at(notes, 4).field_name, passage_at(notes, 4).field_value) == ("Tags", "[ferry, budget]")
    assert passage_at(notes, 9).section == "Decisions"


def test_html_title_sections_rows_and_dropped_parts():
    page = read("timetable.html")
    assert page.title == "Skerry Point Timetable"
    intro = passage_at(page, 12)
    assert (intro.line_start, intro.line_end) == (12, 13)
    assert intro.shown == "The Puffin sails from Gull Island to Skerry Point\ntwice a day, tides & weather permitting."
    assert intro.text.startswith("The <b>Puffin</b>")  # verbatim, as cited
    row = passage_at(page, 18)
    assert (row.kind, row.section, row.cells, row.shown) == (
        "table_row", "Sailings", (("Departure", "15:30"), ("Arrival", "16:10")), "15:30 · 16:10")
    racks = passage_at(page, 23)
    assert (racks.kind, racks.field_name, racks.section) == ("field", "Bicycles", "On board")
    everything = " ".join(p.shown for p in make_passages(page))
    for dropped in ("kittiwake", "border-collapse", "Home"):  # script, style, navigation
        assert dropped not in everything


def test_pdf_pages_are_cited_by_page_and_line():
    report = read("ferry-report.pdf")
    assert report.title == "Gull Island Ferry Annual Report 2023"
    carried = passage_at(report, 5, page=1)
    assert carried.text.startswith("The ferry carried 41,200 passengers")
    assert carried.section == "Summary"
    outlook = passage_at(report, 8, page=2)
    assert (outlook.section, outlook.line_start) == ("Outlook", 8)
    assert "Guillemot" in outlook.text


def test_plain_text_without_a_suffix_legacy_and_utf16_encodings():
    news = read("NEWS")
    assert (news.title, news.date) == ("Gull Island Ferry news", "2024-04-02")  # the date line is not the title
    assert news.document.encoding.endswith("(detected)")
    thanks = passage_at(news, 9)
    assert (thanks.section, thanks.line_end) == ("Version 2.1", 10) and "Jörg Mäkelä" in thanks.text
    crew = read("crew.txt")
    assert crew.document.encoding == "utf-16" and crew.title == "Crew"
    licence = read("COPYING")
    assert licence.title == "GULL ISLAND TIMETABLE LICENCE"
    assert passage_at(licence, 13).section == "TERMS AND CONDITIONS › 1. Definitions"
    assert passage_at(licence, 6).section == "Preamble"


# -- documents as people write them (issue 14) ----------------------------------------------------


@pytest.mark.parametrize("first_line", ["January 31, 2020", "2020-01-31", "By Priya Natarajan"])
def test_a_first_line_that_is_a_date_or_a_byline_is_not_the_title(first_line):
    doc = parse(f"{first_line}\n\nHarbour Lights Return\n\nThe lights came back on Friday.\n", "note.txt")
    assert doc.title == "Harbour Lights Return"


def test_the_first_line_of_a_wrapped_paragraph_is_not_the_title():
    paragraph = "\n".join(["Soundings were taken at the harbour mouth and", "over the bar at every tide"] * 4)
    doc = parse(paragraph + "\nfor nine days.\n\nMore text.\n", "note.txt")
    assert "title" not in [block.kind for block in doc.blocks]
    assert len(doc.title.split()) <= 9  # a few words of it, not nine lines


def test_a_setext_heading_in_plain_text_is_a_section():
    doc = parse("Harbour Notes\n=============\n\nIntro.\n\nTides\n-----\n\nHigh water at noon.\n", "notes.txt")
    assert doc.title == "Harbour Notes"
    assert [(p.line_start, p.section) for p in make_passages(doc)] == [(4, None), (9, "Tides")]


def test_wiki_headings_and_table_pipes_are_not_shown_raw():
    from indexer.view import shown_lines

    doc = parse("= Pier =\n\n==Production==\nFilming began in May.\n\nCreated by | Ana Ruiz |\n", "pier.txt")
    row = passage_at(doc, 6)
    assert (row.text, row.shown) == ("Created by | Ana Ruiz", "Created by: Ana Ruiz")
    shown = {line.number: (line.text, line.role) for line in shown_lines(doc)}
    assert shown[3] == ("Production", "heading") and shown[6] == ("Created by: Ana Ruiz", "text")


# -- asked end to end -----------------------------------------------------------------------------------


QUESTIONS = [  # (question, part of the answer, file, page, first line)
    ("Who wrote tidewatch?", "Wren Abernathy", "tidewatch.rst.txt", None, 9),
    ("Who is the harbour master?", "Ines Calloway", "README.md", None, 32),
    ("How many bicycle racks are on the aft deck?", "six", "timetable.html", None, 23),
    ("How many passengers did the ferry carry in 2023?", "41,200", "ferry-report.pdf", 1, 5),
    ("When will Guillemot enter service?", "2026", "ferry-report.pdf", 2, 8),
    ("Who checked every sailing time?", "Jörg Mäkelä", "NEWS", None, 9),
    ("Who skippers the Cormorant?", "Tove Halvorsen", "crew.txt", None, 3),
    ("What does The Timetable mean?", "list of sailings", "COPYING", None, 13),
]


@pytest.fixture(scope="module")
def formats_index(tmp_path_factory) -> Path:
    index = tmp_path_factory.mktemp("formats") / "index"
    result = subprocess.run([str(LINER), "index", str(FORMATS), "--index", str(index)], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "Indexed 8 files" in result.stdout
    assert "note tests/data/formats/NEWS: not UTF-8; read as" in result.stderr
    return index


def test_liner_ask_answers_from_every_format_with_its_citation(formats_index):
    questions = "\n".join(question for question, *_ in QUESTIONS) + "\n"
    result = subprocess.run([str(LINER), "ask", "--jsonl", "--index", str(formats_index)], cwd=ROOT, input=questions,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    for (question, expected, name, page, line), output in zip(QUESTIONS, result.stdout.splitlines()):
        answer = json.loads(output)["answer"]
        assert answer is not None and expected in answer["text"] + answer["sentence"], (question, answer)
        assert (Path(answer["path"]).name, answer.get("page"), answer["line_start"]) == (name, page, line), question


def test_a_citation_opens_the_document_view_at_its_line_and_page(formats_index):
    from search.engine import Engine
    from web.app import create_app

    client = create_app({"INDEX_DIR": str(formats_index), "TESTING": True}).test_client()
    engine = Engine(formats_index)
    for question, expected, name, page, line in QUESTIONS:
        hit = engine.ask(question).results[0]
        assert (Path(hit.path).name, hit.page) == (name, page), question
        response = client.get(f"/doc/{hit.path}", query_string={"lines": f"{hit.line_start}-{hit.line_end}",
                                                                **({"page": page} if page else {})})
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        item = html[html.index(f'<li id="L{line}"') :].split("</li>", 1)[0]
        assert " cited" in item.split(">", 1)[0], (question, item)
        assert expected.split()[0] in item.replace("&#39;", "'"), (question, item)
        if page:
            assert f"page {page} of 2" in html
