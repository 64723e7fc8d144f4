"""Yes/no answers: "Yes" or "No", with the clause of the sentence that decides it.

A sentence that opens with "Yes" or "No" says so (FAQs do); otherwise a negation in the clause
that covers the question decides "No", its absence "Yes" (the polarity heuristic of early QA
systems for yes/no questions; the answer scorer learns how far to trust it).
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Iterator

from indexer.analysis import stem, stemmed_terms
from search.expansion import canonical, negated_word
from search.kinds import AnswerType
from search.phrases import MAX_ANSWER_CHARS, sentence_pieces, shorten
from search.spans import Asked, Span, Unit

EXPLICIT = re.compile(r"^\W*(yes|no|not really|not as such|not exactly)\b", re.I)
# Typeset text writes "don’t" with a right single quotation mark: both apostrophes negate. A
# negation after "or" offers both ways and decides neither: "with or without modification",
# "any price or no price", "whether or not".
# "None" inside a sentence names a value (Python's None), as it reads in code documentation: only a
# lowercase "none", or "None" opening the clause, negates.
NEGATION = re.compile(r"(?<!\bor\s)\b(?:(?i:not|no|never|cannot|neither|nor|without)|none)\b|(?i:n['’]t)\b"
                      r"|^\W*None\b")
# A word negated by its suffix: "royalty-free", "passwordless" (its prefix: expansion.negated_word).
# It says "No" to a question that asks of the bare word ("Do I have to pay royalties?").
NEGATING_SUFFIX = re.compile(r"^(?P<bare>[a-z]{3,})-?(?:free|less)$")
# Verbs (and adjectives) that say no by their meaning: "The RFC prohibits adding a byte order
# mark", "the reader ignores lineterminator", "deluser will refuse to delete root". Not when the
# question asks of the word itself ("Does the reader ignore blank lines?").
NEGATING_WORD = re.compile(r"\b(?:prohibit|forbid|forbade|disallow|refus|ignor|reject|den(?:y|ie)|prevent|impossible|"
                           r"unable|unsupported)\w*", re.I)
# A piece between commas that is no clause by itself belongs to the clause beside it, and so does
# its verdict. One opening with a verb is the predicate of the words before it ("Other metadata,
# like the file's creation times, is not preserved"); one opening with a subordinating word hangs
# on its main clause ("If Python came with your system, removing it is not recommended").
PREDICATE_OPENING = re.compile(r"\W*(?:is|are|was|were|be|been|must|should|shall|can|cannot|could|will|would|may|"
                               r"might|does|do|did|has|have|had)\b", re.I)
SUBORDINATE_OPENING = re.compile(r"\W*(?:if|when|whenever|unless|once|since|because|although|though|while|whereas|"
                                 r"like|such as|including)\b", re.I)
# What stands between the pieces of one clause: a comma or a bracket (a semicolon, a colon or a
# dash starts another clause).
WITHIN_CLAUSE = re.compile(r"[\s,()\[\]]*")
WORD = re.compile(r"[A-Za-z]+(?:-[A-Za-z]+)*")
# The answer shows "Yes: " or "No: " before the deciding clause, within the answer's length.
SEPARATOR = ": "
# Questions whose joined words are kept: the one being answered, and a few before it.
QUESTIONS_KEPT = 32


def yes_no(asked: Asked, unit: Unit) -> Iterator[Span]:
    """The verdict of the unit's deciding clause; none from a unit that holds none of the
    question's words (a negation there is about something else) unless it says "Yes" or "No"
    itself (a FAQ's "Yes." under the question)."""
    text = unit.text
    explicit = EXPLICIT.match(text)
    deciding = _deciding_clause(asked, unit)
    if deciding is None and not explicit:
        return
    start, end = deciding or (0, len(text))
    if explicit:
        verdict = "Yes" if explicit.group(1).lower() == "yes" else "No"
    else:
        clause = text[start:end]
        says_no = NEGATION.search(clause) or _negates_an_asked_word(asked, clause) or _negating_word(asked, clause)
        verdict = "No" if says_no else "Yes"
    shown = shorten(text[start:end], MAX_ANSWER_CHARS - len(verdict) - len(SEPARATOR))
    yield Span(f"{verdict}{SEPARATOR}{shown}", AnswerType.YES_NO, start, end, "yes_no",
               {"explicit": float(bool(explicit))})


def _deciding_clause(asked: Asked, unit: Unit) -> tuple[int, int] | None:
    """The clause of the unit that covers most of the question, with the clauses beside it that
    hold more of the question's words: 'provided "as is", without warranty' decides "Is it
    provided with a warranty?", not 'provided "as is"' alone."""
    weights = asked.weights
    pieces = sentence_pieces(unit.text)
    asked_in = [set(canonical(weights, stemmed_terms(unit.text[start:end]))) & weights.keys()
                for start, end, _ in pieces]
    if not any(asked_in):
        return None
    best = max(range(len(pieces)), key=lambda i: sum(weights[s] for s in asked_in[i]))  # the first of the best
    clauses = [i for i, (_, _, is_quotation) in enumerate(pieces) if not is_quotation]
    if best not in clauses:
        return pieces[best][:2]
    first, last = _grown(clauses.index(best), [asked_in[i] for i in clauses])
    first, last = _with_its_clause(unit.text, [pieces[i][:2] for i in clauses], first, last)
    return pieces[clauses[first]][0], pieces[clauses[last]][1]


def _grown(at: int, asked_in: list[set[str]]) -> tuple[int, int]:
    """The first and last of the clauses around clause `at` taken in while each next one beside
    them holds a question word they do not (`asked_in`: each clause's question words)."""
    first = last = at
    covered = set(asked_in[at])
    grown = True
    while grown:
        grown = False
        for side in (first - 1, last + 1):
            if 0 <= side < len(asked_in) and not asked_in[side] <= covered:
                covered |= asked_in[side]
                first, last, grown = min(first, side), max(last, side), True
    return first, last


def _with_its_clause(text: str, clauses: list[tuple[int, int]], first: int, last: int) -> tuple[int, int]:
    """The pieces `first` to `last` of `clauses` (each a (start, end) in `text`) with those beside
    them of the same clause: the main clause of a subordinate first piece (the next piece when it
    opens the sentence, else the one before), and the predicates after them."""
    def within(left: int, right: int) -> bool:  # pieces `left` and `right` (beside it) are of one clause
        return 0 <= left and right < len(clauses) \
            and WITHIN_CLAUSE.fullmatch(text, clauses[left][1], clauses[right][0]) is not None

    def opens(pattern: re.Pattern, piece: int) -> bool:
        return pattern.match(text, clauses[piece][0], clauses[piece][1]) is not None
    if opens(SUBORDINATE_OPENING, first):
        if first == 0 and within(last, last + 1):
            last += 1
        elif within(first - 1, first):
            first -= 1
    while within(last, last + 1) and opens(PREDICATE_OPENING, last + 1):
        last += 1
    return first, last


def _negates_an_asked_word(asked: Asked, clause: str) -> bool:
    """Whether the clause holds a word the question asks of, negated by a prefix or a suffix
    ("Is the licence revocable?": "irrevocable"; "Is getopt() thread-safe?": "MT-Unsafe"), the
    negated word not asked of itself ("Is it unsafe?" is not answered "No" by "unsafe")."""
    asked_stems = asked.weights.keys()  # the question's own stems (not the words standing in for them)
    asked_words = _joined_words(asked.question.text)
    for match in WORD.finditer(clause):
        for word in (match.group(), *match.group().split("-")):
            suffixed = NEGATING_SUFFIX.match(word.lower())
            bare = suffixed.group("bare") if suffixed else negated_word(word)
            if bare and stem(bare) in asked_stems and _joined(word) not in asked_words \
                    and stem(_joined(word)) not in asked_stems:
                return True
    return False


def _negating_word(asked: Asked, clause: str) -> bool:
    """Whether the clause says no by a word's meaning (NEGATING_WORD) the question does not use."""
    return any(stem(match.group().lower()) not in asked.weights for match in NEGATING_WORD.finditer(clause))


@lru_cache(maxsize=QUESTIONS_KEPT)  # read for each unit of a question's passages
def _joined_words(question_text: str) -> frozenset[str]:
    """The question's words as one word each ("royalty-free" -> "royaltyfree"): "Is it
    royalty-free?" asks of "royalty-free" itself."""
    return frozenset(_joined(word) for word in WORD.findall(question_text))


def _joined(word: str) -> str:
    return word.replace("-", "").lower()
