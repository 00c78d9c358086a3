"""The bank's commands on `grade`: check-bank, new, init-ci. A thin layer: the work is in
check.py, scaffold.py and ci.py."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from grader.core.settings import cores

CHECK_BANK_EPILOG = """\
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


def add_parsers(sub) -> None:
    cb = sub.add_parser("check-bank", help="prove an exercise bank sound: reference, stub, "
                        "known-wrong submissions, seeds, mutants",
                        formatter_class=argparse.RawDescriptionHelpFormatter,
                        epilog=CHECK_BANK_EPILOG)
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
    n = sub.add_parser("new", help="scaffold an exercise: exNN_slug, ready to fill in")
    n.add_argument("name", help="the folder name, exNN_slug, e.g. ex12_dropout")
    n.add_argument("--title", help="the title (default: from the slug)")
    ci = sub.add_parser("init-ci", help="write CI workflows that run grade check-bank")
    ci.add_argument("--dir", type=Path, default=Path("."), metavar="DIR",
                    help="the course repository (default: .)")
    ci.add_argument("--grader", default="nn-grader",
                    help="what pip installs the grader from (default: nn-grader)")
    ci.add_argument("--force", action="store_true", help="replace existing files")


def dispatch(args: argparse.Namespace) -> int:
    if args.command == "check-bank":
        return _check_bank(args)
    if args.command == "new":
        from grader.bank.scaffold import scaffold
        for path in scaffold(_bank_root(args), args.name, title=args.title):
            print(f"wrote {path}")
        print(f"next: grade check-bank {args.name.split('_')[0]}")
        return 0
    from grader.bank.ci import write_ci
    for path in write_ci(args.dir, grader=args.grader, force=args.force):
        print(f"wrote {path}")
    return 0


def _bank_root(args: argparse.Namespace) -> Path:
    """--exercises names exercises/; without it, the bank is the current folder."""
    return Path(args.exercises).resolve().parent if args.exercises else Path.cwd()


def _check_bank(args: argparse.Namespace) -> int:
    from grader.core.errors import GraderError
    from grader.core.spec import exercises_root
    from grader.bank.check import BankOptions, check_bank, select_exercises
    from grader.bank.jobs import Runner
    from grader.bank.layout import Bank
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


class Progress:
    """Counts on stderr, started at the first finished grading: the workers fork before it, and
    a fork must not copy a progress bar's thread."""

    def __init__(self) -> None:
        self._bar = None

    def __call__(self, done: int, total: int, what: str) -> None:
        if not sys.stderr.isatty():
            if done == total or done % 10 == 0:
                print(f"check-bank: {done}/{total} graded", file=sys.stderr, flush=True)
            return
        if self._bar is None:
            from rich.console import Console
            from rich.progress import Progress
            self._bar = Progress(console=Console(stderr=True), transient=True)
            self._bar.start()
            self._task = self._bar.add_task("check-bank", total=total)
        self._bar.update(self._task, completed=done, description=f"check-bank {what}"[:60])
        if done == total:
            self._bar.stop()
