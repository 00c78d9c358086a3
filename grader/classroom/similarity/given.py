"""What every student was given, whose fingerprints never count: the exercise's stub and the
code in the course notes (fenced blocks of the notes' Markdown, their .py files and notebooks'
code cells). A student who follows the notes closely is not copying from a classmate."""
from __future__ import annotations

import re
from pathlib import Path

from grader.classroom.similarity.fingerprint import fingerprints
from grader.classroom.similarity.normalise import read_code, units

_FENCE = re.compile(r"^(`{3,}|~{3,})[^\n]*\n(.*?)^\1[ \t]*$", re.S | re.M)


def default_notes(bank_root: Path) -> list[Path]:
    """The course notes beside the bank (`../shared/course-notes/` from the folder holding
    exercises/), where there are some."""
    notes = Path(bank_root).resolve().parent / "shared" / "course-notes"
    return [notes] if notes.is_dir() else []


def code_blocks(folder: Path) -> list[str]:
    """Every piece of Python code under `folder` that parses: fenced Markdown blocks (program
    output in a fence simply does not parse), .py files, notebooks' code cells."""
    out: list[str] = []
    for path in sorted(Path(folder).rglob("*")):
        if not path.is_file():
            continue
        suffix = path.suffix.lower()
        try:
            if suffix in (".md", ".markdown", ".txt"):
                text = path.read_text(encoding="utf-8", errors="replace")
                out.extend(m[2] for m in _FENCE.finditer(text))
            elif suffix in (".py", ".ipynb"):
                out.append(read_code(path))
        except Exception:    # a note that cannot be read gives nothing to leave out
            continue
    return out


def given_hashes(stubs: list[Path], notes: list[Path]) -> frozenset[int]:
    """The fingerprints of the stubs and of the notes' code."""
    sources: list[str] = []
    for stub in stubs:
        try:
            sources.append(read_code(stub))
        except Exception:
            continue
    for folder in notes:
        sources.extend(code_blocks(folder))
    hashes: set[int] = set()
    for src in sources:
        try:
            hashes.update(f.hash for f in fingerprints(units(src)))
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            continue
    return frozenset(hashes)
