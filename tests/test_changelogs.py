"""Changelogs and NEWS files, indexed from real files and asked as a user would: a release's
date stands in the heading over its entries (search/headings.py), and a question may name the
file itself."""
from __future__ import annotations

from pathlib import Path

import pytest

from indexer.build import build_index
from search.engine import Engine

NEWS = """\
# Frobnicate NEWS

## Version 2.4 (02 May 2021)

* The --wobble option now accepts a count of wobbles.

* Frobnicate now writes its cache under the user's cache folder.

## Version 2.3 (04 Mar 2019)

* Added the --wobble option, which shakes the output.

* Frobnicate no longer reads the old settings file.
"""
CHANGELOG = """\
frobnicate (2.4-1) unstable; urgency=medium

  * New upstream release.

 -- Ann Lee <ann@example.org>  Mon, 10 May 2021 09:00:00 +0200

frobnicate (2.3-2) unstable; urgency=low

  * Fix the manual page's spelling.

 -- Ann Lee <ann@example.org>  Tue, 12 Mar 2019 10:00:00 +0100
"""


@pytest.fixture(scope="module")
def changelog_engine(tmp_path_factory) -> Engine:
    folder = tmp_path_factory.mktemp("changelogs")
    (folder / "NEWS.md").write_text(NEWS, encoding="utf-8")
    (folder / "WHATSNEW").write_text("What's New\n\nLast updated 1 July 2008\n\nNothing much changed.\n",
                                     encoding="utf-8")
    (folder / "changelog.Debian").write_text(CHANGELOG, encoding="utf-8")
    index = tmp_path_factory.mktemp("changelogs-index")
    build_index(folder, index)
    return Engine(index)


def test_a_release_date_is_read_from_the_heading_over_its_entries(changelog_engine):
    result = changelog_engine.answer("When was frobnicate 2.4 released?").result
    texts = [candidate.text for candidate in result.candidates]
    assert "02 May 2021" in texts and "04 Mar 2019" not in texts  # 2.3's heading does not date 2.4
    dated = next(candidate for candidate in result.candidates if candidate.text == "02 May 2021")
    cited = (Path(dated.passage.path).name, dated.unit.line_start, dated.unit.text)
    assert cited == ("NEWS.md", 3, "Version 2.4 (02 May 2021)")


def test_the_release_that_changed_something_is_read_from_its_heading(changelog_engine):
    added = changelog_engine.answer("Which frobnicate version added the --wobble option?").result
    assert "Version 2.3" in [candidate.text for candidate in added.candidates]
    # What a program needs is not what a release's heading says.
    needs = changelog_engine.answer("Which wobble version does frobnicate need?").result
    assert not any(candidate.unit.text.startswith("Version 2.") for candidate in needs.candidates)
    # A heading that holds none of the question's words is another program's release.
    other = changelog_engine.answer("Which zstd release introduced the cache folder?").result
    assert not any(candidate.unit.text.startswith("Version 2.") for candidate in other.candidates)


def test_a_changelog_entry_line_heads_its_entries(changelog_engine):
    hits = changelog_engine.search("manual spelling").results  # the first entry's line is the file's title
    assert hits and hits[0].section == "frobnicate (2.3-2) unstable; urgency=low"


def test_a_question_may_name_the_file_it_asks_about(changelog_engine):
    result = changelog_engine.answer("When was the WHATSNEW file last updated?")
    assert result.missing == []  # the file's name is a word of the file
    assert "1 July 2008" in [candidate.text for candidate in result.result.candidates]
