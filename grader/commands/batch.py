"""`grade batch SUBMISSIONS --out CLASS`: grade a whole class; the work is
grader.classroom.batch.run_batch."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from grader.commands.check import data_dir_of
from grader.core.errors import (BatchError, DiscoveryError, FolderBusy, GradebookError,
                                GraderError, RosterError)
from grader.core.settings import cores

NAME = "batch"

EPILOG = """\
input: a folder or an LMS zip. Layouts: <student>/<any path>; Moodle's zip (folders on or
off); Canvas's zip (name_[LATE_]userid_submissionid_file); nbgrader's
submitted/<student>/<assignment>/; GitHub Classroom's <assignment>-<username>/ folders. A file
is for exNN when its name or assignment folder says so; with --exercise, a student's one code
file is that exercise's whatever its name. Every other file is listed as not graded, with why.

examples:
  grade batch submissions/ --out class/                      every exercise found
  grade batch canvas.zip --exercise ex02 --roster canvas-gradebook.csv --out class/
  grade batch moodle.zip --exercise ex02 --prefer ipynb --out class/
  grade batch nbgrader/submitted --assignment ps1=ex02 --out class/

OUT gets gradebook.sqlite (the source of truth), grades.csv (one row per student; for the LMS
imports see grade export), results/<student>/<exNN>.json (Gradescope's results format),
reports/<student>/*.html and index.html (the class overview). With --deadline, the late policy
is kept in the gradebook and applied to every grade that goes out. Run the same command again
after an interruption (even kill -9): it grades only what the gradebook does not hold yet for
the same file and checks.

exit codes: 0 every submission graded (whatever the scores: a syntax error is graded 0),
2 some could not be graded because of the grader or the machine (listed; the next run tries
them again), no submissions found, --out inside the input, another batch on --out, or bad
arguments (one line on stderr), 3 a check of a run's exercise could not run through the
grader's own fault (the summary's last line, `grader errors: N`, names them)
"""


def add(sub) -> None:
    b = sub.add_parser(NAME, help="grade a whole class into a gradebook and an overview",
                       formatter_class=argparse.RawDescriptionHelpFormatter, epilog=EPILOG)
    b.add_argument("submissions", type=Path, help="a folder <student>/<exNN>.py, or an LMS zip")
    b.add_argument("--out", type=Path, required=True, metavar="OUT",
                   help="where the gradebook, grades.csv and the reports go")
    b.add_argument("--exercise", help="grade only this exercise (default: every one found)")
    b.add_argument("--jobs", type=int,
                   help="submissions graded at once (default: the usable cores)")
    b.add_argument("--regrade", action="store_true",
                   help="grade again even submissions the gradebook already holds")
    b.add_argument("--public-only", action="store_true", help="run the public checks only")
    b.add_argument("--device", choices=("cpu", "cuda"), help="where submissions run")
    b.add_argument("--seed", type=int, default=0, help="seed fixed before student code runs (0)")
    b.add_argument("--data-dir", type=Path, metavar="DIR", help="where the MNIST files are")
    b.add_argument("--executor", choices=("local", "dask"), default="local",
                   help="local worker processes (default) or a dask.distributed cluster")
    b.add_argument("--scheduler", metavar="ADDRESS",
                   help="the dask scheduler, e.g. tcp://host:8786 (with --executor dask)")
    b.add_argument("--roster", type=Path, metavar="FILE",
                   help="the class list (Canvas gradebook export, Moodle grading worksheet, "
                        "grades or participants export, GitHub Classroom roster): students "
                        "without a file get 0 (no submission); files from others are flagged")
    b.add_argument("--assignment", action="append", default=[], metavar="NAME=EXNN",
                   help="an nbgrader assignment folder or GitHub Classroom assignment is this "
                        "exercise (repeatable), e.g. --assignment ps1=ex02")
    b.add_argument("--prefer", choices=("newest", "ipynb", "py"), default="newest",
                   help="of several files for one exercise, grade the newest (LMS time, else "
                        "mtime; the default), or the notebook, or the .py")
    b.add_argument("-v", "--verbose", action="count", default=0,
                   help="list every file that was not graded (default: a count per reason), "
                        "and log what the grader does on stderr, grader tracebacks included "
                        "(-vv: debug detail)")
    b.add_argument("--wait", type=float, default=0.0, metavar="SECONDS",
                   help="wait this long for another batch writing to OUT (default: refuse)")
    b.add_argument("--deadline", metavar="TIME",
                   help="the deadline of the run's exercises, ISO 8601 (2026-11-20T23:59+01:00; "
                        "no zone: UTC); the late policy is applied when grades go out; "
                        "'none' removes it (without --deadline it stays as set)")
    b.add_argument("--extensions", type=Path, metavar="FILE",
                   help="per-student deadlines, CSV: student, deadline (or days) [, exercise]")
    b.add_argument("--late-per-day", type=float, default=0.0, metavar="PCT",
                   help="percent of the points earned taken per day (or part of one) late (0)")
    b.add_argument("--late-cap", type=float, default=100.0, metavar="PCT",
                   help="the most a late submission loses, in percent (100)")
    b.add_argument("--late-grace", type=float, default=0.0, metavar="MINUTES",
                   help="minutes after the deadline that are not late (0)")
    b.add_argument("--submission-times", type=Path, metavar="FILE",
                   help="when each student submitted, CSV: student, submitted_at [, exercise] "
                        "(zip entry times are never used: Canvas stamps them when it builds "
                        "the zip; see docs/commands.md, Late policy)")
    b.add_argument("--allow-weak-sandbox", action="store_true",
                   help="grade even where bubblewrap cannot sandbox (see grade doctor): one "
                        "student's code could then read or disturb another's")


def run(args: argparse.Namespace) -> int:
    from grader.core.spec import exercises_root
    root = exercises_root(args.exercises)
    if args.jobs is None:
        args.jobs = cores()  # the `jobs` setting, or the usable cores
    if args.jobs < 1:
        raise GraderError("--jobs must be at least 1")
    if args.executor == "dask" and not args.scheduler:
        raise GraderError("--executor dask needs --scheduler tcp://HOST:PORT")
    assignments = _assignments(root, args.assignment)
    if args.executor == "local":   # (dask workers check their own machines: the same line)
        from grader.grading.worker import weak_sandbox_refusal
        if refusal := weak_sandbox_refusal(args.allow_weak_sandbox):
            raise GraderError(refusal)
    data_dir = data_dir_of(args)
    if args.executor == "local" and args.exercise:
        _warm_sandboxes(root, args, data_dir)
    from grader.classroom.batch import BatchOptions, run_batch
    from grader.classroom.intake.names import shown
    opts = BatchOptions(out=args.out, exercise=args.exercise, jobs=args.jobs,
                        regrade=args.regrade, public_only=args.public_only, seed=args.seed,
                        device=args.device, data_dir=data_dir, executor=args.executor,
                        scheduler=args.scheduler, prefer=args.prefer, assignments=assignments,
                        roster=args.roster, verbose=args.verbose > 0, wait_s=args.wait,
                        deadline=args.deadline, late_per_day=args.late_per_day,
                        late_cap=args.late_cap, late_grace_min=args.late_grace,
                        extensions=args.extensions, submission_times=args.submission_times,
                        allow_weak_sandbox=args.allow_weak_sandbox)
    try:
        summary = run_batch(args.submissions, root, opts, console=_batch_console())
    except (BatchError, DiscoveryError, GradebookError, RosterError, FolderBusy) as e:
        print(f"grade: {shown(str(e))}", file=sys.stderr)
        return 2
    return 2 if summary.errors else 3 if summary.grader_errors else 0


def _batch_console():
    """On a terminal, the progress bar and summary go to stderr (stdout stays clean); off a
    terminal (CI, nohup, `| tee`), plain lines and the summary go to stdout."""
    from rich.console import Console
    if sys.stdout.isatty():
        return Console(stderr=True)
    return Console(file=sys.stdout, width=max(100, Console(file=sys.stdout).width),
                   no_color=True)


def _assignments(root: Path, pairs: list[str]) -> tuple[tuple[str, str], ...]:
    from grader.core.spec import find_exercise
    out = []
    for pair in pairs:
        name, eq, ex = pair.rpartition("=")
        if not eq or not name or not ex:
            raise GraderError(f"--assignment {pair!r}: expected NAME=EXERCISE, e.g. ps1=ex02")
        out.append((name, find_exercise(root, ex).id))
    return tuple(out)


def _warm_sandboxes(root: Path, args: argparse.Namespace, data_dir: Path | None) -> None:
    """Start each local worker's warm sandbox first thing: their `import torch` (2-3 s each)
    then runs while this process imports the rest of the grader and plans the batch, on
    cores that would otherwise wait. The workers adopt them when they are forked."""
    from grader.grading.pipeline import GradeOptions, prestart
    from grader.core.spec import find_exercise
    exercise = find_exercise(root, args.exercise)
    for slot in range(args.jobs):
        prestart(exercise, GradeOptions(hidden=not args.public_only, device=args.device,
                                        seed=args.seed, data_dir=data_dir, slot=slot))
