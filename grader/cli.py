"""`grade`: a thin command line over the pipeline. Every user error ends here as one line.

Exit codes: 0 full marks, 1 some points lost, 2 the input could not be graded at all.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

EPILOG = """\
examples:
  grade list                         the exercises, in course order, with their points
  grade ex02                         grade ./ex02.py (or ./ex02.ipynb) against exercise ex02
  grade ex02 work/my_gd.ipynb        grade any .py file or Jupyter notebook
  grade ex02 my.py --json            the result document alone on stdout (for scripts)
  grade ex02 my.py --public-only     what a student sees: public checks only
  grade doctor                       which sandbox layers this machine offers
  grade batch submissions/ --out class/ --jobs 2    grade a whole class (see grade batch -h)
  grade data mnist                   install the MNIST data set (for ex04, ex05)
  grade release --out dist/          the students' pack: stubs, notebooks, public checks only
  grade check-bank                   the bank proves itself: reference, stub, known-wrong files
  grade check-bank ex03 --seeds 20   ...and ex03's verdicts at 20 grading seeds
  grade check-bank ex07 --mutants    ...and which bugs put into the reference no check catches
  grade new ex12_dropout             scaffold an exercise that passes its own check-bank
  grade init-ci                      CI workflows (GitHub, GitLab) that run grade check-bank

exit codes: 0 full marks, 1 some points lost, 2 could not grade (a one-line reason on stderr)
"""
COMMANDS = ("list", "doctor", "check", "data", "release", "batch", "check-bank", "new",
            "init-ci")


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
    r = sub.add_parser("release", help="build the students' pack (no hidden checks, no solutions)")
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
    from .bank.cli import add_parsers
    add_parsers(sub)
    c = sub.add_parser("check", help="grade one submission (the default: `grade ex02 FILE`)",
                       formatter_class=argparse.RawDescriptionHelpFormatter, epilog=EPILOG)
    c.add_argument("exercise", help="exercise id, number or slug: ex02, 2 or gd")
    c.add_argument("file", nargs="?", type=Path,
                   help="the submission, .py or .ipynb (default: ./exNN.py, else ./exNN.ipynb)")
    c.add_argument("--json", action="store_true", help="print the result document as JSON only")
    c.add_argument("--public-only", action="store_true",
                   help="run only the public checks, as a student's copy does")
    c.add_argument("--device", choices=("cpu", "cuda"),
                   help="where the submission runs (default: cuda if allowed and present)")
    c.add_argument("--seed", type=int, default=0, help="seed fixed before your code runs (0)")
    c.add_argument("--out", type=Path, default=Path("reports"), metavar="DIR",
                   help="where the HTML report goes (default: ./reports)")
    c.add_argument("--no-report", action="store_true", help="do not write the HTML report")
    c.add_argument("--data-dir", type=Path, metavar="DIR",
                   help="where the MNIST IDX files are (default: $GRADER_DATA, data/mnist, "
                        "~/.cache/nn-grader/mnist)")
    return p


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    # `grade ex02 FILE` is short for `grade check ex02 FILE`.
    first = next((i for i, a in enumerate(argv) if not a.startswith("-")
                  and (i == 0 or argv[i - 1] != "--exercises")), None)
    if first is not None and argv[first] not in COMMANDS and argv[first] != "help":
        argv.insert(first, "check")
    args = build_parser().parse_args(argv)
    try:
        return _dispatch(args)
    except KeyboardInterrupt:
        print("grade: interrupted", file=sys.stderr)
        return 130
    except Exception as e:  # only known, user-facing faults: see _known()
        if not _known(e):
            raise
        print(f"grade: {e}", file=sys.stderr)
        return 2


def _known(e: Exception) -> bool:
    from .loader import SubmissionError
    from .pipeline import GraderError
    from .data import DataError
    from .spec import SpecError, UnknownExercise
    return isinstance(e, (SubmissionError, GraderError, SpecError, UnknownExercise, DataError))


def _dispatch(args: argparse.Namespace) -> int:
    from .spec import exercises_root
    if args.command in (None, "help"):
        build_parser().print_help()
        return 0
    if args.command == "doctor":
        return _doctor()
    if args.command == "data":
        from .data import REPO_DATA, install_mnist
        print(f"MNIST installed in {install_mnist(args.dest or REPO_DATA)}")
        return 0
    if args.command in ("check-bank", "new", "init-ci"):
        from .bank.cli import dispatch
        return dispatch(args)
    root = exercises_root(args.exercises)
    if args.command == "list":
        return _list(root)
    if args.command == "batch":
        return _batch(root, args)
    if args.command == "release":
        from .release import build_release
        if not args.force and not _bank_holds(root, args.jobs):
            return 1
        out = build_release(root, args.out)
        print(f"pack written to {out}\nstudents install it with: pip install {out}")
        return 0
    return _check(root, args)


def _bank_holds(root: Path, jobs: int) -> bool:
    """otter's rule: a bank that fails its own checks never ships. The problems go to stderr."""
    from .bank.check import BankOptions, check_bank, select_exercises
    from .bank.cli import Progress
    from .bank.jobs import Runner
    from .bank.layout import Bank
    from .bank.summary import to_text
    bank = Bank.of_exercises(root)
    reports = check_bank(bank, select_exercises(bank, []), BankOptions(runner=Runner(jobs=jobs)),
                         progress=Progress())
    if all(r.ok for r in reports):
        return True
    print(to_text(reports), file=sys.stderr)
    print("grade: release refused: the bank does not hold (fix it, or pass --force)",
          file=sys.stderr)
    return False


BATCH_EPILOG = """\
layout: SUBMISSIONS/<student_id>/<exNN>.py or .ipynb, or the zip an LMS gives with "download
all submissions" (Moodle's folder per student, Canvas's name_id_id_file names).

OUT gets gradebook.sqlite (the source of truth), grades.csv (one row per student, for Canvas or
Moodle), results/<student>/<exNN>.json (Gradescope format), reports/<student>/*.html and
index.html (the class overview). Run the same command again after an interruption (even kill -9):
it grades only what the gradebook does not hold yet for the same file and checks.

exit codes: 0 every submission graded (whatever the scores), 2 some could not be graded because
of the grader or the machine (listed; the next run tries them again), or bad arguments
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
    b.add_argument("--allow-weak-sandbox", action="store_true",
                   help="grade even where bubblewrap cannot sandbox (see grade doctor): one "
                        "student's code could then read or disturb another's")


def _batch(root: Path, args: argparse.Namespace) -> int:
    from .pipeline import GraderError
    if args.jobs < 1:
        raise GraderError("--jobs must be at least 1")
    if args.executor == "dask" and not args.scheduler:
        raise GraderError("--executor dask needs --scheduler tcp://HOST:PORT")
    if args.executor == "local" and not args.allow_weak_sandbox:
        from .sandbox.isolation import detect_layers
        if not detect_layers().strong:  # (dask workers check their own machines)
            raise GraderError("this machine cannot sandbox strongly (run `grade doctor` to see "
                              "why); a class needs it: install bubblewrap, or pass "
                              "--allow-weak-sandbox")
    data_dir = args.data_dir or (Path(os.environ["GRADER_DATA"]) if os.environ.get("GRADER_DATA")
                                 else None)
    if args.executor == "local" and args.exercise:
        _warm_sandboxes(root, args, data_dir)
    from rich.console import Console
    from .batch import BatchOptions, run_batch
    from .batch.discover import DiscoveryError
    from .gradebook import GradebookError
    opts = BatchOptions(out=args.out, exercise=args.exercise, jobs=args.jobs,
                        regrade=args.regrade, public_only=args.public_only, seed=args.seed,
                        device=args.device, data_dir=data_dir, executor=args.executor,
                        scheduler=args.scheduler)
    try:
        summary = run_batch(args.submissions, root, opts, console=Console(stderr=True))
    except (DiscoveryError, GradebookError) as e:
        print(f"grade: {e}", file=sys.stderr)
        return 2
    return 2 if summary.errors else 0


def _warm_sandboxes(root: Path, args: argparse.Namespace, data_dir: Path | None) -> None:
    """Start each local worker's warm sandbox first thing: their `import torch` (2-3 s each)
    then runs while this process imports the rest of the grader and plans the batch, on
    cores that would otherwise wait. The workers adopt them when they are forked."""
    from .pipeline import GradeOptions, prestart
    from .spec import find_exercise
    exercise = find_exercise(root, args.exercise)
    for slot in range(args.jobs):
        prestart(exercise, GradeOptions(hidden=not args.public_only, device=args.device,
                                        seed=args.seed, data_dir=data_dir, slot=slot))


def _list(root: Path) -> int:
    from .spec import all_exercises
    exercises = all_exercises(root)
    width = max((len(e.title) for e in exercises), default=10)
    for e in exercises:
        hidden = e.hidden_count
        # total_points: in a student's pack the hidden checks are not there, their worth is
        print(f"{e.id}  {e.slug:<12} {e.title:<{width}}  {e.total_points:>4g} pts  "
              f"{len([c for c in e.checks if not c.hidden]) + hidden} checks ({hidden} hidden)  "
              f"device: {e.device}")
    return 0


def _doctor() -> int:
    from .sandbox.isolation import detect_layers, diagnose, weak_warning
    layers = detect_layers()
    print(f"sandbox: {'strong' if layers.strong else 'WEAK'}: {layers.describe()}")
    for layer in diagnose():
        print(f"  [{'on ' if layer.active else 'off'}] {layer.name}: {layer.detail}")
    if not layers.strong:
        print(weak_warning(layers))
    return 0


def _check(root: Path, args: argparse.Namespace) -> int:
    from .loader import find_default_submission
    from .pipeline import GradeOptions, grade, prestart
    from .spec import find_exercise
    exercise = find_exercise(root, args.exercise)
    path = args.file or find_default_submission(exercise.id, Path.cwd())
    data_dir = args.data_dir or (Path(os.environ["GRADER_DATA"]) if os.environ.get("GRADER_DATA")
                                 else None)
    from .sandbox.isolation import detect_layers, weak_warning
    if warning := weak_warning(layers := detect_layers()):
        print(f"grade: {warning}", file=sys.stderr)
    opts = GradeOptions(hidden=not args.public_only, device=args.device, seed=args.seed,
                        data_dir=data_dir, layers=layers)
    prestart(exercise, opts)  # the sandbox imports torch while this process imports pytest
    from . import runner  # noqa: F401
    result = grade(exercise, path, opts)
    report = None
    if not args.no_report:
        from .report import write_html
        report = write_html(result, args.out)
    if args.json:
        print(result.to_json())
    else:
        from .terminal import render_table
        render_table(result)
        if report:
            print(f"report: {report}")
    return 0 if result.full_marks else 1


if __name__ == "__main__":
    sys.exit(main())
