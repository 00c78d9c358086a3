"""Grades and feedback going back out of a class folder (a `grade batch --out` folder).

Everything here is rendered from the class's gradebook (grader.classroom.gradebook), never from
grades.csv: the LMS imports (canvas, moodle), the per-check table (checks), the students'
feedback folders (feedback), manual grades (override) and the late policy (late), combined into
one final grade per student and exercise (final). `gradescope` builds a Gradescope autograder.
"""
from __future__ import annotations

from pathlib import Path

from grader.classroom.gradebook import FILENAME, Gradebook
from grader.core.spec import Exercise, find_exercise
from grader.core.errors import ExportError  # noqa: F401 (their old home)


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


def refuse_grader_errors(gb: Gradebook, exercise: str | None = None) -> None:
    """No grade goes out of an exercise with a check the grader could not run: that check is
    left out of the maximum, so "12/12" would reach an LMS that says 15."""
    broken = {ex: c for ex, c in gb.grader_error_checks().items()
              if exercise is None or ex == exercise}
    if broken:
        what = "; ".join(f"{ex}: {', '.join(c)}" for ex, c in sorted(broken.items()))
        raise ExportError(f"refused: checks the grader could not run ({what}); fix them and run "
                          "grade batch again (the changed checks regrade by themselves)")


def find_exercise_id(bank: list[Exercise], text: str) -> str:
    """"ex02", "2" or "gd" -> "ex02"; an unknown one is the user's error (exit 2)."""
    try:
        return find_exercise(bank[0].folder.parent, text).id if bank else text
    except Exception:
        raise ExportError(f"unknown exercise {text!r}") from None
