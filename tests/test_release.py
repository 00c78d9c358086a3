"""The students' pack holds nothing hidden, and grading inside it works like the instructor's."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from conftest import EXERCISES, SOLUTIONS, bank
from grader.release import build_release, public_probes


@pytest.fixture(scope="module")
def pack(tmp_path_factory) -> Path:
    return build_release(EXERCISES, tmp_path_factory.mktemp("rel") / "dist")


def _pack_text(pack: Path) -> str:
    return "\n".join(p.read_text(encoding="utf-8", errors="replace")
                     for p in pack.rglob("*") if p.is_file())


def test_pack_has_no_hidden_check_name_or_hint(pack):
    text = _pack_text(pack)
    for ex in bank():
        for c in ex.checks:
            if c.hidden:
                assert c.name not in text, f"hidden check {c.name} leaked into the pack"
                if c.hint:
                    assert c.hint not in text, f"hint of hidden {c.name} leaked"
    assert not list(pack.rglob("test_hidden.py"))


def test_pack_has_no_line_of_any_reference_solution(pack):
    text = _pack_text(pack)
    for ex in bank():
        # What the task itself states (the README, the stub's docstrings, public hints) is
        # given away on purpose; every other line of the solution must be absent.
        task = ex.stub.read_text(encoding="utf-8") + "".join(
            c.hint for c in ex.checks if not c.hidden)
        if (ex.folder / "README.md").exists():
            task += (ex.folder / "README.md").read_text(encoding="utf-8")
        for line in (SOLUTIONS / f"{ex.id}.py").read_text(encoding="utf-8").splitlines():
            line = line.strip()
            if len(line) > 25 and line not in task and not line.startswith(("def ", "class ")):
                assert line not in text, f"solution line of {ex.id} in pack: {line!r}"


def test_pack_has_stub_notebook_and_public_checks(pack):
    for ex in bank():
        folder = pack / "exercises" / ex.folder.name
        for name in (f"{ex.id}.py", f"{ex.id}.ipynb", "test_public.py", "exercise.yaml"):
            assert (folder / name).is_file(), f"{folder.name}/{name} missing"
        nb = nbformat.read(str(folder / f"{ex.id}.ipynb"), as_version=4)
        assert [c.cell_type for c in nb.cells][:2] == ["markdown", "code"]
    assert not (pack / "solutions").exists() and not (pack / "tests").exists()


def test_public_probes_drop_functions_only_hidden_checks_use():
    src = "import torch\n\ndef a(sub):\n    return b(sub)\n\ndef b(sub):\n    return 1\n\n" \
          "def secret(sub):\n    return 2\n"
    kept = public_probes(src, "def test_x(student):\n    student.probe('a')\n")
    assert "def a" in kept and "def b" in kept and "secret" not in kept


@pytest.mark.slow
def test_grading_inside_the_pack_runs_public_checks_and_counts_hidden(pack, tmp_path):
    sub = tmp_path / "ex02.py"
    sub.write_text((SOLUTIONS / "ex02.py").read_text(encoding="utf-8"), encoding="utf-8")
    r = subprocess.run([sys.executable, "-m", "grader.cli", "ex02", str(sub), "--json",
                        "--no-report"], cwd=pack, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["public_only"] and doc["hidden_remaining"] == 4 and doc["hidden_points"] == 6
    assert all(not c["hidden"] for c in doc["checks"]) and doc["score"] == doc["max_score"]


def test_pack_totals_are_the_real_totals(pack):
    readme = (pack / "README.md").read_text(encoding="utf-8")
    for ex in bank():
        assert f"| {ex.id} | {ex.title} | {ex.max_score:g} |" in readme, ex.id
    assert "| ex01 |" in readme and "| 17 |" in readme and "| 28 |" not in readme
    r = subprocess.run([sys.executable, "-m", "grader.cli", "list"], cwd=pack,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    for ex in bank():
        line = next(ln for ln in r.stdout.splitlines() if ln.startswith(ex.id))
        assert f" {ex.max_score:g} pts" in line and f"{len(ex.checks)} checks" in line, line


def test_pack_names_no_threshold_only_hidden_checks_read(pack):
    import yaml
    from grader.release import public_thresholds
    for ex in bank():
        packed = yaml.safe_load((pack / "exercises" / ex.folder.name / "exercise.yaml")
                                .read_text(encoding="utf-8"))
        used = public_thresholds(ex.folder / "test_public.py")
        assert set(packed.get("thresholds") or {}) == used & set(ex.thresholds), ex.id
    # ex05's public checks judge with ex04's (loaded with sibling), which read "accuracy"
    ex05 = yaml.safe_load((pack / "exercises" / "ex05_mnist_numpy" / "exercise.yaml").read_text())
    assert "accuracy" in ex05["thresholds"]


@pytest.mark.slow
def test_grade_works_inside_the_packs_exercise_folder(pack, tmp_path):
    folder = pack / "exercises" / "ex07_activations"
    work = tmp_path / "ex07_activations"
    shutil.copytree(folder, work)
    shutil.copy(SOLUTIONS / "ex07.py", work / "ex07.py")  # as a student's finished stub
    # The pack's grader as pip installs it: in site-packages, far from the exercises.
    shutil.copytree(pack / "grader", tmp_path / "site" / "grader")
    env = dict(os.environ, PYTHONPATH=str(tmp_path / "site"))
    r = subprocess.run([sys.executable, "-m", "grader.cli", "ex07", "--json", "--no-report"],
                       cwd=work, capture_output=True, text=True, timeout=300, env=env)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["public_only"]


@pytest.mark.slow
def test_release_refuses_a_bank_that_does_not_hold(tmp_path):
    r = subprocess.run([sys.executable, "-m", "grader.cli", "new", "ex12_demo"], cwd=tmp_path,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    (tmp_path / "solutions" / "ex12.py").write_text("def scale(xs, factor):\n    return xs\n")
    cmd = [sys.executable, "-m", "grader.cli", "release", "--out", str(tmp_path / "dist"),
           "--jobs", "1"]
    r = subprocess.run(cmd, cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert r.returncode == 1 and "release refused" in r.stderr, r.stdout + r.stderr
    assert "solutions/ex12.py: expected full marks" in r.stderr
    assert not (tmp_path / "dist").exists()
    r = subprocess.run(cmd + ["--force"], cwd=tmp_path, capture_output=True, text=True,
                       timeout=300)
    assert r.returncode == 0 and (tmp_path / "dist" / "README.md").exists(), r.stderr
