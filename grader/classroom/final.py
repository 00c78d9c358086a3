"""One final grade per student and exercise: the grader's score, then the instructor's
overrides, then the late policy. Every export, report and the overview shows this.

Overrides (the gradebook's audit trail): the newest one per (student, exercise, check) counts,
but only while the student's current file is the one it was given on (same sha256). When the
file has changed since, the override is *flagged for review*: not applied (the new file's own
grade stands), not dropped (it is listed everywhere an override shows) until the instructor
gives a new one. A check override replaces that check's points; a whole-exercise override
replaces the score and is final: no late penalty is taken from a grade the instructor chose.
"""
from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass

from grader.classroom.gradebook import Entry, Gradebook
from grader.core.text import fmt_points
from grader.core.result import Result
from grader.classroom.late import SETTING, Lateness, Policy, lateness


@dataclass(frozen=True)
class Override:
    id: int
    student: str
    exercise: str
    check: str                  # "" the whole exercise
    points: float | None        # None: back to the grader's points
    comment: str
    by: str
    at: str
    sha256: str                 # of the file it was given on

    @classmethod
    def from_row(cls, r: dict) -> "Override":
        return cls(r["id"], r["student"], r["exercise"], r["check_name"], r["points"],
                   r["comment"], r["by"], r["at"], r["sha256"])

    def describe(self) -> str:
        what = f"check {self.check}" if self.check else "the exercise"
        value = "the grader's points" if self.points is None else fmt_points(self.points)
        return f"{what} set to {value} by {self.by} on {self.at}: {self.comment}"


@dataclass(frozen=True)
class Grade:
    entry: Entry
    graded: float               # the grader's score
    score: float                # what goes out: overrides and late penalty applied
    check_points: dict[str, float]   # checks whose points an override replaced
    applied: tuple[Override, ...] = ()
    review: tuple[Override, ...] = ()     # given on another file: flagged, not applied
    late: Lateness | None = None
    late_applied: bool = False  # False when a whole-exercise override made the grade final

    @property
    def max_score(self) -> float:
        return self.entry.max_score

    def notes(self) -> list[str]:
        """What changed the grader's score, one line each (report, overview, exports)."""
        out = [f"Override: {o.describe()}" for o in self.applied]
        out += [f"Needs review (the file changed since): {o.describe()}" for o in self.review]
        if self.late:
            out.append(f"Late: {self.late.describe()}" + ("" if self.late_applied else
                       " (not applied: the grade was set by hand)"))
        return out

    def student_notes(self) -> list[str]:
        """What a student is told: why points changed, never who, nor which hidden check, nor
        an override that waits for the instructor's review."""
        out = [f"Points changed by hand ({self._what(o)}): {o.comment}" for o in self.applied]
        if self.late:
            out.append(f"Late: {self.late.describe()}" + ("" if self.late_applied else
                       " (not applied: the grade was set by hand)"))
        return out

    def _what(self, o: Override) -> str:
        if not o.check:
            return "the exercise"
        return "a check" if self._hidden(o.check) else f"check {o.check}"

    def _hidden(self, check: str) -> bool:
        result = self.entry.result
        return any(c.name == check and c.hidden for c in result.checks) if result else True

    def key(self) -> str:
        """Changes whenever what a report shows of this grade changes (re-render then)."""
        text = repr((self.score, sorted(self.check_points.items()),
                     [o.id for o in self.applied], [o.id for o in self.review], self.late))
        return hashlib.sha256(text.encode()).hexdigest()[:16]


def policies(gb: Gradebook, exercises: set[str] | None = None) -> dict[str, Policy]:
    """exercise -> its late policy, for those that have one."""
    out = {}
    for ex in exercises if exercises is not None else {e.exercise for e in gb.current()}:
        d = gb.setting(SETTING.format(ex))
        if d:
            out[ex] = Policy.from_json(d)
    return out


def final_grades(gb: Gradebook, entries: list[Entry] | None = None) -> dict[tuple[str, str], Grade]:
    """(student, exercise) -> Grade for every current submission."""
    entries = gb.current() if entries is None else entries
    newest: dict[tuple[str, str, str], Override] = {}
    for row in gb.overrides():
        o = Override.from_row(row)
        newest[(o.student, o.exercise, o.check)] = o
    by_entry: dict[tuple[str, str], list[Override]] = {}
    for o in newest.values():
        by_entry.setdefault((o.student, o.exercise), []).append(o)
    rules = policies(gb, {e.exercise for e in entries})
    return {(e.student, e.exercise): grade_of(e, by_entry.get((e.student, e.exercise), []),
                                              rules.get(e.exercise))
            for e in entries}


def grade_of(entry: Entry, overrides: list[Override], policy: Policy | None) -> Grade:
    live = [o for o in overrides if o.points is not None]
    applied = tuple(o for o in live if o.sha256 == entry.sha256)
    review = tuple(o for o in live if o.sha256 != entry.sha256)
    score, check_points = entry.score, {}
    checks = [o for o in applied if o.check]
    if checks:
        result = entry.result
        old = {c.name: c.points for c in result.checks} if result else {}
        for o in checks:
            if o.check in old:
                score += o.points - old[o.check]
                check_points[o.check] = o.points
    whole = next((o for o in applied if not o.check), None)
    if whole is not None:
        score = whole.points
    late = lateness(policy, entry.student, entry.submitted_at, entry.late) \
        if policy and not entry.missing else None
    late_applied = late is not None and whole is None
    if late_applied:
        score = score * (1 - late.percent / 100.0)
    return Grade(entry, entry.score, round(max(0.0, score), 4), check_points, applied, review,
                 late, late_applied)


def adjusted_result(result: Result, grade: Grade) -> Result:
    """The result as the student's report shows it: overridden checks with their new points
    (and why), the final score."""
    checks = tuple(
        dataclasses.replace(c, points=grade.check_points[c.name], message=(
            c.message + "\n" if c.message else "") + next(
            f"Points set by hand: {o.comment}" for o in grade.applied if o.check == c.name))
        if c.name in grade.check_points else c for c in result.checks)
    return dataclasses.replace(result, checks=checks, score=grade.score)
