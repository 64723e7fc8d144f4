"""indexer/sentences.py: NLTK's Punkt, loaded alone, splits as NLTK imported whole does."""
from __future__ import annotations

import json
import subprocess
import sys

from indexer.sentences import sentence_spans

# Abbreviations, curly quotes, runs of "?" and "!" (where the punkt package's own tokenizer
# differs from NLTK's), line breaks, numbers.
TEXTS = [
    "Dr. Smith went home. He was tired.",
    "“L.A. is big,” she said. Then she left.",
    "XXX Should this return the number of bytes written???",
    "asyncio never calls remove_child_handler() !!!\nThe method is no-op but is implemented.",
    "Version 3.11 shipped in Oct. 2022. It is faster... Really? Yes!",
    "callable_iterator = ???",
]


def test_spans_are_those_of_nltk_imported_whole():
    code = (
        "import json, sys\n"
        "from indexer.sentences import sentence_spans\n"
        "import nltk\n"
        "from nltk.tokenize.punkt import PunktParameters, PunktSentenceTokenizer\n"
        "from punkt.data import english\n"
        "parameters = PunktParameters()\n"
        "parameters.abbrev_types = set(english.ABBREV_TYPES)\n"
        "parameters.collocations = set(english.COLLOCATIONS)\n"
        "parameters.sent_starters = set(english.SENT_STARTERS)\n"
        "for word, flags in english.ORTHO_CONTEXT.items():\n"
        "    parameters.ortho_context[word] = flags\n"
        "whole = PunktSentenceTokenizer(parameters)\n"
        "from indexer.sentences import _STRAIGHT_QUOTES\n"
        "texts = json.loads(sys.stdin.read())\n"
        "print(json.dumps([list(whole.span_tokenize(t.translate(_STRAIGHT_QUOTES))) for t in texts]))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], input=json.dumps(TEXTS), capture_output=True, text=True,
                          check=True)
    assert json.loads(done.stdout) == [[list(span) for span in sentence_spans(text)] for text in TEXTS]


def test_splitting_sentences_leaves_nltk_unimported_and_importable():
    code = (
        "import sys\n"
        "from indexer.sentences import sentence_spans\n"
        "assert sentence_spans('One. Two.') == [(0, 4), (5, 9)]\n"
        "assert not [name for name in sys.modules if name == 'nltk' or name.startswith(('nltk.', 'scipy'))]\n"
        "import nltk\n"
        "from nltk.tokenize.punkt import PunktSentenceTokenizer\n"
        "assert nltk.tokenize.punkt.PunktSentenceTokenizer is PunktSentenceTokenizer\n"
        "print('ok')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stdout.strip() == "ok", done.stderr


def test_a_period_quoted_or_abbreviated_inside_a_sentence_does_not_end_it():
    def split(text: str) -> list[str]:
        return [text[start:end] for start, end in sentence_spans(text)]

    # technical writing's abbreviations, which the newswire-trained model lacks
    assert split("Use a tool (e.g. grep) to find it. Then stop.") == ["Use a tool (e.g. grep) to find it.", "Then stop."]
    assert split("Old files (i.e. backups, etc.) are removed.") == ["Old files (i.e. backups, etc.) are removed."]
    # a quoted period, inside brackets or before a comma
    cron = 'A name must not include any period or plus characters ("." or "+") as cron would ignore it.'
    assert split(cron) == [cron]
    dot = "If a filename starts with a '.', this character must be matched. Next."
    assert split(dot) == ["If a filename starts with a '.', this character must be matched.", "Next."]
    # but a sentence that ends on an abbreviation or a quote still ends before a capital
    assert split("Files, etc. The next one.") == ["Files, etc.", "The next one."]
    assert split('He said "Stop." Then he left.') == ['He said "Stop."', "Then he left."]
