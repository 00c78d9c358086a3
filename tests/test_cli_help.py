"""`grade --help` and every subcommand's --help, byte for byte: the command line's words are an
interface. The snapshots under tests/snapshots/cli/ were taken before the commands moved into
grader/commands/ (issue 26); a change to a help text updates its snapshot on purpose:

    .venv/bin/python tests/test_cli_help.py     # rewrite the snapshots from the code
"""
from __future__ import annotations

import contextlib
import io
import os
import sys
from pathlib import Path

import pytest

SNAPSHOTS = Path(__file__).parent / "snapshots" / "cli"
# argparse lays help out a little differently from one Python to the next (3.13 writes
# "-o, --output FILE"): the snapshots are of the Python the project's .venv and CI run.
SNAPSHOT_PYTHON = (3, 11)

# argv -> snapshot name. The usage errors are there too: their words and exit code (2) are
# argparse's, from the same parser.
CASES = {
    "grade": ["--help"],
    "grade-bare": [],
    "grade-help": ["help"],
    "list": ["list", "--help"],
    "doctor": ["doctor", "--help"],
    "settings": ["settings", "--help"],
    "check": ["check", "--help"],
    "data": ["data", "--help"],
    "release": ["release", "--help"],
    "batch": ["batch", "--help"],
    "export": ["export", "--help"],
    "export-canvas": ["export", "canvas", "--help"],
    "export-moodle": ["export", "moodle", "--help"],
    "export-checks": ["export", "checks", "--help"],
    "override": ["override", "--help"],
    "feedback": ["feedback", "--help"],
    "gradescope": ["gradescope", "--help"],
    "similarity": ["similarity", "--help"],
    "check-bank": ["check-bank", "--help"],
    "new": ["new", "--help"],
    "init-ci": ["init-ci", "--help"],
    "exercise-shorthand": ["ex02", "--help"],
    "error-batch-no-out": ["batch", "subs/"],
    "error-export-no-kind": ["export"],
    "error-data-unknown": ["data", "cifar"],
    "error-unknown-option": ["list", "--nope"],
    "error-check-device": ["ex02", "x.py", "--device", "tpu"],
}


def _run(argv: list[str]) -> str:
    """What `grade ARGV` writes and the code it exits with, as one text."""
    from grader.cli import main
    out, err = io.StringIO(), io.StringIO()
    old = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = "100"   # argparse wraps to the terminal: one width for every run
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(list(argv))
            except SystemExit as e:
                code = e.code
    finally:
        if old is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = old
    return f"exit: {code}\n--- stdout\n{out.getvalue()}--- stderr\n{err.getvalue()}"


@pytest.mark.skipif(sys.version_info[:2] != SNAPSHOT_PYTHON,
                    reason="the snapshots are of Python %d.%d's argparse" % SNAPSHOT_PYTHON)
@pytest.mark.parametrize("name", sorted(CASES))
def test_help_text_is_unchanged(name):
    want = (SNAPSHOTS / f"{name}.txt").read_text(encoding="utf-8")
    assert _run(CASES[name]) == want


def test_every_subcommand_has_a_snapshot():
    """A new subcommand gets a snapshot too (and an old one cannot vanish unnoticed)."""
    from grader.cli import build_parser
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    assert set(sub.choices) <= {argv[0] for argv in CASES.values() if argv}


def test_one_module_per_command_one_pattern():
    """grader/cli.py only builds the parser from grader/commands/ and dispatches: each command
    module has NAME, add(subparsers) and run(args) -> int, and every such module is listed."""
    import inspect
    import pkgutil

    import grader.commands
    from grader import cli
    assert [c.NAME for c in cli.COMMANDS] == list(cli.BY_NAME)
    for command in cli.COMMANDS:
        assert list(inspect.signature(command.add).parameters) == ["sub"], command
        assert list(inspect.signature(command.run).parameters) == ["args"], command
    listed = {c.__name__ for c in cli.COMMANDS}
    for info in pkgutil.iter_modules(grader.commands.__path__):
        module = __import__(f"grader.commands.{info.name}", fromlist=["_"])
        assert hasattr(module, "NAME") == (module.__name__ in listed), module


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    SNAPSHOTS.mkdir(parents=True, exist_ok=True)
    for snap, argv in CASES.items():
        (SNAPSHOTS / f"{snap}.txt").write_text(_run(argv), encoding="utf-8")
    print(f"{len(CASES)} snapshots written to {SNAPSHOTS}")
