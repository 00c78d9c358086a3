"""OUT/index.html: the class overview, rendered from the gradebook alone.

Per exercise: a score histogram (inline SVG from grader.rendering.plots) and the share of students passing
each check, the most-failed first (what an instructor wants to know). Then the submissions
graded 0 without running (syntax error, forbidden import, unreadable) or with checks that could
not run, the files of the input that were submitted but not graded (with the reason; files for
other exercises and system files counted), students not on the roster, the slowest
submissions, the grades changed after grading (overrides given, overrides needing review
because the file changed, late penalties, with each exercise's deadline), the most similar
pairs of submissions and their clusters (grader.classroom.similarity.overview, linking to side-by-side
pages), and a table of every student's final scores linking to every report. One file, inline
CSS, no scripts, autoescaped (student ids, file names and messages come from outside).
"""
from __future__ import annotations

import datetime as dt
import math
import statistics
from dataclasses import dataclass
from pathlib import Path

from grader import __version__
from grader.classroom.final import Grade, final_grades, policies
from grader.classroom.gradebook import NO_SUBMISSION, Entry, Gradebook
from grader.rendering.plots import svg
from grader.core.files import atomic_write_text
from grader.rendering.report import environment
from grader.core.text import fmt_points
from grader.core.result import ERROR, GRADED, Plot, Result
from grader.core.settings import current
from grader.core.spec import Exercise
from grader.classroom.intake import Reason
from grader.classroom.folder import report_path

INDEX = "index.html"


@dataclass(frozen=True)
class CheckRate:
    name: str
    description: str
    hidden: bool
    points: float
    passed: int
    submitted: int

    @property
    def percent(self) -> float:
        return round(100.0 * self.passed / self.submitted, 1) if self.submitted else 0.0


@dataclass(frozen=True)
class ExerciseSummary:
    id: str
    title: str
    max_score: float
    submitted: int
    mean: float
    median: float
    full_marks: int
    did_not_run: int             # graded 0 without running: unreadable, syntax error, ...
    no_submission: int           # on the roster, nothing handed in
    histogram: str               # SVG markup from grader.rendering.plots (escapes its own text)
    rates: list[CheckRate]       # the most-failed first


@dataclass(frozen=True)
class Row:
    """One listed submission: a student's exercise, with a link to its report."""
    student: str
    exercise: str
    score: float
    max_score: float
    status: str
    wall_s: float
    reason: str
    link: str | None


def write_overview(out: Path, gb: Gradebook, exercises: list[Exercise]) -> Path:
    out = Path(out)
    entries = gb.current()
    present = {e.exercise for e in entries}
    shown = [x for x in exercises if x.id in present]
    grades = final_grades(gb, entries)
    rows = [_row(out, e, grades[(e.student, e.exercise)]) for e in entries]
    by_student: dict[str, dict[str, Row]] = {}
    for r in rows:
        by_student.setdefault(r.student, {})[r.exercise] = r
    names = {e.student: e.name for e in entries}
    intake = gb.intake()
    from grader.classroom.similarity.overview import section as similarity_section  # (imports grader.classroom.batch)
    html = environment().get_template("overview.html").render(
        not_graded=[r for r in intake if r["reason"] not in Reason.COUNTED],
        counted=_counted(intake),
        off_roster=sorted(e.student for e in entries if e.on_roster is False),
        exercises=[_summary(gb, x, [e for e in entries if e.exercise == x.id]) for x in shown],
        students=sorted(by_student.items()), names=names, columns=shown,
        slowest=sorted((r for r in rows if r.wall_s > 0), key=lambda r: -r.wall_s)[:current().overview_slowest],
        crashed=[r for r in rows if r.reason and r.status != NO_SUBMISSION],
        totals=_totals(by_student, shown), grader_errors=grader_errors(entries),
        grader_failed=[dict(g, last=_last_line(g["traceback"])) for g in gb.grader_errors()],
        generated=dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        version=__version__, counts=gb.counts(),
        adjusted=[g for g in grades.values() if g.notes()],
        deadlines=sorted((ex, p.describe()) for ex, p in policies(gb).items()),
        similarity=similarity_section(out, gb, shown))
    return atomic_write_text(out / INDEX, html)


def _counted(intake: list[dict]) -> list[tuple[str, int]]:
    counts: dict[str, int] = {}
    for r in intake:
        if r["reason"] in Reason.COUNTED:
            counts[r["reason"]] = counts.get(r["reason"], 0) + 1
    return sorted(counts.items())


def _summary(gb: Gradebook, ex: Exercise, every: list[Entry]) -> ExerciseSummary:
    entries = [e for e in every if e.status != NO_SUBMISSION]
    scores = [e.score for e in entries]
    # Out of every student who handed something in: a file that could not be read or run
    # passes nothing, and that is what an instructor needs to see.
    passing = gb.passing(ex.id)
    rates = [CheckRate(c.name, c.description, c.hidden, c.points, passing[c.name], len(entries))
             for c in ex.checks if c.name in passing]
    rates.sort(key=lambda r: (r.percent, r.name))
    return ExerciseSummary(
        id=ex.id, title=ex.title, max_score=ex.max_score, submitted=len(entries),
        mean=statistics.fmean(scores) if scores else 0.0,
        median=statistics.median(scores) if scores else 0.0,
        full_marks=sum(e.max_score > 0 and e.score >= e.max_score for e in entries),
        did_not_run=sum(e.status != GRADED for e in entries),
        no_submission=len(every) - len(entries),
        histogram=svg(histogram(ex, scores)), rates=rates)


def histogram(ex: Exercise, scores: list[float]) -> Plot:
    """Students per score: one bar per point up to 20 points, else 10 equal bins."""
    top = max([ex.max_score, *scores, 1.0])
    if top <= 20 and all(float(s).is_integer() for s in scores):
        edges = list(range(int(top) + 1))
        labels = [str(v) for v in edges]
        counts = [sum(int(s) == v for s in scores) for v in edges]
    else:
        width = top / 10
        bins = [min(9, max(0, math.floor(s / width))) for s in scores]
        labels = [f"{fmt_points(i * width)}-{fmt_points((i + 1) * width)}" for i in range(10)]
        counts = [bins.count(i) for i in range(10)]
    return Plot(title=f"{ex.id}: scores of {len(scores)} submission"
                      f"{'s' if len(scores) != 1 else ''}", kind="bars",
                series={"students": {"x": labels, "y": counts}},
                xlabel=f"score (out of {fmt_points(ex.max_score)})", ylabel="students")


def _row(out: Path, e: Entry, grade: Grade) -> Row:
    report = report_path(out, e)
    return Row(student=e.student, exercise=e.exercise, score=grade.score, max_score=e.max_score,
               status=e.status, wall_s=e.wall_s, reason=_reason(e),
               link=report.relative_to(out).as_posix() if report else None)


def _reason(e: Entry) -> str:
    """Why a submission crashed or could not be graded, in one line ("" when it ran fine)."""
    if e.status == NO_SUBMISSION:
        return "no submission"
    if e.status != GRADED:  # unreadable, or scored 0 without running
        return f"{e.status.replace('_', ' ')}: {e.message.splitlines()[0] if e.message else ''}"
    result = e.result
    errors = [c for c in result.checks if c.status == ERROR] if result else []
    if errors:
        first = errors[0].message.splitlines()[0] if errors[0].message else "could not run"
        return f"{len(errors)} check{'s' if len(errors) != 1 else ''} could not run: {first}"
    return ""


def _last_line(text: str) -> str:
    return next((ln for ln in reversed(text.splitlines()) if ln.strip()), "")


def grader_errors(entries: list[Entry]) -> list[tuple[str, str, str, str]]:
    """(student, exercise, check, the traceback's last line) of every check the grader could
    not run: the exercise's fault, for the instructor to fix (it cost the student nothing)."""
    out = []
    for e in entries:
        result: Result | None = e.result
        for c in (result.grader_errors if result else ()):
            last = next((ln for ln in reversed(c.traceback.splitlines()) if ln.strip()), "")
            out.append((e.student, e.exercise, c.name, last or c.message))
    return out


def _totals(by_student: dict[str, dict[str, Row]], shown: list[Exercise]) -> dict[str, float]:
    ids = {e.id for e in shown}
    return {s: sum(r.score for x, r in cells.items() if x in ids)
            for s, cells in by_student.items()}
