"""Gradescope: the results format, and the autograder zip that Gradescope runs.

Written from Gradescope's "Autograder Specifications" page
(https://gradescope-autograders.readthedocs.io/en/latest/specs/): the zip holds `setup.sh`
(run once, as root, on Gradescope's Ubuntu image) and `run_autograder` at its root, and is
unpacked into /autograder/source; the student's files are in /autograder/submission; the
results go to /autograder/results/results.json: a top-level `score`, `tests` with `name`,
`score`, `max_score`, `status`, `number`, `output`, `visibility`, and anything else only under
`extra_data`. Hidden checks are `after_published`, and so is the total where there are any:
the student sees them once the instructor publishes the grades (`results_document`).

`run_autograder` hands over to the driver, grader.commands.autograder, run as root by the
interpreter of `grade`:
    python -I -m grader.commands.autograder run ROOT EXERCISE
which grades the submission in whatever sandbox the container allows and writes results.json
itself, in the format written here, once the grading is over.
The root /autograder can be moved with GRADESCOPE_ROOT (the tests run it on a fake tree).
"""
from __future__ import annotations

import json
import stat
import zipfile
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from grader.core.files import atomic_path
from grader.core.text import fmt_points
from grader.core.result import Result
from grader.core.spec import Exercise
from grader.core.errors import ExportError

VISIBILITY = ("visible", "hidden", "after_due_date", "after_published")
STATUSES = ("passed", "failed")

# The results.json schema, written from the specification page above (top level and test
# fields as it lists them; `additionalProperties: false` so an extra key fails the tests).
RESULTS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "anyOf": [{"required": ["score"]},
              {"required": ["tests"], "properties": {"tests": {
                  "items": {"required": ["score"]}}}}],
    "properties": {
        "score": {"type": "number"},
        "execution_time": {"type": "number"},
        "output": {"type": "string"},
        "output_format": {"enum": ["text", "html", "simple_format", "md", "ansi"]},
        "test_output_format": {"enum": ["text", "html", "simple_format", "md", "ansi"]},
        "test_name_format": {"enum": ["text", "html", "simple_format", "md", "ansi"]},
        "visibility": {"enum": list(VISIBILITY)},
        "stdout_visibility": {"enum": list(VISIBILITY)},
        "extra_data": {"type": "object"},
        "leaderboard": {"type": "array"},
        "tests": {"type": "array", "items": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "score": {"type": "number"},
                "max_score": {"type": "number"},
                "status": {"enum": list(STATUSES)},
                "name": {"type": "string"},
                "name_format": {"enum": ["text", "html", "simple_format", "md", "ansi"]},
                # a display number ("1", "2.1"), as the specification's example has it
                "number": {"type": "string", "pattern": r"^[0-9]+(\.[0-9]+)*$"},
                "output": {"type": "string"},
                "output_format": {"enum": ["text", "html", "simple_format", "md", "ansi"]},
                "tags": {"type": "array", "items": {"type": "string"}},
                "visibility": {"enum": list(VISIBILITY)},
                "extra_data": {"type": "object"},
            }}},
    },
}


def results_document(result: Result | None, score: float, output: str,
                     extra: dict[str, Any]) -> dict[str, Any]:
    """results.json for one submission. `score` is the one that counts (a batch passes the
    final grade); everything that is not Gradescope's goes under extra_data.

    Hidden checks: one policy, Gradescope's own ("If test cases are hidden, students will not
    be able to see their total score", Autograder Specifications). The top level is
    `after_published` when there are hidden checks, so the total (which counts them) waits for
    the instructor to publish; public checks say `visible` and show at once, and `output`
    gives the public points. `number` is the check's place ("1", "2", ...); the function's
    name is the test's extra_data["check"]."""
    doc: dict[str, Any] = {"score": score, "output": output, "visibility": "visible",
                           "stdout_visibility": "hidden", "extra_data": dict(extra), "tests": []}
    if result is None:
        return doc
    doc["execution_time"] = result.run.wall_s if result.run else 0.0
    for number, c in enumerate(result.checks, start=1):
        text = "\n".join(t for t in (c.message, f"Hint: {c.hint}" if c.hint else "") if t)
        doc["tests"].append({
            "name": c.description or c.name, "number": str(number), "score": c.points,
            "max_score": c.max_points, "status": "passed" if c.passed else "failed",
            "output": text, "visibility": "after_published" if c.hidden else "visible",
            "extra_data": {"check": c.name, "hidden": c.hidden}})
    hidden = [c for c in result.checks if c.hidden]
    if hidden:
        doc["visibility"] = "after_published"
        public = [c for c in result.checks if not c.hidden]
        line = (f"Public checks: {fmt_points(sum(c.points for c in public))}/"
                f"{fmt_points(sum(c.max_points for c in public))} points. {len(hidden)} hidden "
                f"check{'s' if len(hidden) != 1 else ''} "
                f"({fmt_points(sum(c.max_points for c in hidden))} points) are graded too; "
                f"they and your total show when your instructor publishes the grades.")
        doc["output"] = "\n".join(t for t in (output, line) if t)
    return doc


# ---- the autograder zip ----------------------------------------------------------------------

SETUP_SH = """#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image (Ubuntu; it has
# run apt-get update already). It installs nn-grader from /autograder/source/nn-grader into a
# virtual environment, with the CPU build of torch it was built with, and puts `grade` on PATH.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
apt-get install -y --no-install-recommends python3 python3-venv python3-pip bubblewrap
python3 -m venv /autograder/venv
/autograder/venv/bin/pip install --upgrade pip
/autograder/venv/bin/pip install "torch=={torch}" --index-url https://download.pytorch.org/whl/cpu
/autograder/venv/bin/pip install /autograder/source/nn-grader
ln -sf /autograder/venv/bin/grade /usr/local/bin/grade
{data}grade --exercises /autograder/source/nn-grader/exercises list
"""

RUN_AUTOGRADER = """#!/usr/bin/env bash
# Gradescope runs this for each submission, as root, in /autograder. The grading and
# /autograder/results/results.json are the work of `python -m grader.commands.autograder run`
# (grader/commands/autograder.py), run by the interpreter of `grade` from PATH: root keeps the
# result, the student's code never runs as root. GRADESCOPE_ROOT moves /autograder (tests).
set -u
ROOT="${{GRADESCOPE_ROOT:-/autograder}}"
mkdir -p "$ROOT/results"
GRADE="$(command -v grade)" || {{
  printf '{{"score": 0, "output": "The autograder is not installed (no grade on PATH); tell your instructor."}}\\n' > "$ROOT/results/results.json"
  exit 0
}}
# The interpreter `grade` runs with: the grader is installed beside it.
exec "$(dirname "$(readlink -f "$GRADE")")/python" -I -m grader.commands.autograder run "$ROOT" {exercise}
"""


def repo_root() -> Path:
    root = Path(__file__).resolve().parents[3]
    if not (root / "pyproject.toml").is_file():
        raise ExportError("grade gradescope builds from a checkout of nn-grader (no "
                          f"pyproject.toml beside {root / 'grader'})")
    return root


def build_autograder(exercise: Exercise, out: Path) -> Path:
    """The zip to upload as the assignment's autograder: setup.sh and run_autograder at its
    root, the grader and this exercise (public and hidden checks, no solution) under
    nn-grader/."""
    out = Path(out)
    if out.suffix != ".zip":
        raise ExportError(f"--out {out}: expected a .zip file")
    root = repo_root()
    try:
        torch = version("torch").split("+")[0]
    except PackageNotFoundError:
        torch = "2.13.0"
    data = "".join(f"grade data {d}\n" for d in exercise.data)
    with atomic_path(out) as tmp, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
        _add(zf, "setup.sh", SETUP_SH.format(torch=torch, data=data), executable=True)
        _add(zf, "run_autograder", RUN_AUTOGRADER.format(exercise=exercise.id), executable=True)
        for name in ("pyproject.toml", "README.md"):
            zf.write(root / name, f"nn-grader/{name}")
        # The exercise goes under exercises/ whatever bank it came from (--exercises DIR).
        for folder, dest in ((root / "grader", "nn-grader/grader"),
                             (exercise.folder, f"nn-grader/exercises/{exercise.folder.name}")):
            for p in sorted(folder.rglob("*")):
                if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc":
                    zf.write(p, f"{dest}/{p.relative_to(folder).as_posix()}")
    return out


def _add(zf: zipfile.ZipFile, name: str, text: str, executable: bool = False) -> None:
    info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
    info.external_attr = ((stat.S_IFREG | (0o755 if executable else 0o644)) << 16)
    info.compress_type = zipfile.ZIP_DEFLATED
    zf.writestr(info, text)


# ---- what the driver inside Gradescope's container uses (grader.commands.autograder) ------------

def find_submission(folder: Path, exercise: str) -> Path | None:
    """exNN.py, else exNN.ipynb, else the only .py or .ipynb anywhere in the submission (files
    only: a symlink would have root read whatever it points to)."""
    folder = Path(folder)
    files = sorted(p for p in folder.rglob("*") if p.is_file() and not p.is_symlink())
    for name in (f"{exercise}.py", f"{exercise}.ipynb"):
        hits = [p for p in files if p.name == name]
        if hits:
            return hits[0]
    code = [p for p in files if p.suffix in (".py", ".ipynb")]
    return code[0] if len(code) == 1 else None


def results_from_grade(json_text: str, stderr: str, rc: int) -> dict[str, Any]:
    """results.json from `grade --json`'s output; a submission that could not be graded at
    all (exit 2, or a grading stopped before it wrote its result) is 0 with grade's one-line
    reason."""
    try:
        result = Result.from_dict(json.loads(json_text))
    except (ValueError, KeyError, TypeError):
        reason = stderr.strip().splitlines()[-1] if stderr.strip() else f"grade exited {rc}"
        if rc < 0:   # killed: by the time limit, or by the code it was grading
            reason = (f"the grading was stopped (signal {-rc}) before it gave a result: code "
                      f"that stops or kills its grader gets no points")
        return results_document(None, 0.0, reason.removeprefix("grade: "), {"exit_code": rc})
    lines = [result.message] if result.message else []
    lines += list(result.notes)
    return results_document(result, result.score, "\n".join(lines), {
        "exercise": result.exercise, "status": result.status, "max_score": result.max_score,
        "grader_version": result.grader_version, "exit_code": rc})
