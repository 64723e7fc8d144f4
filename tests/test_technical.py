"""search/technical.py: names in code and the instructions of how-to answers."""
from __future__ import annotations

from indexer.analysis import stemmed_terms
from search.questions import analyse_question
from search.spans import Asked, MarkedCode, Unit
from search.technical import identifiers, instructions, marked_code


def asked(text: str) -> Asked:
    question = analyse_question(text)
    return Asked(question, {stem: 1.0 for stem in question.content_stems}, frozenset())


def unit(text: str) -> Unit:
    return Unit(text, 1, 1, stemmed_terms(text))


def test_marked_code_in_rst_and_markdown():
    text = "Call :meth:`~pathlib.Path.glob`, ``sorted(x, reverse=True)`` or `ls -l`; see :ref:`the guide <guide>`."
    names = [span.text for span in identifiers(asked("Which method?"), unit(text)) if span.source == "marked_code"]
    assert names == ["pathlib.Path.glob", "sorted(x, reverse=True)", "ls -l", "the guide"]


def test_code_by_its_form_where_nothing_marks_it():
    text = "Run grep --recursive, set RE_DUP_MAX, read $ENV{HOME} or Module::CoreList, and call is_zipfile()."
    names = {span.text for span in identifiers(asked("Which option?"), unit(text))}
    assert {"--recursive", "RE_DUP_MAX", "Module::CoreList", "is_zipfile()"} <= names
    assert any(span.traits.get("option") for span in identifiers(asked("Which option?"), unit(text)))


def test_a_name_joined_by_underscores_is_code_whatever_its_case():
    text = "Py_BuildValue cannot do it: use PyTuple_Pack, or set ZIP_STORED or max_size."
    names = {span.text for span in identifiers(asked("Which function?"), unit(text))}
    assert {"Py_BuildValue", "PyTuple_Pack", "ZIP_STORED", "max_size"} <= names
    assert "use" not in names and "cannot" not in names


def test_abbreviations_mail_addresses_and_prompts_are_not_code():
    text = ("Ask base-passwd@packages.debian.org first, e.g. by mail (i.e. not on IRC); she moved to L.A. "
            "and typed $ make, then read $@ and @ARGV.")
    names = {span.text for span in identifiers(asked("Which variable?"), unit(text))}
    assert not names & {"e.g", "i.e", "L.A", "@packages", "$ "}
    assert {"$@", "@ARGV"} <= names


def test_an_instruction_is_the_clause_an_instruction_verb_opens_and_the_code_it_shows():
    text = "To copy a tree, use shutil.copytree() with ignore=ignore_patterns('*.pyc')."
    found = {span.source: span.text for span in instructions(asked("How do I copy a tree?"), unit(text))}
    assert found["instruction"].startswith("use shutil.copytree()")
    assert "code_in_instruction" in found


def test_an_indented_line_of_code_is_an_answer():
    text = "Like this:\n    my @unique = do { my %seen; grep { !$seen{$_}++ } @list };"
    lines = [span.text for span in instructions(asked("How do I remove duplicates?"), unit(text)) if span.source == "code_line"]
    assert lines == ["my @unique = do { my %seen; grep { !$seen{$_}++ } @list };"]


def test_code_the_source_marks_is_code_in_the_text_shown_without_its_marks():
    source = "A common location is ``.venv``; the default level is ``WARNING``, see :func:`~logging.basicConfig`."
    shown = "A common location is .venv; the default level is WARNING, see logging.basicConfig."
    marked = marked_code(source)
    assert [(code.text, code.role) for code in marked] == [(".venv", False), ("WARNING", False), ("logging.basicConfig", True)]
    spans = [span for span in identifiers(asked("Which level?"), Unit(shown, 1, 1, stemmed_terms(shown), marked=marked))]
    found = {span.text: span for span in spans if span.source == "marked_code"}
    assert set(found) == {".venv", "WARNING", "logging.basicConfig"}
    assert all(shown[span.start:span.end] == span.text for span in found.values())
    assert found["logging.basicConfig"].traits["role"] == 1.0
    # Without the source's marks, neither ".venv" nor "WARNING" has the form of code.
    assert not {".venv", "WARNING"} & {span.text for span in identifiers(asked("Which level?"), unit(shown))}


def test_marked_code_is_found_only_as_a_whole_token():
    shown = "Set x to the max of x and y."
    marked = (MarkedCode("x"),)
    spans = [s for s in identifiers(asked("Which variable?"), Unit(shown, 1, 1, [], marked=marked)) if s.source == "marked_code"]
    assert [(s.start, s.end) for s in spans] == [(4, 5), (20, 21)]
