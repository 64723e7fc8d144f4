"""The 1,000,000-passage corpus of `make bench-scale`, made offline from Python's own documentation.

The notes of bench/corpus.py (pydoc topics, standard-library docstrings and comments, the bundled
pip and setuptools wheels: about 80,000 passages on Python 3.11) make the first edition. Each
later edition is the same notes with their uncommon words moved around: every word outside the
COMMON_WORDS most frequent ones is replaced, wherever it stands, by the word a seeded shuffle of
the uncommon words puts in its place (its capitals kept). The editions keep the notes' structure,
lengths, common words and the spread of word frequencies, but not their word pairs: a passage of
edition 7 is no copy of one of edition 1 (copies would be merged as near-duplicates and tie in
every score), and a two-word query finds about as many passages as it would in one large
collection. The vocabulary does not grow with the editions, where a real collection's would.

Each edition is a folder (edition-01, edition-02, ...) of one file per note. The count of passages
each note gives is measured once on the first edition (Liner's own chunker) and assumed for its
variants (the chunker cuts at sentences and headings, which the substitution leaves in place): the
corpus comes within a fraction of a percent of the target, and the benchmark reports the number
Liner's build indexed. The same Python build gives the same corpus byte for byte; it is kept in
bench/.work/ and made again only when RECIPE changes.
"""
from __future__ import annotations

import json
import random
import re
import shutil
import sys
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from bench.corpus import WORK_DIR, _chunk, _slug, source_notes

RECIPE = 1  # bump when the way the corpus is made changes
COMMON_WORDS = 3000  # the most frequent words, left in place in every edition
SEED = 20261129
_WORD = re.compile(r"[A-Za-z]+")


@dataclass(frozen=True)
class LargeCorpus:
    folder: Path
    files: int
    passages: int  # as counted when it was made (Liner's build reports the exact number)
    editions: int


def make_large_corpus(target: int, work_dir: Path = WORK_DIR) -> LargeCorpus:
    """The corpus of about `target` passages in `work_dir/corpus-<target>` (kept between runs)."""
    folder = work_dir / f"corpus-{target}"
    stamp = folder / ".recipe.json"
    recipe = {"recipe": RECIPE, "python": list(sys.version_info[:3]), "target": target}
    if stamp.exists():
        made = json.loads(stamp.read_text(encoding="utf-8"))
        if made.get("made") == recipe:
            return LargeCorpus(folder, made["files"], made["passages"], made["editions"])
    notes = [(name, text) for name, text in source_notes()]
    counts = passage_counts(notes, work_dir)
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    uncommon = uncommon_words(notes)
    written = files = editions = 0
    while written < target:
        editions += 1
        edition = folder / f"edition-{editions:02d}"
        edition.mkdir()
        mapping = _mapping(uncommon, editions)
        for number, ((name, text), count) in enumerate(zip(notes, counts)):
            if written >= target:
                break
            if not count:
                continue
            (edition / f"{number:05d}_{_slug(name)}.txt").write_text(_variant(text, mapping), encoding="utf-8")
            written += count
            files += 1
    stamp.write_text(json.dumps({"made": recipe, "files": files, "passages": written, "editions": editions}),
                     encoding="utf-8")
    return LargeCorpus(folder, files, written, editions)


def passage_counts(notes: list[tuple[str, str]], work_dir: Path) -> list[int]:
    """How many passages Liner's chunker cuts from each note (cached in `work_dir`)."""
    cache = work_dir / f"note-passages-{sys.version_info.major}.{sys.version_info.minor}.{sys.version_info.micro}.json"
    if cache.exists():
        counts = json.loads(cache.read_text(encoding="utf-8"))
        if len(counts) == len(notes):
            return counts
    scratch = work_dir / "counting"
    scratch.mkdir(parents=True, exist_ok=True)
    with ProcessPoolExecutor(max_workers=2) as pool:
        counts = list(pool.map(_count, [scratch / f"{n:05d}.txt" for n in range(len(notes))],
                               [text for _, text in notes], chunksize=64))
    shutil.rmtree(scratch, ignore_errors=True)
    cache.write_text(json.dumps(counts), encoding="utf-8")
    return counts


def _count(path: Path, text: str) -> int:
    return len(_chunk(path, text))


def uncommon_words(notes: list[tuple[str, str]]) -> list[str]:
    """The notes' words (lower case) outside the COMMON_WORDS most frequent, in a fixed order."""
    frequency = Counter(word.lower() for _, text in notes for word in _WORD.findall(text))
    ranked = sorted(frequency, key=lambda word: (-frequency[word], word))
    return sorted(ranked[COMMON_WORDS:])


def _mapping(uncommon: list[str], edition: int) -> dict[str, str]:
    """Edition 1 keeps every word; a later one moves each uncommon word to another's place."""
    if edition == 1:
        return {}
    shuffled = list(uncommon)
    random.Random(f"{SEED}-{edition}").shuffle(shuffled)
    return dict(zip(uncommon, shuffled))


def _variant(text: str, mapping: dict[str, str]) -> str:
    if not mapping:
        return text

    def replace(match: re.Match) -> str:
        word = match.group()
        other = mapping.get(word.lower())
        if other is None:
            return word
        if word.isupper() and len(word) > 1:
            return other.upper()
        return other.capitalize() if word[0].isupper() else other

    return _WORD.sub(replace, text)
