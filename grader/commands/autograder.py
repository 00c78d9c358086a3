"""The Gradescope autograder's driver, inside Gradescope's container: grade the one submission
and write /autograder/results/results.json, once the grading is over.

`run_autograder` (written into the zip by grader.classroom.exports.gradescope) hands over to
this module, run as root by the interpreter of `grade`:
    python -I -m grader.commands.autograder run ROOT EXERCISE
Where bubblewrap sandboxes, `grade` runs as root and bubblewrap drops the run to a slot uid.
Where it cannot (a container that forbids namespaces), the grading runs as a uid of its own and
its result comes back over a pipe (grader.commands.apart); where even that cannot be,
results.json says the submission was not graded, with a score of 0, rather than carry a grade
the submission could have written. extra_data["sandbox"] records which layers held.
The root /autograder can be moved with GRADESCOPE_ROOT (the tests run it on a fake tree).

A command, not part of the classroom: it starts the sandbox (the classroom never does) and
the results format it writes is the export's (results_document, results_from_grade).
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from grader.classroom.exports.gradescope import (find_submission, results_document,
                                                 results_from_grade)
from grader.core.files import atomic_write_text
from grader.core.settings import current

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
    print("usage: python -m grader.commands.autograder run ROOT EXERCISE", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
