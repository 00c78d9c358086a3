"""Grades and feedback going back out of a class folder (a `grade batch --out` folder).

Everything here is rendered from the class's gradebook (grader.classroom.gradebook), never from
grades.csv: the LMS imports (canvas, moodle), the per-check table (checks), the students'
feedback folders (feedback), manual grades (override) and the late policy (late), combined into
one final grade per student and exercise (final). `gradescope` builds a Gradescope autograder.
"""
from __future__ import annotations

from pathlib import Path

from grader.classroom.gradebook import FILENAME, Gradebook
from grader.core.errors import ExportError

__all__ = ["ExportError", "open_class"]


def open_class(folder: Path) -> Gradebook:
    """The gradebook of a `grade batch --out` folder. Never creates one: a typo in CLASS must
    not leave an empty gradebook behind."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ExportError(f"{folder}: no such class folder (a `grade batch --out` folder)")
    if not (folder / FILENAME).is_file():
        raise ExportError(f"{folder}: not a class folder (no {FILENAME}; run grade batch "
                          f"--out {folder} first)")
    return Gradebook(folder / FILENAME)
