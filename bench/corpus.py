"""A scale corpus from English text every Python install has: its own documentation.

Sources, in a fixed order: the help topics of `pydoc_data.topics` (sorted by name), then every
module of the standard library (sorted by path, site-packages left out), then the modules of the
pip and setuptools wheels the standard library bundles for `ensurepip` (read from the zip files),
each as one note holding its docstrings and full-line source comments in line order under a
`## qualified.name` heading. Nothing is downloaded, and the same Python build gives the same text
byte for byte. That is about 80,000 passages on Python 3.11; a larger corpus goes on with copies
of the first notes, and reports how many of its passages are such repeats.

`make_corpus(size)` writes the first notes, in that order, into `bench/.work/corpus-<size>/` until
Liner's own chunker (`make_passages(parse_structure(document))`) has cut `size` passages; the last
note is cut short at a line so that the count comes out exact where the chunker allows it. The
passages handed to the peers are those same Passage objects, read back from the written files.
"""
from __future__ import annotations

import ast
import hashlib
import json
import re
import shutil
import sys
import sysconfig
import zipfile
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from indexer.documents import Document, display_path_for, iter_documents
from indexer.passages import Passage, make_passages
from indexer.structure import parse_structure

WORK_DIR = Path(__file__).resolve().parent / ".work"
# Bump when the way text is extracted changes, so cached extractions are made again.
EXTRACTION_VERSION = 3

_COMMENT_LINE = re.compile(r"^\s*#(.*)$")
_COMMENT_RULE = re.compile(r"^[\s#=*~_+-]*$")  # "#-----" rulers and empty comments
_UNPRINTABLE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


@dataclass(frozen=True)
class Corpus:
    """A corpus folder and the passages Liner's chunker cuts from it."""

    folder: Path
    passages: list[Passage]
    files: int
    words: int
    target: int
    chunk_seconds: float  # read + structure + chunk, measured on the written files
    distinct_passages: int  # passages from first copies of the notes (the rest repeat them)


# -- extraction -------------------------------------------------------------------------------------


def source_notes() -> list[tuple[str, str]]:
    """(name, text) of every note the corpus may use, in corpus order; cached in WORK_DIR."""
    cache = WORK_DIR / f"pydoc-{sys.version_info.major}.{sys.version_info.minor}.{sys.version_info.micro}-v{EXTRACTION_VERSION}.json"
    if cache.exists():
        return [tuple(pair) for pair in json.loads(cache.read_text(encoding="utf-8"))]
    notes = topic_notes() + module_notes()
    WORK_DIR.mkdir(parents=True, exist_ok=True)
    temporary = cache.with_suffix(".tmp")
    temporary.write_text(json.dumps(notes, ensure_ascii=False), encoding="utf-8")
    temporary.replace(cache)
    return notes


def topic_notes() -> list[tuple[str, str]]:
    from pydoc_data.topics import topics

    return [(f"topic-{name}", _clean(f"# {name}\n\n{topics[name]}")) for name in sorted(topics)]


def module_notes() -> list[tuple[str, str]]:
    """One note per module of the standard library, then per module of the pip and setuptools
    wheels that the standard library bundles for `ensurepip` (read from the zip, never installed)."""
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    files = sorted(
        (path for path in stdlib.rglob("*.py") if "site-packages" not in path.parts),
        key=lambda path: path.relative_to(stdlib).as_posix(),
    )
    names = [_module_name(path.relative_to(stdlib).as_posix()) for path in files]
    sources = [_read_source(path) for path in files]
    for wheel in sorted((stdlib / "ensurepip" / "_bundled").glob("*.whl")):
        with zipfile.ZipFile(wheel) as archive:
            members = sorted(name for name in archive.namelist() if name.endswith(".py"))
            for member in members:
                names.append(_module_name(member))
                sources.append(archive.read(member).decode("utf-8", errors="replace"))
    with ProcessPoolExecutor(max_workers=2) as pool:  # ast.parse of it all: ~25 s on one core
        texts = list(pool.map(module_note_text, sources, names, chunksize=32))
    return [(f"module-{name}", text) for name, text in zip(names, texts) if text]


def module_note_text(source: str, module: str) -> str:
    """The docstrings and full-line comments of one module, in line order, under a heading per
    class or function."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return ""
    pieces: list[tuple[int, str, str]] = []  # (line, scope, text)
    scopes: list[tuple[int, int, str]] = []  # (first line, last line, qualified name)
    in_strings: set[int] = set()  # lines inside multi-line string literals: a "#" there is text

    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.end_lineno != node.lineno:
            in_strings.update(range(node.lineno, (node.end_lineno or node.lineno) + 1))

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
                name = f"{prefix}.{child.name}"
                scopes.append((child.lineno, child.end_lineno or child.lineno, name))
                docstring = ast.get_docstring(child)
                if docstring:
                    pieces.append((child.lineno, name, docstring))
                visit(child, name)

    module_doc = ast.get_docstring(tree)
    if module_doc:
        pieces.append((0, module, module_doc))
    visit(tree, module)
    for line, comment in _comment_blocks(source, in_strings):
        pieces.append((line, _scope_at(scopes, line) or module, comment))
    if not pieces:
        return ""
    out = [f"# {module}"]
    current = module
    for _line, scope, text in sorted(pieces, key=lambda piece: piece[0]):
        if scope != current:
            out.append(f"## {scope}")
            current = scope
        out.append(text)
    return _clean("\n\n".join(out))


def _comment_blocks(source: str, skip_lines: set[int]) -> list[tuple[int, str]]:
    """Runs of full-line comments as (first line, text), with the `#` marks and rulers taken off."""
    blocks: list[tuple[int, list[str]]] = []
    previous = -2
    for number, line in enumerate(source.splitlines(), 1):
        match = _COMMENT_LINE.match(line)
        if not match or number in skip_lines:
            continue
        text = match.group(1).strip()
        if number <= 2 and (text.startswith("!") or "coding" in text):
            continue
        if number != previous + 1 or not blocks:
            blocks.append((number, []))
        previous = number
        if not _COMMENT_RULE.match(text):
            blocks[-1][1].append(text)
    return [(number, "\n".join(lines)) for number, lines in blocks if lines]


def _scope_at(scopes: list[tuple[int, int, str]], line: int) -> str | None:
    inner = None
    for first, last, name in scopes:  # scopes are listed outer before inner
        if first <= line <= last:
            inner = name
    return inner


def _module_name(relative: str) -> str:
    parts = relative.removesuffix(".py").split("/")
    if parts[-1] == "__init__":
        parts = parts[:-1] or ["__init__"]
    return ".".join(parts)


def _read_source(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return ""


def _clean(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _UNPRINTABLE.sub(" ", text)
    return "\n".join(line.rstrip() for line in text.split("\n")).strip() + "\n"


# -- sizing -----------------------------------------------------------------------------------------


def make_corpus(target: int, work_dir: Path = WORK_DIR, notes: list[tuple[str, str]] | None = None) -> Corpus:
    """Write the corpus of `target` passages into `work_dir/corpus-<target>` (made anew each time)
    and return it with its passages, read back from disk the way `build_index` reads them."""
    import time

    notes = source_notes() if notes is None else notes
    folder = work_dir / f"corpus-{target}"
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    count = copied = 0
    for number, (name, text, edition) in enumerate(_editions(notes)):
        if count >= target:
            break
        file_name = f"{number:05d}_{_slug(name)}.txt"
        passages = _chunk(folder / file_name, text)
        if count + len(passages) > target:
            text = _cut_to(folder / file_name, text, passages, target - count)
            passages = _chunk(folder / file_name, text)
        if not passages:
            continue
        (folder / file_name).write_text(text, encoding="utf-8")
        count += len(passages)
        copied += len(passages) if edition > 1 else 0

    started = time.perf_counter()
    passages = read_passages(folder)
    chunk_seconds = time.perf_counter() - started
    words = sum(len(passage.text.split()) for passage in passages)
    files = sum(1 for _ in folder.iterdir())
    return Corpus(folder, passages, files, words, target, chunk_seconds, len(passages) - copied)


def _editions(notes: list[tuple[str, str]]):
    """The notes, then the notes again as "copy2-" notes, and so on: when the documentation runs
    out before the target, the corpus goes on with copies (their share is reported)."""
    if not notes:
        raise ValueError("no source text found: is pydoc_data (the Python documentation) installed?")
    edition = 1
    while True:
        for name, text in notes:
            yield (name if edition == 1 else f"copy{edition}-{name}"), text, edition
        edition += 1


def read_passages(folder: Path) -> list[Passage]:
    """Every passage of `folder` as Liner's build cuts it (same loader, same chunker, same order)."""
    passages: list[Passage] = []
    for item in iter_documents(folder):
        if isinstance(item, Document):
            passages.extend(make_passages(parse_structure(item)))
    return passages


def _chunk(file: Path, text: str) -> list[Passage]:
    display = display_path_for(file.resolve())
    document = Document(display, file.name, text, hashlib.sha256(text.encode("utf-8")).hexdigest())
    return make_passages(parse_structure(document))


def _cut_to(file: Path, text: str, passages: list[Passage], wanted: int) -> str:
    """`text` cut after a line so that it yields `wanted` passages (or the nearest count the
    chunker allows: cutting a long paragraph can merge or split windows)."""
    if wanted <= 0:
        return ""
    lines = text.split("\n")
    best = ""
    for end_line in (passages[wanted - 1].line_end, passages[wanted].line_start - 1):
        candidate = "\n".join(lines[:end_line]).rstrip() + "\n"
        got = len(_chunk(file, candidate))
        if got == wanted:
            return candidate
        if not best or abs(got - wanted) < abs(len(_chunk(file, best)) - wanted):
            best = candidate
    return best


def _slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name)[:80]


def fresh_folder(path: Path) -> Path:
    """`path` as an empty folder to build into: what a previous run left there removed."""
    if path.exists():
        shutil.rmtree(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    return path
