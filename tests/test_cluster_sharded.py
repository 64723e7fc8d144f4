"""A sharded index ranks and answers exactly as one index over the same files, without a cluster:
the shards built one after another in this process and the fan-out run in-process
(search/cluster/fanout.py's LocalFanOut). tests/test_cluster.py runs the same on a Ray cluster."""
from __future__ import annotations

import json
import shutil
import time
from collections import Counter
from pathlib import Path

import pytest
from whoosh import index as whoosh_index

from indexer.layout import current_generation, read_manifest
from search.cluster.build import build_sharded, run_here
from search.cluster.fanout import LocalFanOut, merge_ranked
from search.cluster.layout import shard_of, term_statistics_file
from search.cluster.scoring import global_term_count, query_statistics
from search.cluster.sharded import ShardedIndex
from search.cluster.shards import ShardSearcher
from search.cluster.stats import COUNTED_FIELDS, SCORED_FIELDS, read_statistics
from search.engine import Engine
from search.expansion import common_terms
from search.query import build_query, parse_query
from search.query_nodes import _CoordMatcher
from search.questions import analyse_question
from search.retrieval import Ranked, retrieve, tiers
from tests.conftest import NOTES, ROOT, SEEDS

SHARDS = 3


def local_engine(index_dir: Path) -> Engine:
    def fan_out(generation):
        searchers = [ShardSearcher(index_dir, shard) for shard in range(len(generation.shard_generations))]
        return LocalFanOut(searchers, generation.shard_generations, generation.stats)

    return Engine(index=ShardedIndex(index_dir, fan_out))


def comparable(response) -> dict:
    """The whole JSON response, less the time taken and Whoosh's estimate of the matches."""
    data = response.to_dict()
    data.pop("took_ms")
    data.pop("total")
    return data


def questions(qa: Path) -> list[str]:
    return [json.loads(line)["question"] for line in qa.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="module")
def seeds_sharded(tmp_path_factory, _run_from_project_root) -> Path:
    index_dir = tmp_path_factory.mktemp("seeds-sharded")
    build_sharded(SEEDS, index_dir, SHARDS, run_here)
    return index_dir


@pytest.fixture(scope="module")
def notes_sharded(tmp_path_factory, _run_from_project_root) -> Path:
    index_dir = tmp_path_factory.mktemp("notes-sharded")
    build_sharded(NOTES, index_dir, SHARDS, run_here)
    return index_dir


def test_shard_of_is_stable_and_spreads_files():
    assert shard_of("seeds/003_77ca1b77362e00a9.txt", 3) == shard_of("seeds/003_77ca1b77362e00a9.txt", 3)
    counts = Counter(shard_of(f"notes/file-{number}.md", 3) for number in range(3000))
    assert set(counts) == {0, 1, 2} and min(counts.values()) > 900


def test_every_file_is_in_exactly_one_shard(seeds_sharded, seeds_index):
    single = Engine(seeds_index).indexed_paths()
    per_shard = []
    for shard in range(SHARDS):
        manifest = read_manifest(seeds_sharded / f"shard-{shard:03d}")
        per_shard += list(manifest["files"])
        assert all(shard_of(path, SHARDS) == shard for path in manifest["files"])
    assert sorted(per_shard) == single


def test_merged_statistics_are_those_of_one_index(seeds_sharded, seeds_index):
    stats = read_statistics(term_statistics_file(seeds_sharded / current_generation(seeds_sharded)))
    with whoosh_index.open_dir(str(seeds_index / current_generation(seeds_index))).reader() as reader:
        assert stats.doc_count_all == reader.doc_count_all() and stats.doc_count == reader.doc_count()
        for field in SCORED_FIELDS:
            assert stats.field_length[field] == reader.field_length(field)
        for field in COUNTED_FIELDS:
            single = {term.decode() if isinstance(term, bytes) else term: info.doc_frequency()
                      for term, info in reader.iter_field(field)}
            assert stats.frequency[field] == single, field


@pytest.mark.parametrize("corpus", ["seeds", "notes"])
def test_bm25f_scores_passage_by_passage(corpus, seeds_index, notes_index, seeds_sharded, notes_sharded):
    """Every question's retrieved passages, in order, with their BM25F scores: equal."""
    single_dir, sharded_dir, qa = {
        "seeds": (seeds_index, seeds_sharded, ROOT / "eval" / "qa_seeds.jsonl"),
        "notes": (notes_index, notes_sharded, ROOT / "tests" / "data" / "notes_qa.jsonl"),
    }[corpus]
    single, sharded = Engine(single_dir).index.view(), local_engine(sharded_dir).index.view()
    compared = 0
    for question in questions(qa):
        parsed = parse_query(analyse_question(question).search_text)
        got = retrieve(sharded, parsed, {}, all_words_first=False).passages
        expected = retrieve(single, parsed, {}, all_words_first=False).passages
        assert [(p.passage_id, p.bm25) for p in got] == [(p.passage_id, p.bm25) for p in expected], question
        compared += len(expected)
    assert compared > 100


@pytest.mark.parametrize("corpus", ["seeds", "notes"])
def test_answers_and_rankings_as_one_index(corpus, engine, notes_engine, seeds_sharded, notes_sharded):
    single, sharded_dir, qa = {
        "seeds": (engine, seeds_sharded, ROOT / "eval" / "qa_seeds.jsonl"),
        "notes": (notes_engine, notes_sharded, ROOT / "tests" / "data" / "notes_qa.jsonl"),
    }[corpus]
    sharded = local_engine(sharded_dir)
    for question in questions(qa):
        assert comparable(sharded.ask(question)) == comparable(single.ask(question)), question
        assert comparable(sharded.search(question)) == comparable(single.search(question)), question


def test_coordination_counts_the_terms_one_index_holds(seeds_index, seeds_sharded):
    """global_term_count is what Whoosh counts on one index, for every query the QA set makes."""
    view = Engine(seeds_index).index.view()
    stats = read_statistics(term_statistics_file(seeds_sharded / current_generation(seeds_sharded)))
    checked = 0
    for question in questions(ROOT / "eval" / "qa_seeds.jsonl") + ['"pennies from heaven" netflix crown']:
        parsed = parse_query(question)
        common = common_terms(parsed, view.counts)
        for must in tiers(parsed, {}, view.counts, 30, False, common) + [None]:
            query = build_query(parsed, {}, must=must, common=common if must is None else frozenset())
            matcher = query.matcher(view.searcher)
            if isinstance(matcher, _CoordMatcher):
                assert global_term_count(query, query_statistics(stats, query)) == matcher._termcount, question
                checked += 1
    assert checked > 50


def test_an_incremental_build_touches_only_the_changed_shard(tmp_path, _run_from_project_root):
    folder = tmp_path / "notes"
    shutil.copytree(NOTES, folder)
    index_dir = tmp_path / "index"
    first = build_sharded(folder, index_dir, SHARDS, run_here)
    assert first.shards_built == [0, 1, 2]
    assert build_sharded(folder, index_dir, SHARDS, run_here).shards_built == []
    changed = sorted(folder.rglob("*.md"))[0]
    time.sleep(0.01)
    changed.write_text(changed.read_text(encoding="utf-8") + "\nThe quartermaster is Zebulon Okonkwo.\n", encoding="utf-8")
    report = build_sharded(folder, index_dir, SHARDS, run_here)
    from indexer.documents import display_path_for
    assert report.shards_built == [shard_of(display_path_for(changed), SHARDS)]
    assert report.files_indexed == 1 and report.files_unchanged == first.files_indexed - 1
    answer = local_engine(index_dir).ask("Who is the quartermaster?").answer
    assert answer is not None and "Zebulon Okonkwo" in answer.text


def test_words_of_a_removed_file_are_no_longer_in_the_index(tmp_path, _run_from_project_root):
    folder = tmp_path / "notes"
    shutil.copytree(NOTES, folder)
    extra = folder / "extra.md"
    extra.write_text("# Extra\n\nThe mascot is a capybara named Quintessa.\n", encoding="utf-8")
    index_dir = tmp_path / "index"
    build_sharded(folder, index_dir, SHARDS, run_here)
    assert local_engine(index_dir).index.view().counts.in_index("quintessa")
    extra.unlink()
    build_sharded(folder, index_dir, SHARDS, run_here)
    counts = local_engine(index_dir).index.view().counts
    assert not counts.in_index("quintessa") and not counts.has_live_word("quintessa")


def test_a_shard_that_did_not_answer_is_named_in_the_notices():
    merged = merge_ranked([Ranked([], 4), None, Ranked([], 2)], 10, {1: "ActorDiedError on replica 2"})
    assert merged.total == 6
    assert merged.notices == ["shard 2 of 3 did not answer (ActorDiedError on replica 2); "
                              "results are partial: passages in its files are missing"]


def test_another_shard_count_needs_a_rebuild(tmp_path, _run_from_project_root):
    from search.cluster.build import ShardCountError

    build_sharded(NOTES, tmp_path / "index", 2, run_here)
    with pytest.raises(ShardCountError, match="--rebuild"):
        build_sharded(NOTES, tmp_path / "index", 3, run_here)
    assert build_sharded(NOTES, tmp_path / "index", 3, run_here, rebuild=True).shards == 3


def test_shards_without_a_cluster_is_a_usage_error(tmp_path):
    from click.testing import CliRunner

    from search.cli import main

    result = CliRunner().invoke(main, ["index", str(NOTES), "--index", str(tmp_path / "i"), "--shards", "3"])
    assert result.exit_code == 2 and "--cluster ADDRESS" in result.output


def test_the_single_machine_path_never_imports_ray():
    import subprocess
    import sys

    code = ("import sys, search.cli, search.engine, web.app; from search.engine import Engine; "
            "sys.exit(1 if any(name == 'ray' or name.startswith('ray.') for name in sys.modules) else 0)")
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT).returncode == 0
