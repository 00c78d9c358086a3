"""Files rendered from the gradebook: grades.csv, a Gradescope-style results.json and an HTML
report per submission. Nothing here decides a grade; it only writes down what the gradebook says.

  OUT/grades.csv                      one row per student, one column per exercise, a total
  OUT/results/<student>/<exNN>.json   Gradescope's results format ("score", "tests": [...])
  OUT/reports/<student>/<exNN>-*.html the student's report (grader.report.write_html)

results.json is written after the report and carries the gradebook row's id, so it marks the
pair as done: `render_missing` rewrites whatever a killed run left unwritten or stale.
"""
from __future__ import annotations

import csv
import json
import os
import re
from pathlib import Path

from ..gradebook import UNREADABLE, Entry
from ..report import fmt_points, write_html
from ..result import GRADER_ERROR, Result
from ..spec import Exercise

GRADES_CSV = "grades.csv"


def safe_part(name: str) -> str:
    """A student or exercise id as one harmless path component."""
    return re.sub(r"[^A-Za-z0-9._@+-]+", "_", name).strip(".") or "_"


def results_path(out: Path, entry: Entry) -> Path:
    return Path(out) / "results" / safe_part(entry.student) / f"{safe_part(entry.exercise)}.json"


def report_dir(out: Path, entry: Entry) -> Path:
    return Path(out) / "reports" / safe_part(entry.student)


def report_path(out: Path, entry: Entry) -> Path | None:
    """Where the entry's HTML report is (None for an unreadable file: there is no report)."""
    if entry.status == UNREADABLE:
        return None
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", Path(entry.path).stem).strip("._") or "submission"
    return report_dir(out, entry) / f"{safe_part(entry.exercise)}-{stem}.html"


def render_entry(out: Path, entry: Entry, result: Result | None = None) -> None:
    """The report, then results.json (last: its presence says both are written). `result`:
    the entry's, where the caller has it already (saves reading it back from its JSON)."""
    result = result or entry.result
    if result is not None:
        write_html(result, report_dir(out, entry))
    _write_atomic(results_path(out, entry), json.dumps(gradescope(entry, result), indent=2))


def render_missing(out: Path, entries: list[Entry]) -> int:
    """Render every entry whose results.json is missing or from another grading; return how
    many were written."""
    written = 0
    for e in entries:
        p = results_path(out, e)
        try:
            done = json.loads(p.read_text(encoding="utf-8")).get("gradebook_id") == e.id
        except (OSError, ValueError, AttributeError):
            done = False
        if not done or (report_path(out, e) and not report_path(out, e).exists()):
            render_entry(out, e)
            written += 1
    return written


def gradescope(entry: Entry, result: Result | None = None) -> dict:
    """Gradescope's autograder results format, from one gradebook entry (and its result,
    where the caller has it already)."""
    doc = {"score": entry.score, "max_score": entry.max_score, "output": entry.message,
           "visibility": "visible", "stdout_visibility": "hidden",
           "student": entry.student, "exercise": entry.exercise, "status": entry.status,
           "sha256": entry.sha256, "graded_at": entry.graded_at, "gradebook_id": entry.id,
           "tests": []}
    result = result or entry.result
    if result is None:
        return doc
    doc["execution_time"] = result.run.wall_s if result.run else 0.0
    for c in result.checks:
        text = "\n".join(t for t in (c.message, f"Hint: {c.hint}" if c.hint else "") if t)
        doc["tests"].append({
            "name": c.description or c.name, "number": c.name, "score": c.points,
            # a grader error is worth 0 of 0 here, as in the score (it costs the student nothing)
            "max_score": 0.0 if c.status == GRADER_ERROR else c.max_points,
            "status": "passed" if c.passed else "failed",
            "output": text, "visibility": "after_published" if c.hidden else "visible"})
    return doc


def write_grades_csv(out: Path, entries: list[Entry], exercises: list[Exercise]) -> Path:
    """One row per student (student id first, as Canvas and Moodle match on it), one column
    per exercise, then the total. A missing submission is an empty cell (both LMSs leave the
    grade unchanged); a file that could not be read scores 0."""
    ids = [e.id for e in exercises]
    rows: dict[str, dict[str, float]] = {}
    for e in entries:
        rows.setdefault(e.student, {})[e.exercise] = e.score
    path = Path(out) / GRADES_CSV
    tmp = path.with_suffix(".csv.tmp")
    with open(tmp, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["student_id", *ids, "total"])
        for student in sorted(rows):
            scores = rows[student]
            w.writerow([student, *(fmt_points(scores[i]) if i in scores else "" for i in ids),
                        fmt_points(sum(scores.get(i, 0.0) for i in ids))])
    os.replace(tmp, path)
    return path


def _write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
