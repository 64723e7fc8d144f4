"""Comparing Liner's matchers with Whoosh's, posting by posting (shared by the retrieval tests)."""
from __future__ import annotations


def same_matches(ours, whooshs) -> int:
    """Walk both matchers together, asserting that they stand on the same document with the same
    score at every step and run out together; the number of documents they matched."""
    matched = 0
    while ours.is_active() or whooshs.is_active():
        assert ours.is_active() and whooshs.is_active()
        assert ours.id() == whooshs.id() and ours.score() == whooshs.score()
        ours.next()
        whooshs.next()
        matched += 1
    return matched
