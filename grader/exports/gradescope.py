"""Gradescope: the results format, and the autograder zip that Gradescope runs.

Written from Gradescope's "Autograder Specifications" page
(https://gradescope-autograders.readthedocs.io/en/latest/specs/): the zip holds `setup.sh`
(run once, as root, on Gradescope's Ubuntu image) and `run_autograder` at its root, and is
unpacked into /autograder/source; the student's files are in /autograder/submission; the
results go to /autograder/results/results.json: a top-level `score`, `tests` with `name`,
`score`, `max_score`, `status`, `number`, `output`, `visibility`, and anything else only under
`extra_data`. Hidden checks are `after_published`: the student sees them once the instructor
publishes the grades.

`run_autograder` grades with `grade` from PATH (as setup.sh installed it) and turns its JSON
into results.json with this module, run by the same interpreter as `grade`:
    python -m grader.exports.gradescope find SUBMISSION_DIR EXERCISE
    python -m grader.exports.gradescope results GRADE_JSON GRADE_STDERR EXIT_CODE
The root /autograder can be moved with GRADESCOPE_ROOT (the tests run it on a fake tree).
"""
from __future__ import annotations

import json
import stat
import sys
import zipfile
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from ..files import atomic_path
from ..result import Result
from ..spec import Exercise
from . import ExportError

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
                "number": {"type": "string"},
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
    final grade); everything that is not Gradescope's goes under extra_data."""
    doc: dict[str, Any] = {"score": score, "output": output, "visibility": "visible",
                           "stdout_visibility": "hidden", "extra_data": dict(extra), "tests": []}
    if result is None:
        return doc
    doc["execution_time"] = result.run.wall_s if result.run else 0.0
    for c in result.checks:
        text = "\n".join(t for t in (c.message, f"Hint: {c.hint}" if c.hint else "") if t)
        doc["tests"].append({
            "name": c.description or c.name, "number": c.name, "score": c.points,
            "max_score": c.max_points, "status": "passed" if c.passed else "failed",
            "output": text, "visibility": "after_published" if c.hidden else "visible"})
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
# Gradescope runs this for each submission, in /autograder. It grades the student's file in
# /autograder/submission with `grade` from PATH and writes /autograder/results/results.json.
# GRADESCOPE_ROOT moves /autograder (the grader's own tests use a fake tree).
set -u
ROOT="${{GRADESCOPE_ROOT:-/autograder}}"
EXERCISE={exercise}
mkdir -p "$ROOT/results"
GRADE="$(command -v grade)" || {{
  printf '{{"score": 0, "output": "The autograder is not installed (no grade on PATH); tell your instructor."}}\\n' > "$ROOT/results/results.json"
  exit 0
}}
# The interpreter `grade` runs with: the module that writes results.json is beside it.
PY="$(dirname "$(readlink -f "$GRADE")")/python"
WORK="$(mktemp -d)"
FILE="$("$PY" -m grader.exports.gradescope find "$ROOT/submission" "$EXERCISE")"
if [ -n "$FILE" ]; then
  "$GRADE" --exercises "$ROOT/source/nn-grader/exercises" "$EXERCISE" "$FILE" --json \\
    --no-report > "$WORK/grade.json" 2> "$WORK/grade.err"
  RC=$?
else
  echo "no $EXERCISE.py or $EXERCISE.ipynb (nor any one .py or .ipynb) in your submission" \\
    > "$WORK/grade.err"
  RC=2
fi
cat "$WORK/grade.err" >&2
"$PY" -m grader.exports.gradescope results "$WORK/grade.json" "$WORK/grade.err" "$RC" \\
  > "$ROOT/results/results.json"
rm -rf "$WORK"
"""


def repo_root() -> Path:
    root = Path(__file__).resolve().parents[2]
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


# ---- inside Gradescope's container -----------------------------------------------------------

def find_submission(folder: Path, exercise: str) -> Path | None:
    """exNN.py, else exNN.ipynb, else the only .py or .ipynb anywhere in the submission."""
    folder = Path(folder)
    for name in (f"{exercise}.py", f"{exercise}.ipynb"):
        hits = sorted(folder.rglob(name))
        if hits:
            return hits[0]
    code = sorted(p for p in folder.rglob("*") if p.suffix in (".py", ".ipynb") and p.is_file())
    return code[0] if len(code) == 1 else None


def results_from_grade(json_text: str, stderr: str, rc: int) -> dict[str, Any]:
    """results.json from `grade --json`'s output; a submission that could not be graded at
    all (exit 2) is 0 with grade's one-line reason."""
    try:
        result = Result.from_dict(json.loads(json_text))
    except (ValueError, KeyError, TypeError):
        reason = stderr.strip().splitlines()[-1] if stderr.strip() else f"grade exited {rc}"
        return results_document(None, 0.0, reason.removeprefix("grade: "), {"exit_code": rc})
    lines = [result.message] if result.message else []
    lines += list(result.notes)
    return results_document(result, result.score, "\n".join(lines), {
        "exercise": result.exercise, "status": result.status, "max_score": result.max_score,
        "grader_version": result.grader_version, "exit_code": rc})


def main(argv: list[str]) -> int:
    if len(argv) == 3 and argv[0] == "find":
        found = find_submission(Path(argv[1]), argv[2])
        print(found or "")
        return 0
    if len(argv) == 4 and argv[0] == "results":
        read = lambda p: Path(p).read_text(encoding="utf-8", errors="replace") \
            if Path(p).exists() else ""
        print(json.dumps(results_from_grade(read(argv[1]), read(argv[2]), int(argv[3])),
                         indent=2, allow_nan=False))
        return 0
    print("usage: python -m grader.exports.gradescope find DIR EXERCISE | results JSON ERR RC",
          file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
