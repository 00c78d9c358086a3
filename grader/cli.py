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
  grade data mnist                   install the MNIST data set (for ex04, ex05)

exit codes: 0 full marks, 1 some points lost, 2 could not grade (a one-line reason on stderr)
"""
COMMANDS = ("list", "doctor", "check", "data")


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="grade", formatter_class=argparse.RawDescriptionHelpFormatter, epilog=EPILOG,
        description="Grade neural-network course exercises in a sandbox, with public and "
                    "hidden checks, and write an HTML report.")
    p.add_argument("--exercises", type=Path, metavar="DIR",
                   help="the exercise bank (default: ./exercises, else the one beside the grader)")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    sub.add_parser("list", help="list the exercises with titles and points")
    sub.add_parser("doctor", help="show which isolation layers are active here, and why not others")
    d = sub.add_parser("data", help="install a data set the exercises need")
    d.add_argument("name", choices=("mnist",), help="the data set")
    d.add_argument("--dest", type=Path, help="where to put it (default: data/mnist in the repo)")
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
    root = exercises_root(args.exercises)
    if args.command == "list":
        return _list(root)
    return _check(root, args)


def _list(root: Path) -> int:
    from .spec import all_exercises
    exercises = all_exercises(root)
    width = max((len(e.title) for e in exercises), default=10)
    for e in exercises:
        hidden = sum(1 for c in e.checks if c.hidden)
        print(f"{e.id}  {e.slug:<12} {e.title:<{width}}  {e.max_score:>4g} pts  "
              f"{len(e.checks)} checks ({hidden} hidden)  device: {e.device}")
    return 0


def _doctor() -> int:
    from .sandbox.isolation import detect_layers
    layers = detect_layers()
    print(f"sandbox: {layers.describe()}")
    if not layers.strong:
        print("  bubblewrap is missing or cannot create namespaces here: submissions can read "
              "files the grader can read. Install it (Debian: apt-get install bubblewrap).")
    return 0


def _check(root: Path, args: argparse.Namespace) -> int:
    from .loader import find_default_submission
    from .pipeline import GradeOptions, grade
    from .spec import find_exercise
    exercise = find_exercise(root, args.exercise)
    path = args.file or find_default_submission(exercise.id, Path.cwd())
    data_dir = args.data_dir or (Path(os.environ["GRADER_DATA"]) if os.environ.get("GRADER_DATA")
                                 else None)
    opts = GradeOptions(hidden=not args.public_only, device=args.device, seed=args.seed,
                        data_dir=data_dir)
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
