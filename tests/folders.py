"""Folders nested deeper than pytest can clean up, for the tests of the folder walk."""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest


@pytest.fixture
def deep_tmp_path(tmp_path):
    """tmp_path, emptied with `rm -rf` afterwards: pytest's own clean-up (shutil.rmtree) recurses
    and overflows on folders nested a thousand deep."""
    yield tmp_path
    subprocess.run(["rm", "-rf", str(tmp_path)], check=False)


def nest(folder: Path, depth: int, name: bytes = b"d") -> None:
    """`depth` folders one inside the other under `folder`, a note at the bottom, made through
    directory descriptors so that no path grows past what the system takes."""
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        for _ in range(depth):
            os.mkdir(name, dir_fd=descriptor)
            inner = os.open(name, os.O_RDONLY, dir_fd=descriptor)
            os.close(descriptor)
            descriptor = inner
        note = os.open("deep.md", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=descriptor)
        os.write(note, b"# Deep\n\nA bathyscaphe at the bottom.\n")
        os.close(note)
    finally:
        os.close(descriptor)
