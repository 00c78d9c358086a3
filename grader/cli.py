"""`grade`: a thin command line over the pipeline. Every user error ends here as one line.

Exit codes: 0 full marks, 1 some points lost, 2 the input could not be graded at all.
"""
from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from grader.commands import settings as settings_command
from grader.core import settings

EPILOG = """\
examples:
  grade list                         the exercises, in course order, with their points
  grade ex02                         grade ./ex02.py or ./ex02.ipynb (of both, the newer)
  grade ex02 work/my_gd.ipynb        grade any .py file or Jupyter notebook
  grade ex02 my.py --json            the result document alone on stdout (for scripts)
  grade ex02 my.py --public-only     what a student sees: public checks only
  grade ex02 --watch                 grade again on every save of ./ex02.py (Ctrl-C stops)
  grade ex02 --quiet                 no live progress, only the table at the end
  %load_ext grader, then %grade ex02 the same, from inside Jupyter or Colab
  grade doctor                       which sandbox layers this machine offers
  grade batch submissions/ --out class/ --jobs 2    grade a whole class (see grade batch -h)
  grade data mnist                   install the MNIST data set (for ex04, ex05)
  grade release --out dist/          the students' pack: stubs, notebooks, public checks only
  grade release ex01 ex02 --out dist/   ...of this week's exercises only
  grade export canvas class/ -o canvas.csv      grades for Canvas's gradebook import
  grade export moodle class/ --exercise ex02    Moodle's offline grading worksheet
  grade export checks class/                    one row per student, exercise and check
  grade override class/ 1001 ex02 --points 8 --comment "regraded by hand"
  grade feedback class/ --out feedback/ [--release]   reports, and a Canvas or Moodle zip
  grade gradescope ex02 --out ex02-autograder.zip     a Gradescope autograder
  grade similarity class/ [--exercise ex02] [--json]  students whose code is alike
  grade check-bank                   the bank proves itself: reference, stub, known-wrong files
  grade check-bank ex03 --seeds 20   ...and ex03's verdicts at 20 grading seeds
  grade check-bank ex07 --mutants    ...and which bugs put into the reference no check catches
  grade new ex12_dropout             scaffold an exercise that passes its own check-bank
  grade init-ci                      CI workflows (GitHub, GitLab) that run grade check-bank

exit codes: 0 full marks, 1 some points lost, 2 could not grade (a one-line reason on stderr),
3 a check could not run through the grader's own fault (the score's maximum is then wrong)
"""
COMMANDS = ("list", "doctor", "check", "data", "release", "batch", "export", "override",
            "feedback", "gradescope", "check-bank", "new", "init-ci", "similarity", "settings")


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="grade", formatter_class=argparse.RawDescriptionHelpFormatter, epilog=EPILOG,
        description="Grade neural-network course exercises in a sandbox, with public and "
                    "hidden checks, and write an HTML report.")
    p.add_argument("--exercises", type=Path, metavar="DIR",
                   help="the exercise bank's exercises/ folder (default: ./exercises, the folder "
                        "above when run inside an exercise's folder, else the one beside the "
                        "grader)")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    sub.add_parser("list", help="list the exercises with titles and points")
    sub.add_parser("doctor", help="show which isolation layers are active here, and why not others")
    settings_command.add(sub)
    r = sub.add_parser("release", help="build the students' pack (no hidden checks, no solutions)")
    r.add_argument("names", nargs="*", metavar="EXERCISE",
                   help="the exercises to pack, e.g. ex01 ex02 (default: all); only these are "
                        "checked first")
    r.add_argument("--out", type=Path, default=Path("dist"), metavar="DIR",
                   help="where the pack goes (default: ./dist; replaced if present)")
    r.add_argument("--force", action="store_true",
                   help="build the pack even when `grade check-bank` finds the bank unsound")
    r.add_argument("--jobs", type=int, default=max(1, os.cpu_count() or 1),
                   help="gradings at once for the check-bank run first (default: the cores)")
    d = sub.add_parser("data", help="install a data set the exercises need")
    d.add_argument("name", choices=("mnist",), help="the data set")
    d.add_argument("--dest", type=Path, help="where to put it (default: data/mnist in the repo)")
    _add_batch_parser(sub)
    _add_export_parsers(sub)
    from grader.classroom.similarity.cli import add_parser as add_similarity_parser
    add_similarity_parser(sub)
    from grader.bank.cli import add_parsers
    add_parsers(sub)
    c = sub.add_parser("check", help="grade one submission (the default: `grade ex02 FILE`)",
                       formatter_class=argparse.RawDescriptionHelpFormatter, epilog=EPILOG)
    c.add_argument("exercise", help="exercise id, number or slug: ex02, 2 or gd")
    c.add_argument("file", nargs="?", type=Path,
                   help="the submission, .py or .ipynb (default: ./exNN.py or ./exNN.ipynb; "
                        "of both, the one saved last)")
    c.add_argument("--json", action="store_true", help="print the result document as JSON only")
    c.add_argument("--public-only", action="store_true",
                   help="run only the public checks, as a student's copy does")
    c.add_argument("--device", choices=("cpu", "cuda"),
                   help="where the submission runs (default: cuda if allowed and present)")
    c.add_argument("--seed", type=int, default=0, help="seed fixed before your code runs (0)")
    c.add_argument("--out", type=Path, default=Path("reports"), metavar="DIR",
                   help="where the HTML report goes (default: ./reports)")
    c.add_argument("--no-report", action="store_true", help="do not write the HTML report")
    c.add_argument("-v", "--verbose", action="count", default=0,
                   help="log what the grader does on stderr (-v: steps and swallowed faults "
                        "with their tracebacks, -vv: debug detail)")
    c.add_argument("--quiet", action="store_true",
                   help="no live progress while grading (each check as it finishes)")
    c.add_argument("--watch", action="store_true",
                   help="grade again on every save of the file, until Ctrl-C")
    c.add_argument("--data-dir", type=Path, metavar="DIR",
                   help="where the MNIST IDX files are (default: $GRADER_DATA, data/mnist, "
                        "~/.cache/nn-grader/mnist)")
    return p


def main(argv: list[str] | None = None) -> int:
    rc = 0
    try:
        try:
            rc = _main(argv)
        finally:  # while we can still catch it: at exit, Python would print a traceback
            sys.stdout.flush()
    except BrokenPipeError:
        return _closed_pipe(rc)
    return rc


def _main(argv: list[str] | None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    # `grade ex02 FILE` is short for `grade check ex02 FILE`.
    first = next((i for i, a in enumerate(argv) if not a.startswith("-")
                  and (i == 0 or argv[i - 1] != "--exercises")), None)
    if first is not None and argv[first] not in COMMANDS and argv[first] != "help":
        argv.insert(first, "check")
    args = build_parser().parse_args(argv)
    configure_logging(getattr(args, "verbose", 0))
    try:
        settings.start(args.exercises)  # grader.yaml beside the exercises; a bad value: exit 2
        return _dispatch(args)
    except KeyboardInterrupt:
        print("grade: interrupted", file=sys.stderr)
        return 130
    except Exception as e:  # only known, user-facing faults: see _known()
        if not _known(e):
            raise
        print(f"grade: {e}", file=sys.stderr)
        return 2


def _closed_pipe(rc: int) -> int:
    """`grade list | head`: the reader left, which is no error of anyone's (the exit code is
    the command's, where it got that far). Python would print a BrokenPipeError traceback at
    exit, flushing stdout again: point stdout at /dev/null first."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # stdout without a file descriptor (a test's capture)
        pass
    return rc


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever sys.stderr is at the time (tests capture it per test)."""

    def emit(self, record: logging.LogRecord) -> None:
        self.stream = sys.stderr
        super().emit(record)


def configure_logging(verbosity: int) -> None:
    """The `grader` loggers to stderr: warnings only by default (so a user error stays one
    line), -v adds what the grader did and the faults it recovered from, -vv debug detail."""
    logger = logging.getLogger("grader")
    for h in [h for h in logger.handlers if isinstance(h, _StderrHandler)]:
        logger.removeHandler(h)
    handler = _StderrHandler()
    handler.setFormatter(logging.Formatter("grade: %(levelname)s %(name)s: %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.WARNING if verbosity <= 0 else
                    logging.INFO if verbosity == 1 else logging.DEBUG)


def _known(e: Exception) -> bool:
    from grader.grading.loader import SubmissionError
    from grader.core.errors import GraderError
    from grader.grading.data import DataError
    from grader.core.spec import SpecError, UnknownExercise
    from grader.classroom.exports import ExportError
    from grader.classroom.gradebook import GradebookError
    return isinstance(e, (SubmissionError, GraderError, SpecError, UnknownExercise, DataError,
                          ExportError, GradebookError))


def _dispatch(args: argparse.Namespace) -> int:
    from grader.core.spec import exercises_root
    if args.command in (None, "help"):
        build_parser().print_help()
        return 0
    if args.command == "doctor":
        return _doctor()
    if args.command == "settings":
        return settings_command.run(args)
    if args.command == "data":
        from grader.grading.data import REPO_DATA, install_mnist
        print(f"MNIST installed in {install_mnist(args.dest or REPO_DATA)}")
        return 0
    if args.command in ("check-bank", "new", "init-ci"):
        from grader.bank.cli import dispatch
        return dispatch(args)
    root = exercises_root(args.exercises)
    if args.command == "list":
        return _list(root)
    if args.command == "batch":
        return _batch(root, args)
    if args.command == "similarity":
        from grader.classroom.similarity.cli import run as similarity
        return similarity(root, args)
    if args.command in ("export", "override", "feedback", "gradescope"):
        from grader.classroom.exports.commands import run
        return run(root, args)
    if args.command == "release":
        return _release(root, args)
    return _check(root, args)


def _release(root: Path, args: argparse.Namespace) -> int:
    """The pack of the named exercises (all by default), once they prove themselves."""
    from grader.bank.check import select_exercises
    from grader.bank.layout import Bank
    from grader.bank.release import TORCH_CPU, build_release
    from grader.core.spec import load_exercise
    folders = select_exercises(Bank.of_exercises(root), args.names)
    for folder in folders:
        load_exercise(folder)  # one that cannot load: SpecError, one line, exit 2
    if not args.force and not _bank_holds(root, args.jobs, folders):
        return 1
    out = build_release(root, args.out, folders)
    print(f"pack of {len(folders)} exercise{'s' if len(folders) != 1 else ''} written to {out}"
          f"\nstudents install it with: {TORCH_CPU}\n  then: pip install {out}")
    return 0


def _bank_holds(root: Path, jobs: int, folders: list[Path]) -> bool:
    """otter's rule: a bank that fails its own checks never ships. The problems go to stderr."""
    from grader.bank.check import BankOptions, check_bank
    from grader.bank.cli import Progress
    from grader.bank.jobs import Runner
    from grader.bank.layout import Bank
    from grader.bank.summary import to_text
    reports = check_bank(Bank.of_exercises(root), folders,
                         BankOptions(runner=Runner(jobs=jobs)), progress=Progress())
    if all(r.ok for r in reports):
        return True
    print(to_text(reports), file=sys.stderr)
    print("grade: release refused: the bank does not hold (fix it, or pass --force)",
          file=sys.stderr)
    return False


BATCH_EPILOG = """\
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


def _add_batch_parser(sub) -> None:
    b = sub.add_parser("batch", help="grade a whole class into a gradebook and an overview",
                       formatter_class=argparse.RawDescriptionHelpFormatter, epilog=BATCH_EPILOG)
    b.add_argument("submissions", type=Path, help="a folder <student>/<exNN>.py, or an LMS zip")
    b.add_argument("--out", type=Path, required=True, metavar="OUT",
                   help="where the gradebook, grades.csv and the reports go")
    b.add_argument("--exercise", help="grade only this exercise (default: every one found)")
    b.add_argument("--jobs", type=int, default=max(1, len(os.sched_getaffinity(0)) if
                   hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)),
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
                        "the zip; see README, Getting grades out)")
    b.add_argument("--allow-weak-sandbox", action="store_true",
                   help="grade even where bubblewrap cannot sandbox (see grade doctor): one "
                        "student's code could then read or disturb another's")


EXPORT_EPILOG = """\
CLASS is a `grade batch --out` folder; everything is rendered from its gradebook.sqlite, with
overrides and the late policy applied.

examples:
  grade export canvas class/ -o canvas.csv --assignment ex02="Lab 2 (123456)"
  grade export moodle class/ --exercise ex02 -o moodle-ex02.csv
  grade export checks class/ -o checks.csv

exit codes: 0 written, 2 unusable input (no such class folder, no grades, bad arguments), or
an exercise with checks the grader could not run (its maximum would be wrong)
"""


def _add_export_parsers(sub) -> None:
    e = sub.add_parser("export", help="grades for an LMS, or every check, from a class folder",
                       formatter_class=argparse.RawDescriptionHelpFormatter, epilog=EXPORT_EPILOG)
    kinds = e.add_subparsers(dest="kind", metavar="KIND", required=True)
    for kind, text in (("canvas", "Canvas gradebook import CSV"),
                       ("moodle", "Moodle offline grading worksheet (one assignment)"),
                       ("checks", "one row per student, exercise and check")):
        k = kinds.add_parser(kind, help=text)
        k.add_argument("klass", type=Path, metavar="CLASS", help="a grade batch --out folder")
        k.add_argument("-o", "--output", metavar="FILE",
                       help=f"where to write it (default: CLASS/{kind}.csv; - for stdout)")
        if kind == "canvas":
            k.add_argument("--assignment", action="append", default=[], metavar="EXNN=NAME",
                           help='the Canvas assignment column of an exercise, as Canvas names '
                                'it: ex02="Lab 2 (123456)" (repeatable)')
            k.add_argument("--missing", choices=("blank", "zero"), default="blank",
                           help="a student with nothing gradable (no submission, a text entry):"
                                " blank, which leaves Canvas's grade as it is (default), or 0")
        if kind == "moodle":
            k.add_argument("--exercise", help="the exercise (needed when CLASS has several)")
    o = sub.add_parser("override", help="give a grade by hand (kept with who, when and why)")
    o.add_argument("klass", type=Path, metavar="CLASS", help="a grade batch --out folder")
    o.add_argument("student", nargs="?", help="the student's id in the gradebook")
    o.add_argument("exercise", nargs="?", help="the exercise, e.g. ex02")
    o.add_argument("--check", help="only this check's points (default: the whole exercise)")
    o.add_argument("--points", type=float, help="the points given")
    o.add_argument("--revert", action="store_true",
                   help="go back to the grader's points (with --comment)")
    o.add_argument("--comment", default="", help="why (required)")
    o.add_argument("--by", help="who gives it (default: your login name)")
    o.add_argument("--list", action="store_true", help="list every override and its state")
    f = sub.add_parser("feedback", help="each student's reports, hidden checks withheld until "
                                        "--release, and a zip for their LMS (Canvas, Moodle)")
    f.add_argument("klass", type=Path, metavar="CLASS", help="a grade batch --out folder")
    f.add_argument("--out", type=Path, required=True, metavar="DIR", help="where they go")
    f.add_argument("--release", action="store_true",
                   help="show the hidden checks and the final grade (after the deadline)")
    g = sub.add_parser("gradescope", help="build a Gradescope autograder zip for an exercise")
    g.add_argument("exercise", help="exercise id, number or slug")
    g.add_argument("--out", type=Path, required=True, metavar="FILE.zip", help="the zip")


def _batch(root: Path, args: argparse.Namespace) -> int:
    from grader.core.errors import GraderError
    if args.jobs < 1:
        raise GraderError("--jobs must be at least 1")
    if args.executor == "dask" and not args.scheduler:
        raise GraderError("--executor dask needs --scheduler tcp://HOST:PORT")
    assignments = _assignments(root, args.assignment)
    if args.executor == "local":   # (dask workers check their own machines: the same line)
        from grader.classroom.batch.executors import weak_sandbox_refusal
        if refusal := weak_sandbox_refusal(args.allow_weak_sandbox):
            raise GraderError(refusal)
    data_dir = args.data_dir or (Path(os.environ["GRADER_DATA"]) if os.environ.get("GRADER_DATA")
                                 else None)
    if args.executor == "local" and args.exercise:
        _warm_sandboxes(root, args, data_dir)
    from grader.classroom.batch import BatchError, BatchOptions, run_batch
    from grader.classroom.intake import DiscoveryError
    from grader.classroom.intake.names import shown
    from grader.classroom.locks import FolderBusy
    from grader.classroom.roster import RosterError
    from grader.classroom.gradebook import GradebookError
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
    from grader.core.errors import GraderError
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


def _list(root: Path) -> int:
    """Every exercise that loads; each that does not is named on stderr (exit 2), so one
    broken exercise.yaml does not hide the rest of the bank."""
    from grader.core.spec import load_all
    exercises, broken = load_all(root)
    width = max((len(e.title) for e in exercises), default=10)
    for e in exercises:
        hidden = e.hidden_count
        # total_points: in a student's pack the hidden checks are not there, their worth is
        print(f"{e.id}  {e.slug:<12} {e.title:<{width}}  {e.total_points:>4g} pts  "
              f"{len([c for c in e.checks if not c.hidden]) + hidden} checks ({hidden} hidden)  "
              f"device: {e.device}")
    for error in broken:
        print(f"grade: cannot load {error}", file=sys.stderr)
    return 2 if broken else 0


def _doctor() -> int:
    from grader.sandbox.isolation import detect_layers, diagnose, weak_warning
    layers = detect_layers()
    print(f"sandbox: {'strong' if layers.strong else 'WEAK'}: {layers.describe()}")
    for layer in diagnose():
        print(f"  [{'on ' if layer.active else 'off'}] {layer.name}: {layer.detail}")
    if not layers.strong:
        print(weak_warning(layers))
    return 0


def _check(root: Path, args: argparse.Namespace) -> int:
    from grader.grading.loader import default_submission
    from grader.grading.pipeline import GradeOptions, grade, prestart
    from grader.core.spec import find_exercise
    exercise = find_exercise(root, args.exercise)
    path = args.file
    if path is None:
        path, which = default_submission(exercise.id, Path.cwd(), home=exercise.folder)
        if which:
            print(f"grade: {which}", file=sys.stderr)
    data_dir = args.data_dir or (Path(os.environ["GRADER_DATA"]) if os.environ.get("GRADER_DATA")
                                 else None)
    from grader.sandbox.isolation import detect_layers, weak_warning
    if warning := weak_warning(layers := detect_layers()):
        print(f"grade: {warning}", file=sys.stderr)
    opts = GradeOptions(hidden=not args.public_only, device=args.device, seed=args.seed,
                        data_dir=data_dir, layers=layers)
    prestart(exercise, opts)  # the sandbox imports torch while this process imports pytest
    from grader.grading import runner  # noqa: F401
    if args.watch:
        from grader.commands.watch import watch
        return watch(exercise, path, opts, report_dir=None if args.no_report else args.out,
                     quiet=args.quiet)
    if args.json or args.quiet:
        result = grade(exercise, path, opts)
    else:
        import dataclasses
        from grader.rendering.terminal import Progress
        with Progress(exercise) as progress:
            result = grade(exercise, path, dataclasses.replace(opts, progress=progress))
    report = None
    if not args.no_report:
        from grader.rendering.report import write_html
        report = write_html(result, args.out)
    if args.json:
        print(result.to_json())
    else:
        from grader.rendering.terminal import render_table
        render_table(result)
        if report:
            print(f"report: {report}")
    if result.grader_errors:
        return 3         # the maximum is short of the checks that could not run
    return 0 if result.full_marks else 1


if __name__ == "__main__":
    sys.exit(main())
