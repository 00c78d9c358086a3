"""`grade check EX [FILE]` (or `grade EX [FILE]`): grade one submission, show the table, write
the report. Exit codes: 0 full marks, 1 some points lost, 2 could not grade, 3 a check could not
run through the grader's own fault."""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

NAME = "check"

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


def add(sub) -> None:
    c = sub.add_parser(NAME, help="grade one submission (the default: `grade ex02 FILE`)",
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


def run(args: argparse.Namespace) -> int:
    from grader.core.spec import exercises_root, find_exercise
    from grader.grading.loader import default_submission
    from grader.grading.pipeline import GradeOptions, grade, prestart
    root = exercises_root(args.exercises)
    exercise = find_exercise(root, args.exercise)
    path = args.file
    if path is None:
        path, which = default_submission(exercise.id, Path.cwd(), home=exercise.folder)
        if which:
            print(f"grade: {which}", file=sys.stderr)
    data_dir = data_dir_of(args)
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


def data_dir_of(args: argparse.Namespace) -> Path | None:
    """--data-dir, else $GRADER_DATA, else None (the data module's own defaults)."""
    if args.data_dir:
        return args.data_dir
    return Path(os.environ["GRADER_DATA"]) if os.environ.get("GRADER_DATA") else None
