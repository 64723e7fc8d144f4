"""Near-duplicate signatures: a few bytes per passage, made when it is indexed, that tell a search
which pairs of passages cannot be near-duplicates without reading either of them.

search/duplicates.py merges two passages when their word 3-shingles overlap enough (Jaccard) and
they state the same figures. A keyword search compares the first 24 passages it ranks, and
reading and shingling them cost about a third of its time on 100,000 passages (issue #16). A
signature gives an exact necessary condition for a merge, so a search reads and shingles only
the passages of pairs that might merge (and the ones it shows); whatever it rules out would not
have merged, so the results are the same as comparing every pair.

A signature holds
- `size`: how many distinct shingles the passage has (saturated at SATURATED: then it rules
  nothing out by size or overlap);
- `figures`: a 16-bit hash of the figures it states (different hashes: different figures);
- `bits`: a bitmap with bit crc32(shingle) mod SIGNATURE_BITS set for each of its shingles.
Each bit set in one bitmap and not the other stands for at least one shingle of that passage
the other lacks, and different bits for different shingles: so popcount(bits_A ^ bits_B) <=
|A \\ B| + |B \\ A| = |A| + |B| - 2|A & B|, which bounds what the two share, and so their Jaccard.
- `copy_of`: the first passage of its segment with the very same text (itself where none is known),
  found when segments are merged (merge_copies): two passages with the same `copy_of` have the
  same text, so they merge (unless empty) with neither read. A segment's own buffer sets every
  passage's to itself; the merge finds copies by a hash of the text and compares the texts.

File layout (`<segment>.sig`): one RECORD per document, in document order. A segment written
before signatures existed has no file: its passages are then read and compared as before.
"""
from __future__ import annotations

import re
import struct
import zlib
from functools import lru_cache
from typing import NamedTuple, Sequence

from indexer.analysis import ANALYSED_TEXTS_CACHED, TOKEN_PATTERN, normalize_word, normalized_words

SIGNATURE_EXT = ".sig"
SHINGLE_SIZE = 3
# Bits of the shingle bitmap. On the bench's 100,000 passages (median 8 shingles, 90% under 40),
# over the first 24 passages of 200 keyword searches, 64, 128 and 256 bits left 2,536, 2,322
# and 2,291 of 53,081 pairs to compare by their text, of which 2,271 merged.
SIGNATURE_BITS = 128
# size, figures hash, low and high 64 bits of the bitmap, text hash, copy_of (in the segment)
RECORD = struct.Struct("<HHQQII")
SATURATED = 0xFFFF  # a size this large or larger is not known exactly
_HALF = 64
_LOW = (1 << _HALF) - 1
_SEPARATOR = "\x1f"  # between the words of a shingle: no word (a run of \w) holds it

_TOKEN = re.compile(TOKEN_PATTERN)
_REFERENCE_MARK = re.compile(r"\[\d+\]")
_FIGURE = re.compile(r"\d+(?:[.,]\d+)*")


# Both are cached by text: the passages a server retrieves recur from query to query.
@lru_cache(maxsize=ANALYSED_TEXTS_CACHED)
def figures(text: str) -> tuple[str, ...]:
    """The numbers a passage states (not its reference marks like [12]): copies that state
    different figures are not the same passage, they are sources that disagree."""
    unmarked = _REFERENCE_MARK.sub(" ", text) if "[" in text else text
    return tuple(sorted(_FIGURE.findall(unmarked)))


@lru_cache(maxsize=ANALYSED_TEXTS_CACHED)
def shingles(text: str) -> frozenset[tuple[str, ...]]:
    """A passage's word 3-shingles (its words, normalised, SHINGLE_SIZE at a time); a passage of
    fewer words has its words as its one shingle."""
    unmarked = _REFERENCE_MARK.sub(" ", text) if "[" in text else text  # most passages have no marks
    return _shingled(list(map(normalize_word, _TOKEN.findall(unmarked))))


def _shingled(words) -> frozenset[tuple[str, ...]]:
    if len(words) < SHINGLE_SIZE:
        return frozenset({tuple(words)}) if words else frozenset()
    return frozenset(zip(*(words[start:] for start in range(SHINGLE_SIZE))))  # each run of SHINGLE_SIZE words


class Signature(NamedTuple):
    size: int  # distinct shingles (SATURATED: that many or more)
    figures: int  # 16-bit hash of the figures stated
    bits: int  # the shingle bitmap, SIGNATURE_BITS bits
    copy_of: int = -1  # document number of the first passage with the same text (-1: unknown)


def _hash(words) -> int:
    return zlib.crc32(_SEPARATOR.join(words).encode("utf-8", "surrogatepass"))


def signature_of_text(text: str) -> Signature:
    """The Signature of a passage's shown text (Passage.shown, what duplicates.py compares).
    Not cached: a build makes each once."""
    bitmap = 0
    # Without reference marks (most passages), its words are those the build found already.
    held = _shingled(normalized_words(text)) if "[" not in text else shingles.__wrapped__(text)
    crc32, joined = zlib.crc32, _SEPARATOR.join  # _hash, inline: a passage has a dozen shingles
    for shingle in held:
        bitmap |= 1 << (crc32(joined(shingle).encode("utf-8", "surrogatepass")) % SIGNATURE_BITS)
    return Signature(min(len(held), SATURATED), _hash(figures.__wrapped__(text)) & 0xFFFF, bitmap)


def could_be_near_duplicates(a: Signature, b: Signature, threshold: float) -> bool:
    """False only when the passages with these signatures cannot have the same figures and a
    shingle Jaccard >= threshold (> 0): duplicates.py would not merge them."""
    return bool(possible_near_duplicates(a, [b], threshold))


def possible_near_duplicates(signature: Signature, others: Sequence[Signature | None], threshold: float) -> list[int]:
    """The places in `others` of those whose passage could be a near-duplicate of `signature`'s
    (could_be_near_duplicates), and of those unknown (None), in one loop: a keyword search
    compares each of its first passages with those before it. The last test is the Jaccard of the
    most shingles they could share, divided as duplicates.py divides: the division rounds
    monotonically, so a pair ruled out here fails there too."""
    stated, size, bits = signature.figures, signature.size, signature.bits
    found = []
    # Each other's fields unpacked at once, and no min/max calls: this loop runs for about 280
    # pairs a keyword search, and attribute lookups on the tuples were most of it.
    for number, other in enumerate(others):
        if other is None:
            found.append(number)
            continue
        other_size, other_figures, other_bits, _ = other
        if other_figures != stated:
            continue
        if size == SATURATED or other_size == SATURATED:
            found.append(number)
        elif size or other_size:
            smaller, larger = (size, other_size) if size < other_size else (other_size, size)
            if smaller / larger < threshold:
                continue
            total = size + other_size
            shared = (total - (bits ^ other_bits).bit_count()) // 2
            if shared > smaller:
                shared = smaller
            if shared / (total - shared) >= threshold:
                found.append(number)
    return found


def encode(signature: Signature, text: str, docnum: int) -> bytes:
    """The record of document `docnum` of a segment, whose shown text is `text`."""
    return RECORD.pack(signature.size, signature.figures, signature.bits & _LOW, signature.bits >> _HALF,
                       _text_hash(text), docnum)


def _text_hash(text: str) -> int:
    return zlib.crc32(text.encode("utf-8", "surrogatepass"))


class SignatureReader:
    """The signatures of one segment's documents, read in place from its map."""

    def __init__(self, buffer) -> None:
        self._buffer = buffer
        self.documents = len(buffer) // RECORD.size

    def signature(self, docnum: int, offset: int = 0) -> Signature | None:
        """Document `docnum`'s signature, its copy_of moved up by `offset` (the segment's first
        document number in its reader), so that copies in different segments never match."""
        if docnum >= self.documents:
            return None
        size, stated, low, high, _, copy_of = RECORD.unpack_from(self._buffer, docnum * RECORD.size)
        return Signature(size, stated, low | high << _HALF, copy_of + offset)

    def record(self, docnum: int) -> tuple:
        return RECORD.unpack_from(self._buffer, docnum * RECORD.size)


def merge_copies(readers: list[SignatureReader], deleted: list[set[int]], text_of) -> bytes:
    """The records of segments merged in this order, without the `deleted` documents of each, and
    each one's copy_of found anew among all of them: a passage with the same text hash as an
    earlier one is compared with it by its text (`text_of(segment number, docnum)`), so copy_of
    stays exact; one its own segment knew to be a copy takes its original's."""
    out = bytearray()
    firsts = _Firsts(text_of)
    new = 0  # the next document's number in the merged segment
    for number, (reader, gone) in enumerate(zip(readers, deleted)):
        copies: dict[int, int] = {}  # this segment's docnum -> the new number of its original
        for docnum in range(reader.documents):
            if docnum in gone:
                continue
            *head, text_hash, copy_of = reader.record(docnum)
            original = copies.get(copy_of) if copy_of != docnum else None
            if original is None:
                original = firsts.original(text_hash, number, docnum, new)
            copies[docnum] = original
            out += RECORD.pack(*head, text_hash, original)
            new += 1
    return bytes(out)


class _Firsts:
    """The first passage of each text among those merged so far, by text hash: its new number,
    segment and document number (a few bytes each, texts read only to tell apart equal hashes)."""

    def __init__(self, text_of) -> None:
        self._text_of = text_of
        self._by_hash: dict[int, int | list[int]] = {}
        self._places: dict[int, tuple[int, int]] = {}  # new number of a first -> segment, docnum
        self._texts: dict[int, str] = {}  # new number -> text, of the firsts compared

    def original(self, text_hash: int, segment: int, docnum: int, new: int) -> int:
        """The new number of the first passage with the text of `docnum` of `segment` (whose new
        number is `new`: its own first if none came before)."""
        found = self._by_hash.get(text_hash)
        if found is None:
            self._by_hash[text_hash] = new
            self._places[new] = (segment, docnum)
            return new
        candidates = [found] if isinstance(found, int) else found
        text = self._text_of(segment, docnum)
        for first in candidates:
            if self._text(first) == text:
                return first
        self._by_hash[text_hash] = candidates + [new]
        self._places[new] = (segment, docnum)
        self._texts[new] = text
        return new

    def _text(self, first: int) -> str:
        if first not in self._texts:
            self._texts[first] = self._text_of(*self._places[first])
        return self._texts[first]
