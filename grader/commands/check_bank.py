"""`grade check-bank [EXERCISE ...]`: the bank proves itself; the work is in grader.bank.check."""
from __future__ import annotations

import argparse
import sys

from grader.core.settings import cores

NAME = "check-bank"

EPILOG = """\
The bank is the folder holding exercises/, solutions/ (solutions/exNN.py, the reference) and
tests/submissions/exNN/ (known-wrong submissions whose header says `# expect-fail: test_a,
test_b`, and ok_*.py alternatives that must get full marks); --exercises names its exercises/.

For each exercise: statically, every probe, threshold and fixture the checks use exists,
every check in exercise.yaml has a test function and back, the README's points add up to the
yaml's. Then the reference gets full marks, the stub 0, each known-wrong submission fails the
checks its header names, no check ends as a grader error.
  --seeds N    the reference and ok_* alternatives at grading seeds 0..N-1: a check that is
               not passed at every seed is flaky, and fails the bank
  --mutants    bugs put into the reference (an operator flipped, a constant changed, a
               statement dropped, arguments swapped, a range off by one, an early return),
               each graded: the survivors are bugs no check catches

exit codes: 0 the bank holds, 1 it does not (each problem listed), 2 unusable input: an
unknown exercise, or one that cannot be loaded (exercise.yaml not valid, a check file with a
SyntaxError; one line each on stderr, the other exercises still checked)
"""


def add(sub) -> None:
    cb = sub.add_parser(NAME, help="prove an exercise bank sound: reference, stub, "
                        "known-wrong submissions, seeds, mutants",
                        formatter_class=argparse.RawDescriptionHelpFormatter,
                        epilog=EPILOG)
    cb.add_argument("names", nargs="*", metavar="EXERCISE",
                    help="exercises to check: ex02, 2 or gd (default: all)")
    cb.add_argument("--json", action="store_true", help="print the report as JSON only")
    cb.add_argument("--seeds", type=int, default=0, metavar="N",
                    help="grade the reference at N grading seeds; flaky checks fail the bank")
    cb.add_argument("--mutants", action="store_true",
                    help="grade mutants of the reference; list the ones no check catches")
    cb.add_argument("--max-mutants", type=int, default=30, metavar="N",
                    help="at most N mutants per exercise, spread over kinds and lines "
                         "(default 30; 0: all)")
    cb.add_argument("--min-mutation-score", type=float, default=0.0, metavar="F",
                    help="fail the bank when an exercise's mutants are caught less often "
                         "than this share, e.g. 0.8 (default 0: report only)")
    cb.add_argument("--jobs", type=int, help="gradings at once "
                    "(default: the usable cores)")
    cb.add_argument("--executor", choices=("local", "dask"), default="local",
                    help="local worker processes (default) or a dask.distributed cluster")
    cb.add_argument("--scheduler", metavar="ADDRESS", help="the dask scheduler (with --executor "
                    "dask)")


def run(args: argparse.Namespace) -> int:
    from grader.core.errors import GraderError
    from grader.core.spec import exercises_root
    from grader.bank.check import BankOptions, check_bank, select_exercises
    from grader.bank.jobs import Runner
    from grader.bank.layout import Bank
    from grader.bank.progress import Progress
    from grader.bank.summary import to_json, to_text
    if args.jobs is None:
        args.jobs = cores()  # the `jobs` setting, or the usable cores
    if args.seeds < 0 or args.jobs < 1 or args.max_mutants < 0:
        raise GraderError("--seeds and --max-mutants must be at least 0, --jobs at least 1")
    if args.executor == "dask" and not args.scheduler:
        raise GraderError("--executor dask needs --scheduler tcp://HOST:PORT")
    bank = Bank.of_exercises(exercises_root(args.exercises))
    folders = select_exercises(bank, args.names)
    opts = BankOptions(seeds=args.seeds, mutants=args.mutants,
                       max_mutants=args.max_mutants or None,
                       min_mutation_score=args.min_mutation_score,
                       runner=Runner(jobs=args.jobs, executor=args.executor,
                                     scheduler=args.scheduler))
    reports = check_bank(bank, folders, opts, progress=Progress())
    print(to_json(reports) if args.json else to_text(reports))
    unusable = [r.unusable for r in reports if r.unusable]
    for line in unusable:  # the others were checked; these could not even be loaded
        print(f"grade: {line}", file=sys.stderr)
    return 2 if unusable else 0 if all(r.ok for r in reports) else 1
