"""OUT/index.html: the class overview, rendered from the gradebook alone.

Per exercise: a score histogram (inline SVG from grader.plots) and the share of students passing
each check, the most-failed first (what an instructor wants to know). Then the slowest and the
crashed submissions, and a table of every student's scores linking to every report. One file,
inline CSS, no scripts, autoescaped (student ids and messages come from outside).
"""
from __future__ import annotations

import datetime as dt
import functools
import math
import os
import statistics
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from .. import __version__
from ..gradebook import UNREADABLE, Entry, Gradebook
from ..plots import svg
from ..report import TEMPLATES, fmt_points
from ..result import ERROR, GRADED, Plot, Result
from ..spec import Exercise
from .outputs import report_path

INDEX = "index.html"
SLOWEST = 10


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
    not_graded: int              # unreadable, syntax error, load error, forbidden import
    histogram: str               # SVG markup from grader.plots (escapes its own text)
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
    rows = [_row(out, e) for e in entries]
    by_student: dict[str, dict[str, Row]] = {}
    for r in rows:
        by_student.setdefault(r.student, {})[r.exercise] = r
    names = {e.student: e.name for e in entries}
    html = _jinja().get_template("overview.html").render(
        exercises=[_summary(gb, x, [e for e in entries if e.exercise == x.id]) for x in shown],
        students=sorted(by_student.items()), names=names, columns=shown,
        slowest=sorted((r for r in rows if r.wall_s > 0), key=lambda r: -r.wall_s)[:SLOWEST],
        crashed=[r for r in rows if r.reason], totals=_totals(by_student, shown),
        grader_errors=grader_errors(entries),
        generated=dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        version=__version__, counts=gb.counts())
    path = out / INDEX
    tmp = path.with_name(INDEX + ".tmp")
    tmp.write_text(html, encoding="utf-8")
    os.replace(tmp, path)
    return path


def _summary(gb: Gradebook, ex: Exercise, entries: list[Entry]) -> ExerciseSummary:
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
        not_graded=sum(e.status != GRADED for e in entries),
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


def _row(out: Path, e: Entry) -> Row:
    report = report_path(out, e)
    return Row(student=e.student, exercise=e.exercise, score=e.score, max_score=e.max_score,
               status=e.status, wall_s=e.wall_s, reason=_reason(e),
               link=report.relative_to(out).as_posix() if report else None)


def _reason(e: Entry) -> str:
    """Why a submission crashed or could not be graded, in one line ("" when it ran fine)."""
    if e.status == UNREADABLE or e.status != GRADED:
        return f"{e.status.replace('_', ' ')}: {e.message.splitlines()[0] if e.message else ''}"
    result = e.result
    errors = [c for c in result.checks if c.status == ERROR] if result else []
    if errors:
        first = errors[0].message.splitlines()[0] if errors[0].message else "could not run"
        return f"{len(errors)} check{'s' if len(errors) != 1 else ''} could not run: {first}"
    return ""


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
    return {s: sum(r.score for x, r in cells.items() if x in {e.id for e in shown})
            for s, cells in by_student.items()}


@functools.lru_cache(maxsize=1)
def _jinja() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]),
                      trim_blocks=True, lstrip_blocks=True, undefined=StrictUndefined)
    env.filters["points"] = fmt_points
    return env
