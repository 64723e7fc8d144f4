"""indexer/build.py: what a build writes, serially or in worker processes, and how the list of
words as written (the `words` field) follows the files."""
from __future__ import annotations

import shutil
from pathlib import Path

from whoosh import index as whoosh_index

from indexer.build import build_index
from indexer.layout import current_generation
from search.engine import Engine

NOTES = Path("tests/data/notes")
QUERIES = ("compost", "volunteers", '"food pantry"', "+garden +volunteers", "garden volunteers compost")
QUESTIONS = ("Who runs the food pantry?", "When is the garden open?")


def build_in_parallel(monkeypatch, memory_mb: float | None = None) -> None:
    """Make full builds of any size index in two worker processes, each writing a segment every
    `memory_mb` of buffered postings (the build's whole budget)."""
    monkeypatch.setattr("indexer.indexing.PARALLEL_FROM_BYTES", 0)
    monkeypatch.setattr("os.cpu_count", lambda: 2)
    if memory_mb is not None:
        monkeypatch.setenv("LINER_INDEX_MEMORY_MB", str(memory_mb))


def segments(index_dir: Path) -> int:
    with whoosh_index.open_dir(str(index_dir / current_generation(index_dir))).reader() as reader:
        return len(list(reader.leaf_readers()))


def test_a_parallel_build_in_many_segments_answers_as_a_serial_one(tmp_path, monkeypatch):
    """Workers that each write several segments (a tiny memory budget), merged into one: the
    same index as one process writing one segment, so the same scores in the same order."""
    serial = build_index(NOTES, tmp_path / "serial")
    build_in_parallel(monkeypatch, memory_mb=0.02)
    parallel = build_index(NOTES, tmp_path / "parallel")
    assert parallel.passages == serial.passages and parallel.workers == 2
    assert segments(tmp_path / "serial") == 1 and segments(tmp_path / "parallel") == 1

    def answers(index_dir: Path) -> list:
        engine = Engine(index_dir)
        found = [[(h.path, h.line_start, h.score) for h in engine.search(q).results] for q in QUERIES]
        said = [engine.ask(q) for q in QUESTIONS]
        return found + [(a.answer, [(h.path, h.line_start, h.score) for h in a.results]) for a in said]

    assert answers(tmp_path / "parallel") == answers(tmp_path / "serial")


def test_an_update_writes_with_one_writer_however_big(tmp_path, monkeypatch):
    build_in_parallel(monkeypatch)
    folder = tmp_path / "notes"
    shutil.copytree(NOTES, folder)
    build_index(folder, tmp_path / "index")
    (folder / "new.md").write_text("# New\n\nA heron by the pond.\n", encoding="utf-8")
    report = build_index(folder, tmp_path / "index")
    assert report.files_indexed == 1 and not report.full_rebuild
    assert Engine(tmp_path / "index").search("heron").results[0].path.endswith("new.md")


def test_typos_are_corrected_to_words_of_files_still_indexed(tmp_path):
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "birds.md").write_text("# Birds\n\nA kingfisher over the canal.\n", encoding="utf-8")
    (folder / "more.md").write_text("# More birds\n\nA heron by the pond.\n", encoding="utf-8")
    build_index(folder, tmp_path / "index")
    assert Engine(tmp_path / "index").search("kingfsher").suggestion == "kingfisher"
    (folder / "birds.md").unlink()
    build_index(folder, tmp_path / "index")
    assert Engine(tmp_path / "index").search("kingfsher").suggestion is None


def test_a_word_only_in_a_title_is_not_taken_for_a_typo(tmp_path):
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "a.md").write_text("# Allotment\n\nBeans and peas in rows.\n", encoding="utf-8")
    (folder / "b.md").write_text("# Shed\n\nThe allotmant key hangs by the door.\n", encoding="utf-8")
    build_index(folder, tmp_path / "index")
    response = Engine(tmp_path / "index").search("allotment")
    assert response.suggestion is None
    assert response.results[0].path.endswith("a.md")


def test_a_parallel_build_that_fails_stops_its_workers_and_keeps_the_old_index(tmp_path, monkeypatch):
    """Regression: Whoosh's parallel writer, cancelled, left its workers waiting for work (and a
    process that had built in parallel then waited for them at exit)."""
    import multiprocessing

    import indexer.ingest
    from indexer.build import BuildError

    build_index(NOTES, tmp_path / "index")
    before = Engine(tmp_path / "index").search("compost").results
    build_in_parallel(monkeypatch, memory_mb=0.02)
    calls = []
    real = indexer.ingest.make_passages

    def failing(structure):  # in each worker (forked with it), the third file it cuts
        calls.append(structure)
        if len(calls) == 3:
            raise OSError("disk full (simulated)")
        return real(structure)

    monkeypatch.setattr("indexer.ingest.make_passages", failing)
    try:
        build_index(NOTES, tmp_path / "index", rebuild=True)
    except BuildError as error:
        assert "simulated" in str(error)
    else:
        raise AssertionError("the build did not fail")
    assert multiprocessing.active_children() == []
    assert Engine(tmp_path / "index").search("compost").results == before


LEXICON_FILES = ("vocabulary.txt", "synonyms.json", "synonyms-forward.json", "common-words.json")


def lexicon(index_dir: Path) -> dict[str, bytes]:
    generation = index_dir / current_generation(index_dir)
    return {name: (generation / name).read_bytes() for name in LEXICON_FILES}


def test_an_update_writes_the_lexicon_a_full_build_writes(tmp_path):
    """An update derives its vocabulary from the previous one and the new segment's words,
    without reading the whole index: the same files as a full build of the same segments."""
    import indexer.build

    folder = tmp_path / "notes"
    shutil.copytree(NOTES, folder)
    build_index(folder, tmp_path / "index")
    edits = [("new.md", "# New\n\nA heron by the pond, a kingfisher over the weir.\n"),  # new words
             ("garden.md", "# Garden\n\nCompost and volunteers.\n"),  # words the index has
             ("bakery.md", None)]  # removed: its words stay until a merge, as in Whoosh's lexicon
    for name, text in edits:
        if text is None:
            (folder / name).unlink()
        else:
            (folder / name).write_text(text, encoding="utf-8")
        report = build_index(folder, tmp_path / "index")
        assert not report.full_rebuild
        written = lexicon(tmp_path / "index")
        generation = tmp_path / "index" / current_generation(tmp_path / "index")
        for path in LEXICON_FILES:
            (generation / path).unlink()
        indexer.build._write_synonyms(generation, None)  # the whole index read, as a full build does
        assert lexicon(tmp_path / "index") == written, name


def test_an_update_that_brings_no_new_word_links_the_lexicon(tmp_path):
    folder = tmp_path / "notes"
    shutil.copytree(NOTES, folder)
    build_index(folder, tmp_path / "index")
    before = tmp_path / "index" / current_generation(tmp_path / "index")
    inodes = [(before / name).stat().st_ino for name in LEXICON_FILES]
    with open(folder / "garden.md", "a", encoding="utf-8") as notes:
        notes.write("\nCompost.\n")
    build_index(folder, tmp_path / "index")
    after = tmp_path / "index" / current_generation(tmp_path / "index")
    assert after != before
    assert [(after / name).stat().st_ino for name in LEXICON_FILES] == inodes


def test_a_word_broken_across_lines_by_a_typesetter_is_found_and_cited_as_written(tmp_path):
    folder = tmp_path / "manuals"
    folder.mkdir()
    page = ("ASCII(7)                Linux Programmer's Manual               ASCII(7)\n\nDESCRIPTION\n"
            "       On older terminals the caret is displayed as an up-arrow and the verti\u2010\n"
            "       cal bar as a broken bar.\n")
    (folder / "ascii.7.txt").write_text(page, encoding="utf-8")
    build_index(folder, tmp_path / "index")
    (hit,) = Engine(tmp_path / "index").search("vertical").results
    lines = page.splitlines()[hit.line_start - 1 : hit.line_end]
    assert " ".join(hit.text.split()) in " ".join(" ".join(lines).split())  # the passage as the file has it
    assert "the vertical bar" in hit.snippet and any(hit.snippet[a:b] == "vertical" for a, b in hit.highlights)
