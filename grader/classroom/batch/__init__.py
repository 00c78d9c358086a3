"""Grade a whole class: guard -> intake -> roster -> plan against the gradebook -> grade in
workers -> record -> render. `grade batch` (grader.cli) is a thin layer over `run_batch`.

Stages, each in its own module:
  guard      (here) `--out` outside the input, one batch per `--out` at a time (a lock)
  intake     every file of the input graded or listed as not graded with its reason; a folder
             or an LMS zip (Moodle, Canvas, nbgrader, GitHub Classroom, plain folders)
  roster     who is in the class (Canvas, Moodle, GitHub Classroom, nbgrader lists), matched to
             files by each LMS's own field; submission times from the instructor's file
  plan       (here) skip what the gradebook already holds for the same file and checks
  executors  run `grade()` per submission in warm forked workers (or on a dask cluster)
  gradebook  (grader.classroom.gradebook) the parent records each result in one transaction
  outputs    grades.csv, results/<student>/<ex>.json, reports/<student>/*.html
  overview   index.html, the class overview
  console    progress bar (or plain lines off a terminal) and the summary

Words: "graded" is every file whose checks ran or that scored 0 because of the file itself
(syntax error, forbidden import, timeout, unreadable): grading it again changes nothing.
"not graded" is only what a retry could change (a grader or machine fault), plus the input's
files that are not submissions, each with its reason.

Partial downloads are the normal case: a run never takes a grade from a student it did not
include (no "no submission" over an earlier grade; overrides and times stay).

Resumable: a run killed at any point (even SIGKILL) has committed each finished submission and
nothing else; the same command grades the rest and renders whatever the killed run left out.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console

from grader.core.files import file_sha256
from grader.classroom.final import final_grades
from grader.classroom.late import SETTING as LATE_SETTING
from grader.classroom.late import Policy, make_policy, read_submission_times
from grader.classroom.gradebook import NOT_GRADABLE, Gradebook, Key, Origin
from grader.grading.pipeline import GradeOptions
from grader.core.text import fmt_points
from grader.core.result import Result
from grader.core.settings import current
from grader.core.spec import Exercise, all_exercises, find_exercise, grading_files_digest
from grader.classroom.batch.console import Reporter
from grader.classroom.batch.executors import (GRADED, Executor, Failed, Graded, Payload, Task,
                                              Unreadable, open_executor)
from grader.classroom.intake import Found, Intake, Reason, Skipped, discover
from grader.classroom.intake.names import shown
from grader.classroom.locks import hold_folder
from grader.classroom.folder import render_entry, render_missing, write_grades_csv
from grader.classroom.overview import write_overview
from grader.classroom.roster import Matcher, Person, lms_columns, read_roster
from grader.core.errors import BatchError, DiscoveryError, ExportError

EXECUTORS = ("local", "dask")
UNPACKED = "unpacked"


@dataclass(frozen=True)
class BatchOptions:
    out: Path
    exercise: str | None = None      # only this exercise (id, number or slug); None: all
    jobs: int = 1                    # local worker processes
    regrade: bool = False            # grade again even what the gradebook already holds
    public_only: bool = False        # public checks only (the hidden ones are not run)
    seed: int = 0
    device: str | None = None
    data_dir: Path | None = None
    executor: str = "local"          # "local" | "dask"
    scheduler: str | None = None     # dask scheduler address, e.g. tcp://127.0.0.1:8786
    prefer: str = "newest"           # of several files for one exercise: newest | ipynb | py
    assignments: tuple[tuple[str, str], ...] = ()   # (assignment folder, exercise id)
    roster: Path | None = None       # a Canvas / Moodle / GitHub Classroom class list (CSV)
    verbose: bool = False            # list every file not graded, not only counts per reason
    wait_s: float = 0.0              # how long to wait for another batch on --out (0: refuse)
    deadline: str | None = None      # late policy of the run's exercises (grader.classroom.late)
    late_per_day: float = 0.0        # percent of the points earned, per day late
    late_cap: float = 100.0          # percent at most
    late_grace_min: float = 0.0
    extensions: Path | None = None   # CSV: student, deadline | days [, exercise]
    submission_times: Path | None = None  # CSV: student, submitted_at [, exercise]
    allow_weak_sandbox: bool = False  # grade where bubblewrap cannot sandbox (dask workers too)


@dataclass
class BatchSummary:
    files: int = 0                   # every file of the input
    found: int = 0                   # submissions to grade
    graded: int = 0
    unchanged: int = 0
    unreadable: list[str] = field(default_factory=list)   # "student exNN: reason" (scored 0)
    errors: list[str] = field(default_factory=list)       # grader faults: not recorded
    skipped: list[Skipped] = field(default_factory=list)  # input files that are not graded
    notes: list[str] = field(default_factory=list)        # said once, lose nothing
    off_roster: list[str] = field(default_factory=list)   # ids with files, not on the roster
    no_submission: list[str] = field(default_factory=list)  # "student exNN", rostered
    not_gradable: list[str] = field(default_factory=list)   # "student exNN: why" (sent, 0)
    names: dict[str, str] = field(default_factory=dict)     # id -> name, for the terminal
    # exercise -> checks the grader could not run (its own fault), in the gradebook now
    grader_errors: dict[str, list[str]] = field(default_factory=dict)
    outputs: dict[str, Path] = field(default_factory=dict)

    @property
    def warnings(self) -> list[str]:
        """Every not-graded file and note, one line each (for scripts and tests)."""
        return [f"{k.path}: {k.reason}{' (' + k.detail + ')' if k.detail else ''}"
                for k in self.skipped] + self.notes


def run_batch(source: Path, root: Path, opts: BatchOptions,
              console: Console | None = None) -> BatchSummary:
    """Grade every submission under `source` (a folder or an LMS zip) that the gradebook in
    `opts.out` does not hold yet, then render every output from the gradebook."""
    source, out = Path(source), Path(opts.out)
    bank = all_exercises(root)
    if not bank:
        raise BatchError(f"no exercises in {root}: nothing to grade against")
    if not source.exists():     # before --out is made: a typo leaves nothing behind
        raise DiscoveryError(f"{source}: no such folder or zip file")
    _check_paths(source, out)
    chosen = [find_exercise(root, opts.exercise)] if opts.exercise else bank
    people = read_roster(opts.roster) if opts.roster else None
    policies = _late_policies(opts, chosen)     # checked before --out is made
    times = _submission_times(opts)
    out.mkdir(parents=True, exist_ok=True)
    with hold_folder(out, opts.wait_s):
        intake = discover(source, [x.id for x in chosen], out / UNPACKED,
                          exercise=chosen[0].id if opts.exercise else None, prefer=opts.prefer,
                          assignments=dict(opts.assignments))
        summary = BatchSummary(files=intake.files, notes=intake.notes)
        found = _with_times(_match_roster(intake, people, summary), people, times)
        summary.names = {**{f.student: f.name for f in found if f.name},
                         **{p.id: p.name for p in people or [] if p.name}}
        if not any(not f.not_gradable for f in found):
            raise BatchError(_nothing_found(source, intake, chosen))
        summary.found = sum(not f.not_gradable for f in found)
        summary.skipped = intake.skipped
        reporter = Reporter(console, opts.verbose)
        reporter.intake(summary)
        with Gradebook.in_folder(out) as gb:
            _record_intake(gb, source, found, intake, people)
            _record_settings(gb, opts, policies)
            _grade_and_render(gb, source, found, chosen, bank, people, opts, out, summary,
                              reporter)
        reporter.done(summary)
    return summary


def _check_paths(source: Path, out: Path) -> None:
    src, dst = source.resolve(), out.resolve()
    if not src.is_dir():
        return                  # a zip is read, never written: it may live anywhere
    if dst == src or src in dst.parents:
        raise BatchError(f"--out {out} is inside the submissions folder {source}: its files "
                         "would be taken for students' work on the next run; choose another")
    if dst in src.parents:
        raise BatchError(f"the submissions {source} are inside --out {out}; choose another --out")


def _nothing_found(source: Path, intake: Intake, chosen: list[Exercise]) -> str:
    counts: dict[str, int] = {}
    for k in intake.skipped:
        counts[k.reason] = counts.get(k.reason, 0) + 1
    why = "; ".join(f"{n} {r}" for r, n in sorted(counts.items(), key=lambda x: -x[1]))
    what = chosen[0].id if len(chosen) == 1 else "any exercise"
    return (f"no submissions for {what} in {source} ({intake.files} file"
            f"{'s' if intake.files != 1 else ''}{': ' + why if why else ''})")


def _match_roster(intake: Intake, people: list[Person] | None,
                  summary: BatchSummary) -> list[Found]:
    """Files under the roster's ids, each matched by the field its LMS identifies people by;
    students with files who are not on it (or who could be two people), flagged."""
    if people is None:
        return intake.found
    matcher, found, seen, off = Matcher(people), [], set(), set()
    # A gradable file first: of two ids that turn out to be one person, it is the one kept.
    for f in sorted(intake.found, key=lambda f: bool(f.not_gradable)):
        could_be = matcher.candidates(f.student, f.name, f.layout, f.lms_id)
        if len(could_be) != 1:
            off.add(f.student)
            if len(could_be) > 1:
                summary.notes.append(
                    f"{shown(f.origin)} could be {' or '.join(shown(p.id) for p in could_be)}: "
                    f"graded under {shown(f.student)}, given to nobody (settle it with the "
                    "roster)")
            found.append(f)
            continue
        person = could_be[0]
        f = dataclasses.replace(f, student=person.id, name=person.name or f.name)
        if (f.student, f.exercise) in seen:   # one person, two ids in the input
            intake.skipped.append(Skipped(f.origin, f.raw_origin, Reason.NOT_CHOSEN,
                                          f"{shown(person.id)} has another file for "
                                          f"{f.exercise}", f.student, f.exercise))
            continue
        seen.add((f.student, f.exercise))
        found.append(f)
    summary.off_roster = sorted(off)
    return sorted(found, key=lambda f: (f.student, f.exercise))


def _submission_times(opts: BatchOptions) -> dict[tuple[str, str], str]:
    if not opts.submission_times:
        return {}
    try:
        return read_submission_times(opts.submission_times)
    except ExportError as e:
        raise BatchError(str(e)) from None


def _with_times(found: list[Found], people: list[Person] | None,
                times: dict[tuple[str, str], str]) -> list[Found]:
    """Each file's submission time from the instructor's file (by the gradebook id, else the
    LMS's id), else a Moodle worksheet's "Last modified (submission)", else the LMS's own
    (nbgrader's timestamp.txt), else none."""
    worksheet = {p.id: p.submitted_at for p in people or [] if p.submitted_at}
    out = []
    for f in found:
        when = next((times[k] for k in ((f.student, f.exercise), (f.student, ""),
                                        (f.lms_id, f.exercise), (f.lms_id, "")) if k in times),
                    "") or (worksheet.get(f.student, "") if f.layout == "moodle" else "")
        out.append(dataclasses.replace(f, submitted_at=when or f.submitted_at))
    return out


def _record_intake(gb: Gradebook, source: Path, found: list[Found], intake: Intake,
                   people: list[Person] | None) -> None:
    known = [{"id": f.student, "name": f.name, "lms": f.layout if f.layout in
              ("canvas", "moodle", "github") else "", "lms_id": f.lms_id} for f in found]
    known += [dataclasses.asdict(p) for p in people or []]
    gb.set_students(known, roster=None if people is None else [p.id for p in people])
    gb.replace_intake(str(source.resolve()), [
        {"path": k.path, "raw_path": k.raw_path, "reason": k.reason, "detail": k.detail,
         "student": k.student, "exercise": k.exercise} for k in intake.skipped], _now())


def _late_policies(opts: BatchOptions, chosen: list[Exercise]) -> dict[str, Policy | None]:
    if opts.deadline is None or opts.deadline == "none":
        if opts.extensions or opts.late_per_day:
            raise BatchError("--extensions and --late-per-day need --deadline")
        # "none" takes the run's exercises' policies away; no --deadline leaves them as set.
        return {x.id: None for x in chosen} if opts.deadline == "none" else {}
    try:
        return {x.id: make_policy(opts.deadline, opts.late_per_day, opts.late_cap,
                                  opts.late_grace_min, opts.extensions, x.id) for x in chosen}
    except ExportError as e:
        raise BatchError(str(e)) from None


def _record_settings(gb: Gradebook, opts: BatchOptions,
                     policies: dict[str, Policy | None]) -> None:
    """What exports need later and the gradebook would not otherwise know: the late policy of
    each exercise of this run, and a roster's LMS assignment columns (Canvas's
    "Name (id)" headers, so the Canvas export fills the existing assignments)."""
    known = set(gb.students())
    for ex, policy in policies.items():
        strangers = sorted(set(policy.extensions) - known) if policy else []
        if strangers:
            raise BatchError(f"{opts.extensions}: unknown student {shown(strangers[0])} (ids "
                             "are the gradebook's: the roster's, else the LMS's)")
        gb.set_setting(LATE_SETTING.format(ex), policy.to_json() if policy else None)
    if opts.roster:
        gb.set_setting("roster_columns", lms_columns(opts.roster))


def _grade_and_render(gb: Gradebook, source: Path, found: list[Found], chosen: list[Exercise],
                      bank: list[Exercise], people: list[Person] | None, opts: BatchOptions,
                      out: Path, summary: BatchSummary, reporter: Reporter) -> None:
    gopts = GradeOptions(hidden=not opts.public_only, device=opts.device, seed=opts.seed,
                         data_dir=opts.data_dir)
    by_id = {x.id: x for x in chosen}
    keys = {x.id: grading_key(x, gopts) for x in chosen}
    todo: dict[tuple[str, str], tuple[Found, Key]] = {}
    unchanged: dict[str, int] = {}
    times = []
    for f in found:
        if f.not_gradable:
            continue
        key = Key(f.student, f.exercise, file_sha256(f.path), keys[f.exercise])
        times.append((f.student, f.exercise, key.sha256, f.submitted_at, f.late))
        if not opts.regrade and gb.has(key):
            unchanged[f.exercise] = unchanged.get(f.exercise, 0) + 1
            continue
        todo[(f.student, f.exercise)] = (f, key)
    summary.unchanged = sum(unchanged.values())
    # One exercise after another: a worker's warm zygote serves one exercise's sandbox,
    # and is replaced when the next exercise needs another (other imports, data).
    tasks = sorted((Task(f.student, by_id[f.exercise], str(f.path), f.origin)
                    for f, _ in todo.values()),
                   key=lambda t: (t.exercise.order, t.exercise.id, t.student))
    graded_now = _grade_all(tasks, todo, gb, gopts, opts, out, summary, reporter)
    gb.update_times(times)          # this input's word on files graded before, too
    _not_gradable(gb, [f for f in found if f.not_gradable], by_id, keys, gopts, out, summary)
    if people is not None:
        _no_submissions(gb, people, found, chosen, keys, gopts, summary)
    entries = gb.current()
    grades = final_grades(gb, entries)
    render_missing(out, entries, grades)
    columns = [x for x in bank if x.id in {e.exercise for e in entries}]
    summary.outputs = {"gradebook": gb.path,
                       "grades": write_grades_csv(out, entries, columns, grades),
                       "overview": write_overview(out, gb, bank)}
    summary.grader_errors = {ex: checks for ex, checks in gb.grader_error_checks().items()
                             if ex in by_id}
    reporter.table(entries, graded_now, unchanged, summary, grades)


def _not_gradable(gb: Gradebook, found: list[Found], by_id: dict[str, Exercise],
                  keys: dict[str, str], gopts: GradeOptions, out: Path,
                  summary: BatchSummary) -> None:
    """A student who sent something, none of it gradable: 0, "submitted, not gradable:
    <why>" (never "no submission"). Recorded once per distinct why."""
    for f in found:
        why = f"submitted, not gradable: {f.not_gradable}"
        key = Key(f.student, f.exercise, NOT_GRADABLE + hashlib.sha256(
            why.encode()).hexdigest()[:32], keys[f.exercise])
        summary.not_gradable.append(f"{shown(f.student)} {f.exercise}: {shown(f.not_gradable)}")
        if gb.has(key):
            continue
        origin = Origin(f.raw_origin, f.submitted_at, f.late, f.lms_submission)
        sid = gb.record_unreadable(key, f.origin, why, _max_score(by_id[f.exercise], gopts),
                                   _now(), f.name, origin=origin)
        render_entry(out, gb.entry(sid), None)


def _no_submissions(gb: Gradebook, people: list[Person], found: list[Found],
                    chosen: list[Exercise], keys: dict[str, str], gopts: GradeOptions,
                    summary: BatchSummary) -> None:
    """A rostered student without a file for an exercise of this run, and without a grade
    from an earlier run: 0, "no submission". Partial downloads (a section, "download
    selected", the late ones) are the normal case: a run that did not include a student
    never takes a grade away."""
    have = {(f.student, f.exercise) for f in found}
    exercises = [x for x in chosen if len(chosen) == 1 or any(f.exercise == x.id for f in found)]
    for x in exercises:
        if any(f.exercise == x.id and f.layout == "canvas" and not f.lms_id for f in found):
            summary.notes.append(f"{x.id}: anonymous submissions (Canvas anonymous grading) "
                                 "cannot be matched to the roster; nobody is marked \"no "
                                 "submission\"")
            continue
        for p in people:
            if (p.id, x.id) in have or gb.has_grade(p.id, x.id):
                continue
            summary.no_submission.append(f"{p.id} {x.id}")
            key = Key(p.id, x.id, "", keys[x.id])
            if not gb.has(key):
                gb.record_no_submission(key, _max_score(x, gopts), _now())


def _grade_all(tasks: list[Task], todo: dict, gb: Gradebook, gopts: GradeOptions,
               opts: BatchOptions, out: Path, summary: BatchSummary,
               reporter: Reporter) -> dict[str, int]:
    """Run the tasks; record each result in the gradebook as it arrives. Returns how many
    were graded per exercise."""
    graded_now: dict[str, int] = {}
    for task in [t for t in tasks if _too_large(todo, t)]:
        # Graded 0 here, by its real size: the copy stops just past the limit, and a worker
        # would only say so with the copy's size.
        found, key = todo[(task.student, task.exercise.id)]
        _record(gb, out, task, found, key, Unreadable(
            f"{shown(found.filename)} is {_mb(found.size)}; submissions are limited to "
            f"{_mb(current().submission_max_bytes)}"), gopts, summary)
        graded_now[task.exercise.id] = graded_now.get(task.exercise.id, 0) + 1
    tasks = [t for t in tasks if not _too_large(todo, t)]
    if not tasks:
        return graded_now
    with make_executor(opts) as executor:
        executor.start(tasks, gopts)           # forks before the progress bar's thread starts
        done: set[int] = set()
        with reporter.progress(len(tasks)) as bar:
            bar.running(executor.running(done))
            for task, payload in executor.results():
                found, key = todo[(task.student, task.exercise.id)]
                line = _record(gb, out, task, found, key, payload, gopts, summary)
                if not isinstance(payload, Failed):
                    graded_now[task.exercise.id] = graded_now.get(task.exercise.id, 0) + 1
                done.add(id(task))
                bar.finished(line, executor.running(done))
    return graded_now


def _record(gb: Gradebook, out: Path, task: Task, found: Found, key: Key, payload: Payload,
            gopts: GradeOptions, summary: BatchSummary) -> str:
    """Write one worker's answer to the gradebook (one transaction) and render its files."""
    name = f" ({shown(found.name)})" if found.name and found.name != task.student else ""
    who = f"{shown(task.student)}{name} {task.exercise.id}"
    origin = Origin(found.raw_origin, found.submitted_at, found.late, found.lms_submission)
    if isinstance(payload, Graded):
        text = payload.result_json
        result = Result.from_dict(json.loads(text))
        sid = gb.record(key, found.origin, result, found.name, result_json=text, origin=origin)
        summary.graded += 1
        line = f"{who} {fmt_points(result.score)}/{fmt_points(result.max_score)}"
        if result.status != GRADED:
            line += f" ({result.status.replace('_', ' ')})"
    elif isinstance(payload, Unreadable):
        reason = payload.reason
        sid = gb.record_unreadable(key, found.origin, reason, _max_score(task.exercise, gopts),
                                   _now(), found.name, origin=origin)
        summary.graded += 1
        summary.unreadable.append(f"{who}: {shown(reason)}")
        line = f"{who} 0/{fmt_points(_max_score(task.exercise, gopts))} (unreadable)"
    else:
        reason = payload.reason
        summary.errors.append(f"{who}: {shown(reason)}")
        gb.record_grader_error(key, found.origin, reason, payload.traceback, _now())
        return f"{who} NOT GRADED (grader error; the next run retries it)"
    render_entry(out, gb.entry(sid), result if isinstance(payload, Graded) else None)
    return line


def _too_large(todo: dict, task: Task) -> bool:
    return todo[(task.student, task.exercise.id)][0].size > current().submission_max_bytes


def _mb(n: int) -> str:
    return f"{n / 1e6:.1f}".removesuffix(".0") + " MB"


def _max_score(ex: Exercise, gopts: GradeOptions) -> float:
    return sum(c.points for c in ex.checks if gopts.hidden or not c.hidden)


def make_executor(opts: BatchOptions) -> Executor:
    return open_executor(opts.executor, opts.jobs, opts.scheduler, opts.allow_weak_sandbox)


def grading_key(ex: Exercise, opts: GradeOptions) -> str:
    """Which checks, in which mode, with which seed: a change to any of them (an instructor
    fixing a check) makes every submission of the exercise due for grading again."""
    h = hashlib.sha256(f"{ex.id}|hidden={opts.hidden}|seed={opts.seed}".encode())
    return grading_files_digest(ex.folder, h)[:32]




def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
