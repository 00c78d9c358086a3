"""Files rendered from the gradebook: grades.csv, a Gradescope-style results.json and an HTML
report per submission. Nothing here decides a grade; it only writes down what the gradebook says.

  OUT/grades.csv                      one row per student, one column per exercise, a total
  OUT/results/<student>/<exNN>.json   Gradescope's results format ("score", "tests": [...];
                                      ours only under "extra_data")
  OUT/reports/<student>/<exNN>-*.html the instructor's report: every check, and what changed
                                      the grade (overrides, late penalty)

Scores written here are final grades (grader.classroom.final): the grader's, then overrides,
then the late policy. results.json is written after the report and carries the gradebook
row's id and the final grade's key, so it marks the pair as done: `render_missing` rewrites
whatever a killed run left unwritten, and whatever an override or a deadline changed.
"""
from __future__ import annotations

import json
from pathlib import Path

from grader.classroom import csvfile
from grader.classroom.final import Grade, adjusted_result, grade_of
from grader.classroom.exports.gradescope import results_document
from grader.classroom.gradebook import NO_SUBMISSION, UNREADABLE, Entry
from grader.core.files import atomic_write_text
from grader.core.text import fmt_points
from grader.rendering.report import render_html, report_filename
from grader.core.result import Result
from grader.core.spec import Exercise
from grader.classroom.intake.names import safe_part

GRADES_CSV = "grades.csv"


def results_path(out: Path, entry: Entry) -> Path:
    return Path(out) / "results" / safe_part(entry.student) / f"{safe_part(entry.exercise)}.json"


def report_dir(out: Path, entry: Entry) -> Path:
    return Path(out) / "reports" / safe_part(entry.student)


def report_path(out: Path, entry: Entry) -> Path | None:
    """Where the entry's HTML report is (None for an unreadable file or no submission: there
    is no report)."""
    if entry.status in (UNREADABLE, NO_SUBMISSION):
        return None
    return report_dir(out, entry) / report_filename(entry.exercise, entry.path)


def render_entry(out: Path, entry: Entry, result: Result | None = None,
                 grade: Grade | None = None) -> None:
    """The report, then results.json (last: its presence says both are written). `result`:
    the entry's, where the caller has it already (saves reading it back from its JSON);
    `grade`: its final grade (default: the grader's score, nothing overridden)."""
    result = result or entry.result
    grade = grade or grade_of(entry, [], None)
    path = report_path(out, entry)
    if result is not None and path is not None:
        atomic_write_text(path, render_html(adjusted_result(result, grade), grade.notes()))
    atomic_write_text(results_path(out, entry),
                  json.dumps(gradescope(entry, result, grade), indent=2))


def render_missing(out: Path, entries: list[Entry],
                   grades: dict[tuple[str, str], Grade] | None = None) -> int:
    """Render every entry whose results.json is missing, from another grading, or from
    another final grade (an override, a deadline); return how many were written."""
    written = 0
    for e in entries:
        grade = (grades or {}).get((e.student, e.exercise)) or grade_of(e, [], None)
        p = results_path(out, e)
        try:
            extra = json.loads(p.read_text(encoding="utf-8")).get("extra_data", {})
            done = extra.get("gradebook_id") == e.id and extra.get("grade_key") == grade.key()
        except (OSError, ValueError, AttributeError):
            done = False
        if not done or (report_path(out, e) and not report_path(out, e).exists()):
            render_entry(out, e, grade=grade)
            written += 1
    return written


def gradescope(entry: Entry, result: Result | None = None, grade: Grade | None = None) -> dict:
    """Gradescope's autograder results format, from one gradebook entry (and its result,
    where the caller has it already): the final grade as the score, ours under extra_data."""
    grade = grade or grade_of(entry, [], None)
    result = result or entry.result
    return results_document(
        adjusted_result(result, grade) if result else None, grade.score, entry.message, {
            "student": entry.student, "exercise": entry.exercise, "status": entry.status,
            "max_score": entry.max_score, "graded_score": entry.score,
            "sha256": entry.sha256, "graded_at": entry.graded_at, "gradebook_id": entry.id,
            "submitted_at": entry.submitted_at, "late": entry.late,
            "grade_key": grade.key(), "adjustments": grade.notes()})


def write_grades_csv(out: Path, entries: list[Entry], exercises: list[Exercise],
                     grades: dict[tuple[str, str], Grade] | None = None) -> Path:
    """One row per student (student id first, as Canvas and Moodle match on it; the name
    beside it), one column per exercise, then the total. A missing submission is an empty cell (both LMSs leave the
    grade unchanged), unless a roster said the student should have sent one (0, "no
    submission" in the gradebook); a file that could not be read scores 0. Scores are final
    grades (overrides and late policy applied) where `grades` has them."""
    ids = [e.id for e in exercises]
    rows: dict[str, dict[str, float]] = {}
    names = {e.student: e.name for e in entries}
    for e in entries:
        g = (grades or {}).get((e.student, e.exercise))
        rows.setdefault(e.student, {})[e.exercise] = g.score if g else e.score
    path = Path(out) / GRADES_CSV
    csvfile.write(path, csvfile.render(
        ["student_id", "name", *ids, "total"],
        ([student, names.get(student) or "",
          *(fmt_points(rows[student][i]) if i in rows[student] else "" for i in ids),
          fmt_points(sum(rows[student].get(i, 0.0) for i in ids))] for student in sorted(rows))),
        bom=False)
    return path


