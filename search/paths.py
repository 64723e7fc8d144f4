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

from search.response import Response, SourceRef


class CitedPaths:
    """The paths of one generation's manifest, stored <-> shown from a working folder."""

    def __init__(self, manifest: dict) -> None:
        self.root = Path(manifest.get("root") or ".")
        self._manifest = manifest
        # Where every stored path is this prefix and the path in the folder (indexer/layout.py's
        # display_prefix), a shown path is made without the table of files.
        self._prefix: str | None = manifest.get("display_prefix")
        self._files: dict | None = None
        self._by_relative: dict | None = None
        # working folder (as os.getcwd() names it) -> stored path -> shown path: every query
        # shows its hits' paths, and making one cost more than the rest of a hit (two Path
        # objects and a relative_to); keyed by a string, as a Path in a key cost a Path.cwd()
        # and a Path comparison per lookup.
        self._shown: dict[str, dict[str, str]] = {}

    def _table(self) -> dict:
        if self._files is None:
            self._files = self._manifest.get("files", {})
            self._by_relative = {entry.get("relative_path"): stored for stored, entry in self._files.items()}
        return self._files

    def _relative(self, stored: str) -> str | None:
        if self._prefix is not None:
            return stored[len(self._prefix):] if stored.startswith(self._prefix) and len(stored) > len(self._prefix) else None
        entry = self._table().get(stored)
        return entry.get("relative_path") if entry else None

    def shown(self, stored: str, cwd: Path | None = None) -> str:
        """The stored path as the user in `cwd` (default: the current folder) opens it."""
        return self._shown_from(str(Path(cwd)) if cwd is not None else os.getcwd(), stored)

    def _shown_from(self, cwd: str, stored: str) -> str:
        table = self._shown.get(cwd)
        if table is None:
            table = self._shown[cwd] = {}
        shown = table.get(stored)
        if shown is None:
            relative = self._relative(stored)
            shown = table[stored] = self._shown_of(relative, cwd) if relative else stored
        return shown

    def _shown_of(self, relative: str, cwd: str) -> str:
        """shown_path(root / relative, cwd), by string where the three are plain (absolute root and
        folder, a relative path without empty, "." or ".." parts), as builds write them: Path
        objects cost about 15 us a file, paid for each new file a search cites."""
        root = str(self.root)
        if not (_plain_absolute(root) and _plain_absolute(cwd) and _plain(relative)):
            return shown_path(self.root / relative, Path(cwd))
        file = f"{root}/{relative}"
        if file == cwd:
            return "."
        return file[len(cwd) + 1:] if file.startswith(cwd + "/") else file

    def stored(self, shown: str, cwd: Path | None = None) -> str | None:
        """The stored path of a shown one; None when the index has no such file."""
        absolute = Path(os.path.normpath((cwd or Path.cwd()) / shown))
        try:
            relative = absolute.relative_to(self.root).as_posix()
        except ValueError:
            return None
        self._table()
        return self._by_relative.get(relative)

    def apply(self, response: Response) -> Response:
        """`response` with every cited path shown from the current folder."""
        cwd = os.getcwd()
        shown = self._shown_from
        for hit in response.results:
            hit.path = shown(cwd, hit.path)
            # made whole: dataclasses.replace looks up the fields of each, a tenth of a search's citing
            hit.also_in = [SourceRef(shown(cwd, ref.path), ref.line_start, ref.line_end, ref.page)
                           for ref in hit.also_in]
        if response.answer is not None:
            response.answer = replace(response.answer, path=shown(cwd, response.answer.path))
        response.conflicts = [replace(conflict, path=shown(cwd, conflict.path)) for conflict in response.conflicts]
        return response


def _plain_absolute(path: str) -> bool:
    """An absolute path as Path writes one, but its roots ("/", and "//", which POSIX keeps)."""
    return path.startswith("/") and not path.startswith("//") and not path.endswith("/")


def _plain(relative: str) -> bool:
    """A relative path Path would not change: no leading "/", no empty, "." or ".." part."""
    return not any(part in ("", ".", "..") for part in relative.split("/"))


def shown_path(file: Path, cwd: Path) -> str:
    """`file` relative to `cwd` when it is inside it, else absolute (as a build names files)."""
    try:
        return file.relative_to(cwd).as_posix()
    except ValueError:
        return file.as_posix()
