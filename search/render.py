"""Rendering a Response: plain text for a terminal, Markdown for notes, JSON for programs.

Front ends only call these; nothing here ranks or cuts passages.
"""
from __future__ import annotations

import json
from typing import Callable

import click

from search.response import Answer, Hit, Response, format_citation
from search.snippets import split_at_highlights

LinkBuilder = Callable[..., str]  # (path, line_start, line_end, page=None) -> URL

FORMATS = ("text", "json", "markdown")


def render(response: Response, output_format: str, *, color: bool = False, link: LinkBuilder | None = None) -> str:
    """Render in one of FORMATS; a wrong name is an error that lists the right ones."""
    if output_format == "json":
        return render_json(response)
    if output_format == "markdown":
        return render_markdown(response, link=link)
    if output_format == "text":
        return render_text(response, color=color)
    raise ValueError(f"unknown format {output_format!r}; choose one of {', '.join(FORMATS)}")


def render_json(response: Response) -> str:
    return json.dumps(response.to_dict(), ensure_ascii=False)


# -- text ------------------------------------------------------------------------------------------


def render_text(response: Response, *, color: bool = False) -> str:
    def style(text: str, **kwargs) -> str:
        return click.style(text, **kwargs) if color else text

    lines: list[str] = []
    if response.suggestion:
        lines.append(style(correction_text(response), fg="yellow"))
    if response.answer:
        lines.extend(_text_answer(response, style))
    elif response.is_question and response.settled:
        lines.append(style(NO_ANSWER_TEXT, fg="yellow"))
    lines.extend(style(notice, fg="yellow") for notice in response.notices)
    if lines:
        lines.append("")
    if not response.results:
        lines.append(f"No more passages: all {response.total} come before offset {response.offset}."
                     if response.offset and response.total else "No passages match.")
    for hit in response.results:
        heading = f"{hit.rank}. {hit.title}" + (f" › {hit.section}" if hit.section else "")
        lines.append(style(heading, bold=True) + "  " + style(hit.citation, fg="cyan"))
        lines.append("   " + _highlighted(hit, lambda t: style(t, fg="red", bold=True) if color else t))
        for ref in hit.also_in:
            lines.append(style(f"   also in {ref.citation}", dim=True))
    lines.append(style(f"{count_text(response)}, {response.took_ms:.1f} ms", dim=True))
    return "\n".join(lines)


NO_ANSWER_TEXT = "No answer: the documents do not say (closest passages below)."


def correction_text(response: Response) -> str:
    """The results already use the corrected words: say so, and how to search as typed."""
    return (f"Showing results for: {response.suggestion} "
            f"(search instead for: {response.query}, with --exact)")


def count_text(response: Response) -> str:
    """"20 passages", or "11–20 of 24 passages" ("1 of 28 passages") when there are more than one
    page shows."""
    noun = "passage" if response.total == 1 else "passages"
    if not response.results or (response.offset == 0 and not response.has_more):
        return f"{response.total} {noun}"
    first, last = response.offset + 1, response.offset + len(response.results)
    shown = f"{first}" if first == last else f"{first}–{last}"
    return f"{shown} of {response.total} {noun}"


def _text_answer(response: Response, style) -> list[str]:
    answer = response.answer
    assert answer is not None
    lines = [
        style("Answer: ", bold=True) + style(answer.text, fg="green", bold=True)
        + f"  (confidence {answer.confidence:.0%})",
        f"  “{' '.join(answer.sentence.split())}”",
        "  — " + style(answer.citation, fg="cyan"),
    ]
    if response.conflicts:
        lines.append(style("Sources disagree:", fg="yellow", bold=True))
        lines.append(f"  {answer.text} — {answer.citation}")
        for conflict in response.conflicts:
            lines.append(f"  {conflict.text} — {conflict.citation}")
    return lines


def _highlighted(hit: Hit, mark: Callable[[str], str], plain: Callable[[str], str] = str) -> str:
    """The hit's snippet with each match passed through `mark` and the rest through `plain`."""
    return "".join(mark(piece) if is_match else plain(piece) for piece, is_match in split_at_highlights(hit.snippet, hit.highlights))


# -- Markdown --------------------------------------------------------------------------------------


def render_markdown(response: Response, *, link: LinkBuilder | None = None) -> str:
    """Note-ready Markdown: the answer with its citation, then each passage as a blockquote with
    the matched words in bold and a citation line."""
    parts: list[str] = []
    if response.suggestion:
        parts.append(f"_Showing results for “{_escape_markdown(response.suggestion)}”; "
                     f"search instead for “{_escape_markdown(response.query)}”._")
    if response.answer:
        parts.append(markdown_answer(response.answer, response, link=link))
    elif response.is_question and response.settled:
        parts.append(f"**Q:** {_escape_markdown(response.query)}  \n**A:** _{_escape_markdown(NO_ANSWER_TEXT)}_")
    for hit in response.results:
        parts.append(markdown_hit(hit, link=link))
    if not response.results:
        parts.append(f"_No passages match “{_escape_markdown(response.query)}”._")
    return "\n\n".join(parts)


def markdown_answer(answer: Answer, response: Response, *, link: LinkBuilder | None = None) -> str:
    lines = [
        f"**Q:** {_escape_markdown(response.query)}  ",
        f"**A:** {_escape_markdown(answer.text)} _(confidence {answer.confidence:.0%})_",
        "",
        f"> {_escape_markdown(' '.join(answer.sentence.split()))}",
        ">",
        f"> — {_citation(answer.path, answer.line_start, answer.line_end, _title_of(answer.path, response), None, link, answer.page)}",
    ]
    for conflict in response.conflicts:
        lines.append("")
        lines.append(
            f"**Another source says:** {_escape_markdown(conflict.text)} — "
            f"{_citation(conflict.path, conflict.line_start, conflict.line_end, None, None, link, conflict.page)}"
        )
    return "\n".join(lines)


def _title_of(path: str, response: Response) -> str | None:
    """The title of the document at `path`, as the results give it (None if none of them is from it)."""
    return next((hit.title for hit in response.results if hit.path == path and hit.title), None)


def markdown_hit(hit: Hit, *, link: LinkBuilder | None = None) -> str:
    body = _highlighted_markdown(hit)
    citation = _citation(hit.path, hit.line_start, hit.line_end, hit.title, hit.section, link, hit.page)
    return f"> {body}\n>\n> — {citation}"


def _highlighted_markdown(hit: Hit) -> str:
    return _highlighted(hit, lambda piece: f"**{_escape_markdown(piece)}**", _escape_markdown)


def _citation(path: str, start: int, end: int, title: str | None, section: str | None, link: LinkBuilder | None,
              page: int | None = None) -> str:
    place = f"`{format_citation(path, start, end, page)}`"
    if link:
        place = f"[{place}]({link(path, start, end, page) if page else link(path, start, end)})"
    words = [f"*{_escape_markdown(title)}*"] if title else []
    if section:
        words.append(_escape_markdown(section))
    return ", ".join(words + [place])


def _escape_markdown(text: str) -> str:
    for char in "\\`*_[]<>#|":
        text = text.replace(char, "\\" + char)
    return text
