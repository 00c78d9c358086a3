"""`grade export canvas|moodle|checks CLASS`: grades for an LMS, or every check, rendered from a
class folder's gradebook by grader.classroom.exports."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

NAME = "export"

EPILOG = """\
CLASS is a `grade batch --out` folder; everything is rendered from its gradebook.sqlite, with
overrides and the late policy applied.

examples:
  grade export canvas class/ -o canvas.csv --assignment ex02="Lab 2 (123456)"
  grade export moodle class/ --exercise ex02 -o moodle-ex02.csv
  grade export checks class/ -o checks.csv

exit codes: 0 written, 2 unusable input (no such class folder, no grades, bad arguments), or
an exercise with checks the grader could not run (its maximum would be wrong)
"""


def add(sub) -> None:
    e = sub.add_parser(NAME, help="grades for an LMS, or every check, from a class folder",
                       formatter_class=argparse.RawDescriptionHelpFormatter, epilog=EPILOG)
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


def run(args: argparse.Namespace) -> int:
    from grader.classroom.exports import open_class
    from grader.core.spec import all_exercises, exercises_root
    bank = all_exercises(exercises_root(args.exercises))
    with open_class(args.klass) as gb:
        return _export(gb, bank, args)


def _export(gb, bank: list, args: argparse.Namespace) -> int:
    from grader.classroom import csvfile
    from grader.classroom.exports import find_exercise_id, refuse_grader_errors
    notes: list[str] = []
    ex = find_exercise_id(bank, args.exercise) if getattr(args, "exercise", None) else None
    refuse_grader_errors(gb, ex)
    if args.kind == "canvas":
        from grader.classroom.exports.canvas import canvas_csv
        text, notes = canvas_csv(gb, bank, _pairs(args.assignment, bank),
                                 missing=args.missing)
    elif args.kind == "moodle":
        from grader.classroom.exports.moodle import moodle_csv
        text, notes = moodle_csv(gb, bank, ex)
    else:
        from grader.classroom.exports.checks import checks_csv
        text = checks_csv(gb)
    where = csvfile.write(args.output or Path(args.klass) / f"{args.kind}.csv", text)
    for n in notes:
        print(f"grade: note: {n}", file=sys.stderr)
    if where != "stdout":
        print(f"{args.kind} export written to {where}")
    return 0


def _pairs(pairs: list[str], bank: list) -> dict[str, str]:
    """--assignment EXNN=NAME, each: {exercise id: Canvas's column name}."""
    from grader.classroom.exports import find_exercise_id
    from grader.core.errors import ExportError
    out = {}
    for pair in pairs:
        ex, eq, name = pair.partition("=")
        if not eq or not ex or not name:
            raise ExportError(f"--assignment {pair!r}: expected EXNN=NAME, e.g. "
                              'ex02="Lab 2 (123456)"')
        out[find_exercise_id(bank, ex)] = name
    return out
