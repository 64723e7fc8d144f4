"""indexer/generations.py and layout.py: a generation stays while a reader holds it and goes once
none does; an update shares the previous generation's segments; the table of files and the
typo vocabulary are read only when needed."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from indexer.build import build_index
from indexer.layout import FILES_FILE, MANIFEST_FILE, VOCABULARY_FILE, current_generation, read_manifest
from search.engine import Engine
from search.paths import CitedPaths, shown_path
from search.typos import Vocabulary

NOTES = Path("tests/data/notes")


def generations(index_dir: Path) -> list[str]:
    return sorted(path.name for path in index_dir.iterdir() if path.is_dir() and path.name.startswith("gen-"))


def test_a_rebuild_nobody_reads_leaves_one_generation(tmp_path):
    build_index(NOTES, tmp_path / "index")
    build_index(NOTES, tmp_path / "index", rebuild=True)
    assert generations(tmp_path / "index") == [current_generation(tmp_path / "index")]


def test_a_generation_a_reader_holds_stays_until_it_moves_on(tmp_path):
    folder = tmp_path / "notes"
    shutil.copytree(NOTES, folder)
    build_index(folder, tmp_path / "index")
    first = current_generation(tmp_path / "index")
    engine = Engine(tmp_path / "index")
    assert engine.search("compost").results
    build_index(folder, tmp_path / "index", rebuild=True)
    assert first in generations(tmp_path / "index")  # the engine still reads it
    assert engine.search("compost").results  # it moves on, and lets the old one go
    assert generations(tmp_path / "index") == [current_generation(tmp_path / "index")]


def test_a_generation_another_process_holds_is_kept_by_the_build(tmp_path):
    build_index(NOTES, tmp_path / "index")
    first = current_generation(tmp_path / "index")
    reader = subprocess.Popen([sys.executable, "-c", "import sys, time; from search.engine import Engine; "
                               "e = Engine(sys.argv[1]); e.search('compost'); print('open', flush=True); "
                               "sys.stdin.readline()", str(tmp_path / "index")],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert reader.stdout.readline().strip() == "open"
        build_index(NOTES, tmp_path / "index", rebuild=True)
        assert first in generations(tmp_path / "index")
    finally:
        reader.communicate("\n", timeout=60)
    build_index(NOTES, tmp_path / "index", rebuild=True)  # nobody holds it now
    assert generations(tmp_path / "index") == [current_generation(tmp_path / "index")]


def test_an_update_shares_the_unchanged_segments_with_the_generation_before(tmp_path):
    folder = tmp_path / "notes"
    shutil.copytree(NOTES, folder)
    build_index(folder, tmp_path / "index")
    before = tmp_path / "index" / current_generation(tmp_path / "index")
    segment = next(before.glob("MAIN_*.pst"))
    engine = Engine(tmp_path / "index")  # holds the generation, so both stay to be compared
    (folder / "new.md").write_text("# New\n\nA heron by the pond.\n", encoding="utf-8")
    report = build_index(folder, tmp_path / "index")
    after = tmp_path / "index" / current_generation(tmp_path / "index")
    assert report.files_indexed == 1 and after != before
    assert (after / segment.name).stat().st_ino == segment.stat().st_ino  # one file, two names
    assert [hit.path for hit in Engine(tmp_path / "index").search("heron").results][0].endswith("new.md")
    del engine


def test_the_table_of_files_is_read_only_when_asked_for(tmp_path, monkeypatch):
    build_index(NOTES, tmp_path / "index")
    generation = tmp_path / "index" / current_generation(tmp_path / "index")
    assert "files" not in json.loads((generation / MANIFEST_FILE).read_text(encoding="utf-8"))
    table = json.loads((generation / FILES_FILE).read_text(encoding="utf-8"))

    def not_now(self):
        raise AssertionError("a search read the table of files")

    monkeypatch.setattr("indexer.layout.Manifest._load_files", not_now)
    engine = Engine(tmp_path / "index")
    response = engine.ask("Who runs the food pantry?")  # cites its paths without the table
    assert response.results and engine.stats["files"] == len(table)
    monkeypatch.undo()
    assert {hit.path for hit in response.results} <= set(read_manifest(tmp_path / "index")["files"]) == set(table)


def test_cited_paths_are_the_same_with_the_prefix_or_the_table(tmp_path):
    build_index(NOTES, tmp_path / "index")
    manifest = read_manifest(tmp_path / "index")
    with_prefix = CitedPaths(manifest)
    without = CitedPaths({**{k: v for k, v in manifest.items()}, "files": manifest["files"], "display_prefix": None})
    for stored in manifest["files"]:
        assert with_prefix.shown(stored, cwd=tmp_path) == without.shown(stored, cwd=tmp_path)
        assert with_prefix.stored(with_prefix.shown(stored)) == stored


def test_the_vocabulary_file_gives_the_candidates_the_index_would(tmp_path):
    build_index(Path("seeds"), tmp_path / "index")
    generation = tmp_path / "index" / current_generation(tmp_path / "index")
    from_file = Vocabulary.from_file(generation / VOCABULARY_FILE)
    with Engine(tmp_path / "index").index.view().searcher.reader() as reader:
        from_field = Vocabulary.of_field(reader, "words")
    for word in ("jonna", "kasem", "netflx", "soundtrak", "ojanna", "zzzzz", "émile"):
        assert from_file.within(word, 2) == from_field.within(word, 2)


def test_a_cited_source_keeps_every_field_but_its_path(tmp_path):
    """CitedPaths.apply makes each also_in SourceRef anew: all its fields carried over (a PDF's
    page too), its path shown from the working folder."""
    from dataclasses import fields

    from search.response import Hit, Response, SourceRef

    # apply names these four: a field added to SourceRef must be carried over there too
    assert [field.name for field in fields(SourceRef)] == ["path", "line_start", "line_end", "page"]
    build_index(NOTES, tmp_path / "index")
    manifest = read_manifest(tmp_path / "index")
    paths = CitedPaths(manifest)
    stored = next(iter(manifest["files"]))
    ref = SourceRef(stored, 3, 5, page=2)
    hit = Hit(1, 1.0, stored, "t", None, 1, 2, "text", "text", [], also_in=[ref])
    shown = paths.apply(Response("q", [hit], 1, 0.0)).results[0].also_in[0]
    assert shown.path == paths.shown(stored)
    assert {f.name: getattr(shown, f.name) for f in fields(SourceRef) if f.name != "path"} == \
        {f.name: getattr(ref, f.name) for f in fields(SourceRef) if f.name != "path"}


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["a", "b", "docs", "é", "x.md", ".", "..", "", " ", "a b", "\\"]), min_size=1, max_size=4),
       st.lists(st.sampled_from(["a", "b", "docs", "é", ".", "..", "", "x.md"]), min_size=0, max_size=3),
       st.lists(st.sampled_from(["a", "b", "docs", "é", "", ".", "x.md", ".."]), min_size=0, max_size=4),
       st.booleans())
def test_a_shown_path_made_by_string_is_the_one_path_objects_make(relative, root, cwd, trailing):
    """CitedPaths makes a plain path's shown form by string: for any root, working folder and
    relative path (odd ones go through Path), it is shown_path(root / relative, cwd)."""
    root_text = "/" + "/".join(root) + ("/" if trailing else "")
    cwd_text = "/" + "/".join(cwd)
    relative_text = "/".join(relative)
    if not relative_text:
        return
    paths = CitedPaths({"root": root_text, "display_prefix": "stored/"})
    assert paths.shown("stored/" + relative_text, cwd=cwd_text) == \
        shown_path(Path(root_text) / relative_text, Path(cwd_text))


def test_a_query_cites_its_paths_as_the_generation_it_searched_names_them(tmp_path, monkeypatch):
    # A build from another folder switches CURRENT while a query runs: the passages the query
    # found are the first folder's, and so must the paths they are cited by be. The builds run
    # in tmp_path (so they store paths relative to it) and the queries in another folder: a path
    # cited through the second generation's manifest would be the first's stored path, as is.
    for name in ("first", "second", "elsewhere"):
        (tmp_path / name).mkdir()
    for name in ("first", "second"):
        (tmp_path / name / "heron.md").write_text(f"# Herons\n\nA grey heron waded in the {name} pond.\n")

    def build(folder, index_dir):
        with monkeypatch.context() as inside:
            inside.chdir(tmp_path)
            build_index(Path(folder), index_dir)

    def opens(path):  # the file a cited path opens from the folder the query ran in
        return (tmp_path / "elsewhere" / path).resolve()

    monkeypatch.chdir(tmp_path / "elsewhere")
    for query in (lambda engine: engine.search("heron"), lambda engine: engine.ask("Where did the heron wade?")):
        index_dir = tmp_path / f"index-{id(query)}"
        build("first", index_dir)
        engine = Engine(index_dir)
        opened_view = engine.index.view

        def view_then_rebuild():
            view = opened_view()
            build("second", index_dir)
            return view

        with monkeypatch.context() as patch:
            patch.setattr(engine.index, "view", view_then_rebuild)
            hit = query(engine).results[0]
        assert "first pond" in hit.text and opens(hit.path) == tmp_path / "first" / "heron.md", hit.path
        assert opens(engine.search("heron").results[0].path) == tmp_path / "second" / "heron.md"
