"""Render a class folder's files again from its gradebook after a manual grade: the reports
and results.json whose final grade changed, grades.csv and the overview."""
from __future__ import annotations

from pathlib import Path

from grader.classroom.folder import render_missing, write_grades_csv
from grader.classroom.overview import write_overview
from grader.classroom.gradebook import Gradebook
from grader.core.spec import Exercise
from grader.classroom.final import final_grades


def refresh(out: Path, gb: Gradebook, bank: list[Exercise]) -> int:
    """Returns how many reports were written again."""
    entries = gb.current()
    grades = final_grades(gb, entries)
    written = render_missing(out, entries, grades)
    columns = [x for x in bank if x.id in {e.exercise for e in entries}]
    write_grades_csv(out, entries, columns, grades)
    write_overview(out, gb, bank)
    return written
