"""One row per student, exercise and check: points, status, message (nbgrader's per-question
export), for an instructor's own analysis in a spreadsheet or pandas. A submission whose
checks never ran (unreadable, no submission) is one row with its status and reason.

The last two columns are what a failed check expected and what it saw (CheckResult.expected /
observed, from the result document): a number as a number, a phrase as text, a list as JSON
("[3, 4]"); empty where the check gave none, and for results graded before they existed."""
from __future__ import annotations

import json
from typing import Any

from grader.classroom.gradebook import Gradebook
from grader.core.text import fmt_points
from grader.classroom import csvfile
from grader.core.errors import ExportError
from grader.classroom.final import final_grades

HEADER = ["student_id", "name", "exercise", "check", "hidden", "status", "points",
          "max_points", "override_points", "message", "expected", "observed"]


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
                         fmt_points(e.max_score), "", e.message, "", ""])
        values = _values(e.result_json) if checks else {}
        for c in checks:
            over = g.check_points.get(c["name"])
            expected, observed = values.get(c["name"], (None, None))
            rows.append([e.student, e.name, e.exercise, c["name"], int(c["hidden"]),
                         c["status"], fmt_points(c["points"]), fmt_points(c["max_points"]),
                         "" if over is None else fmt_points(over), c["message"],
                         _cell(expected), _cell(observed)])
    return csvfile.render(HEADER, rows)


def _values(result_json: str | None) -> dict[str, tuple[Any, Any]]:
    """{check: (expected, observed)} of the checks that gave them, from a result document."""
    if not result_json:
        return {}
    return {c["name"]: (c.get("expected"), c.get("observed"))
            for c in json.loads(result_json).get("checks", ())
            if "expected" in c or "observed" in c}


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, list):
        return json.dumps(value, ensure_ascii=False)
    return value
