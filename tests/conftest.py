"""Shared fixtures: indexes built once per session from real files on disk."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from indexer.build import build_index
from search.engine import Engine

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
NOTES = ROOT / "tests" / "data" / "notes"
SCHEMA_FILE = ROOT / "search" / "answer.schema.json"


@pytest.fixture(scope="session", autouse=True)
def _run_from_project_root():
    """Cited paths are relative to the working folder: run as a user would, from the root."""
    import os

    previous = os.getcwd()
    os.chdir(ROOT)
    yield
    os.chdir(previous)


@pytest.fixture(scope="session")
def seeds_index(tmp_path_factory, _run_from_project_root) -> Path:
    """An index of seeds/ (read-only: tests that change an index build their own)."""
    index_dir = tmp_path_factory.mktemp("seeds-index")
    build_index(SEEDS, index_dir)
    return index_dir


@pytest.fixture(scope="session")
def engine(seeds_index) -> Engine:
    return Engine(seeds_index)


@pytest.fixture(scope="session")
def notes_index(tmp_path_factory, _run_from_project_root) -> Path:
    index_dir = tmp_path_factory.mktemp("notes-index")
    build_index(NOTES, index_dir)
    return index_dir


@pytest.fixture(scope="session")
def notes_engine(notes_index) -> Engine:
    return Engine(notes_index)


@pytest.fixture(scope="session")
def answer_validator():
    import jsonschema

    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema)


@pytest.fixture()
def app(seeds_index):
    """The web app over the seeds index (flaskr's `app` and `client` fixtures)."""
    from web.app import create_app

    return create_app({"INDEX_DIR": str(seeds_index), "TESTING": True})


@pytest.fixture()
def client(app):
    return app.test_client()
