"""Answers that are phrases, not values: what the text says a term is (a definition), the reason
clause of a why-question, the clause that best covers the question, and windows of a sentence
short enough to be an answer; and the one rule for cutting an answer short, at a word boundary.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Iterator

from indexer.analysis import normalize_word, stem, stemmed_terms
from search.kinds import AnswerType
from search.passage_analysis import canonical_set
from search.patterns import (CAPITALISED_RUN, CAUSAL_AS, CAUSAL_SINCE, OTHER_REASONS, QUOTATION, QUOTE_VERBS,
                             TOKEN, clause_breaks, wrapped)
from search.query import OTHER_QUOTE_MARKS, QueryError, parse_query
from search.questions import DEFINING_VERBS, Question
from search.spans import Asked, Span, Unit

# The longest short answer, counted as a reader comparing answers counts it: after Unicode NFKC
# folding (where "…" is three characters) with runs of whitespace as one (the shared scorer's
# rule: a longer answer is not a short answer).
MAX_ANSWER_CHARS = 120
# Queries whose phrases are kept: every candidate of a question asks for its query's phrases.
QUERIES_KEPT = 32
# Sentences whose tokens' ends and stems are kept: those of a few hundred passages.
SENTENCES_TOKENISED = 2048
# Pieces of a sentence shorter than this are not answers ("in 2019").
MIN_CLAUSE_CHARS = 8
# A clause shorter than this grows into its neighbours while it stays a short answer.
GROW_BELOW_CHARS = 40
# A name in the question shorter than this is not looked up for a definition.
MIN_DEFINED_NAME_CHARS = 3
# A cut answer ends at a comma, semicolon or space found after this many characters.
MIN_CUT_CHARS = 40
# Windows of one long sentence tried as answers (its start, its clauses, after the question's words).
MAX_WINDOWS_PER_SENTENCE = 6
# A defining verb stands at most this many words after the term it defines.
DEFINING_GAP_WORDS = 3
# Words that introduce a reason.
REASON_MARKER = re.compile(wrapped(rf"\b(?:because|{CAUSAL_SINCE}|so that|in order to|due to|to avoid|to prevent|"
                                   rf"to make sure|to ensure|otherwise|the reason(?: is| being)?|this is why|which means|"
                                   rf"as a result|{OTHER_REASONS})\b|{CAUSAL_AS}"), re.I)
# "When is ...?", "When does ...?", not "When was ...?", "When did ...?" (one past occurrence).
ASKS_WHEN_IT_HAPPENS = re.compile(r"\W*when\b(?!\s+(?:was|were|did)\b)", re.I)
# Words that open the clause saying when something happens.
EVENT_MARKER = re.compile(wrapped(r"\b(?:when|whenever|once|after|before|until|as soon as|if|only if|unless)\b"), re.I)
# What follows a term that the text defines (after the quote that may close the term: legal text
# writes '"Licensor" shall mean ...').
DEFINING = re.compile(wrapped(r"[\"”’']?\s*(?:,\s*|\(|\s-+\s|\s?[—–:]\s*|\s+(?:is|are|was|were|(?:shall )?means?|"
                              r"(?:shall )?refers? to|stands for|denotes|describes|is used to|are used to)\s+)"), re.I)
_CLAUSE_END = re.compile(r"[.;!?](?:\s|$)|\n\s*\n")
_WORD_RUN = re.compile(r"\S+")


def definitions(asked: Asked, unit: Unit) -> Iterator[Span]:
    """What the text says a term of the question is: a copula, "means", an appositive or a
    parenthesis after it ("A closure is a function that ...", "EAFP (easier to ask ...)"), and
    man pages' "name - what it does"."""
    text = unit.text
    seen: set[int] = set()  # one definition per place, however many of the terms end there
    for term in _defined_terms(asked.question):
        for match in _term_pattern(term).finditer(text):
            cue = DEFINING.match(text, match.end())
            if cue is None:
                continue
            start = cue.end()
            end = clause_end(text, start)
            if end - start >= MIN_CLAUSE_CHARS and start not in seen:
                seen.add(start)
                traits = {"copula": float(bool(re.search(r"[a-z]", cue.group()))), "at_start": float(match.start() < 3)}
                yield Span(shorten(text[start:end]), asked.question.answer_type, start, end, "definition", traits)


@lru_cache(maxsize=QUERIES_KEPT * 4)  # read for each sentence of a question's passages: made once a term
def _term_pattern(term: str) -> re.Pattern:
    """The term as a word of its own (its plural too), in any case."""
    return re.compile(rf"(?<![\w-]){re.escape(term)}(?:e?s)?(?![\w-])", re.IGNORECASE)


def reasons(asked: Asked, unit: Unit) -> Iterator[Span]:
    """The clause a word of reason opens ("because ...", "so that ...", "to avoid ...")."""
    return _marked_clauses(asked, unit, REASON_MARKER, AnswerType.REASON, "reason")


def events(asked: Asked, unit: Unit) -> Iterator[Span]:
    """The clause that says when something happens, where the answer to "when" is no date: "the
    postrm script is called after the package's files have been removed". Only for "when": "What
    date ...?" asks for a date. And not in the past tense ("When was 1.9 released?"): that asks
    when a thing happened once, a date; a condition says when a thing happens each time (in the
    benchmark, every "when was/did" question asks for a date, and the conditions given to them
    were all wrong)."""
    if not ASKS_WHEN_IT_HAPPENS.match(asked.question.text):
        return iter(())
    return _marked_clauses(asked, unit, EVENT_MARKER, asked.question.answer_type, "event")


def _marked_clauses(asked: Asked, unit: Unit, marker_pattern: re.Pattern, answer_type: AnswerType,
                    source: str) -> Iterator[Span]:
    """The clause each match of `marker_pattern` opens, the marker shown with it."""
    text = unit.text
    matched = _question_word_ends(asked, unit)
    for marker in marker_pattern.finditer(text):
        start = marker.start() + len(marker.group()) - len(marker.group().lstrip())
        end = clause_end(text, start)  # the marker is shown too: it counts
        if end - start >= MIN_CLAUSE_CHARS:
            after = float(any(position <= start for position in matched))
            yield Span(shorten(text[start:end]), answer_type, start, end, source, {"after_question_words": after})


def clauses(asked: Asked, unit: Unit) -> Iterator[Span]:
    """The clause (or quotation) of a sentence that best covers the question, as a short phrase."""
    question, weights, text = asked.question, asked.weights, unit.text
    total = sum(weights.values()) or 1.0
    if weights.keys().isdisjoint(unit.stems):
        return
    wants_quote = bool(QUOTE_VERBS.search(question.text))
    best = None
    for start, end, is_quotation, stems in _clause_pieces(text):
        piece_stems = canonical_set(weights, stems)
        overlap = sum(w for s, w in weights.items() if s in piece_stems) / total
        quotation = float((is_quotation or unit.quoted) and wants_quote)
        if best is None or overlap + quotation > best[0]:
            best = (overlap + quotation, start, end, overlap, quotation)
    if best is None or best[0] <= 0:
        return
    _, start, end, overlap, quotation = best
    start, end = _grow_clause(text, start, end)
    clause = text[start:end].strip(" ,;:“”\"")
    yield Span(shorten(clause), question.answer_type, start, end, "clause", {"overlap": overlap, "quotation": quotation})


def windows(asked: Asked, unit: Unit) -> Iterator[Span]:
    """The sentence itself when it is short enough to be an answer; else windows of it short
    enough, starting where an answer tends to: at the sentence's start, at each of its clauses,
    and just after the question's words."""
    text = unit.text
    whole, clause_starts = _window_plan(text)
    if whole is not None:
        yield Span(whole, asked.question.answer_type, 0, len(text), "sentence")
        return
    starts = dict(clause_starts)
    ends = _question_word_ends(asked, unit)
    if ends and max(ends) < len(text) - MIN_CLAUSE_CHARS:
        starts[max(ends)] = "window_after_question"
    for at, source in sorted(starts.items())[:MAX_WINDOWS_PER_SENTENCE]:
        start, shown, complete = _window_at(text, at)
        # "complete": the window runs to the sentence's end, so nothing it says is cut off
        yield Span(shown, asked.question.answer_type, start, start + len(shown), source,
                   {"offset": start / len(text), "complete": float(complete)})
    yield from _windows_around_phrases(asked, text)


# What windows() reads of a sentence whatever the question, kept: the sentence on one line when
# it is short enough to be an answer (else None) and where its clauses start; each window's text.
@lru_cache(maxsize=SENTENCES_TOKENISED)
def _window_plan(text: str) -> tuple[str | None, tuple[tuple[int, str], ...]]:
    whole = " ".join(text.split())
    if len(whole) <= MAX_ANSWER_CHARS:
        return whole, ()
    starts = {0: "window_start"}
    for match in clause_breaks(text):
        if match.end() < len(text) - MIN_CLAUSE_CHARS:
            starts.setdefault(match.end(), "window_clause")
    return None, tuple(starts.items())


@lru_cache(maxsize=SENTENCES_TOKENISED)
def _window_at(text: str, at: int) -> tuple[int, str, bool]:
    start = _first_word_from(text, at)
    rest = " ".join(text[start:].split()).strip(" ,;:")  # what cut_at_word cuts from
    shown = cut_at_word(rest)
    return start, shown, shown == rest


# What a window skips before its first word: the end of what came before it (". This limits ...",
# "), and (h) the addition ..." after a sentence split inside a parenthesis, "” he said").
WINDOW_LEAD_SKIPPED = " \t\n.,;:!?)]}”’"
# Quotes that open a quoted phrase; the straight ones also close one.
OPENING_QUOTES = "\"'“‘"
STRAIGHT_QUOTES = "\"'"


def _first_word_from(text: str, at: int) -> int:
    """Where the first word at or after `at` starts (at `at` if nothing but lead punctuation follows).
    A straight quote with a space after it closes what came before ('"Owner" shall mean')."""
    start = at
    while start < len(text) and (text[start] in WINDOW_LEAD_SKIPPED
                                 or text[start] in STRAIGHT_QUOTES and text[start + 1 : start + 2].isspace()):
        start += 1
    return start if start < len(text) else at


def _windows_around_phrases(asked: Asked, text: str) -> Iterator[Span]:
    """For a query that quotes a phrase: the phrase in its words around it, as much as fits,
    so that the answer shows what was searched for where it stands."""
    for phrase in quoted_phrases(asked.question.text):
        found = re.search(r"\s+".join(map(re.escape, phrase.split())), text, re.IGNORECASE)
        if not found:
            continue
        lead = max(0, (MAX_ANSWER_CHARS - len(phrase)) // 2)
        start = min(_first_word_from(text, _window_start(text, found.start(), lead)), found.start())
        if start == found.start() and text[start - 1 : start] in OPENING_QUOTES:
            start -= 1  # the phrase as the text quotes it: '"Derived Work" shall mean', not 'Derived Work" ...'
        shown = cut_at_word(text[start:])
        yield Span(shown, asked.question.answer_type, start, start + len(shown), "window_around_phrase",
                   {"offset": start / len(text)})


def _window_start(text: str, at: int, lead: int) -> int:
    """Where a window showing up to `lead` characters before position `at` starts: at a word's
    start, never after `at` (no space in the lead: at `at`)."""
    if at <= lead:
        return at
    space = text.find(" ", at - lead, at)
    return space + 1 if space >= 0 else at


# The characters a phrase can be quoted with (search/query.py normalize_quotes): a query without
# any of them quotes no phrase, and is not parsed again (a parse was ~1% of a question's time).
PHRASE_QUOTES = frozenset('"' + OTHER_QUOTE_MARKS)


@lru_cache(maxsize=QUERIES_KEPT)
def quoted_phrases(query: str) -> tuple[str, ...]:
    """The phrases a query asks for ("closes its loop"), as the query parser reads them: not a
    negated or a field's phrase."""
    if PHRASE_QUOTES.isdisjoint(query):
        return ()
    try:
        return tuple(parse_query(query).phrases)
    except QueryError:
        return ()



# A word broken at a line's end by a hyphen, as man pages are typeset ("Au‐" / "thority"): the
# hyphen, the line break and the indent of the next line, then the rest of the word.
HYPHENATED_BREAK = re.compile(r"(?P<hyphen>[\u2010\u00ad-])[ \t]*\n\s*(?P<rest>[^\W\d_]+)")
# Hyphens a typesetter adds at a break (dropped when the word is joined); "-" may be the word's own.
BREAK_HYPHENS = "\u2010\u00ad"


def whole_last_word(span: Span, text: str) -> Span:
    """The span with its last word made whole when it ends where that word was hyphenated across
    lines ("Internet Assigned Numbers Au" -> "... Authority"); when the whole word does not fit in
    a short answer, the span ends before it. An answer never ends in half a word."""
    broken = HYPHENATED_BREAK.match(text, span.end)
    if not broken or not span.text[-1:].isalpha() or not text[span.end - 1 : span.end].isalpha():
        return span
    hyphen = "" if broken.group("hyphen") in BREAK_HYPHENS else "-"
    whole = span.text + hyphen + broken.group("rest")
    if shown_length(whole) <= MAX_ANSWER_CHARS:
        return Span(whole, span.answer_type, span.start, broken.end(), span.source, span.traits)
    space = span.text.rfind(" ")
    if space <= 0:
        return span
    shorter = span.text[:space].rstrip(" ,;:")
    return Span(shorter, span.answer_type, span.start, span.start + len(shorter), span.source, span.traits)


def cut_at_word(text: str, limit: int = MAX_ANSWER_CHARS) -> str:
    """The text on one line, as much of it as fits in `limit` (as shown_length counts), ending at a
    word's end."""
    cut = " ".join(text.split()).strip(" ,;:")
    room = limit
    while shown_length(cut) > limit and room > 0:  # a character NFKC widens ("…", "ﬁ") takes more room
        space = cut.rfind(" ", 0, room)
        cut = cut[:space].rstrip(" ,;:") if space > 0 else cut[:room]
        room -= 1
    return cut


def shown_length(text: str) -> int:
    """The length MAX_ANSWER_CHARS limits: after NFKC folding, whitespace runs as one."""
    return len(" ".join(unicodedata.normalize("NFKC", text).split()))


def shorten(text: str, limit: int = MAX_ANSWER_CHARS) -> str:
    """The text on one line, cut to `limit` (as shown_length counts) at a clause or word boundary."""
    text = " ".join(text.split()).strip(" ,;:")
    if shown_length(text) <= limit:
        return text
    cut = text[:limit]
    while cut and shown_length(cut + "…") > limit:
        cut = cut[:-1]
    for mark in (", ", "; ", " "):
        if mark in cut[MIN_CUT_CHARS:]:
            cut = cut[: cut.rfind(mark)]
            break
    return cut.rstrip(" ,;") + "…"  # one long word (a URL, a path) is cut where it reaches the limit


def _defined_terms(question: Question) -> list[str]:
    """The terms a definition would define: the question's subject, and its names."""
    words = [w for w in question.content_words if w not in DEFINING_VERBS]
    terms = [" ".join(words)] if 0 < len(words) <= 3 else []
    terms += [words[-1]] if words and len(words) > 1 else []
    for match in CAPITALISED_RUN.finditer(question.text[1:]):  # not the question's first word
        if len(match.group()) >= MIN_DEFINED_NAME_CHARS:
            terms.append(match.group())
    return list({term.lower(): term for term in terms if term}.values())


def _question_word_ends(asked: Asked, unit: Unit) -> list[int]:
    """Where each word of the question ends in the unit's text (character offsets)."""
    weights = asked.weights
    aliases = getattr(weights, "aliases", {})
    ends, stems = _token_ends(unit.text)
    return [end for end, term in zip(ends, stems) if aliases.get(term, term) in weights]


@lru_cache(maxsize=SENTENCES_TOKENISED)  # a question reads a few dozen sentences; the next, many of the same
def _token_ends(text: str) -> tuple[tuple[int, ...], tuple[str, ...]]:
    """Where each token of `text` ends, and its stem (two tuples: half the memory of pairs)."""
    matches = list(TOKEN.finditer(text))
    return tuple(match.end() for match in matches), tuple(stem(normalize_word(match.group())) for match in matches)


def clause_end(text: str, start: int) -> int:
    """Where the clause that starts at `start` ends: at a full stop, a semicolon, a blank line or
    the end of the text, and at most MAX_ANSWER_CHARS on (at a space)."""
    found = _CLAUSE_END.search(text, start)
    end = found.start() if found else len(text)
    if end - start > MAX_ANSWER_CHARS:
        end = _shown_end(text, start, end)
    return end


def _shown_end(text: str, start: int, end: int) -> int:
    """Where the words of text[start:end] stop fitting in MAX_ANSWER_CHARS as shown (whitespace
    runs as one space): a man page's clause spans lines indented by a dozen spaces, which the
    answer does not show. One long word is cut where it reaches the limit."""
    shown, last = -1, start
    for word in _WORD_RUN.finditer(text, start, end):
        shown += 1 + len(word.group())
        if shown > MAX_ANSWER_CHARS:
            return last if last > start else start + MAX_ANSWER_CHARS
        last = word.end()
    return end


@lru_cache(maxsize=SENTENCES_TOKENISED)
def _clause_pieces(text: str) -> tuple[tuple[int, int, bool, tuple[str, ...]], ...]:
    """The sentence's pieces long enough to answer, each with the stems of its stripped text:
    clauses() reads them for every question."""
    pieces = ((start, end, quoted, text[start:end].strip()) for start, end, quoted in sentence_pieces(text))
    return tuple((start, end, quoted, tuple(stemmed_terms(piece)))  # a tuple: a set's memory for a few stems
                 for start, end, quoted, piece in pieces if len(piece) >= MIN_CLAUSE_CHARS)


def sentence_pieces(text: str) -> list[tuple[int, int, bool]]:
    """The quotations of a sentence, then its clauses: (start, end, is a quotation)."""
    pieces = [(m.start(1), m.end(1), True) for m in QUOTATION.finditer(text)]
    position = 0
    for match in list(clause_breaks(text)) + [None]:
        end = match.start() if match else len(text)
        if end > position:
            pieces.append((position, end, False))
        position = match.end() if match else len(text)
    return pieces


def _grow_clause(text: str, start: int, end: int) -> tuple[int, int]:
    """Widen a short clause to its neighbours while it stays a short answer."""
    while end - start < GROW_BELOW_CHARS:
        grown = False
        following = next(clause_breaks(text, end + 1), None)
        if end < len(text):
            new_end = following.start() if following else len(text)
            if new_end - start <= MAX_ANSWER_CHARS - 10:
                end, grown = new_end, True
        if not grown:
            break
    return start, end
