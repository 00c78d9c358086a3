"""Moodle's offline grading worksheet (Assignment > View all submissions > Upload grading
worksheet): the columns Moodle's own "Download grading worksheet" writes
(mod/assign/gradingtable.php), with the three its importer needs
(mod/assign/feedback/offline/importgradeslib.php): `Identifier` ("Participant 1001", the
number of the assignment's submissions zip), `Grade`, `Last modified (grade)`; and `Feedback
comments`, imported as the comments feedback when that plugin is on.

One Moodle assignment is one exercise: choose it with --exercise when the class has several.
The importer skips a row whose grade was changed in Moodle after `Last modified (grade)`
(unless "Allow updating records that have been modified more recently in Moodle" is ticked);
that column holds the time of this export, so grades given in Moodle before it are replaced.
"""
from __future__ import annotations

import datetime as dt

from grader.classroom.gradebook import NO_SUBMISSION, Gradebook
from grader.core.text import fmt_points
from grader.core.spec import Exercise
from grader.classroom import csvfile
from grader.core.errors import ExportError
from grader.classroom.final import Grade, final_grades
from grader.classroom.late import parse_time

HEADER = ["Identifier", "Full name", "Email address", "Status", "Grade", "Maximum grade",
          "Grade can be changed", "Last modified (submission)", "Last modified (grade)",
          "Feedback comments"]
# Moodle's English `strftimedatetime`, the form its worksheet writes and PHP's strtotime reads.
MOODLE_TIME = "%A, %d %B %Y, %I:%M %p"


def moodle_csv(gb: Gradebook, bank: list[Exercise], exercise: str | None,
               now: dt.datetime | None = None) -> tuple[str, list[str]]:
    entries = gb.current()
    present = [x for x in bank if x.id in {e.exercise for e in entries}]
    if not present:
        raise ExportError(f"{gb.path.parent}: the gradebook holds no grades yet")
    if exercise is None:
        if len(present) > 1:
            raise ExportError(f"{gb.path.parent} holds {', '.join(x.id for x in present)}: a "
                              "Moodle worksheet is one assignment; choose one with --exercise")
        exercise = present[0].id
    ex = next((x for x in present if x.id == exercise), None)
    if ex is None:
        raise ExportError(f"{gb.path.parent} has no grades for {exercise}")
    grades = final_grades(gb, [e for e in entries if e.exercise == ex.id])
    people = gb.students()
    stamp = (now or dt.datetime.now(dt.timezone.utc)).strftime(MOODLE_TIME)
    rows, skipped = [], []
    for (sid, _), g in sorted(grades.items(), key=lambda kv: _number(kv[0][0], people)):
        p = people.get(sid, {})
        number = p.get("lms_id") if p.get("lms") == "moodle" else ""
        if not number or not number.isdigit():
            skipped.append(sid)          # Moodle matches on its participant number alone
            continue
        e = g.entry
        rows.append([f"Participant {number}", p.get("name") or sid, p.get("email", ""),
                     "No submission" if e.status == NO_SUBMISSION else "Submitted for grading",
                     fmt_points(g.score), fmt_points(e.max_score), "Yes",
                     _moodle_time(e.submitted_at), stamp, comment(g)])
    notes = []
    if skipped:
        notes.append(f"{len(skipped)} student(s) without a Moodle participant number left "
                     f"out (grade a Moodle zip, or pass a Moodle grading worksheet as "
                     f"--roster): {', '.join(skipped[:10])}")
    if not rows:
        raise ExportError(f"no student in {gb.path.parent} has a Moodle participant number "
                          "(grade a Moodle zip, or pass a Moodle grading worksheet as --roster)")
    return csvfile.render(HEADER, rows), notes


def comment(g: Grade) -> str:
    """Plain text for the student: the score, what passed, what changed it. Hidden checks are
    counted, never named (the worksheet's comments reach students)."""
    result = g.entry.result
    text = f"{fmt_points(g.score)} / {fmt_points(g.max_score)} points."
    if result is not None and result.checks:
        passed = sum(c.passed for c in result.checks)
        text += f" {passed} of {len(result.checks)} checks passed."
    elif g.entry.message:
        text += f" {g.entry.message.splitlines()[0]}"
    for note in g.student_notes():
        text += f" {note}."
    return text


def _moodle_time(iso: str) -> str:
    if not iso:
        return "-"
    try:
        return parse_time(iso).astimezone(dt.timezone.utc).strftime(MOODLE_TIME)
    except ExportError:
        return "-"


def _number(sid: str, people: dict) -> tuple[int, str]:
    lms_id = people.get(sid, {}).get("lms_id", "")
    return (int(lms_id) if lms_id.isdigit() else 1 << 62, sid)
