"""`grade list`: the exercises, in course order, with their points."""
from __future__ import annotations

import argparse
import sys

NAME = "list"


def add(sub) -> None:
    sub.add_parser(NAME, help="list the exercises with titles and points")


def run(args: argparse.Namespace) -> int:
    """Every exercise that loads; each that does not is named on stderr (exit 2), so one
    broken exercise.yaml does not hide the rest of the bank."""
    from grader.core.spec import exercises_root, load_all
    exercises, broken = load_all(exercises_root(args.exercises))
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
