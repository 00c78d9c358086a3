"""`grade feedback CLASS --out DIR [--release]`: each student's reports, and a zip for their LMS;
the work is grader.classroom.exports.feedback."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

NAME = "feedback"


def add(sub) -> None:
    f = sub.add_parser(NAME, help="each student's reports, hidden checks withheld until "
                                  "--release, and a zip for their LMS (Canvas, Moodle)")
    f.add_argument("klass", type=Path, metavar="CLASS", help="a grade batch --out folder")
    f.add_argument("--out", type=Path, required=True, metavar="DIR", help="where they go")
    f.add_argument("--release", action="store_true",
                   help="show the hidden checks and the final grade (after the deadline)")


def run(args: argparse.Namespace) -> int:
    from grader.classroom.exports import open_class
    from grader.classroom.exports.feedback import write_feedback
    from grader.core.spec import all_exercises, exercises_root
    all_exercises(exercises_root(args.exercises))  # an unloadable bank: one line, before CLASS
    with open_class(args.klass) as gb:
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
