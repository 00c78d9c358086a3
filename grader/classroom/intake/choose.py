"""Which exercise a file is for, and which of a student's files is graded.

A file is for exercise exNN when its assignment folder is mapped to it (`--assignment
ps1=ex02`, nbgrader and GitHub Classroom), else when the folder or file name holds the token
(`ex02`, `Ex2`, `ex02-1` after a Canvas resubmission). With `--exercise exNN`, a code file
whose name names no exercise is that exercise's submission, whatever its name: the one file a
student sent to a one-assignment LMS export. Where a student has several files for one
exercise, `prefer` picks: "newest" (the zip entry's or the file's time: only to order
one student's own files, never a submission time; a date in a file's name is never read), "ipynb" or "py"
first then newest; the others are listed as not graded, naming the one that was.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath

SUFFIXES = (".py", ".ipynb")
PREFER = ("newest", "ipynb", "py")
_EX_TOKEN = re.compile(r"(?<![a-z0-9])ex(?:ercise)?[ _-]?(\d{1,2})(?!\d)")


def exercise_token(name: str) -> str | None:
    """"ex02", "Ex2", "exercise_2", "my_ex02_final" -> "ex02"; "ex012", "rex01" -> None."""
    m = _EX_TOKEN.search(name.lower())
    return f"ex{int(m.group(1)):02d}" if m else None


def exercise_of(filename: str, exercise_ids: list[str]) -> str | None:
    """The chosen exercise a code file's name refers to, else None."""
    p = PurePosixPath(filename)
    if p.suffix.lower() not in SUFFIXES:
        return None
    ex = exercise_token(p.stem)
    return ex if ex in exercise_ids else None


def is_code(filename: str) -> bool:
    return PurePosixPath(filename).suffix.lower() in SUFFIXES


def named_exercise(filename: str, assignment: str, assignments: dict[str, str]) -> str | None:
    """The exercise a file names, by its assignment folder first, then by its own name."""
    if assignment:
        if assignment in assignments:
            return assignments[assignment]
        if exercise_token(assignment):
            return exercise_token(assignment)
    return exercise_token(PurePosixPath(filename).stem)


@dataclass
class Candidate:
    student: str                 # the key of the student (id, made distinct)
    exercise: str
    filename: str
    submitted_at: str
    member: object               # members.Member
    owner: object                # layouts.Owner
    named: bool = True           # its name or folder names the exercise


def ranked(group: list[Candidate], prefer: str, exercise: str) -> list[Candidate]:
    """The group in the order to try: the preferred first. A file whose name (or folder)
    names the exercise beats one that does not (`ex01.py` over `scratch.py`), whatever
    their times; then `prefer`; then the exact name `exNN`."""
    def newest(c: Candidate) -> tuple:
        return (c.named, c.submitted_at, PurePosixPath(c.filename).stem.lower() == exercise,
                _neg(c.filename))
    by_time = sorted(group, key=newest, reverse=True)
    if prefer == "newest":
        return by_time
    want = "." + prefer
    return sorted(by_time, key=lambda c: (not c.named, not c.filename.lower().endswith(want)))


def _neg(name: str) -> tuple:
    return tuple(-ord(ch) for ch in name)
