"""Cited paths as the user reads them: relative to the folder `liner` runs in, whatever folder
the index was built from.

A build stores each file's path as it was seen from the folder `liner index` ran in, and its path
relative to the indexed folder (`relative_path`) with that folder's absolute path (`root`), in the
manifest. A query shows each file relative to the current working folder (absolute when the file
is outside it), so `seeds/003.txt` cited from the project root opens from there, and the same
index queried from elsewhere cites paths that open from there. A shown path is also taken back
(the document view's URL, a path pasted from a citation).
"""
from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

from search.response import Response


class CitedPaths:
    """The paths of one generation's manifest, stored <-> shown from a working folder."""

    def __init__(self, manifest: dict) -> None:
        self.root = Path(manifest.get("root") or ".")
        self._files: dict = manifest.get("files", {})
        self._by_relative = {entry.get("relative_path"): stored for stored, entry in self._files.items()}

    def shown(self, stored: str, cwd: Path | None = None) -> str:
        """The stored path as the user in `cwd` (default: the current folder) opens it."""
        entry = self._files.get(stored)
        if entry is None or not entry.get("relative_path"):
            return stored
        return shown_path(self.root / entry["relative_path"], cwd or Path.cwd())

    def stored(self, shown: str, cwd: Path | None = None) -> str | None:
        """The stored path of a shown one; None when the index has no such file."""
        absolute = Path(os.path.normpath((cwd or Path.cwd()) / shown))
        try:
            relative = absolute.relative_to(self.root).as_posix()
        except ValueError:
            return None
        return self._by_relative.get(relative)

    def apply(self, response: Response) -> Response:
        """`response` with every cited path shown from the current folder."""
        cwd = Path.cwd()
        for hit in response.results:
            hit.path = self.shown(hit.path, cwd)
            hit.also_in = [replace(ref, path=self.shown(ref.path, cwd)) for ref in hit.also_in]
        if response.answer is not None:
            response.answer = replace(response.answer, path=self.shown(response.answer.path, cwd))
        response.conflicts = [replace(conflict, path=self.shown(conflict.path, cwd)) for conflict in response.conflicts]
        return response


def shown_path(file: Path, cwd: Path) -> str:
    """`file` relative to `cwd` when it is inside it, else absolute (as a build names files)."""
    try:
        return file.relative_to(cwd).as_posix()
    except ValueError:
        return file.as_posix()
