"""`grade data mnist [--dest DIR]`: install a data set the exercises need."""
from __future__ import annotations

import argparse
from pathlib import Path

NAME = "data"


def add(sub) -> None:
    d = sub.add_parser(NAME, help="install a data set the exercises need")
    d.add_argument("name", choices=("mnist",), help="the data set")
    d.add_argument("--dest", type=Path, help="where to put it (default: data/mnist in the repo)")


def run(args: argparse.Namespace) -> int:
    from grader.grading.data import REPO_DATA, install_mnist
    print(f"MNIST installed in {install_mnist(args.dest or REPO_DATA)}")
    return 0
