"""`grade new exNN_slug`: scaffold an exercise that passes its own check-bank."""
from __future__ import annotations

import argparse
from pathlib import Path

NAME = "new"


def add(sub) -> None:
    n = sub.add_parser(NAME, help="scaffold an exercise: exNN_slug, ready to fill in")
    n.add_argument("name", help="the folder name, exNN_slug, e.g. ex12_dropout")
    n.add_argument("--title", help="the title (default: from the slug)")


def run(args: argparse.Namespace) -> int:
    from grader.bank.scaffold import scaffold
    for path in scaffold(_bank_root(args), args.name, title=args.title):
        print(f"wrote {path}")
    print(f"next: grade check-bank {args.name.split('_')[0]}")
    return 0


def _bank_root(args: argparse.Namespace) -> Path:
    """--exercises names exercises/; without it, the bank is the current folder."""
    return Path(args.exercises).resolve().parent if args.exercises else Path.cwd()
