"""indexer/synonyms.py: WordNet's morphology without NLTK on the query path."""
from __future__ import annotations

from nltk.corpus.reader.wordnet import WordNetCorpusReader

from indexer.synonyms import DETACHMENT_RULES, lookup_keys


def test_the_detachment_rules_are_nltks():
    for pos, rules in DETACHMENT_RULES.items():
        assert list(rules) == list(WordNetCorpusReader.MORPHOLOGICAL_SUBSTITUTIONS[pos])


def test_a_query_word_is_looked_up_under_its_possible_base_forms():
    keys = lookup_keys("observed")
    assert keys[0] == "observed"
    assert {"observe", "observ"} <= set(keys)
    assert "wive" in lookup_keys("wives") or "wife" in lookup_keys("wives")


def test_short_words_keep_their_ending():
    assert lookup_keys("is") == ["is"]
