"""Ranked passages -> a short answer: candidates of the expected type, their scores, a calibrated
confidence, abstention, and the values other sources give instead (conflicts).

Candidates come from the text (dates, numbers, durations, quoted titles, capitalised names,
"X as Y" cast lines, quotations, clauses) and from structure (a field whose name matches the
question, the table cell under a matching column header, a byline). Each is scored by how well its
sentence covers the question, how close it stands to the question's words, how well its passage
ranked and whether structure vouches for it. Values given by several sources add up. This is the
answer-extraction step of the classic pipeline (Harabagiu et al. 2000, "FALCON: Boosting knowledge
for answer engines"; Ravichandran & Hovy 2002 for surface patterns like "X as Y").
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from indexer.analysis import KIND_WORDS, TOKEN_PATTERN, agent_noun_bases, exact_words, normalize_word, stem, stemmed_terms
from search.questions import Question
from search.rank import ScoredPassage, canonical
from search.response import Answer, Conflict

MAX_ANSWER_CHARS = 120
# How many ranked passages are read for candidates.
ANSWER_DEPTH = 12

# Score weights of a candidate (set on our QA set, see docs/evaluation.md).
W_COVERAGE = 0.25
W_NEARNESS = 0.15
W_PASSAGE = 0.25
W_STRUCTURE = 0.35
# A field name that matches only the noun of the answer's type ("Company" for "Which company
# ...?") counts this much of a match on the question's other words.
TYPE_NOUN_MATCH = 0.6
# Each further document that gives the same value adds this much.
SUPPORT_BONUS = 0.06
# ... when that document's own candidate scores at least this share of the best one (a name that
# merely recurs everywhere is not support).
SUPPORT_SHARE = 0.85
# Below this score the engine abstains: measured so unanswerable questions abstain while answered
# ones keep their answers (docs/evaluation.md has the calibration table).
ABSTAIN_BELOW = 0.55
# A different value is a conflict when its score is at least this share of the best one and it
# fills the same slot (the same question words stand around it).
CONFLICT_SHARE = 0.7

# Logistic calibration of the confidence (Platt 1999, "Probabilistic outputs for support vector
# machines"), fitted to the answers of our two QA sets (seeds and notes; docs/evaluation.md):
# confidence = 1 / (1 + exp(-CALIBRATION_SLOPE * (score - CALIBRATION_MIDPOINT))).
CALIBRATION_SLOPE = 8.0
CALIBRATION_MIDPOINT = 0.65

# Question words farther than this many tokens from a candidate do not vouch for it.
NEAR_WINDOW = 8

_TOKEN = re.compile(TOKEN_PATTERN)
_MONTH = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December|"
    r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\.?"
)
_DATE = re.compile(
    rf"\b\d{{4}}-\d{{2}}-\d{{2}}\b|\b{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+\d{{4}})?(?!\d)"
    rf"|\b\d{{1,2}}\s+{_MONTH}(?:\s+\d{{4}})?\b|\b{_MONTH}\s+\d{{4}}\b|\b(?:1[89]|20)\d{{2}}\b"
)
_NUMBER_WORDS = "one two three four five six seven eight nine ten eleven twelve twenty thirty hundred thousand million"
_NUMBER = re.compile(
    r"\b\d+(?:[.,]\d+)?\s*(?:%|/\s*\d+|\s+out\s+of\s+\d+)|[$€£]\s?\d+(?:[.,]\d+)*\b|\b\d+(?:[.,]\d+)*(?:\.\d+)?\b"
    rf"|\b(?:{'|'.join(_NUMBER_WORDS.split())})\b",
    re.IGNORECASE,
)
# A sum of money: "$5 million", "US$1.2m", "£300", "20 euros", "3 million dollars".
_MONEY = re.compile(
    r"(?:\b[A-Z]{1,3})?[$€£¥]\s?\d+(?:[.,]\d+)*(?:\s*(?:million|billion|thousand|[mbk]n?)\b)?"
    r"|\b\d+(?:[.,]\d+)*(?:\s+(?:million|billion|thousand))?\s+(?:dollars?|pounds?|euros?|yen|USD|EUR|GBP)\b",
    re.IGNORECASE,
)
_DURATION = re.compile(
    r"\b(?:\d+(?:[–-]\d+)?|(?:" + "|".join(_NUMBER_WORDS.split()) + r")(?:\s+and\s+a\s+half)?)"
    r"\s*(?:-\s*)?(?:minutes?|hours?|years?|months?|weeks?|days?|seasons?)\b",
    re.IGNORECASE,
)
_QUOTED = re.compile(r"[“\"]([^”\"]{2,80})[”\"]")
_UPPER = "A-ZÀ-ÖØ-ÞĀĂĄĆČĎĘĚĞŁŃŇŐŒŘŚŠŞŢŤŮŰŹŻŽ"  # capitals of the Latin scripts: "Tomás", "Łukasz"
_LOWER = "a-zß-öø-ÿāăąćčďęěğłńňőœřśšşţťůűźżž"
_NAME_WORD = (
    rf"(?:[{_UPPER}][{_LOWER}]+(?:[-’'][{_UPPER}]?[{_LOWER}]+)*|[{_UPPER}]\.|[{_UPPER}][{_LOWER}]*[{_UPPER}][{_LOWER}]+"
    r"|\d{1,2}(?:st|nd|rd|th))"
)
# Names run along one line: a line break ends them ("Laura Hurley" over "Senior Content Producer").
_CAPITALISED_RUN = re.compile(rf"{_NAME_WORD}(?:[ \t]+(?:(?:de|da|van|von|del|di|le|la)[ \t]+)?{_NAME_WORD})*")
_CAST_LINE = re.compile(
    rf"(?P<actor>{_NAME_WORD}(?:[ \t]+{_NAME_WORD}){{1,3}})[ \t]+as\s+(?P<role>[^,.;()]+?(?:\([^)]*\))?)(?=[,.;]|$|\s+\()"
)
_PLACE = re.compile(
    rf"\b(?:in|at|from|on|near|across|to|of)\s+(?:the\s+)?(?P<name>{_NAME_WORD}(?:\s+(?:of\s+)?{_NAME_WORD}){{0,3}})"
)
_AFTER_PLACE_WORD = re.compile(r"\b(?:in|at|near|from|across|outside|inside|around)\s+(?:the\s+)?$", re.IGNORECASE)
_ROLE_QUESTION = re.compile(r"\b(play|plays|played|playing|portray\w*|role|character|cast as)\b", re.IGNORECASE)
_CLAUSE_BREAK = re.compile(r"\s*(?:[,;:()\[\]—–]|\s-\s|\s--\s)\s*")
_QUOTE_VERBS = re.compile(
    r"\b(say|said|says|tell|told|write|wrote|tweet|tweeted|think|thought|feel|felt|notice|noticed|observe|observed|"
    r"mean|reveal|revealed|explain|explained|describe|described|complain|complained|share|shared)\b",
    re.IGNORECASE,
)

# Field names that hold an answer of a type, whatever the question's words ("Where is X?" ->
# `Location:`, "When was it published?" -> `Published:`), as stems.
TYPE_FIELD_NAMES = {
    "place": set(stemmed_terms("location address place venue headquarters city country based site")),
    "date": set(stemmed_terms("date released published opened premiered aired founded")),
}
ORGANISATION_WORDS = frozenset(
    "television studios studio pictures productions media corporation corp inc llc ltd company network networks "
    "entertainment records films group magazine channel broadcasting university college school bank".split()
)
NOT_NAMES = frozenset(
    "the a an on in at of for and but or if when while after before although though this that these those it "
    "he she they we i you his her their its our my your as by with from to into later alongside following "
    "elsewhere meanwhile considering take watch check all like one first last new".split()
)
MONTH_NAMES = frozenset(
    "january february march april may june july august september october november december "
    "monday tuesday wednesday thursday friday saturday sunday".split()
)


@dataclass
class Unit:
    """A sentence (or a whole field/row/list item) of a passage, with its line span."""

    text: str
    line_start: int
    line_end: int
    stems: list[str]
    coverage: float = 0.0


@dataclass
class Candidate:
    text: str
    answer_type: str
    score: float
    unit: Unit
    passage: ScoredPassage
    slot: frozenset[str] = frozenset()
    value: str = ""
    documents: set[str] = field(default_factory=set)


@dataclass
class AnswerResult:
    answer: Answer | None
    conflicts: list[Conflict]
    passage: ScoredPassage | None  # the passage the answer stands in


def extract_answer(question: Question, passages: list[ScoredPassage], weights: dict[str, float],
                   missing_names: list[str], common_words: frozenset[str] = frozenset()) -> AnswerResult:
    """Pick the best-supported short answer from the top passages, or abstain. `common_words`
    are indexed words that are ordinary English words (not names): "Depot Street" is no person."""
    if missing_names or not passages:
        return AnswerResult(None, [], None)
    top_score = passages[0].score or 1.0
    candidates: list[Candidate] = []
    for passage in passages[:ANSWER_DEPTH]:
        if passage.stored.get("kind") == "code":
            continue  # code is found and shown, but a line of it is no short answer
        candidates.extend(_passage_candidates(question, passage, weights, passage.score / top_score, common_words))
    if not candidates:
        return AnswerResult(None, [], None)
    groups = _group_by_value(candidates)
    best = groups[0]
    if best.score < ABSTAIN_BELOW:
        return AnswerResult(None, [], None)
    conflicts = [
        group for group in groups[1:]
        if group.answer_type == best.answer_type
        and group.answer_type in ("number", "money", "date", "duration", "organisation")
        and (group.answer_type != "number" or _same_shape(group.text, best.text))
        and group.score >= CONFLICT_SHARE * best.score
        and _same_slot(group.slot, best.slot)
        and not group.documents & best.documents
    ]
    confidence = _calibrated(best.score) * (0.8 if conflicts else 1.0)
    answer = Answer(
        text=best.text,
        confidence=round(confidence, 3),
        sentence=best.unit.text,
        path=best.passage.path,
        line_start=best.unit.line_start,
        line_end=best.unit.line_end,
        answer_type=best.answer_type,
        page=best.passage.facts.get("page"),
    )
    return AnswerResult(
        answer,
        [Conflict(c.text, c.unit.text, c.passage.path, c.unit.line_start, c.unit.line_end, c.passage.facts.get("page"))
         for c in conflicts],
        best.passage,
    )


def has_answer_type(answer_type: str, text: str) -> bool:
    """Cheap test used in ranking: could `text` hold an answer of this type at all?"""
    if answer_type == "date":
        return bool(_DATE.search(text))
    if answer_type == "number":
        return bool(re.search(r"\d", text))
    if answer_type == "money":
        return bool(_MONEY.search(text))
    if answer_type == "duration":
        return bool(_DURATION.search(text))
    if answer_type in ("person", "organisation", "place"):
        return any(len(m.group().split()) >= 2 for m in _CAPITALISED_RUN.finditer(text))
    if answer_type == "title":
        return bool(_QUOTED.search(text))
    return False


# -- candidates of one passage ------------------------------------------------------------------


def _passage_candidates(question: Question, passage: ScoredPassage, weights: dict[str, float], passage_rank: float,
                        common: frozenset[str]):
    units = _units(passage, weights)
    question_words = set(question.content_words) | {normalize_word(w) for w in question.text.split()}
    structured = list(_structured_candidates(question, passage, units[0] if len(units) == 1 else None, common))
    found = structured
    if structured:  # structure already says which part of a field or row answers; its words are not names
        units = []
    for index, unit in enumerate(units):
        neighbours = [units[j].coverage for j in (index - 1, index + 1) if 0 <= j < len(units)]
        context = max([unit.coverage] + [0.5 * unit.coverage + 0.5 * c for c in neighbours])
        quotation = passage.stored.get("kind") == "quote"
        for text, answer_type, start, end, structure in _text_candidates(question, unit, weights, common, quotation):
            if question.kind != "keyword" and _mostly_in_question(text, question_words):
                continue
            near = _nearness(unit, start, end, weights)
            slot = _slot(unit, start, end, weights)
            score = W_COVERAGE * context + W_NEARNESS * near + W_PASSAGE * passage_rank + W_STRUCTURE * structure
            found.append(Candidate(text, answer_type, score, unit, passage, slot))
    for candidate in structured:
        candidate.score += W_PASSAGE * passage_rank
    return found


def _units(passage: ScoredPassage, weights: dict[str, float]) -> list[Unit]:
    text = passage.text
    start_line = passage.stored["line_start"]
    spans = [tuple(span) for span in passage.facts.get("sentences") or []] or [(0, len(text))]
    units = []
    total = sum(weights.values()) or 1.0
    context = set(canonical(weights, passage.context_stems))
    for start, end in spans:
        sentence = text[start:end]
        stems = canonical(weights, stemmed_terms(sentence))
        present = set(stems)
        covered = sum(w if s in present else (0.5 * w if s in context else 0.0) for s, w in weights.items())
        units.append(
            Unit(sentence, start_line + text.count("\n", 0, start), start_line + text.count("\n", 0, max(start, end - 1)),
                 stems, covered / total)
        )
    return units


def _structured_candidates(question: Question, passage: ScoredPassage, unit: Unit | None, common: frozenset[str]):
    """Field values, table cells and bylines whose name matches what the question asks."""
    if unit is None:
        return
    facts = passage.facts
    asked = set(question.content_stems) | TYPE_FIELD_NAMES.get(question.answer_type, set())
    type_only = _type_noun(question)
    name = facts.get("field_name")
    if name and facts.get("field_value"):
        match = _name_match(name, asked, KIND_WORDS.get(passage.stored.get("kind"), ""), type_only)
        value = re.sub(r"\[\d+\]", "", facts["field_value"]).strip()
        if match > 0 and not _mostly_in_question(value, set(question.content_words)):
            answer_type = _type_of_value(value, question.answer_type, common)
            if answer_type == question.answer_type or question.answer_type in ("phrase", "organisation"):
                score = W_COVERAGE * unit.coverage + W_NEARNESS + W_STRUCTURE * match
                yield Candidate(_shorten(value), answer_type if answer_type != "phrase" else question.answer_type,
                                score, unit, passage, frozenset(stemmed_terms(name)))
    for header, cell in facts.get("cells") or []:
        if not header or _mostly_in_question(cell, set(question.content_words)):
            continue
        match = _name_match(header, asked, type_only=type_only)
        answer_type = _type_of_value(cell, question.answer_type, common)
        if answer_type == "title" and not _is_title_cell(header, cell):
            answer_type = "phrase"
        cell_text = cell.strip('"“” ')
        if match > 0 and (answer_type == question.answer_type or question.answer_type == "phrase"):
            score = W_COVERAGE * unit.coverage + W_NEARNESS + W_STRUCTURE * match
            yield Candidate(_shorten(cell_text), answer_type, score, unit, passage, frozenset(stemmed_terms(header)))
        elif answer_type == question.answer_type == "title" and unit.coverage > 0.3:
            score = W_COVERAGE * unit.coverage + W_NEARNESS + W_STRUCTURE * 0.6
            yield Candidate(_shorten(cell_text), answer_type, score, unit, passage, frozenset(stemmed_terms(header)))


def _type_noun(question: Question) -> set[str]:
    """The stem of the noun right after "which"/"what" when words follow it: in "Which company
    distributes Soundtrack?" it says what kind of answer is wanted, and names many fields
    ("Company"); the words after it say which one ("Distributor"). In "What is the star
    rating?" the noun is what is asked."""
    words = exact_words(question.text)
    if question.head_noun and len(words) > 2 and words[0] in ("which", "what") and words[1] == question.head_noun:
        return {stem(normalize_word(question.head_noun))}
    return set()


def _is_title_cell(header: str, cell: str) -> bool:
    """A cell that names a work: quoted, or under a "Title"/"Name"/"Episode" column."""
    return bool(_QUOTED.fullmatch(cell.strip())) or bool(set(stemmed_terms(header)) & {"titl", "name", "episod"})


def _name_match(name: str, asked: set[str], related: str = "", type_only: set[str] = frozenset()) -> float:
    """How much of a field name or column header the question asks for (0..1); `related` are
    words that mean the same as the name here (a byline's "wrote"). A name matched only by
    `type_only` (the question's answer-type noun) counts TYPE_NOUN_MATCH as much."""
    words = [w for w in re.findall(r"[A-Za-z]+", name) if w.lower() not in ("of", "by", "no", "num", "the")]
    if not words:
        return 0.0
    stems = {stem(normalize_word(w)) for w in words + related.split()} | {stem(b) for b in agent_noun_bases(words)}
    matched = stems & asked
    share = min(1.0, len(matched) / len(words))
    return share * TYPE_NOUN_MATCH if matched and matched <= type_only else share


def _text_candidates(question: Question, unit: Unit, weights: dict[str, float], common: frozenset[str],
                     quotation: bool = False):
    """(text, type, start, end, structure bonus) for each candidate span of the expected type."""
    text = unit.text
    expected = question.answer_type
    if expected == "person":
        yield from _cast_candidates(question, text)
        if _is_headline(text):
            return  # in Title Case Headlines every word looks like a name
        for match in _CAPITALISED_RUN.finditer(text):
            name = _clean_name(match.group())
            if name and _kind_of_name(name, common) == "person":
                start = match.start() + match.group().find(name)
                if _AFTER_PLACE_WORD.search(text[:start]):
                    continue  # "a café in Ashby Ridge": a place, whatever its words
                yield name, "person", start, start + len(name), max(
                    _described_after(question, text, start + len(name)), _owned_by_asked(question, text, start))
    elif expected == "date":
        for match in _DATE.finditer(text):
            weak = re.fullmatch(r"\d{4}", match.group()) is not None
            yield match.group(), "date", match.start(), match.end(), -0.3 if weak else 0.0
    elif expected == "number":
        for match in _NUMBER.finditer(text):
            if _inside_date(text, match.start()) or re.fullmatch(r"\d{4}", match.group()):
                continue
            head_bonus, noun_end = _head_noun_after(question, text, match.end())
            counted = head_bonus and question.kind == "how_many"
            shown = text[match.start():noun_end if counted else match.end()]  # "ten episodes", not "ten"
            yield shown.strip(), "number", match.start(), match.end(), head_bonus
    elif expected == "money":  # only a sum of money answers: "ten" episodes is no price
        for match in _MONEY.finditer(text):
            yield match.group().strip(), "money", match.start(), match.end(), 0.0
    elif expected == "duration":
        for match in _DURATION.finditer(text):
            yield match.group(), "duration", match.start(), match.end(), 0.0
    elif expected == "title":
        quoted = []
        for match in _QUOTED.finditer(text):
            title = match.group(1).strip(" .,")
            if title[:1].isupper() and len(title.split()) <= 8:
                quoted.append((match.start(1), match.end(1)))
                yield title, "title", match.start(1), match.end(1), _named_as_example(question, text, match.start())
        if _is_headline(text):
            return
        for match in _CAPITALISED_RUN.finditer(text):  # unquoted titles: weaker evidence
            name = _clean_name(match.group(), allow_single=True)
            start = match.start() + (match.group().find(name) if name else 0)
            if name and start > 0 and not any(s <= start < e for s, e in quoted):
                yield name, "title", start, start + len(name), -0.15
    elif expected == "place":
        for match in _PLACE.finditer(text):
            name = _clean_name(match.group("name"), allow_single=True)
            if name:
                start = match.start("name") + match.group("name").find(name)
                yield name, "place", start, start + len(name), 0.3
    elif expected == "organisation":
        for match in _CAPITALISED_RUN.finditer(text):
            name = _clean_name(match.group(), allow_single=True)
            if name:
                start = match.start() + match.group().find(name)
                yield name, expected, start, start + len(name), 0.0 if _kind_of_name(name, common) == expected else -0.15
    else:  # phrase, reason, yes_no, quote: a definition, or a clause of the best sentences
        if expected == "phrase":
            yield from _definition_candidates(question, text)
        yield from _clause_candidates(question, unit, weights, quotation)


def _cast_candidates(question: Question, text: str):
    """"Actor as Role" lines: "Who plays Role?" -> Actor; "Who does Actor play?" -> Role."""
    asked = set(question.content_words)
    for match in _CAST_LINE.finditer(text):
        actor, role = match.group("actor"), match.group("role")
        role_words = {normalize_word(w) for w in _TOKEN.findall(role)}
        actor_words = {normalize_word(w) for w in _TOKEN.findall(actor)}
        role_overlap, actor_overlap = len(role_words & asked), len(actor_words & asked)
        if role_overlap > actor_overlap:  # the more of the role's name the question gives, the surer
            yield actor, "person", match.start("actor"), match.end("actor"), min(1.0, 0.5 + 0.25 * role_overlap)
        elif actor_overlap > role_overlap and _ROLE_QUESTION.search(question.text):
            yield role.strip(), "person", match.start("role"), match.end("role"), 0.8


def _definition_candidates(question: Question, text: str):
    """What the text says a name the question asks about is: an appositive or a copula
    ("the Depot Loaf, a rye and wheat sourdough"; "Flirty Dancing is a reality series")."""
    for match in _CAPITALISED_RUN.finditer(question.text[1:]):  # not the question's first word
        name = match.group()
        if len(name) < 3:
            continue
        pattern = rf"{re.escape(name)}['’]?s?\s*(?:,|\(|\bis\b|\bwas\b|\bare\b|\bwere\b)\s+(?P<what>(?:a|an|the)\s[^,.;()]{{3,100}})"
        for found in re.finditer(pattern, text):
            yield found.group("what").strip(), "phrase", found.start("what"), found.end("what"), 0.8


def _clause_candidates(question: Question, unit: Unit, weights: dict[str, float], unit_is_quotation: bool = False):
    """The clause (or quotation) of a sentence that best covers the question, as a short phrase."""
    text = unit.text
    total = sum(weights.values()) or 1.0
    if not set(weights) & set(unit.stems):
        return
    wants_quote = bool(_QUOTE_VERBS.search(question.text))
    whole_quote = unit_is_quotation
    pieces = [(m.start(1), m.end(1), True) for m in _QUOTED.finditer(text)]
    position = 0
    for match in list(_CLAUSE_BREAK.finditer(text)) + [None]:
        end = match.start() if match else len(text)
        if end > position:
            pieces.append((position, end, False))
        position = match.end() if match else len(text)
    best = None
    for start, end, quoted in pieces:
        piece = text[start:end].strip()
        if len(piece) < 8:
            continue
        stems = set(canonical(weights, stemmed_terms(piece)))
        overlap = sum(w for s, w in weights.items() if s in stems) / total
        bonus = 0.3 if (quoted or whole_quote) and wants_quote else 0.0
        key = overlap + bonus
        if best is None or key > best[0]:
            best = (key, start, end)
    if best is None or best[0] <= 0:
        return
    _, start, end = best
    start, end = _grow_clause(text, start, end)
    clause = text[start:end].strip(" ,;:“”\"")
    yield _shorten(clause), question.answer_type, start, end, 0.3 if wants_quote else 0.0


def _grow_clause(text: str, start: int, end: int) -> tuple[int, int]:
    """Widen a short clause to its neighbours while it stays a short answer."""
    while end - start < 40:
        grown = False
        nxt = _CLAUSE_BREAK.search(text, end + 1)
        if end < len(text):
            new_end = nxt.start() if nxt else len(text)
            if new_end - start <= MAX_ANSWER_CHARS - 10:
                end, grown = new_end, True
        if not grown:
            break
    return start, end


# -- helpers --------------------------------------------------------------------------------------


def _is_headline(text: str) -> bool:
    words = [w for w in text.split() if w[:1].isalpha() and w.lower() not in NOT_NAMES]
    return len(words) >= 4 and sum(w[:1].isupper() for w in words) / len(words) > 0.7


def _described_after(question: Question, text: str, end: int) -> float:
    """A bonus when what follows a name describes it in the question's words: an appositive
    ("Jahmil French (in his final acting role)", "Amy J. Carle, Joanna's colleague")."""
    following = re.match(r"\s*(?:\(([^)]{1,80})\)|,\s*([^,.;]{1,80}))", text[end:])
    if not following:
        return 0.0
    words = set(stemmed_terms(following.group(1) or following.group(2)))
    asked = set(question.content_stems)
    return 0.6 * len(words & asked) / max(1, len(asked))


# "shows like ...", "films such as ...", "series including ...": what follows is one of them.
_EXAMPLES_FOLLOW = re.compile(r"(\w+)\s+(?:like|such\s+as|including)\b(?:\s+\w+){0,4}\s*$", re.IGNORECASE)


def _named_as_example(question: Question, text: str, start: int) -> float:
    """A bonus when a title is given as an example of what the question asks for, some of a kind
    ("Which Fox shows ...?": "shows like the legal procedural “Proven Innocent” and ..."): the
    pattern of Hearst (1992, "Automatic acquisition of hyponyms from large text corpora")."""
    head = question.head_noun
    if not head or not (question.kind == "which" or head.endswith("s") and not head.endswith("ss")):
        return 0.0  # "What was the show called ...?" asks for the show's name, not for shows
    before = text[max(0, start - 80):start]
    before = re.sub(r"[“\"][^”\"]*[”\"]\s*(?:,|and|or)\s*", " ", before)  # earlier items of the same list
    example = _EXAMPLES_FOLLOW.search(before)
    return 0.5 if example and stem(normalize_word(example.group(1))) == stem(normalize_word(head)) else 0.0


def _owned_by_asked(question: Question, text: str, start: int) -> float:
    """A bonus when the name follows a possessive of the question's words: "ET's Lauren Zima"
    (Lauren Zima of ET) for "Who interviewed Jenna Dewan for ET?"."""
    owner = re.search(r"(\w+)['’]s\s+$", text[max(0, start - 40):start])
    if not owner:
        return 0.0
    return 0.5 if stem(normalize_word(owner.group(1))) in set(question.content_stems) else 0.0


def _clean_name(run: str, allow_single: bool = False) -> str | None:
    words = run.split()
    while words and (words[0].lower() in NOT_NAMES or words[0].lower() in MONTH_NAMES or words[0].endswith(("'s", "’s"))):
        words = words[1:]
    while words and (words[-1].lower() in NOT_NAMES or words[-1].lower() in MONTH_NAMES):
        words = words[:-1]
    if not words or (len(words) < 2 and not allow_single):
        return None
    if any(w.endswith(("'s", "’s")) for w in words[:-1]):
        return None
    name = " ".join(words)
    name = re.sub(r"['’]s$", "", name)
    return name if re.search(r"[a-z]", name) else None


def _kind_of_name(name: str, common: frozenset[str] = frozenset()) -> str:
    words = [w.lower().strip(".") for w in name.split()]
    if set(words) & ORGANISATION_WORDS or re.match(r"\d", name):
        return "organisation"
    if len(words) == 1:
        return "organisation"  # one capitalised word: a brand or a place more often than a person
    ordinary = [normalize_word(w) in common for w in words]
    if ordinary[-1] and sum(ordinary) > len(words) / 2:
        return "organisation"  # "Depot Street", "Food Pantry"; but "Ti West", "Markie Post" are people
    return "person"


def _type_of_value(value: str, expected: str, common: frozenset[str] = frozenset()) -> str:
    if _DATE.search(value) and not re.fullmatch(r"\d{4}", value.strip()):
        return "date" if expected in ("date", "phrase") else "phrase"
    if expected == "number" and re.search(r"\d", value):
        return "number"
    if expected == "money":
        return "money" if _MONEY.search(value) else "phrase"
    if expected == "duration" and _DURATION.search(value):
        return "duration"
    if re.fullmatch(r"[\d.,\s%/–-]+", value):
        return "number" if expected in ("number", "phrase") else "phrase"
    if expected == "person" and _CAPITALISED_RUN.search(value):
        return "person" if any(_kind_of_name(n, common) == "person" for n in _names(value)) else "organisation"
    if expected in ("organisation", "place") and re.search(r"[A-Z0-9]", value):
        return expected
    if expected == "title" and re.search(r"[A-Z]", value):
        return "title"
    return "phrase"


def _names(value: str) -> list[str]:
    return [n for n in (_clean_name(m.group(), allow_single=True) for m in _CAPITALISED_RUN.finditer(value)) if n]


def _mostly_in_question(text: str, question_words: set[str]) -> bool:
    words = [normalize_word(w) for w in _TOKEN.findall(text)]
    words = [w for w in words if w not in NOT_NAMES]
    return bool(words) and sum(w in question_words for w in words) / len(words) > 0.5


def _inside_date(text: str, position: int) -> bool:
    return any(m.start() <= position < m.end() and not re.fullmatch(r"\d{4}", m.group()) for m in _DATE.finditer(text))


def _head_noun_after(question: Question, text: str, end: int) -> tuple[float, int]:
    """A bonus when the number counts what the question asks about ("10 episodes"), and where
    that noun ends."""
    if not question.head_noun:
        return 0.0, end
    wanted = stem(normalize_word(question.head_noun))
    for match in list(_TOKEN.finditer(text, end, min(len(text), end + 30)))[:2]:
        if stem(normalize_word(match.group())) == wanted:
            return 0.8, match.end()
    return 0.0, end


def _token_positions(unit: Unit, start: int, end: int) -> tuple[int, int]:
    first = len(_TOKEN.findall(unit.text[:start]))
    last = first + max(1, len(_TOKEN.findall(unit.text[start:end])))
    return first, last


def _nearness(unit: Unit, start: int, end: int, weights: dict[str, float]) -> float:
    """How much of the question stands close around the candidate: each question word within
    NEAR_WINDOW tokens counts with its weight, less the farther it is (each word once, nearest)."""
    first, last = _token_positions(unit, start, end)
    nearest: dict[str, int] = {}
    for i, s in enumerate(unit.stems):
        if s in weights and not first <= i < last:
            distance = first - i if i < first else i - last + 1
            nearest[s] = min(distance, nearest.get(s, distance))
    total = sum(weights.values()) or 1.0
    return sum(weights[s] / (1.0 + (d - 1) / 3.0) for s, d in nearest.items() if d <= NEAR_WINDOW) / total


def _slot(unit: Unit, start: int, end: int, weights: dict[str, float]) -> frozenset[str]:
    """The question's words standing just around a candidate: what the value is a value of."""
    first, last = _token_positions(unit, start, end)
    window = unit.stems[max(0, first - 4) : first] + unit.stems[last : last + 4]
    return frozenset(s for s in window if s in weights)


def _same_slot(a: frozenset[str], b: frozenset[str]) -> bool:
    """Two values fill the same slot when most of the question words around the one with fewer
    stand around the other too (the overlap coefficient)."""
    return bool(a and b) and len(a & b) / min(len(a), len(b)) >= 0.5


def _shape(text: str) -> str:
    """What a value measures, by its form: a percentage, a ratio, or the unit word right after
    the figure ("4.5 stars (Valley Eats guide)" measures stars); "" for a bare figure."""
    if "%" in text:
        return "percent"
    if "/" in text or " out of " in text:
        return "ratio"
    unit = re.match(r"[$€£]?\s*[\d.,]+\s*([^\W\d_]+)", text)
    return stem(normalize_word(unit.group(1))) if unit else ""


def _same_shape(a: str, b: str) -> bool:
    """Values of the same measure: the same shape, or a bare figure beside a counted one."""
    shape_a, shape_b = _shape(a), _shape(b)
    plain = ("percent", "ratio")
    return shape_a == shape_b or ("" in (shape_a, shape_b) and not {shape_a, shape_b} & set(plain))


@dataclass
class _Group:
    text: str
    answer_type: str
    score: float
    unit: Unit
    passage: ScoredPassage
    slot: frozenset[str]
    documents: set[str]
    key: object = None


def _group_by_value(candidates: list[Candidate]) -> list[_Group]:
    """Merge candidates that give the same value; more sources, more support. Dates merge when
    they agree as far as both go ("January 2020" and "January 31, 2020"); the group then shows
    the most precise one."""
    groups: list[_Group] = []
    for candidate in sorted(candidates, key=lambda c: -c.score):
        key = _value_key(candidate)
        group = next((g for g in groups if g.answer_type == candidate.answer_type and _same_value(g.key, key)), None)
        sources = {candidate.passage.path} | {ref.path for ref in candidate.passage.also_in}
        if group is None:
            groups.append(_Group(candidate.text, candidate.answer_type, candidate.score, candidate.unit,
                                 candidate.passage, candidate.slot, sources, key))
            continue
        if candidate.score >= SUPPORT_SHARE * group.score:
            if _more_precise(key, group.key):
                group.text, group.unit, group.passage, group.key = candidate.text, candidate.unit, candidate.passage, key
            new = sources - group.documents
            group.documents |= new
            group.score += SUPPORT_BONUS * len(new)
            group.slot = group.slot | candidate.slot
    return sorted(groups, key=lambda g: -g.score)


def _same_value(a, b) -> bool:
    if isinstance(a, tuple) and isinstance(b, tuple):  # (year, month, day), None where unknown
        shared = [(x, y) for x, y in zip(a, b) if x is not None and y is not None]
        return bool(shared) and all(x == y for x, y in shared) and (a[1] is not None) == (b[1] is not None) or a == b
    return a == b


def _more_precise(a, b) -> bool:
    """A full date ("December 18, 2019") says more than a partial one ("Dec. 18")."""
    if isinstance(a, tuple) and isinstance(b, tuple):
        return sum(x is not None for x in a) > sum(x is not None for x in b)
    return False


def _value_key(candidate: Candidate) -> str:
    text = candidate.text
    if candidate.answer_type == "date":
        return _date_key(text)
    if candidate.answer_type == "number":
        return _number_key(text)
    return " ".join(normalize_word(w) for w in _TOKEN.findall(text))


_NUMBER_VALUES = {word: str(value) for value, word in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve".split())}


def _number_key(text: str) -> str:
    """The figure a number answer states, whatever words follow it: "ten episodes" = "10"."""
    first = _TOKEN.findall(text.lower())[:1]
    figure = re.match(r"[\d.,]+(?:\s*%|\s*/\s*\d+)?", text)
    if figure:
        return figure.group().replace(" ", "")
    return _NUMBER_VALUES.get(first[0], first[0]) if first else text.lower()


def _date_key(text: str) -> tuple[int | None, int | None, int | None]:
    """(year, month, day) of a date as written, None for what it leaves out."""
    iso = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", text)
    if iso:
        return int(iso.group(1)), int(iso.group(2)), int(iso.group(3))
    month = next((i for i, m in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)
        if re.search(rf"\b{m}", text.lower())), None)
    day = re.search(r"\b(\d{1,2})(?:st|nd|rd|th)?\b", text)
    year = re.search(r"\b(\d{4})\b", text)
    return (int(year.group(1)) if year else None, month, int(day.group(1)) if day and month else None)


def _shorten(text: str) -> str:
    text = " ".join(text.split())
    if len(text) <= MAX_ANSWER_CHARS:
        return text
    cut = text[: MAX_ANSWER_CHARS - 1]
    for mark in (", ", "; ", " "):
        if mark in cut[40:]:
            cut = cut[: cut.rfind(mark)]
            break
    return cut.rstrip(" ,;") + "…"


def _calibrated(score: float) -> float:
    return 1.0 / (1.0 + math.exp(-CALIBRATION_SLOPE * (score - CALIBRATION_MIDPOINT)))
