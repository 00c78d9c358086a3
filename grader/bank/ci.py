"""`grade init-ci`: CI for a course's own repository. Every push proves the bank with the
grader itself: `grade check-bank` (reference full marks, stub 0, known-wrong caught)."""
from __future__ import annotations

from pathlib import Path

from grader.core.errors import GraderError

GITHUB = """\
# Written by `grade init-ci`: every push and pull request proves the exercise bank.
name: check-bank
on: [push, pull_request]
jobs:
  check-bank:
    runs-on: ubuntu-latest
    timeout-minutes: 60
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "3.11"
      - name: sandbox (bubblewrap)
        run: sudo apt-get update && sudo apt-get install -y bubblewrap
      - name: grader and torch (CPU build)
        run: |
          python -m pip install --upgrade pip
          pip install torch --index-url https://download.pytorch.org/whl/cpu
          pip install {grader}
      - name: grade check-bank
        # add --seeds 10 to catch checks whose verdict depends on the grading seed, and
        # --mutants --max-mutants 20 to list the bugs no check catches (slower)
        run: grade check-bank --jobs 2
"""

GITLAB = """\
# Written by `grade init-ci`: every push proves the exercise bank.
check-bank:
  image: python:3.11
  timeout: 1h
  before_script:
    - apt-get update && apt-get install -y bubblewrap
    - pip install torch --index-url https://download.pytorch.org/whl/cpu
    - pip install {grader}
  script:
    # add --seeds 10 (flaky checks) or --mutants --max-mutants 20 (what no check catches)
    - grade check-bank --jobs 2
"""

FILES = {Path(".github/workflows/check-bank.yml"): GITHUB, Path(".gitlab-ci.yml"): GITLAB}


def write_ci(repo: Path, grader: str = "nn-grader", force: bool = False) -> list[Path]:
    """Write both CI files into the course repository `repo`; return their paths."""
    if not (repo / "exercises").is_dir():
        raise GraderError(f"{repo} has no exercises/ folder: run grade init-ci in the course "
                          f"repository (the folder holding exercises/ and solutions/)")
    targets = {repo / rel: text for rel, text in FILES.items()}
    existing = [p for p in targets if p.exists()]
    if existing and not force:
        raise GraderError(f"{existing[0]} exists already (pass --force to replace it)")
    for path, text in targets.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text.format(grader=grader), encoding="utf-8")
    return list(targets)
