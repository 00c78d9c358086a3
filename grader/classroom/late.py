"""Deadlines, extensions and the late policy: how many days late, and what that costs.

A policy belongs to an exercise and is kept in the gradebook's settings (`late:<exNN>`), set by
`grade batch --deadline ...`. It is applied when grades go out (exports, reports, overview),
never stored into a score: changing a deadline or granting an extension needs no regrading.

Days late: the time past the student's deadline (an extension, else the exercise's), after the
grace period, rounded up to whole days (a minute past is one day). The penalty is `per_day`
percent of the points earned per day late, at most `cap` percent.

The submission time is only ever the LMS's own (nbgrader's timestamp.txt, a Moodle grading
worksheet's "Last modified (submission)") or the instructor's (`--submission-times`); never a
zip entry's time (Canvas stamps every entry with the moment it builds the zip), a file's mtime
or a date in a file's name. Canvas's LATE mark without a time counts as one day late; a
supplied time that says more counts as what it says.
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from pathlib import Path

from grader.classroom import csvfile

from grader.core.errors import ExportError

SETTING = "late:{}"


@dataclass(frozen=True)
class Policy:
    deadline: str                        # ISO 8601; without a zone it is UTC
    per_day: float = 0.0                 # percent of the points earned, per day late
    cap: float = 100.0                   # the most a late submission loses, in percent
    grace_minutes: float = 0.0
    extensions: dict[str, str] = field(default_factory=dict)   # student -> their deadline

    def to_json(self) -> dict:
        return {"deadline": self.deadline, "per_day": self.per_day, "cap": self.cap,
                "grace_minutes": self.grace_minutes, "extensions": dict(self.extensions)}

    @classmethod
    def from_json(cls, d: dict) -> "Policy":
        return cls(d["deadline"], d.get("per_day", 0.0), d.get("cap", 100.0),
                   d.get("grace_minutes", 0.0), dict(d.get("extensions", {})))

    def describe(self) -> str:
        s = f"deadline {self.deadline}"
        if self.grace_minutes:
            s += f", {self.grace_minutes:g} min grace"
        if self.per_day:
            s += f", {self.per_day:g}% per day late (at most {self.cap:g}%)"
        return s


@dataclass(frozen=True)
class Lateness:
    deadline: str                        # the student's own (an extension shows here)
    submitted_at: str
    days: int                            # whole days late, rounded up; 0 within the grace
    percent: float                       # the penalty, in percent of the points earned

    def describe(self) -> str:
        days = f"{self.days} day{'s' if self.days != 1 else ''}"
        if not self.submitted_at:
            return (f"marked late by the LMS (no submission time given): counted as {days} "
                    f"late: -{self.percent:g}%")
        return f"submitted {self.submitted_at}, {days} after the deadline {self.deadline}: " \
               f"-{self.percent:g}%"


def parse_time(text: str, what: str = "time") -> dt.datetime:
    """ISO 8601 (`2026-11-20T23:59`, `2026-11-20 23:59:00+01:00`, `...Z`); no zone: UTC."""
    try:
        t = dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ExportError(f"{what} {text!r} is not an ISO 8601 time (e.g. 2026-11-20T23:59+00:00)"
                          ) from None
    return t if t.tzinfo else t.replace(tzinfo=dt.timezone.utc)


def lateness(policy: Policy, student: str, submitted_at: str,
             marked_late: bool = False) -> Lateness | None:
    """None when on time, or when nothing says it was late. `marked_late`: the LMS said so
    (Canvas's LATE): at least one day, more where the time says more."""
    deadline = policy.extensions.get(student, policy.deadline)
    days = 0
    if submitted_at:
        try:
            past = parse_time(submitted_at) - parse_time(deadline) - \
                dt.timedelta(minutes=policy.grace_minutes)
            days = max(0, math.ceil(past.total_seconds() / 86400))
        except ExportError:
            pass                         # an unparseable time is not held against anyone
    if marked_late:
        days = max(days, 1)
    if days <= 0:
        return None
    return Lateness(deadline, submitted_at, days, min(policy.cap, policy.per_day * days))


def read_submission_times(path: Path) -> dict[tuple[str, str], str]:
    """CSV with a header: `student`, `submitted_at` (ISO 8601; no zone: UTC), optionally
    `exercise` ("" applies to every exercise). `student` is the gradebook's id (the roster's,
    else the LMS's: a Canvas user id, a Moodle participant number)."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as e:
        raise ExportError(f"cannot read the submission times {path}: {e}") from None
    rows = csvfile.records(text)
    head = {h.strip().casefold() for h in (rows[0].keys() if rows else []) if h}
    if not {"student", "submitted_at"} <= head:
        raise ExportError(f"{path}: expected the columns student and submitted_at "
                          "(and optionally exercise)")
    out: dict[tuple[str, str], str] = {}
    for n, raw in enumerate(rows, start=2):
        r = {k.strip().casefold(): (v or "").strip() for k, v in raw.items() if k}
        if not r.get("student") or not r.get("submitted_at"):
            continue
        parse_time(r["submitted_at"], f"{path} line {n}: submitted_at")
        out[(r["student"], r.get("exercise", ""))] = r["submitted_at"]
    return out


def make_policy(deadline: str, per_day: float, cap: float, grace_minutes: float,
                extensions: Path | None, exercise: str) -> Policy:
    """A policy from the command line's words, checked; extensions read from their file."""
    parse_time(deadline, "--deadline")
    if per_day < 0 or not 0 <= cap <= 100 or grace_minutes < 0:
        raise ExportError("--late-per-day and --late-grace must be >= 0, --late-cap 0 to 100")
    ext = read_extensions(extensions, deadline, exercise) if extensions else {}
    return Policy(deadline, per_day, cap, grace_minutes, ext)


def read_extensions(path: Path, deadline: str, exercise: str) -> dict[str, str]:
    """CSV with a header: `student` and either `deadline` (ISO time) or `days` (extra days),
    and optionally `exercise` (a row without one applies to every exercise)."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as e:
        raise ExportError(f"cannot read the extensions file {path}: {e}") from None
    rows = csvfile.records(text)
    head = {h.strip().casefold() for h in (rows[0].keys() if rows else [])}
    if rows and ("student" not in head or not head & {"deadline", "days"}):
        raise ExportError(f"{path}: expected the columns student and deadline (or days)")
    out: dict[str, str] = {}
    base = parse_time(deadline)
    for n, raw in enumerate(rows, start=2):
        r = {k.strip().casefold(): (v or "").strip() for k, v in raw.items() if k}
        if r.get("exercise") and r["exercise"] != exercise:
            continue
        if r.get("deadline"):
            parse_time(r["deadline"], f"{path} line {n}: deadline")
            out[r["student"]] = r["deadline"]
        else:
            try:
                days = float(r.get("days", ""))
            except ValueError:
                raise ExportError(f"{path} line {n}: days {r.get('days')!r} is not a number"
                                  ) from None
            out[r["student"]] = (base + dt.timedelta(days=days)).isoformat()
    return out
