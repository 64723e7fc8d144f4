"""Question analysis: what kind of question this is, what kind of answer it expects, and which of
its words carry the search. Pure functions over the text; no index needed.

The types follow the classic coarse classes of open-domain QA (Li & Roth 2002, "Learning Question
Classifiers", COLING): a wh-word, and for "what/which" the head noun after it, decide the answer
type.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace

from indexer.analysis import exact_words, stem
from search.kinds import AnswerType, QuestionKind
from search.query import STOP_WORDS, ParsedQuery, normalize_quotes, parse_query

# Answer types a head noun asks for ("which company", "what year", "how many episodes").
HEAD_NOUN_TYPES = {
    AnswerType.DATE: ("year", "date", "day", "month", "time", "decade", "season"),
    AnswerType.ORGANISATION: ("company", "companies", "network", "studio", "studios", "channel", "distributor", "broadcaster",
                     "streamer", "publication", "outlet", "organisation", "organization", "firm", "brand", "team"),
    AnswerType.PLACE: ("city", "country", "place", "town", "state", "location", "venue", "street"),
    AnswerType.PERSON: ("actor", "actress", "person", "people", "director", "writer", "author", "producer", "creator",
               "character", "editor", "composer", "star", "host", "critic", "reporter", "founder", "owner", "baker",
               "chef", "member", "members", "manager", "cinematographer", "cinematographers", "editors",
               "producers", "directors", "writers", "composers", "actors", "creators"),
    AnswerType.TITLE: ("episode", "episodes", "show", "shows", "series", "miniseries", "film", "films", "movie", "movies",
              "book", "books", "song", "songs", "album", "title", "titles", "program", "programme", "article", "novel",
              "play"),
    AnswerType.MONEY: ("price", "cost", "budget", "salary", "fee", "fees", "revenue", "gross", "earnings", "fine", "wage",
              "wages", "rent", "money"),
    AnswerType.NUMBER: ("rating", "score", "percentage", "percent", "number", "amount", "count", "age", "rank", "stars",
               "grade"),
    AnswerType.VERSION: ("version", "versions", "release", "releases"),
    # Names in code and configuration ("Which module ...", "What option ...").
    AnswerType.IDENTIFIER: ("function", "functions", "method", "methods", "module", "modules", "option", "options",
                            "flag", "flags", "switch", "command", "commands", "variable", "variables", "constant",
                            "constants", "class", "classes", "exception", "exceptions", "parameter", "parameters",
                            "argument", "arguments", "attribute", "attributes", "setting", "settings", "keyword",
                            "keywords", "directive", "directives", "package", "packages", "library", "libraries",
                            "tool", "tools", "script", "scripts", "program", "programs", "utility", "utilities",
                            "macro", "macros", "header", "headers", "operator", "operators", "signal", "signals",
                            "syscall", "call", "file", "files", "directory", "directories", "encoding", "format",
                            "formats", "extension", "field", "fields", "key", "keys", "api",
                            "interface", "protocol", "syntax", "pragma"),
}
# "How much did Netflix pay ...?" asks for a sum of money, "How much rain fell?" does not.
MONEY_VERBS = frozenset("pay pays paid cost costs spend spends spent earn earns earned charge charges charged sell "
                        "sells sold raise raises raised gross grossed owe owes owed worth".split())
YES_NO_OPENERS = ("am", "is", "are", "was", "were", "did", "does", "do", "has", "have", "had", "can", "could", "will",
                  "would", "should", "may", "might", "must", "shall", "isn't", "aren't", "wasn't", "weren't", "doesn't",
                  "don't", "didn't", "hasn't", "haven't", "can't", "couldn't", "won't", "wouldn't", "shouldn't")
QUESTION_WORDS = frozenset(
    "who whom whose what which when where why how many much long often far old tell me please name list give "
    "kind type sort".split()
)
LEADING_PREPOSITIONS = frozenset("in on at for from to by during since until of".split())
# "How do I ...", "How can one ...", "How to ...": the question asks for a way to do something.
HOW_TO_AUXILIARIES = frozenset("do does can could should would to is are may might will shall must".split())
# "way to" asks for a way to do something when it stands among the first words ("What's the most
# efficient way to ...?"), not in a clause further on.
WAY_WITHIN_WORDS = 6
# Who does a thing in "What should I do ...?" (a way to do it is asked for).
DOERS = frozenset("i we you one".split())
# The head noun of "what/which" stands within this many words of it ("What's the highest level C
# function for ...?").
HEAD_NOUN_WINDOW = 6
# "What does X mean/do/stand for?" asks what X is.
DEFINING_VERBS = frozenset("mean means do does signify indicate represent stand".split())
# What may follow the defining verb of "What does X mean?": where or when it means it ("What
# does the merge action do in nsswitch.conf?"), "stand for", "mean for ... to be ...".
DEFINING_VERB_FOLLOWERS = frozenset("in on at for when if inside within under with".split())
# "What is X?" asks for a definition when X is a short noun phrase (at most this many content words).
DEFINED_TERM_MAX_WORDS = 4
# Verbs that only carry the question ("Who is X?", "What did X say?") and are not matched.
LIGHT_VERBS = frozenset("is are was were be been being do does did has have had get got".split())


@dataclass(frozen=True)
class Question:
    text: str
    kind: QuestionKind
    answer_type: AnswerType
    search_text: str  # the question without its question words: what retrieval searches for
    content_words: tuple[str, ...]  # normalised words that should match (no stop/question words)
    head_noun: str | None = None  # "episodes" in "Which episodes ...?"
    wants_list: bool = False  # several things are asked for: "Which episodes ...?", "Who are the producers?"

    @property
    def content_stems(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(stem(word) for word in self.content_words))

    @property
    def is_question(self) -> bool:
        return self.kind != QuestionKind.KEYWORD

    def with_alternatives(self, corrections: dict[str, list[str]]) -> "Question":
        """The question with the indexed spellings of its misspelt words added to its content."""
        if not corrections:
            return self
        extra = tuple(fixed for word in self.content_words for fixed in corrections.get(word, []))
        return replace(self, content_words=tuple(dict.fromkeys(self.content_words + extra)))


def analyse_question(text: str) -> Question:
    """Classify `text` and pick out the words that should find the answer."""
    clean = _CONTRACTED_WH.sub(lambda m: m.group(1) + " is", normalize_quotes(text).strip())
    words = exact_words(clean)
    asking = _asking_clause(clean, words[:1])
    if asking is not clean:
        words = exact_words(asking)
    if len(words) > 2 and words[:2] in (["at", "most"], ["at", "least"]) and words[2] in QUESTION_WORDS:
        words = words[2:]  # "At most how many handlers ...?" asks how many
    if len(words) > 1 and words[0] in LEADING_PREPOSITIONS and words[1] in QUESTION_WORDS:
        words = words[1:]  # "In what year ...", "On what date ...", "For how long ..." 
    first = words[0] if words else ""
    second = words[1] if len(words) > 1 else ""
    kind, answer_type, head = _classify(first, second, words, clean)
    search_text = _search_text(clean, kind)
    content = tuple(
        word
        for word in exact_words(search_text)
        if word not in STOP_WORDS and word not in QUESTION_WORDS and word not in LIGHT_VERBS
    )
    if not content:
        content = tuple(word for word in words if word not in QUESTION_WORDS) or tuple(words)
    wants_list = answer_type != AnswerType.DEFINITION and _wants_list(kind, words)
    return Question(clean, kind, answer_type, search_text or clean, content, head, wants_list)


def _asking_clause(text: str, first: list[str]) -> str:
    """The clause that asks, where the question opens with one that sets the scene ("If I set a
    Counter entry to zero, is the element removed?", "By default, which user owns ...?", "..., so
    what do I use instead?"): the question is of the kind its asking clause is. `first`: the
    text's first word (none for a text without words)."""
    if not first or first[0] in _ASKS_FROM_THE_START or not text.rstrip().endswith("?"):
        return text
    openings = list(_ASKING_CLAUSE_START.finditer(text))
    return text[openings[-1].end():] if openings else text


def _wants_list(kind: QuestionKind, words: list[str]) -> bool:
    """Whether the question asks for several things: a plural noun after "what/which" ("Which
    options ...", "What are the STATUS values?"), "Who are ...", or "List/Name ..."."""
    phrase = _noun_phrase(words[1:]) if kind in (QuestionKind.WHAT, QuestionKind.WHICH) else []
    if phrase and is_plural(phrase[-1]):
        return True
    return (kind == QuestionKind.WHO and len(words) > 1 and words[1] in ("are", "were")) or words[:1] in (["list"], ["name"])


def _classify(first: str, second: str, words: list[str], text: str) -> tuple[QuestionKind, AnswerType, str | None]:
    if first in ("who", "whom", "whose"):
        return QuestionKind.WHO, AnswerType.PERSON, None
    if first == "when" or (first in ("what", "which") and second in ("year", "date", "day", "month")):
        return QuestionKind.WHEN, AnswerType.DATE, None
    if first == "where":
        return QuestionKind.WHERE, AnswerType.PLACE, None
    if first == "why":
        return QuestionKind.WHY, AnswerType.REASON, None
    if first == "how":
        return _classify_how(second, words)
    if first == "what" and (words[1:3] in (["is", "wrong"], ["went", "wrong"], ["goes", "wrong"])
                            or words[1:] == ["happened"]):
        return QuestionKind.WHY, AnswerType.REASON, None  # "What's wrong with ...?" asks for the cause
    if first == "what" and len(words) > 3 and second in HOW_TO_AUXILIARIES and words[2] in DOERS \
            and words[3] in ("do", "use"):
        return QuestionKind.HOW, AnswerType.INSTRUCTION, None  # "What should I do/use instead?"
    if first in ("what", "which") and _asks_for_a_way(words):
        return QuestionKind.HOW, AnswerType.INSTRUCTION, None  # "What's the quickest way to ...?"
    if first in ("what", "which"):
        head = _head_noun(words[1:])
        typed = _type_of_head(head)
        if first == "what" and _asks_what_a_term_is(words) and (typed is None or words[1] in ("does", "do")):
            return QuestionKind.WHAT, AnswerType.DEFINITION, head
        return QuestionKind(first), typed or AnswerType.PHRASE, head
    if first in YES_NO_OPENERS and text.rstrip().endswith("?"):
        return QuestionKind.YES_NO, AnswerType.YES_NO, None
    if first in ("define", "meaning"):
        return QuestionKind.WHAT, AnswerType.DEFINITION, None
    if text.rstrip().endswith("?") or first in ("name", "list"):
        return QuestionKind.WHAT, AnswerType.PHRASE, None
    if _asks_for_a_way(words):
        return QuestionKind.KEYWORD, AnswerType.INSTRUCTION, None  # "quickest way to check ..."
    typed = [word for word in words if _type_of_head(word)]  # "rotten tomatoes score": a number
    if typed and len(words) <= 6 and '"' not in text:  # a quoted phrase asks for itself
        return QuestionKind.KEYWORD, _type_of_head(typed[-1]) or AnswerType.PHRASE, typed[-1]
    return QuestionKind.KEYWORD, AnswerType.PHRASE, None


def _classify_how(second: str, words: list[str]) -> tuple[QuestionKind, AnswerType, str | None]:
    """"How many/much/long/old" ask for a value; "How do I/can I/to ..." for the way to do it."""
    if second == "much" and (MONEY_VERBS | set(HEAD_NOUN_TYPES[AnswerType.MONEY])) & set(words[2:]):
        return QuestionKind.HOW_MANY, AnswerType.MONEY, None
    if second in ("many", "much"):
        return QuestionKind.HOW_MANY, AnswerType.NUMBER, _head_noun(words[2:])
    if second in ("long", "old"):
        return QuestionKind.HOW_LONG, AnswerType.DURATION, None
    if second in HOW_TO_AUXILIARIES:
        return QuestionKind.HOW, AnswerType.INSTRUCTION, None
    return QuestionKind.WHAT, AnswerType.PHRASE, None


def _asks_for_a_way(words: list[str]) -> bool:
    """"What's the best way to ...?", "quickest way to check ...": a way to do something."""
    return any(word in ("way", "ways") and words[at + 1 : at + 2] == ["to"]
               for at, word in enumerate(words[:WAY_WITHIN_WORDS]))


def _asks_what_a_term_is(words: list[str]) -> bool:
    """"What is a closure?", "What are generators?", "What does EAFP mean?", "What does the -r
    option do?": the question asks what its subject is, means or does, and no more."""
    if len(words) < 3:
        return False
    if words[1:3] == ["is", "meant"]:
        return True  # "What is meant by ...?"
    if words[1] in ("is", "are", "was", "were"):
        if words[1] in ("are", "were") and words[2] == "the" and is_plural(words[-1]):
            return False  # "What are the STATUS values?" asks for a list of them
        return len([w for w in words[2:] if w not in STOP_WORDS]) <= DEFINED_TERM_MAX_WORDS
    return words[1] in ("does", "do") and any(
        word in DEFINING_VERBS and (at == len(words) - 1 or words[at + 1] in DEFINING_VERB_FOLLOWERS)
        for at, word in enumerate(words[3:], 3))


def _head_noun(rest: list[str]) -> str | None:
    """The noun a what/which question asks about: in "What approval rating did ...", the last
    word of the noun phrase before the verb that knows a type ("rating"), else its first word."""
    phrase = _noun_phrase(rest)
    typed = [word for word in phrase if _type_of_head(word)]
    if typed:
        return typed[-1]
    return phrase[0] if phrase else None


def _noun_phrase(rest: list[str]) -> list[str]:
    """The words of the noun phrase after "what/which" (and a light verb): "the STATUS values";
    it ends where the question's verb starts ("Which company | distributes the series?")."""
    phrase: list[str] = []
    for at, word in enumerate(rest[:HEAD_NOUN_WINDOW]):
        if word in _AUXILIARIES:
            if not phrase:
                continue  # "What is the average rating ...": the phrase starts after the verb
            break
        if word in STOP_WORDS or word in ("kind", "type", "sort", "of"):
            if phrase:
                break
            continue
        if phrase and _opens_predicate(phrase[-1], word, rest[at + 1 : at + 2]):
            break
        phrase.append(word)
    return phrase


def _opens_predicate(before: str, word: str, after: list[str]) -> bool:
    """Whether `word`, after the noun phrase's word `before`, is the question's verb rather than
    its head noun: a past tense ("Which Perl version added ..."), or a verb with an object after
    it, agreeing with the noun before it ("Which option prints the ...", "Which functions measure
    spread?"). A word followed by an auxiliary, a preposition, a past tense or nothing ends the
    noun phrase itself ("Which environment variables can ...", "... locale subdirectories with
    ...", "Which mozjs version does ...")."""
    if _past_tense(word):
        return True
    if not after or after[0] in _NOT_AN_OBJECT:
        return False
    if is_plural(before):
        return not is_plural(word)
    return word.endswith("s") and not word.endswith("ss")


def _past_tense(word: str) -> bool:
    return len(word) > 4 and word.endswith("ed")


# Words that carry a question's verb and end the noun phrase before them ("Which plugins cannot ...").
_AUXILIARIES = frozenset(YES_NO_OPENERS) | LIGHT_VERBS | {"cannot"}
# What follows the last word of a noun phrase, not a verb's object: an auxiliary or a preposition.
_NOT_AN_OBJECT = _AUXILIARIES | LEADING_PREPOSITIONS | frozenset(
    "with without within into onto under over about between among per via like than".split())


def _type_of_head(head: str | None) -> AnswerType | None:
    if not head:
        return None
    for answer_type, nouns in HEAD_NOUN_TYPES.items():
        if head in nouns:
            return answer_type
    return None


# Words that open a question asking from its first word ("Which two signals cannot be caught,
# blocked, or ignored?"); "when" may open a clause that sets the scene ("When several stanzas
# match, which one wins?").
_ASKS_FROM_THE_START = frozenset(("who", "whom", "whose", "what", "which", "where", "why", "how", "name", "list",
                                  "define", "meaning") + YES_NO_OPENERS)
# Where an asking clause starts: after a comma, a semicolon or a sentence before it ("My path
# can't be found. What happened?"), maybe after "so", "and", "but" or "then".
_ASKING_CLAUSE_START = re.compile(
    r"[,;.!?]\s+(?:(?:so|and|but|then)\s+)?(?=(?:who|whom|whose|what|which|when|where|why|how|"
    + "|".join(re.escape(word) for word in YES_NO_OPENERS) + r")\b)", re.IGNORECASE)

# "What's", "Who's", "Where's" ... spelled out, so "'s" is not taken for a word to search; the
# apostrophe is often left out ("Whats the ...").
_CONTRACTED_WH = re.compile(r"\b(what|who|where|when|which|how)['’]?s\b", re.IGNORECASE)

_LEADING = re.compile(
    r"^\s*(?:(?:in|on|at|for|from|to|by|during|since|until|of)\s+(?=(?:who|what|which|when|where|how)\b))?"
    r"(?:(?:who|whom|whose|what|which|when|where|why|how(?:\s+(?:many|much|long|old|often|far))?)\b"
    r"(?:\s+(?:is|are|was|were|did|does|do|has|have|had))?)",
    re.IGNORECASE,
)


def _search_text(text: str, kind: QuestionKind) -> str:
    """The question minus its opening question words and trailing punctuation; quoted phrases and
    names stay as written."""
    if kind == QuestionKind.KEYWORD:
        return text
    stripped = _LEADING.sub(" ", text, count=1)
    if kind == QuestionKind.YES_NO:
        stripped = re.sub(r"^\s*\w+(?:['’]t)?\b", " ", stripped, count=1)  # "Is", "Isn't"
    return stripped.strip().rstrip("?.! ").strip() or text


def is_plural(word: str) -> bool:
    """An English plural by its ending: "values", "options", "entries"; not "status", "class",
    "series", nor a name in code ("DEB_BUILD_OPTIONS")."""
    return (len(word) > 3 and word.isalpha() and word.endswith("s")
            and not word.endswith(("ss", "us", "is", "series", "species")))


def question_query(question: Question, typing: bool = False) -> ParsedQuery:
    """What retrieval searches for: the question's search text, parsed. In a question a sign is
    part of its word ("What does -v do?" asks of -v); a search's signs are operators."""
    return parse_query(question.search_text, typing=typing, signs=not question.is_question)
