"""`grade gradescope EX --out FILE.zip`: a Gradescope autograder for one exercise; the work is
grader.classroom.exports.gradescope.build_autograder."""
from __future__ import annotations

import argparse
from pathlib import Path

NAME = "gradescope"


def add(sub) -> None:
    g = sub.add_parser(NAME, help="build a Gradescope autograder zip for an exercise")
    g.add_argument("exercise", help="exercise id, number or slug")
    g.add_argument("--out", type=Path, required=True, metavar="FILE.zip", help="the zip")


def run(args: argparse.Namespace) -> int:
    from grader.classroom.exports.gradescope import build_autograder
    from grader.core.spec import exercises_root, find_exercise
    out = build_autograder(find_exercise(exercises_root(args.exercises), args.exercise), args.out)
    print(f"autograder written to {out}: upload it as the assignment's autograder on "
          "Gradescope (Configure Autograder > Zip file upload)")
    return 0
