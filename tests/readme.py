"""The README's console examples, run for real: `python tests/readme.py` says whether README.md
shows what the commands print today, and `--write` (`make readme`) puts their real output in.

An example is a ```console block's `$ liner ...` line and the lines under it. Each runs in a
fresh folder holding a copy of seeds/ (where the README's `liner index seeds` builds the default
.liner/index, so paths and messages read as a user sees them), in the README's order. Timings
vary from run to run and are compared as "N ms" / "N s"; every other figure (confidences, counts,
line numbers) must be what the command prints.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
CONSOLE_BLOCK = re.compile(r"^```console\n(.*?)^```", re.MULTILINE | re.DOTALL)
TIMING = re.compile(r"\b\d+(?:\.\d+)? (ms|s)\b")
# What the README says a command found nothing (exit 1): it shows that as an example too.
NOTHING_FOUND = ("No answer: ", "No passages match")


@dataclass
class Example:
    command: str  # after "$ "
    shown: list[str]  # the output lines under it in the README
    output: list[str] | None = None  # what it prints today (run_examples fills it)
    status: int | None = None

    @property
    def expected_status(self) -> int:
        return 1 if any(line.startswith(NOTHING_FOUND) for line in self.shown) else 0


# The folders the README's examples index, copied beside them as they stand in the project.
EXAMPLE_FOLDERS = ("seeds", "tests/data/formats")


def console_examples(text: str) -> list[Example]:
    examples: list[Example] = []
    for block in CONSOLE_BLOCK.findall(text):
        for line in block.splitlines():
            if line.startswith("$ "):
                examples.append(Example(line[2:].strip(), []))
            elif examples:
                examples[-1].shown.append(line)
    return [example for example in examples if example.command.startswith("liner ")]


def normalised(lines: list[str]) -> list[str]:
    """Lines as compared: timings masked, trailing blank lines dropped."""
    lines = [TIMING.sub(r"N \1", line.rstrip()) for line in lines]
    while lines and not lines[-1]:
        lines.pop()
    return lines


def run_examples(examples: list[Example], workdir: Path) -> None:
    """Run each example in `workdir` (a copy of the folders they index in it), in order; fill
    output and status."""
    for folder in EXAMPLE_FOLDERS:
        shutil.copytree(ROOT / folder, workdir / folder, dirs_exist_ok=True)
    env = {key: value for key, value in os.environ.items() if key not in ("LINER_INDEX", "NO_COLOR")}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    for example in examples:
        result = subprocess.run(["bash", "-o", "pipefail", "-c", example.command], cwd=workdir, env=env,
                                capture_output=True, text=True, timeout=300)
        example.output = (result.stdout + result.stderr).splitlines()
        example.status = result.returncode


def rewritten(text: str, examples: list[Example]) -> str:
    """README text with each example's shown output replaced by what it printed."""
    runs = iter(examples)

    def block(match: re.Match) -> str:
        lines, out = match.group(1).splitlines(), []
        skipping = False
        for line in lines:
            if line.startswith("$ "):
                skipping = line[2:].strip().startswith("liner ")
                out.append(line)
                if skipping:
                    out.extend(next(runs).output or [])
            elif not skipping:
                out.append(line)
        return "```console\n" + "\n".join(out) + "\n```"

    return CONSOLE_BLOCK.sub(block, text)


def main() -> int:
    text = README.read_text(encoding="utf-8")
    examples = console_examples(text)
    with tempfile.TemporaryDirectory() as workdir:
        run_examples(examples, Path(workdir))
    if "--write" in sys.argv:
        README.write_text(rewritten(text, examples), encoding="utf-8")
        print(f"README.md: {len(examples)} examples written with their real output")
        return 0
    stale = [example.command for example in examples if normalised(example.shown) != normalised(example.output)]
    for command in stale:
        print(f"stale: {command}")
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
