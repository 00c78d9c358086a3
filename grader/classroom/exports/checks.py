"""One row per student, exercise and check: points, status, message (nbgrader's per-question
export), for an instructor's own analysis in a spreadsheet or pandas. A submission whose
checks never ran (unreadable, no submission) is one row with its status and reason."""
from __future__ import annotations

from grader.classroom.gradebook import Gradebook
from grader.core.text import fmt_points
from grader.classroom import csvfile
from grader.core.errors import ExportError
from grader.classroom.final import final_grades

HEADER = ["student_id", "name", "exercise", "check", "hidden", "status", "points",
          "max_points", "override_points", "message"]


def checks_csv(gb: Gradebook) -> str:
    entries = gb.current()
    if not entries:
        raise ExportError(f"{gb.path.parent}: the gradebook holds no grades yet")
    grades = final_grades(gb, entries)
    by_entry: dict[tuple[str, str], list[dict]] = {}
    for r in gb.check_rows():
        by_entry.setdefault((r["student"], r["exercise"]), []).append(r)
    rows = []
    for e in entries:
        g = grades[(e.student, e.exercise)]
        checks = by_entry.get((e.student, e.exercise), [])
        if not checks:
            rows.append([e.student, e.name, e.exercise, "", "", e.status, fmt_points(e.score),
                         fmt_points(e.max_score), "", e.message])
        for c in checks:
            over = g.check_points.get(c["name"])
            rows.append([e.student, e.name, e.exercise, c["name"], int(c["hidden"]),
                         c["status"], fmt_points(c["points"]), fmt_points(c["max_points"]),
                         "" if over is None else fmt_points(over), c["message"]])
    return csvfile.render(HEADER, rows)
