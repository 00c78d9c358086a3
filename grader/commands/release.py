"""`grade release [EXERCISE ...] --out DIR`: the students' pack, once the bank proves itself."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from grader.core.settings import cores

NAME = "release"


def add(sub) -> None:
    r = sub.add_parser(NAME, help="build the students' pack (no hidden checks, no solutions)")
    r.add_argument("names", nargs="*", metavar="EXERCISE",
                   help="the exercises to pack, e.g. ex01 ex02 (default: all); only these are "
                        "checked first")
    r.add_argument("--out", type=Path, default=Path("dist"), metavar="DIR",
                   help="where the pack goes (default: ./dist; replaced if present)")
    r.add_argument("--force", action="store_true",
                   help="build the pack even when `grade check-bank` finds the bank unsound")
    r.add_argument("--jobs", type=int,
                   help="gradings at once for the check-bank run first (default: the cores)")


def run(args: argparse.Namespace) -> int:
    """The pack of the named exercises (all by default), once they prove themselves."""
    from grader.bank.check import select_exercises
    from grader.bank.layout import Bank
    from grader.bank.release import TORCH_CPU, build_release
    from grader.core.spec import exercises_root, load_exercise
    root = exercises_root(args.exercises)
    folders = select_exercises(Bank.of_exercises(root), args.names)
    for folder in folders:
        load_exercise(folder)  # one that cannot load: SpecError, one line, exit 2
    if not args.force and not _bank_holds(root, args.jobs or cores(), folders):
        return 1
    out = build_release(root, args.out, folders)
    print(f"pack of {len(folders)} exercise{'s' if len(folders) != 1 else ''} written to {out}"
          f"\nstudents install it with: {TORCH_CPU}\n  then: pip install {out}")
    return 0


def _bank_holds(root: Path, jobs: int, folders: list[Path]) -> bool:
    """otter's rule: a bank that fails its own checks never ships. The problems go to stderr."""
    from grader.bank.check import BankOptions, check_bank
    from grader.bank.jobs import Runner
    from grader.bank.layout import Bank
    from grader.bank.progress import Progress
    from grader.bank.summary import to_text
    reports = check_bank(Bank.of_exercises(root), folders,
                         BankOptions(runner=Runner(jobs=jobs)), progress=Progress())
    if all(r.ok for r in reports):
        return True
    print(to_text(reports), file=sys.stderr)
    print("grade: release refused: the bank does not hold (fix it, or pass --force)",
          file=sys.stderr)
    return False
