"""The layout of an index folder, shared by the build that writes it and the engine that reads it.

    CURRENT          name of the generation readers open (replaced atomically)
    gen-<id>/        a complete Whoosh index, manifest.json (what was indexed, from where, and
                     the size of every index file) and the lexicon files of indexer/synonyms.py
    write.lock       held (flock) by the one build that may write
"""
from __future__ import annotations

import json
from pathlib import Path

CURRENT_FILE = "CURRENT"
LOCK_FILE = "write.lock"
MANIFEST_FILE = "manifest.json"
SYNONYMS_FILE = "synonyms.json"  # synonym stem -> indexed words (read by queries)
SYNONYMS_FORWARD_FILE = "synonyms-forward.json"  # indexed word -> synonyms, common or not (read by builds)
COMMON_WORDS_FILE = "common-words.json"  # indexed words that are ordinary English words (read by queries)
MANIFEST_FORMAT = 1
GENERATION_PREFIX = "gen-"


def current_generation(index_dir: Path) -> str | None:
    """The generation readers should open, or None when nothing was built yet."""
    try:
        # Garbage in CURRENT becomes a name no generation has (so: corrupt, rebuild), not a crash.
        name = (Path(index_dir) / CURRENT_FILE).read_text(encoding="utf-8", errors="replace").strip()
    except FileNotFoundError:
        return None
    return name or None


def read_manifest(index_dir: Path, generation: str | None = None) -> dict | None:
    """The manifest of the current generation (or of `generation`); None when it is missing or
    unreadable.

    :raise ValueError: an index file the build wrote is missing or has changed size (a truncated
        or damaged index).
    """
    generation = generation or current_generation(index_dir)
    if not generation:
        return None
    manifest = read_generation_manifest(Path(index_dir) / generation)
    if manifest is not None:
        check_index_files(Path(index_dir) / generation, manifest)
    return manifest


def check_index_files(generation_dir: Path, manifest: dict) -> None:
    """Check that every index file listed in `manifest` is in `generation_dir` at the size the
    build wrote (one stat per file: catches deleted and truncated segments before Whoosh trips on
    them; a changed byte inside a file of the right size is not caught).

    :raise ValueError: a listed file is missing or has another size.
    """
    for name, size in manifest.get("index_files", {}).items():
        try:
            actual = (generation_dir / name).stat().st_size
        except OSError:
            raise ValueError(f"index file {name} is missing") from None
        if actual != size:
            raise ValueError(f"index file {name} is {actual:,} bytes; the build wrote {size:,}")


def read_generation_manifest(generation_dir: Path) -> dict | None:
    """The manifest of one generation folder; None when missing, unreadable or of another format."""
    try:
        manifest = json.loads((generation_dir / MANIFEST_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return manifest if isinstance(manifest, dict) and manifest.get("format") == MANIFEST_FORMAT else None
