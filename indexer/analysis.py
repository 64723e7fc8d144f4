"""Text analysis shared by the indexer and the query side, so both see the same terms.

- Tokens are runs of word characters with inner apostrophes ("O’Brien", "didn't"); a possessive
  "'s" is dropped so "Nellie's" finds "Nellie"; accents are folded ("Raúl" = "Raul").
- The stemmed analyzer uses the Snowball English stemmer (Porter 2001, "Snowball: A language
  for stemming algorithms") as compiled to C by PyStemmer: the same algorithm NLTK implements in
  Python, thirty times faster per word, and importing it costs 2 ms where NLTK costs 300 ms of
  every `liner ask`. Stop words are kept in the index:
  removing them would shift positions and break phrases such as "Pennies From Heaven"; they are
  dropped from keyword queries instead (search/query.py).
- Words as written (normalised, unstemmed: `exact_words`) feed typo correction, so a name is
  corrected to a word that really stands in the documents, and the synonym table.
"""
from __future__ import annotations

import re
import threading
from functools import lru_cache
from typing import Iterable, Iterator

import Stemmer
from whoosh.analysis import Analyzer, Token, Tokenizer
from whoosh.support.charset import accent_map

# Words a reader uses for what a structural kind holds ("Who wrote the article?" finds a byline).
KIND_WORDS = {"byline": "author writer wrote written byline"}

# A word, and its rest after a break a typesetter made in it: a hyphen (U+2010) at a line's end,
# as man pages are rendered ("verti‐" / "       cal"), or a soft hyphen (U+00AD) anywhere. The
# word is one token, found and highlighted where it stands; its term is the word joined.
# ASCII "-" at a line's end is left alone: in written text it is as often the word's own hyphen.
_WORD = r"\w+(?:['’]\w+)*"
_BREAK = r"\u2010[ \t]*\r?\n[ \t]*|\u00ad\s*"
TOKEN_PATTERN = rf"{_WORD}(?:(?:{_BREAK}){_WORD})*"
_TOKEN = re.compile(TOKEN_PATTERN)
_TYPESET_BREAK = re.compile(r"[\u2010\u00ad]\s*")  # inside one token, what _BREAK matched
_TYPESET_BREAK_IN_WORD = re.compile(rf"(?<=\w)(?:{_BREAK})(?=\w)")


def join_typeset_breaks(text: str) -> str:
    """The text with each word a typesetter broke (as TOKEN_PATTERN reads them) made whole, for
    showing it: "verti‐" / "       cal" reads "vertical"."""
    return _TYPESET_BREAK_IN_WORD.sub("", text) if has_typeset_break(text) else text


def has_typeset_break(text: str) -> bool:
    """Whether a word of `text` runs across a typesetter's break (TOKEN_PATTERN's tokens)."""
    return ("\u2010" in text or "\u00ad" in text) and _TYPESET_BREAK_IN_WORD.search(text) is not None


# Function words: kept in the index (phrases need them), dropped from ranked keyword matching and
# from synonym expansion.
STOP_WORDS = frozenset(
    "a an and are as at be by can for from have if in is it may not of on or that the this to us we "
    "will with yet you your was were been do does did has had its their there than then so about "
    "doing done off out up i me my he him his she her they them should would could might must shall".split()
)

# PyStemmer's stemmers must not be shared between threads (the web server answers from several).
_stemmers = threading.local()


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """Snowball stem of a lower-case word, cached: the same words recur across passages."""
    stemmer = getattr(_stemmers, "english", None)
    if stemmer is None:
        stemmer = _stemmers.english = Stemmer.Stemmer("english")
    return stemmer.stemWord(word)


@lru_cache(maxsize=200_000)
def normalize_word(word: str) -> str:
    """Lower case, straight apostrophes, no possessive 's, accents folded."""
    word = word.lower().replace("’", "'")
    if "\u2010" in word or "\u00ad" in word:  # only a token that runs across a typesetter's break holds one
        word = _TYPESET_BREAK.sub("", word)
    if word.endswith("'s"):
        word = word[:-2]
    return word.translate(accent_map).strip("'")


class StemmingTokenizer(Tokenizer):
    """The stemmed fields' analysis in one pass: words, normalised, stemmed, numbered. It gives
    the terms and positions of `RegexTokenizer(TOKEN_PATTERN) | LowercaseFilter() | a normalising
    filter | a stemming filter` (tests/test_analysis.py checks), with one token object and no
    generator per filter: analysis was the largest part of a build."""

    def __call__(self, value: str, positions: bool = False, chars: bool = False, keeporiginal: bool = False,
                 removestops: bool = True, start_pos: int = 0, start_char: int = 0, tokenize: bool = True,
                 mode: str = "", **kwargs) -> Iterator[Token]:
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        for number, match in enumerate(_TOKEN.finditer(value), start_pos):
            word = normalize_word(match.group())
            if not word:
                continue
            token.text = stem(word)
            token.boost = 1.0
            token.stopped = False
            if keeporiginal:
                token.original = match.group()
            if positions:
                token.pos = number  # every word counts, as in Whoosh's RegexTokenizer
            if chars:
                token.startchar, token.endchar = start_char + match.start(), start_char + match.end()
            yield token


def stemming_analyzer() -> Analyzer:
    return StemmingTokenizer()


# The same analysis as plain lists, for the query side, where it runs over every retrieved
# passage, several times a query (re-ranking, answers, snippets). Cached by text: the passages a
# server retrieves recur from query to query.
ANALYSED_TEXTS_CACHED = 8192


def exact_words(text: str) -> list[str]:
    """The normalised, unstemmed words of `text`, in order."""
    return list(_exact_words(text))


def stemmed_terms(text: str) -> list[str]:
    """The index terms of `text` in the stemmed fields, in order."""
    return list(_stemmed_terms(text))


@lru_cache(maxsize=ANALYSED_TEXTS_CACHED)
def _exact_words(text: str) -> tuple[str, ...]:
    return tuple(word for word in map(normalize_word, _TOKEN.findall(text)) if word)


@lru_cache(maxsize=ANALYSED_TEXTS_CACHED)
def _stemmed_terms(text: str) -> tuple[str, ...]:
    return tuple(stem(word) for word in _exact_words(text))


# A build analyses each passage's text three times over (its index terms, its words as written
# for the file's `words`, its near-duplicate shingles: indexer/segments.py, schema.py,
# signatures.py): the words are found once and kept for the others. A file's passages are
# analysed one file at a time, and a file seldom has more passages than this.
BUILD_TEXTS_CACHED = 4096


@lru_cache(maxsize=BUILD_TEXTS_CACHED)
def normalized_words(text: str) -> tuple[str, ...]:
    """Every token of `text` normalised, in order, with "" kept for a token that normalises to
    nothing (it still takes a position): exact_words without the ""s, the words of
    positioned_terms. For the indexer; the query side keeps its own caches."""
    return tuple(map(normalize_word, _TOKEN.findall(text)))


@lru_cache(maxsize=1024)  # a file's titles and sections: bodies seldom recur
def positioned_terms(text: str) -> tuple[tuple[str, int], ...]:
    """(stem, position) of each word of `text`, positions counted from 0 as StemmingTokenizer
    counts them (a match that normalises to nothing still takes a position): the index's terms,
    without a token object per word (indexer/segments.py). Cached: a file's title and sections
    recur in each of its passages."""
    return tuple([(stem(word), number) for number, word in enumerate(normalized_words(text)) if word])


def agent_noun_bases(words: Iterable[str]) -> list[str]:
    """Verbs behind agent nouns ("editor" -> "edit", "distributors" -> "distribut"), so that a
    field named "Editor" is found by "Who edited ...?". Snowball keeps these apart on purpose."""
    bases = []
    for word in words:
        word = word.lower()
        for suffix in ("ors", "ers", "or", "er"):
            if word.endswith(suffix) and len(word) - len(suffix) >= 4:
                bases.append(word[: -len(suffix)])
                break
    return bases
