"""Canvas's gradebook import CSV (Grades > Import).

Canvas's import reads `Student, ID, SIS User ID, SIS Login ID, Section`, then one column per
assignment. A column named as Canvas's own export names it, "Lab 2 (123456)", fills that
existing assignment; any other name creates a new assignment of that name, which is why there
is no `total` column. The second row, "Points Possible", is what Canvas's own export writes
there. Each exercise's column is, in order: `--assignment ex02="Lab 2 (123456)"`, else the
roster's Canvas column whose name says the exercise ("Exercise 2 (1234)", "ex02 ...", its
slug as a word; a bare number is not enough),
else "<exNN> <title>" (a new assignment, named after the exercise).
"""
from __future__ import annotations

import re

from grader.classroom.gradebook import Gradebook
from grader.core.text import fmt_points
from grader.core.spec import Exercise
from grader.classroom import csvfile
from grader.core.errors import ExportError
from grader.classroom.final import final_grades

HEADER = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]


def canvas_csv(gb: Gradebook, bank: list[Exercise], assignments: dict[str, str] | None = None,
               missing: str = "blank") -> tuple[str, list[str]]:
    """The CSV text, and notes for the instructor (students Canvas cannot match). `missing`:
    what a student with nothing gradable (no submission, only a text entry) gets, "blank"
    (Canvas's import leaves a blank cell's grade as it is: a TA's hand grade stays) or
    "zero"."""
    entries = gb.current()
    if not entries:
        raise ExportError(f"{gb.path.parent}: the gradebook holds no grades yet")
    grades = final_grades(gb, entries)
    exercises = [x for x in bank if x.id in {e.exercise for e in entries}]
    headers = column_names(exercises, assignments or {}, gb.setting("roster_columns", []))
    notes = [f"{x.id} goes to the Canvas column {h!r}" for x, h in zip(exercises, headers)]
    people = gb.students()
    rostered = any(p["on_roster"] is not None for p in people.values())
    ids = sorted({e.student for e in entries} | {i for i, p in people.items()
                                                   if p["on_roster"]})
    rows, left_out = [], []
    rows.append(["    Points Possible", "", "", "", "", *(fmt_points(x.max_score)
                                                         for x in exercises)])
    for sid in ids:
        p = people.get(sid, {})
        if rostered and not p.get("on_roster"):
            left_out.append(sid)         # Canvas would reject an id it does not know
            continue
        canvas_id = p.get("lms_id") if p.get("lms") == "canvas" else sid
        cells = []
        for x in exercises:
            g = grades.get((sid, x.id))
            gone = g is None or (g.entry.missing and not g.applied)    # no hand grade given
            cells.append(("0" if missing == "zero" else "") if gone else fmt_points(g.score))
        rows.append([p.get("name") or sid, canvas_id or sid, p.get("sis_user_id", ""),
                     p.get("sis_login_id", ""), p.get("section", ""), *cells])
    anonymous = [i for i in ids if i.startswith("anon_") and i not in left_out]
    if anonymous:
        notes.append(f"{len(anonymous)} anonymous student(s) (Canvas anonymous grading) have "
                     "no Canvas user id here: enter their grades in SpeedGrader")
    if left_out:
        notes.append(f"{len(left_out)} student(s) not on the roster left out: "
                     f"{', '.join(left_out[:10])}")
    return csvfile.render(HEADER + headers, rows), notes


def column_names(exercises: list[Exercise], given: dict[str, str],
                 roster_columns: list[str]) -> list[str]:
    out = []
    for x in exercises:
        name = given.get(x.id) or next(
            (c for c in roster_columns if _names_exercise(c, x)), None)
        out.append(name or f"{x.id} {x.title}")
    return out


def _names_exercise(column: str, x: Exercise) -> bool:
    """"ex02 Gradient descent (123)", "Exercise 2 (123)", "Ex 2: gd (123)": the exercise's id
    or number after "ex"/"exercise", or its slug as a word. A bare number ("Quiz 2") is not
    enough: a wrong match would overwrite another assignment's grades."""
    name = re.sub(r"\(\d+\)\s*$", "", column).casefold()
    number = int(x.id[2:]) if x.id[2:].isdigit() else None
    said = [int(n) for n in re.findall(r"\bex(?:ercise)?[\s_:#-]*0*(\d+)\b", name)]
    return (number is not None and number in said) or \
        re.search(rf"\b{re.escape(x.slug.casefold())}\b", name) is not None
