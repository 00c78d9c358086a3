"""The CLI's export, override, feedback and gradescope commands: argument words to the
library calls of this package, and one line of output each. grader.cli dispatches here."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from grader.classroom.gradebook import Gradebook
from grader.core.spec import Exercise, all_exercises, find_exercise
from grader.classroom import csvfile
from grader.classroom.exports import ExportError, open_class


def run(root: Path, args: argparse.Namespace) -> int:
    if args.command == "gradescope":
        from grader.classroom.exports.gradescope import build_autograder
        out = build_autograder(find_exercise(root, args.exercise), args.out)
        print(f"autograder written to {out}: upload it as the assignment's autograder on "
              "Gradescope (Configure Autograder > Zip file upload)")
        return 0
    bank = all_exercises(root)
    with open_class(args.klass) as gb:
        if args.command == "export":
            return _export(gb, bank, args)
        if args.command == "override":
            return _override(gb, bank, args)
        from grader.classroom.exports.feedback import write_feedback
        done = write_feedback(gb, args.out, args.release)
        what = "everything (released)" if args.release else "public checks; hidden ones withheld"
        print(f"{done.reports} report(s) for {done.students} student(s) in {args.out}: {what}")
        for z in done.zips:
            lms = "Canvas (Re-Upload Submissions)" if z.name.startswith("canvas") else \
                "Moodle (Upload multiple feedback files in a zip)"
            print(f"{lms} feedback zip: {z}")
        for line in done.left_out:
            print(f"grade: note: not in an LMS zip: {line}", file=sys.stderr)
        return 0


def _export(gb: Gradebook, bank: list[Exercise], args: argparse.Namespace) -> int:
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


def _override(gb: Gradebook, bank: list[Exercise], args: argparse.Namespace) -> int:
    from grader.classroom.exports.override import add, describe, listing
    from grader.classroom.refresh import refresh
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
    from grader.classroom.locks import FolderBusy, hold_folder
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


def refuse_grader_errors(gb: Gradebook, exercise: str | None = None) -> None:
    """No grade goes out of an exercise with a check the grader could not run: that check is
    left out of the maximum, so "12/12" would reach an LMS that says 15."""
    broken = {ex: c for ex, c in gb.grader_error_checks().items()
              if exercise is None or ex == exercise}
    if broken:
        what = "; ".join(f"{ex}: {', '.join(c)}" for ex, c in sorted(broken.items()))
        raise ExportError(f"refused: checks the grader could not run ({what}); fix them and run "
                          "grade batch again (the changed checks regrade by themselves)")


def find_exercise_id(bank: list[Exercise], text: str) -> str:
    """"ex02", "2" or "gd" -> "ex02"; an unknown one is the user's error (exit 2)."""
    try:
        return find_exercise(bank[0].folder.parent, text).id if bank else text
    except Exception:
        raise ExportError(f"unknown exercise {text!r}") from None


def _pairs(pairs: list[str], bank: list[Exercise]) -> dict[str, str]:
    out = {}
    for pair in pairs:
        ex, eq, name = pair.partition("=")
        if not eq or not ex or not name:
            raise ExportError(f"--assignment {pair!r}: expected EXNN=NAME, e.g. "
                              'ex02="Lab 2 (123456)"')
        out[find_exercise_id(bank, ex)] = name
    return out
