"""`grade override CLASS STUDENT EXERCISE --points X --comment WHY` (or --revert, --list): a grade
given by hand, kept with who, when and why by grader.classroom.exports.override."""
from __future__ import annotations

import argparse
from pathlib import Path

NAME = "override"


def add(sub) -> None:
    o = sub.add_parser(NAME, help="give a grade by hand (kept with who, when and why)")
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


def run(args: argparse.Namespace) -> int:
    from grader.classroom.exports import open_class
    from grader.core.spec import all_exercises, exercises_root
    bank = all_exercises(exercises_root(args.exercises))
    with open_class(args.klass) as gb:
        return _override(gb, bank, args)


def _override(gb, bank: list, args: argparse.Namespace) -> int:
    from grader.classroom.exports import find_exercise_id
    from grader.classroom.exports.override import add, describe, listing
    from grader.classroom.locks import hold_folder
    from grader.classroom.refresh import refresh
    from grader.core.errors import ExportError, FolderBusy
    if args.list:
        items = listing(gb)
        for item in items:
            print(describe(item))
        if not items:
            print("no overrides")
        return 0
    if not args.student or not args.exercise:
        raise ExportError("grade override CLASS STUDENT EXERCISE --points X --comment TEXT "
                          "(or --list)")
    if (args.points is None) == (not args.revert):
        raise ExportError("give --points X, or --revert to go back to the grader's points")
    ex = find_exercise_id(bank, args.exercise)
    try:
        # A batch writing to CLASS would race this on the reports: one writer at a time.
        with hold_folder(Path(args.klass)):
            o = add(gb, bank, args.student, ex, args.check,
                    None if args.revert else args.points, args.comment, args.by)
            refresh(Path(args.klass), gb, bank)
    except FolderBusy as e:
        raise ExportError(str(e)) from None
    value = "the grader's points" if o.points is None else f"{o.points:g}"
    print(f"override #{o.id}: {o.student} {o.exercise} {o.check or '(whole exercise)'} -> "
          f"{value}; reports, grades.csv and index.html updated")
    return 0
