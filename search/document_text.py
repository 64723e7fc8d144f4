"""The text of an indexed file for the document view (Engine.document): what was indexed, or a
clear refusal.

The view cites lines of the file as it was indexed. A file may have changed since: grown by
100 MB, or been swapped for a link to another file's content. So the view reads no more than
the file's size at indexing time, and shows it only when its bytes are still those indexed (the
manifest's size and SHA-256); otherwise it says the file changed. A file too large to show is
refused before anything is read.
"""
from __future__ import annotations

import hashlib
import os
from pathlib import Path

from indexer.documents import DocumentError, SourceFile, document_from_bytes, os_path, read_regular_file
from indexer.view import DocumentText, view_of

# The largest file the view shows. Rendered, a note takes about 15 times its size in memory: a
# 2 MB note of 25,000 lines took 31 MB and 0.22 s to render, a 6.3 MB one 108 MB and 0.77 s (one
# thread, Flask's test client). At these limits eight threads of one worker stay near 250 MB.
MAX_VIEW_BYTES = 2 * 1024 * 1024
# Lines cost memory of their own (a line of markup each): 25,000 empty lines took 21 MB.
MAX_VIEW_LINES = 25_000


class DocumentChangedError(Exception):
    """The file is not as it was indexed (changed, grown, replaced, deleted or unreadable)."""


class DocumentTooLargeError(Exception):
    """The file is larger than the view shows."""


def indexed_document(manifest: dict, path: str, page: int | None = None) -> DocumentText | None:
    """The indexed file cited as `path`, as it was indexed and as the view shows it (one page of a
    PDF, `page`); None when no indexed file has that path (or its path would leave the indexed
    folder).

    :raise DocumentTooLargeError: over MAX_VIEW_BYTES or MAX_VIEW_LINES.
    :raise DocumentChangedError: its bytes are no longer those indexed.
    """
    entry = manifest.get("files", {}).get(path)
    if entry is None:
        return None
    root = Path(manifest["root"])
    file = (root / os_path(entry["relative_path"])).resolve()
    if not file.is_relative_to(root.resolve()):
        return None
    size = entry["size"]
    if size > MAX_VIEW_BYTES:
        raise DocumentTooLargeError(f"{path} is {size:,} bytes; the document view shows files of up to "
                                    f"{MAX_VIEW_BYTES // (1024 * 1024)} MB. Open it in an editor.")
    data = _read_as_indexed(file, path, size, entry["sha256"])
    try:
        document = document_from_bytes(SourceFile(file, entry["relative_path"], path, size, 0), data)
    except DocumentError as error:  # the same bytes were indexed: only if the indexer changed
        raise DocumentChangedError(f"{path} cannot be shown ({error}).") from None
    if len(document.lines) > MAX_VIEW_LINES:
        raise DocumentTooLargeError(f"{path} has {len(document.lines):,} lines; the document view shows files of up "
                                    f"to {MAX_VIEW_LINES:,} lines. Open it in an editor.")
    return view_of(document, page)


def _read_as_indexed(file: Path, path: str, size: int, sha256: str) -> bytes:
    """The file's bytes, read up to one byte past its indexed size.

    :raise DocumentChangedError: they are not the bytes that were indexed.
    """
    changed = f"{path} has changed since it was indexed"
    hint = "; run `liner index` to index it again, then reload."
    try:
        now = os.stat(file).st_size
        if now != size:
            raise DocumentChangedError(f"{changed} (it was {size:,} bytes, it is {now:,}){hint}")
        data = read_regular_file(file, size + 1)
    except FileNotFoundError:
        raise DocumentChangedError(f"{path} has been deleted or moved since it was indexed{hint}") from None
    except (OSError, DocumentError) as error:
        raise DocumentChangedError(f"{path} cannot be read now ({getattr(error, 'strerror', None) or error}).") from None
    if len(data) != size or hashlib.sha256(data).hexdigest() != sha256:
        raise DocumentChangedError(f"{changed} (its content differs){hint}")
    return data
