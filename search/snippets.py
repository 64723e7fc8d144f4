"""Snippets: a short excerpt of a passage cut around its best match, with highlight offsets.

Pure functions: the offsets are [start, end) into the returned snippet and always cover a whole
matched word, which property tests check on arbitrary text.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property, lru_cache

from indexer.analysis import TOKEN_PATTERN, has_typeset_break, join_typeset_breaks, normalize_word, stem

MAX_SNIPPET_CHARS = 240
# Texts whose tokens are kept (a server shows the same passages again and again); each costs
# about 100 bytes a word in every worker.
ANALYSED_SNIPPETS_CACHED = 512
# Tokens as written kept with their word and stem, as many as indexer/analysis.py keeps of each.
TOKEN_FORMS_CACHED = 200_000
ELLIPSIS = "…"

_TOKEN = re.compile(TOKEN_PATTERN)


@dataclass(frozen=True)
class MatchTerms:
    """What counts as a match: stems (for stemmed matches), exact words (typo corrections), and
    phrases (each a sequence of stems, stop words included), marked only where the whole phrase
    stands."""

    stems: frozenset[str]
    words: frozenset[str] = frozenset()
    phrases: tuple[tuple[str, ...], ...] = ()

    def matches(self, token: str) -> bool:
        word = normalize_word(token)
        return bool(word) and (word in self.words or stem(word) in self.stems)

    @cached_property
    def first_letters(self) -> frozenset[str]:
        """The first letters of the stems and words: only a word that begins with one can match,
        as a stem begins as its word does (the Snowball stemmer changes endings only: so for
        every word of the 100k bench index and 600,000 made up)."""
        return frozenset(term[:1] for term in self.stems | self.words)

    @cached_property
    def scans(self) -> tuple[re.Pattern, ...]:
        """A scan (_tokens_beginning_with) for each ASCII first letter (a token beginning with
        another character is scanned for by _TOKENS_BEGINNING_NON_ASCII)."""
        ascii_firsts = sorted(first for first in self.first_letters if first.isascii())
        return tuple(filter(None, map(_tokens_beginning_with, ascii_firsts)))


# The rest of a TOKEN_PATTERN token from its first character, when that character is a token's
# first: a word character (?<=\w) after none (?<!\w\w), nor after an apostrophe that follows one
# (?<!\w['’]\w), where the token before would have gone on through the apostrophe. A scan that
# opens with a set of first characters stops only where one stands; tests/test_snippets.py checks
# that the scans find TOKEN_PATTERN's own tokens.
_TOKEN_FROM_FIRST = r"(?<=\w)(?<!\w\w)(?<!\w['’]\w)\w*(?:['’]\w+)*"
_TOKENS_BEGINNING_NON_ASCII = re.compile(r"[^\x00-\x7f]" + _TOKEN_FROM_FIRST)


@lru_cache(maxsize=128)  # one per ASCII character a search has begun a word with
def _tokens_beginning_with(first: str) -> re.Pattern | None:
    """The tokens that begin with an ASCII character whose lower case is `first`, an ASCII
    character (None for an upper-case one: normalize_word lower-cases an ASCII first character
    and changes no other, so no token's word begins with it). One scan a letter: a pattern of a
    search's own set of letters cost 0.15 ms to compile."""
    chars = "".join(re.escape(chr(code)) for code in range(128) if chr(code).lower() == first)
    return re.compile(f"[{chars}]{_TOKEN_FROM_FIRST}") if chars else None


@lru_cache(maxsize=ANALYSED_SNIPPETS_CACHED)  # the passages shown recur from query to query
def fold_whitespace(text: str) -> str:
    """The text on one line, with the words a typesetter broke across lines made whole."""
    text = join_typeset_breaks(text)
    # A printable text has no white space but the ASCII space (str.isprintable): without two
    # in a row or one at an end, it is folded already (most passages; a sub costs 3 us).
    if text.isprintable() and "  " not in text and text[:1] != " " and text[-1:] != " ":
        return text
    # What re.sub(r"\s+", " ", text).strip() makes (str.split's white space is the pattern's \s,
    # character for character), in a quarter of the time: half the passages shown have a line break.
    return " ".join(text.split())


def match_spans(text: str, terms: MatchTerms) -> list[tuple[int, int]]:
    """[start, end) of every run of matched words in `text`, in order: a word that matches
    `terms`, or every word of a phrase where the whole phrase stands. Matched words with only
    white space between them are one run ("Joanna Kassem", "Pennies From Heaven"), so a phrase
    is marked as one, as a reader sees it."""
    if terms.phrases:  # a phrase's words are any words: every token analysed
        tokens = _tokens(text)
        words, stems = terms.words, terms.stems
        forms = [_token_forms.get(token) or _forms(token) for token in map(re.Match.group, tokens)]
        matched = [bool(word) and (word in words or stemmed in stems) for word, stemmed in forms]
        stemmed_tokens = [stemmed for _, stemmed in forms]
        for phrase in terms.phrases:
            _mark_phrase(stemmed_tokens, matched, phrase)
        found = [token for token, is_match in zip(tokens, matched) if is_match]
    else:
        found = _matched_tokens(text, terms)
    runs: list[tuple[int, int]] = []
    for token in found:  # what stands between two matches decides, not the tokens skipped
        if runs and not text[runs[-1][1] : token.start()].strip():
            runs[-1] = (runs[-1][0], token.end())
        else:
            runs.append((token.start(), token.end()))
    return runs


@lru_cache(maxsize=ANALYSED_SNIPPETS_CACHED)
def _tokens(text: str) -> list[re.Match]:
    """The tokens of `text` (read, never changed)."""
    return list(_TOKEN.finditer(text))


def _matched_tokens(text: str, terms: MatchTerms) -> list[re.Match]:
    """The tokens of `text` that match `terms` (MatchTerms.matches), in order, analysing only
    those that begin with the first letter of a stem or word: the others cannot match, and
    the scans (MatchTerms.scans) do not stop at them, where making a match object of every
    token of a shown passage was about half of cutting its snippet."""
    if has_typeset_break(text):  # a word a typesetter broke (a document's line): a scan would stop at its rest
        tokens = _tokens(text)
    else:
        scans = terms.scans
        tokens = [token for scan in scans for token in scan.finditer(text)]
        if not text.isascii():
            tokens += _TOKENS_BEGINNING_NON_ASCII.finditer(text)
        if len(scans) > 1 or not text.isascii():  # several scans' tokens: in the text's order
            tokens.sort(key=re.Match.start)
    words, stems = terms.words, terms.stems
    known = _token_forms.get
    found = []
    for token in tokens:
        word, stemmed = known(token.group()) or _forms(token.group())
        if word and (word in words or stemmed in stems):
            found.append(token)
    return found


# token as written -> (its normalised word, its stem): one lookup a token, where normalize_word
# and stem were two cached calls each, half the time of analysing a shown passage.
_token_forms: dict[str, tuple[str, str]] = {}


def _forms(token: str) -> tuple[str, str]:
    if len(_token_forms) >= TOKEN_FORMS_CACHED:
        _token_forms.clear()
    word = normalize_word(token)
    forms = _token_forms[token] = (word, stem(word))
    return forms


def _mark_phrase(stems: list[str], matched: list[bool], phrase: tuple[str, ...]) -> None:
    """Set `matched` for every word of each place where the phrase's stems stand in a row."""
    if not phrase:
        return
    for start in range(len(stems) - len(phrase) + 1):
        if tuple(stems[start : start + len(phrase)]) == phrase:
            matched[start : start + len(phrase)] = [True] * len(phrase)


def cut_snippet(text: str, terms: MatchTerms, max_chars: int = MAX_SNIPPET_CHARS) -> tuple[str, list[tuple[int, int]]]:
    """A plain-text excerpt of at most about `max_chars` characters around the densest run of
    matches, and the [start, end) offsets of the matches inside it."""
    folded = fold_whitespace(text)
    spans = match_spans(folded, terms)
    if len(folded) <= max_chars:
        return folded, spans
    start = _best_window_start(folded, spans, max_chars)
    end = min(len(folded), start + max_chars)
    # Cut at word boundaries, but never so that the window's first match falls out of it.
    shown = [(s, e) for s, e in spans if s >= start and e <= end]
    first_start, first_end = shown[0] if shown else (end, start)
    if end < len(folded):
        space = folded.rfind(" ", max(start, first_end), end)
        end = space if space > start else end
    if start > 0:
        space = folded.find(" ", start, min(end, first_start))
        start = space + 1 if 0 <= space < start + 30 else start
    prefix = ELLIPSIS if start > 0 else ""
    suffix = ELLIPSIS if end < len(folded) else ""
    body = folded[start:end]
    shift = len(prefix) - start
    inside = [(s + shift, e + shift) for s, e in spans if s >= start and e <= end]
    return prefix + body + suffix, inside


def _best_window_start(text: str, spans: list[tuple[int, int]], width: int) -> int:
    """Start of the window of `width` characters holding the most distinct matched words,
    opened a little before the first of them so the match has some context."""
    if not spans:
        return 0
    best_start, best_count = spans[0][0], 0
    for index, (first, _) in enumerate(spans):
        words = {text[s:e].lower() for s, e in spans[index:] if e <= first + width - 40}
        if len(words) > best_count:
            best_start, best_count = first, len(words)
    return max(0, best_start - 40)


def split_at_highlights(text: str, highlights: list[tuple[int, int]]) -> list[tuple[str, bool]]:
    """Split `text` at the [start, end) `highlights` into (piece, is_match) pairs, for every
    front end that marks matches (bold in Markdown, colour in a terminal, <mark> in HTML).
    Overlapping, unsorted or out-of-range offsets are tolerated (merged, sorted, clipped)."""
    segments, position = [], 0
    for start, end in sorted(highlights):
        start, end = max(start, position), min(end, len(text))
        if start >= end:
            continue
        if start > position:
            segments.append((text[position:start], False))
        segments.append((text[start:end], True))
        position = end
    if position < len(text):
        segments.append((text[position:], False))
    return segments
