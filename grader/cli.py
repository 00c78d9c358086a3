"""`grade`: the parser, built from one module per subcommand (grader/commands/), and the
dispatch. Every user error ends here as one line.

Exit codes: 0 full marks, 1 some points lost, 2 the input could not be graded at all.
"""
from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from grader.commands import (batch, check, check_bank, data, doctor, export, feedback,
                             gradescope, init_ci, listing, new, override, release, settings,
                             similarity)
from grader.core import errors
from grader.core import settings as grader_settings

# In the order `grade --help` lists them; each has NAME, add(subparsers) and run(args) -> int.
COMMANDS = (listing, doctor, settings, release, data, batch, export, override, feedback, gradescope,
            similarity, check_bank, new, init_ci, check)
BY_NAME = {c.NAME: c for c in COMMANDS}


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="grade", formatter_class=argparse.RawDescriptionHelpFormatter, epilog=check.EPILOG,
        description="Grade neural-network course exercises in a sandbox, with public and "
                    "hidden checks, and write an HTML report.")
    p.add_argument("--exercises", type=Path, metavar="DIR",
                   help="the exercise bank's exercises/ folder (default: ./exercises, the folder "
                        "above when run inside an exercise's folder, else the one beside the "
                        "grader)")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    for command in COMMANDS:
        command.add(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    rc = 0
    try:
        try:
            rc = _main(argv)
        finally:  # while we can still catch it: at exit, Python would print a traceback
            sys.stdout.flush()
    except BrokenPipeError:
        return _closed_pipe(rc)
    return rc


def _main(argv: list[str] | None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    # `grade ex02 FILE` is short for `grade check ex02 FILE`.
    first = next((i for i, a in enumerate(argv) if not a.startswith("-")
                  and (i == 0 or argv[i - 1] != "--exercises")), None)
    if first is not None and argv[first] not in BY_NAME and argv[first] != "help":
        argv.insert(first, "check")
    args = build_parser().parse_args(argv)
    configure_logging(getattr(args, "verbose", 0))
    try:
        if args.command in (None, "help"):
            build_parser().print_help()
            return 0
        grader_settings.start(args.exercises)  # grader.yaml beside the exercises; bad: exit 2
        return BY_NAME[args.command].run(args)
    except KeyboardInterrupt:
        print("grade: interrupted", file=sys.stderr)
        return 130
    except errors.USER_FACING as e:  # only known faults, each one line: see core/errors.py
        print(f"grade: {e}", file=sys.stderr)
        return 2


def _closed_pipe(rc: int) -> int:
    """`grade list | head`: the reader left, which is no error of anyone's (the exit code is
    the command's, where it got that far). Python would print a BrokenPipeError traceback at
    exit, flushing stdout again: point stdout at /dev/null first."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # stdout without a file descriptor (a test's capture)
        pass
    return rc


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever sys.stderr is at the time (tests capture it per test)."""

    def emit(self, record: logging.LogRecord) -> None:
        self.stream = sys.stderr
        super().emit(record)


def configure_logging(verbosity: int) -> None:
    """The `grader` loggers to stderr: warnings only by default (so a user error stays one
    line), -v adds what the grader did and the faults it recovered from, -vv debug detail."""
    logger = logging.getLogger("grader")
    for h in [h for h in logger.handlers if isinstance(h, _StderrHandler)]:
        logger.removeHandler(h)
    handler = _StderrHandler()
    handler.setFormatter(logging.Formatter("grade: %(levelname)s %(name)s: %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(logging.WARNING if verbosity <= 0 else
                    logging.INFO if verbosity == 1 else logging.DEBUG)



if __name__ == "__main__":
    sys.exit(main())
