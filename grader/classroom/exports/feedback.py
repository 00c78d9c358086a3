"""`grade feedback CLASS --out DIR [--release]`: what goes back to each student, in the shape
of the LMS each student's submission came from.

  DIR/<student>/<exNN>-report.html     their report (a `.txt` line where no checks ran)
  DIR/moodle-feedback-<exNN>.zip       Moodle students' reports in Moodle's feedback files layout
  DIR/canvas-feedback-<exNN>.zip       Canvas students' reports in Canvas's "Re-Upload
                                       Submissions" layout

Before --release a report shows the public checks in full and, of the hidden ones, only "N
hidden checks, worth P points, graded after the deadline": no name, message, hint or points,
and a score out of the public points. With --release it shows everything, with the final grade
(overrides, late penalty). The instructor's own reports (OUT/reports) always show everything.

Moodle's zip: Assignment > View all submissions > "Upload multiple feedback files in a zip"
matches each file by the folder it is in, `<full name>_<participant number>_<plugin type>_
<plugin name>_` (mod/assign/feedback/file/importziplib.php splits the path on "_", so an
underscore inside a name is written as a space). Only students with a Moodle participant number
go in it.

Canvas's zip: the assignment's "Re-Upload Submissions" reads each file's name as its own
download wrote it, `<name>_<user id>_<attachment id>_<file>` (Assignment#
infer_comment_context_from_filename: the first two all-digit `_` parts are the user and the
attachment of their submission), and attaches the file to that submission as a comment the
student sees. So only students graded from a Canvas zip's upload (whose attachment id the
gradebook kept) go in it; the others (a text entry, anonymous grading, no submission) are
listed, and their reports are in DIR/<student>/. GitHub Classroom, nbgrader and plain folders
have no upload format: DIR/<student>/ is theirs.
"""
from __future__ import annotations

import dataclasses
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from grader.classroom.intake.names import safe_part
from grader.core.files import atomic_path, atomic_write_text
from grader.classroom.gradebook import Entry, Gradebook
from grader.rendering.report import render_html
from grader.core.text import fmt_points
from grader.grading.feedback import next_step
from grader.core.result import Result
from grader.core.errors import ExportError
from grader.classroom.final import Grade, adjusted_result, final_grades

MOODLE_PLUGIN = "assignsubmission_file"
CANVAS_NAME = re.compile(r"[\W_]+")
WITHHELD = ("(Shown when the hidden checks are released: it includes what your code printed "
            "while the hidden checks ran it.)")     # the folder suffix Moodle's own download writes


@dataclass
class Written:
    students: int = 0
    reports: int = 0
    zips: list[Path] = field(default_factory=list)
    left_out: list[str] = field(default_factory=list)   # "student exNN: why not in a zip"


def write_feedback(gb: Gradebook, out: Path, release: bool) -> Written:
    out = Path(out)
    entries = gb.current()
    if not entries:
        raise ExportError(f"{gb.path.parent}: the gradebook holds no grades yet")
    if out.resolve() == gb.path.parent.resolve():
        raise ExportError(f"--out {out} is the class folder itself; choose another folder")
    grades = final_grades(gb, entries)
    people = gb.students()
    done = Written()
    zips: dict[str, list[tuple[str, bytes]]] = {}
    for e in entries:
        g = grades[(e.student, e.exercise)]
        name, text = _document(g, release)
        atomic_write_text(out / safe_part(e.student) / name, text)
        done.reports += 1
        p = people.get(e.student, {})
        where = _lms_member(e, p, name)
        if isinstance(where, tuple):
            zips.setdefault(where[0], []).append((where[1], text.encode("utf-8")))
        elif where:
            done.left_out.append(f"{e.student} {e.exercise}: {where}")
    done.students = len({e.student for e in entries})
    for zname, files in sorted(zips.items()):
        path = out / zname
        with atomic_path(path) as tmp, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
            for member, data in files:
                zf.writestr(member, data)
        done.zips.append(path)
    return done


def _lms_member(e: Entry, p: dict, name: str) -> tuple[str, str] | str:
    """(zip, member) of a report in its LMS's upload layout; else why not ("" where the
    student's LMS has no upload format)."""
    lms, number = p.get("lms", ""), p.get("lms_id", "")
    if lms == "moodle" and number:
        full = (p.get("name") or e.student).replace("_", " ").replace("/", " ")
        return f"moodle-feedback-{e.exercise}.zip", f"{full}_{number}_{MOODLE_PLUGIN}_/{name}"
    if lms != "canvas":
        return ""
    if not number:
        return "anonymous in Canvas: hand the report over in SpeedGrader"
    if not e.lms_submission:
        return "no uploaded file in Canvas to attach a comment to (no submission, or a " \
               "text entry): hand the report over in SpeedGrader"
    who = CANVAS_NAME.sub("", (p.get("name") or "student").casefold()) or "student"
    return (f"canvas-feedback-{e.exercise}.zip",
            f"{who}_{number}_{e.lms_submission}_{name}")


def _document(g: Grade, release: bool) -> tuple[str, str]:
    """(file name, content) of one student's feedback for one exercise."""
    e, result = g.entry, g.entry.result
    if result is None:
        score = g.score if release else 0.0
        lines = [f"{e.exercise}: {fmt_points(score)} / {fmt_points(e.max_score)} points",
                 e.message or e.status.replace("_", " ")]
        if release:
            lines += g.student_notes()
        return f"{e.exercise}-report.txt", "\n".join(lines) + "\n"
    if release:
        return f"{e.exercise}-report.html", render_html(adjusted_result(result, g),
                                                        g.student_notes())
    view, note = student_view(adjusted_result(result, g))
    # Before release only what concerns public checks: the rest would say what is hidden.
    public_notes = [n for n in g.student_notes() if n.startswith("Points changed by hand (check")]
    return f"{e.exercise}-report.html", render_html(view, public_notes, hidden_text=note)


def student_view(result: Result) -> tuple[Result, str]:
    """The result with its hidden checks withheld: public checks only, a score out of their
    points, and the one line said of the hidden ones."""
    public = tuple(c for c in result.checks if not c.hidden)
    hidden = [c for c in result.checks if c.hidden]
    # A --public-only batch ran no hidden check: its result says how many there are.
    n = len(hidden) or result.hidden_remaining
    points = sum(c.max_points for c in hidden) or result.hidden_points
    note = (f"{n} hidden check{'s' if n != 1 else ''}, worth "
            f"{fmt_points(points)} point{'s' if fmt_points(points) != '1' else ''}, graded "
            "after the deadline.")
    view = dataclasses.replace(
        result, checks=public, score=sum(c.points for c in public),
        max_score=sum(c.max_points for c in public), public_only=bool(n),
        hidden_remaining=n, hidden_points=points,
        # The program's output includes its runs on the hidden checks' inputs.
        output=WITHHELD if hidden and result.output else result.output,
        output_truncated=False if hidden else result.output_truncated,
        # The lead sentence again, from the public checks alone: a hidden check's cause (or its
        # description) must not reach the student before the release.
        next_step=next_step(result.status, result.message, public, result.notes))
    return view, note


