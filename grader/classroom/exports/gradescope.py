"""Gradescope: the results format, and the autograder zip that Gradescope runs.

Written from Gradescope's "Autograder Specifications" page
(https://gradescope-autograders.readthedocs.io/en/latest/specs/): the zip holds `setup.sh`
(run once, as root, on Gradescope's Ubuntu image) and `run_autograder` at its root, and is
unpacked into /autograder/source; the student's files are in /autograder/submission; the
results go to /autograder/results/results.json: a top-level `score`, `tests` with `name`,
`score`, `max_score`, `status`, `number`, `output`, `visibility`, and anything else only under
`extra_data`. Hidden checks are `after_published`, and so is the total where there are any:
the student sees them once the instructor publishes the grades (`results_document`).

`run_autograder` hands over to this module, run as root by the interpreter of `grade`:
    python -I -m grader.classroom.exports.gradescope run ROOT EXERCISE
which grades the submission and writes results.json itself, once the grading is over. Where
bubblewrap sandboxes, `grade` runs as root and bubblewrap drops the run to a slot uid. Where it
cannot (a container that forbids namespaces), the grading runs as a uid of its own and its
result comes back over a pipe (grader.commands.apart); where even that cannot be, results.json
says the submission was not graded, with a score of 0, rather than carry a grade the
submission could have written. extra_data["sandbox"] records which layers held.
The root /autograder can be moved with GRADESCOPE_ROOT (the tests run it on a fake tree).
"""
from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import zipfile
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from grader.core.files import atomic_path, atomic_write_text
from grader.core.text import fmt_points
from grader.core.result import Result
from grader.core.settings import current
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
# /autograder/results/results.json are the work of `python -m grader.classroom.exports.gradescope run`
# (grader/classroom/exports/gradescope.py), run by the interpreter of `grade` from PATH: root keeps the
# result, the student's code never runs as root. GRADESCOPE_ROOT moves /autograder (tests).
set -u
ROOT="${{GRADESCOPE_ROOT:-/autograder}}"
mkdir -p "$ROOT/results"
GRADE="$(command -v grade)" || {{
  printf '{{"score": 0, "output": "The autograder is not installed (no grade on PATH); tell your instructor."}}\\n' > "$ROOT/results/results.json"
  exit 0
}}
# The interpreter `grade` runs with: the grader is installed beside it.
exec "$(dirname "$(readlink -f "$GRADE")")/python" -I -m grader.classroom.exports.gradescope run "$ROOT" {exercise}
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


# ---- inside Gradescope's container -----------------------------------------------------------

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


def time_limit_s() -> float:
    """The whole grading's wall-clock limit, above the grader's own (a grading its submission
    stopped ends here): the `gradescope_limit_s` setting (15 minutes; tests set less)."""
    return current().gradescope_limit_s


def grade_in_container(root: Path, exercise: str) -> dict[str, Any]:
    """Grade /autograder/submission (under `root`) and return results.json's document.
    Strong sandbox: `grade` as root (bubblewrap drops the run to a slot uid). No namespaces
    here: the grading as a uid of its own (grader.commands.apart), or, where that cannot be,
    no grade at all: a score of 0 that says why, never one the submission could have written.
    extra_data["sandbox"] says which layers held."""
    from grader.sandbox.isolation import detect_layers
    found = find_submission(root / "submission", exercise)
    if found is None:
        return results_document(None, 0.0, f"no {exercise}.py or {exercise}.ipynb (nor any "
                                f"one .py or .ipynb) in your submission", {"exit_code": 2})
    argv = ["--exercises", str(root / "source" / "nn-grader" / "exercises"), exercise]
    layers = detect_layers()
    if layers.strong:
        sandbox = {"strong": True, "graded": True, "layers": layers.describe().split("; ")}
        rc, out, err = _grade_as_root([*argv, str(found), "--json", "--no-report"])
    elif why := _cannot_grade_apart(Path(argv[1]), exercise):
        sandbox = {"strong": False, "graded": False, "missing": [_bwrap_problem(), why]}
        return results_document(None, 0.0, UNSAFE.format(why=why),
                                {"exit_code": 2, "sandbox": sandbox})
    else:
        from grader.commands import apart
        uid = apart.grading_uid()
        sandbox = {"strong": False, "graded": True, "missing": [_bwrap_problem()],
                   "layers": apart.layers(uid)}
        rc, out, err = _grade_apart(argv, found, uid)
    print(err, end="")   # results/stdout keeps it for the instructor; students never see it
    doc = results_from_grade(out, err, rc)
    doc["extra_data"]["sandbox"] = sandbox
    return doc


UNSAFE = ("Not graded: the autograder cannot run your code safely on this machine ({why}), so "
          "it gave no grade rather than one your code could have changed. Nothing is wrong "
          "with your file; your instructor has to fix the autograder.")


def _bwrap_problem() -> str:
    from grader.sandbox.isolation import diagnose
    return next(layer.detail for layer in diagnose() if layer.name == "bubblewrap namespaces")


def _cannot_grade_apart(exercises: Path, exercise: str) -> str:
    """Why the weak sandbox cannot grade here even apart from root ("" when it can)."""
    from grader.core.spec import find_exercise
    from grader.commands.apart import why_not
    if why := why_not():
        return f"no bubblewrap namespaces, and {why}"
    data = find_exercise(exercises, exercise).data
    if data:   # the grader reads test labels: the same uid as the submission could too
        return (f"no bubblewrap namespaces, and this exercise's data ({', '.join(data)}) "
                f"would be readable by the code it grades")
    return ""


def _grade_as_root(argv: list[str]) -> tuple[int, str, str]:
    code = "import sys; from grader.cli import main; sys.exit(main(sys.argv[1:]))"
    try:
        done = subprocess.run([sys.executable, "-I", "-c", code, *argv], capture_output=True,
                              stdin=subprocess.DEVNULL, timeout=time_limit_s())
    except subprocess.TimeoutExpired:
        return 124, "", f"grade: the grading took more than {time_limit_s():g} s"
    return done.returncode, done.stdout.decode(errors="replace"), \
        done.stderr.decode(errors="replace")


def _grade_apart(argv: list[str], found: Path, uid: int) -> tuple[int, str, str]:
    """The submission copied where the grading uid can read it and not change it (a folder
    root owns, also its HOME), a scratch folder of its own (TMPDIR); both gone afterwards."""
    from grader.commands.apart import run_apart
    staging, work = Path(tempfile.mkdtemp(prefix="gs-staging-")), \
        Path(tempfile.mkdtemp(prefix="gs-work-"))
    try:
        staging.chmod(0o755)
        copy = staging / found.name
        shutil.copyfile(found, copy)
        copy.chmod(0o644)
        return run_apart([*argv, str(copy), "--json", "--no-report"], uid, home=staging,
                         work=work, timeout_s=time_limit_s())
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        shutil.rmtree(work, ignore_errors=True)


def results_folder(root: Path) -> Path:
    """/autograder/results, made a folder only root may change (as root), before any student
    code runs."""
    results = root / "results"
    results.mkdir(parents=True, exist_ok=True)
    if os.name == "posix" and os.geteuid() == 0:
        os.chown(results, 0, 0)
        results.chmod(0o755)
    return results


def write_results(root: Path, doc: dict[str, Any]) -> Path:
    """results.json, written by this (root's) process, once the grading is over."""
    path = atomic_write_text(results_folder(root) / "results.json",
                             json.dumps(doc, indent=2, allow_nan=False) + "\n")
    path.chmod(0o644)
    return path


def main(argv: list[str]) -> int:
    if len(argv) == 3 and argv[0] == "run":
        root = Path(argv[1])
        results_folder(root)
        write_results(root, grade_in_container(root, argv[2]))
        return 0
    print("usage: python -m grader.classroom.exports.gradescope run ROOT EXERCISE", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
