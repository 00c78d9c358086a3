"""`grade init-ci`: CI workflows (GitHub, GitLab) that run grade check-bank."""
from __future__ import annotations

import argparse
from pathlib import Path

NAME = "init-ci"


def add(sub) -> None:
    ci = sub.add_parser(NAME, help="write CI workflows that run grade check-bank")
    ci.add_argument("--dir", type=Path, default=Path("."), metavar="DIR",
                    help="the course repository (default: .)")
    ci.add_argument("--grader", default="nn-grader",
                    help="what pip installs the grader from (default: nn-grader)")
    ci.add_argument("--force", action="store_true", help="replace existing files")


def run(args: argparse.Namespace) -> int:
    from grader.bank.ci import write_ci
    for path in write_ci(args.dir, grader=args.grader, force=args.force):
        print(f"wrote {path}")
    return 0
