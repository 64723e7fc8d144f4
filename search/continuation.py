"""An answer that announces what follows it continues with it.

"To build from a release tarball, use:" does not answer "How do I build it?": the command after it
does. A sentence that ends with a colon introduces the block below it (a command, a list, a
value), which documentation sets apart: in the next sentence of its passage, or in the passage
that starts just below it (an indented or fenced block is a passage of its own). Such a
candidate's text becomes the sentence and its block, as much as a short answer holds, and its
citation runs to the block's last line shown; when both do not fit, the block alone.
"""
from __future__ import annotations

import re
from typing import NamedTuple

from search.phrases import MAX_ANSWER_CHARS, cut_at_word, shown_length
from search.retrieval import ScoredPassage
from search.values import Candidate

# Lines between an announcing sentence and its block: the blank line that sets a block apart,
# and reST's "::" paragraph before an indented one.
MAX_GAP_LINES = 2
# The least of a block shown beside its announcement, in characters: less than a command's name
# and its first argument, and the block is shown alone.
MIN_BLOCK_CHARS = 24
# Words of an announcing sentence after a candidate that still ends it: "use", "as follows", "is
# as follows", "like this".
MAX_WORDS_AFTER = 3
_WORD = re.compile(r"\w+")


class Piece(NamedTuple):
    """Some text of a block, and the line it ends on."""
    text: str
    line_end: int


def continue_announcements(candidates: list[Candidate], passages: list[ScoredPassage], units_of) -> None:
    """Each candidate that ends its sentence with a colon takes on the text that follows it (in
    place): its features say so ("continued"). `units_of(passage)`: a passage's units."""
    for candidate in candidates:
        announcement = _announcement(candidate)
        if announcement is None:
            continue
        block = _block_after(candidate, passages, units_of)
        if any(piece.text.strip() for piece in block):
            candidate.text, candidate.line_end = _joined(announcement, block)
            candidate.features["continued"] = 1.0


def _announcement(candidate: Candidate) -> str | None:
    """The candidate through to its sentence's colon when that sentence ends with one, and the
    candidate ends it or all of it but a few words ("To build from a tarball" of "To build from
    a tarball, use:"); else None."""
    sentence = " ".join(candidate.unit.text.split())
    if not sentence.endswith(":"):
        return None
    text = candidate.text.rstrip(":").rstrip()
    at = sentence.rfind(text)
    if at < 0 or len(_WORD.findall(sentence[at + len(text):])) > MAX_WORDS_AFTER:
        return None
    return sentence[at:]


def _block_after(candidate: Candidate, passages: list[ScoredPassage], units_of) -> list[Piece]:
    """What follows the candidate's sentence, piece by piece with its lines: the rest of its
    passage, else the passage just below it among `passages`, line by line."""
    own = candidate.unit
    units = units_of(candidate.passage)
    at = next((number for number, unit in enumerate(units)
               if unit.line_start == own.line_start and unit.text == own.text), None)
    if at is not None and at + 1 < len(units):
        return [Piece(unit.text, unit.line_end) for unit in units[at + 1:]]
    below = [passage for passage in passages
             if passage.path == candidate.passage.path
             and 0 < passage.passage.line_start - own.line_end <= MAX_GAP_LINES + 1]
    if not below:
        return []
    nearest = min(below, key=lambda passage: passage.passage.line_start)
    first, last = nearest.passage.line_start, nearest.passage.line_end
    return [Piece(line, min(first + number, last)) for number, line in enumerate(nearest.text.split("\n"))]


def _joined(announcement: str, block: list[Piece]) -> tuple[str, int]:
    """The announcement and as much of the block as fits, or the block alone when too little of
    it would; and the line the shown text ends on."""
    whole = " ".join(" ".join(piece.text for piece in block).split())
    lead = announcement + " "
    shown = cut_at_word(whole, MAX_ANSWER_CHARS - shown_length(lead))
    if shown_length(shown) < min(MIN_BLOCK_CHARS, shown_length(whole)):
        shown, lead = cut_at_word(whole), ""
    return lead + shown, _line_of_end(block, len(shown.split()))


def _line_of_end(block: list[Piece], words: int) -> int:
    """The line the block's first `words` words end on."""
    seen = 0
    for piece in block:
        seen += len(piece.text.split())
        if seen >= words:
            return piece.line_end
    return block[-1].line_end
