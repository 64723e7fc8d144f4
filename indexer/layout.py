"""The layout of an index folder, shared by the build that writes it and the engine that reads it.

    CURRENT          name of the generation readers open (replaced atomically)
    gen-<id>/        a complete Whoosh index, manifest.json (what was indexed, from where, and
                     the size of every index file), the lexicon files of indexer/synonyms.py, and
                     readers.lock, which every process that reads the generation holds shared
    write.lock       held (flock) by the one build that may write
"""
from __future__ import annotations

import json
from pathlib import Path

CURRENT_FILE = "CURRENT"
LOCK_FILE = "write.lock"
READERS_LOCK_FILE = "readers.lock"  # in a generation: held shared by its readers (indexer/generations.py)
MANIFEST_FILE = "manifest.json"
FILES_FILE = "files.json"  # the manifest's table of files, kept apart (Manifest reads it when asked)
SYNONYMS_FILE = "synonyms.json"  # synonym stem -> indexed words (read by queries)
SYNONYMS_FORWARD_FILE = "synonyms-forward.json"  # indexed word -> synonyms, common or not (read by builds)
COMMON_WORDS_FILE = "common-words.json"  # indexed words that are ordinary English words (read by queries)
VOCABULARY_FILE = "vocabulary.txt"  # the words as written, by first letter (typo candidates: search/typos.py)
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
    if not isinstance(manifest, dict) or manifest.get("format") != MANIFEST_FORMAT:
        return None
    return Manifest(manifest, Path(generation_dir))


class Manifest(dict):
    """A generation's manifest, whose "files" table is read from FILES_FILE when first asked for
    (an older manifest holds it inline). At 1,000,000 passages the table is megabytes of JSON that
    a question never needs.

    :raise ValueError: (on reading "files") the table is missing or unreadable.
    """

    def __init__(self, data: dict, folder: Path) -> None:
        super().__init__(data)
        self._folder = folder

    def _load_files(self) -> None:
        if not dict.__contains__(self, "files"):
            try:
                files = json.loads((self._folder / FILES_FILE).read_text(encoding="utf-8"))
            except OSError as error:
                raise ValueError(f"{FILES_FILE} cannot be read ({error.strerror or error})") from None
            dict.__setitem__(self, "files", files if isinstance(files, dict) else {})

    def __getitem__(self, key):
        if key == "files":
            self._load_files()
        return super().__getitem__(key)

    def get(self, key, default=None):
        if key == "files":
            self._load_files()
        return super().get(key, default)

    def __contains__(self, key) -> bool:
        return key == "files" or super().__contains__(key)

    @property
    def file_count(self) -> int:
        count = super().get("file_count")
        return count if isinstance(count, int) else len(self.get("files", {}))


def display_prefix(files: dict[str, dict]) -> str | None:
    """What every file's path as cited has before its path in the folder (the folder as seen from
    where the build ran: "seeds/", "/home/me/notes/"), when that is one string for all of them;
    None when it is not (a build run inside the folder it indexes)."""
    prefix = None
    for display, entry in files.items():
        relative = entry.get("relative_path", "")
        if not display.endswith(relative):
            return None
        own = display[:len(display) - len(relative)]
        if prefix is None:
            prefix = own
        elif own != prefix:
            return None
    return prefix


def write_vocabulary(path: Path, words: list[str]) -> None:
    """The words (sorted, as a lexicon lists them) for typo correction: a first line of JSON that
    says where each first letter's words are ({"letters": {letter: [offset, length]}}, offsets
    from the end of that line), then the words one per line. A query with a typo reads its
    word's letter only, however large the vocabulary."""
    letters: dict[str, list[int]] = {}
    body = bytearray()
    for word in words:
        start = len(body)
        body += word.encode("utf-8") + b"\n"
        letter = letters.setdefault(word[:1], [start, 0])
        letter[1] = len(body) - letter[0]
    header = json.dumps({"format": 1, "letters": letters}, ensure_ascii=False, separators=(",", ":"))
    with open(path, "wb") as handle:
        handle.write(header.encode("utf-8") + b"\n" + bytes(body))


def read_vocabulary(path: Path) -> list[str] | None:
    """The words write_vocabulary wrote, in their order; None when the file is missing or not
    of that format (an update then reads the vocabulary from the index instead)."""
    try:
        with open(path, "rb") as handle:
            header = json.loads(handle.readline())
            body = handle.read().decode("utf-8")
    except (OSError, ValueError):  # UnicodeDecodeError is a ValueError
        return None
    if not isinstance(header, dict) or header.get("format") != 1:
        return None
    return body.split("\n")[:-1]  # each word ends with a line feed (not splitlines: it splits at more)
