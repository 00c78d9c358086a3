"""Manual grades: `grade override CLASS STUDENT EXERCISE [--check NAME] --points X --comment
TEXT`. Each one is a new row of the gradebook's audit trail (who, when, why, and the sha256 of
the file it was given on); grader.classroom.final decides what counts. Afterwards the class
folder's reports, grades.csv and overview are rendered again from the gradebook."""
from __future__ import annotations

import datetime as dt
import getpass
from dataclasses import dataclass

from grader.classroom.gradebook import Gradebook
from grader.core.text import fmt_points
from grader.core.spec import Exercise
from grader.core.errors import ExportError
from grader.classroom.final import Override, final_grades


@dataclass(frozen=True)
class Listed:
    override: Override
    state: str        # applied | needs review | superseded | reverted | back to the grader's


def add(gb: Gradebook, bank: list[Exercise], student: str, exercise: str, check: str | None,
        points: float | None, comment: str, by: str | None = None) -> Override:
    """Record one override (points None: back to the grader's), after checking it names a
    real student, exercise, check and a possible number of points."""
    if not comment.strip():
        raise ExportError("--comment is required: say why (it is kept with the grade)")
    if student not in gb.students():
        raise ExportError(f"unknown student {student!r} in {gb.path.parent}")
    entry = next((e for e in gb.current() if e.student == student and e.exercise == exercise),
                 None)
    if entry is None:
        raise ExportError(f"{student} has no grade for {exercise!r} in {gb.path.parent}")
    ex = next((x for x in bank if x.id == exercise), None)
    top = entry.max_score
    if check:
        spec = next((c for c in ex.checks if c.name == check), None) if ex else None
        if spec is None:
            names = ", ".join(c.name for c in ex.checks) if ex else "none known"
            raise ExportError(f"{exercise} has no check {check!r} (its checks: {names})")
        if not any(c.name == check for c in (entry.result.checks if entry.result else ())):
            why = entry.status.replace("_", " ")
            raise ExportError(f"no check ran for {student} {exercise} ({why}): override the "
                              "whole exercise instead")
        top = spec.points
    if points is not None and not 0 <= points <= top:
        raise ExportError(f"--points {fmt_points(points)}: must be between 0 and "
                          f"{fmt_points(top)} for {check or exercise}")
    at = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    who = by or _user()
    oid = gb.add_override(student, exercise, check or "", points, comment.strip(), who, at,
                          entry.sha256)
    return Override(oid, student, exercise, check or "", points, comment.strip(), who, at,
                    entry.sha256)


def listing(gb: Gradebook) -> list[Listed]:
    """Every override ever given, oldest first, each with what it does now."""
    grades = final_grades(gb)
    rows = [Override.from_row(r) for r in gb.overrides()]
    newest = {(o.student, o.exercise, o.check): o.id for o in rows}
    out = []
    for o in rows:
        g = grades.get((o.student, o.exercise))
        if newest[(o.student, o.exercise, o.check)] != o.id:
            state = "superseded"
        elif o.points is None:
            state = "back to the grader's"
        elif g and any(a.id == o.id for a in g.review):
            state = "needs review"
        elif g and any(a.id == o.id for a in g.applied):
            state = "applied"
        else:
            state = "needs review"
        out.append(Listed(o, state))
    return out


def _user() -> str:
    try:
        return getpass.getuser()
    except Exception:   # no login name (a container without one): still record something
        return "unknown"


def describe(item: Listed) -> str:
    o = item.override
    value = "-" if o.points is None else fmt_points(o.points)
    return (f"#{o.id} {o.student} {o.exercise} {o.check or '(exercise)'} -> {value} "
            f"[{item.state}] by {o.by} at {o.at}: {o.comment}")


