"""The students' pack holds nothing hidden, and grading inside it works like the instructor's."""
from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat
import pytest

from conftest import EXERCISES, REPO, SOLUTIONS, bank
from grader.bank.release import TORCH_CPU, build_release, public_probes


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
    from grader.bank.release import public_thresholds
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


# ---- a release of some exercises, installed as a student installs it -------------------------

@pytest.fixture(scope="module")
def week(tmp_path_factory) -> Path:
    """The pack of week 1: ex01 and ex02 only."""
    folders = [EXERCISES / "ex02_gd", EXERCISES / "ex01_backward"]
    return build_release(EXERCISES, tmp_path_factory.mktemp("week") / "dist", folders)


def test_a_release_of_named_exercises_packs_only_those(week):
    assert sorted(p.name for p in (week / "exercises").iterdir()) == ["ex01_backward", "ex02_gd"]
    readme = (week / "README.md").read_text(encoding="utf-8")
    assert "| ex01 |" in readme and "| ex02 |" in readme and "| ex03 |" not in readme
    r = subprocess.run([sys.executable, "-m", "grader.cli", "list"], cwd=week,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and [ln.split()[0] for ln in r.stdout.splitlines()] == \
        ["ex01", "ex02"], r.stdout + r.stderr


def test_the_packs_readme_uses_its_own_exercises_and_cpu_torch(week):
    readme = (week / "README.md").read_text(encoding="utf-8")
    assert TORCH_CPU in readme and TORCH_CPU.count("\n") == 0
    assert "--index-url https://download.pytorch.org/whl/cpu" in TORCH_CPU
    assert "cd exercises/ex01_backward" in readme and "grade ex01" in readme
    named = set(re.findall(r"\bgrade (ex\d\d)\b", readme))
    assert named == {"ex01"}, named  # no example of an exercise the pack does not have
    for platform in ("macOS", "Windows", "Colab", "weak sandbox", "grade doctor"):
        assert platform in readme, platform


def test_the_packs_install_is_what_a_student_needs(week):
    import tomllib
    text = (week / "pyproject.toml").read_text(encoding="utf-8")
    doc = tomllib.loads(text)
    deps = " ".join(doc["project"]["dependencies"])
    assert "dask" not in text and "ruff" not in deps and "jsonschema" not in deps
    assert "optional-dependencies" not in doc["project"]
    assert set(doc.get("tool", {})) == {"setuptools"}  # no pytest, no ruff configuration
    assert "pytest" in deps and "torch" in deps  # the checks run on pytest: a runtime need
    assert doc["project"]["scripts"] == {"grade": "grader.cli:main"}
    own = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    assert not any(d.startswith("dask") for d in own["project"]["dependencies"])
    assert any(d.startswith("dask[distributed]")
               for d in own["project"]["optional-dependencies"]["dask"])


def test_releasing_an_unknown_exercise_is_exit_2(tmp_path):
    r = subprocess.run([sys.executable, "-m", "grader.cli", "release", "ex99", "--out",
                        str(tmp_path / "dist")], cwd=REPO, capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 2 and "unknown exercise 'ex99'" in r.stderr, r.stderr
    assert not (tmp_path / "dist").exists()


@pytest.mark.slow
def test_release_checks_only_the_exercises_it_packs(tmp_path):
    """A broken exercise elsewhere in the bank does not hold back this week's release."""
    for name in ("ex07_activations", "ex02_gd"):
        shutil.copytree(EXERCISES / name, tmp_path / "exercises" / name)
    shutil.copytree(SOLUTIONS, tmp_path / "solutions")
    shutil.copytree(REPO / "tests" / "submissions" / "ex07",
                    tmp_path / "tests" / "submissions" / "ex07")
    (tmp_path / "exercises" / "ex02_gd" / "test_public.py").write_text("def test_(:\n")
    cmd = [sys.executable, "-m", "grader.cli", "release", "ex07", "--out",
           str(tmp_path / "dist"), "--jobs", "1"]
    r = subprocess.run(cmd, cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "pack of 1 exercise written" in r.stdout and TORCH_CPU in r.stdout
    assert [p.name for p in (tmp_path / "dist" / "exercises").iterdir()] == ["ex07_activations"]
    r = subprocess.run(cmd[:4] + ["ex02"] + cmd[5:], cwd=tmp_path, capture_output=True,
                       text=True, timeout=600)
    assert r.returncode == 2 and "SyntaxError" in r.stderr, r.stdout + r.stderr
    assert len(r.stderr.strip().splitlines()) == 1


def _pip(venv: Path, *args: str) -> None:
    r = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q",
                        "--disable-pip-version-check", *args], capture_output=True, text=True,
                       timeout=1800)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]


def _world_readable(path: Path) -> bool:
    """Can any user reach `path` (each folder above it searchable by others)?"""
    path = Path(os.path.realpath(path))
    return all(p.stat().st_mode & stat.S_IXOTH for p in path.parents) and \
        bool(path.stat().st_mode & stat.S_IROTH)


def _base_python() -> str:
    """A Python any user can run, as a student's own: this one's base interpreter, else the
    system's (a pyenv build under root's home is out of reach of other users)."""
    for candidate in (getattr(sys, "_base_executable", sys.executable), "/usr/bin/python3"):
        if candidate and Path(candidate).exists() and _world_readable(Path(candidate)):
            return candidate
    return sys.executable


@pytest.fixture(scope="module")
def student_venv(week):
    """An empty venv (in /tmp, readable by every user), torch (here from the local wheel: the
    README's CPU index is not reachable from CI), then `pip install .` of the pack."""
    home = Path(tempfile.mkdtemp(prefix="student-venv-"))
    os.chmod(home, 0o755)
    venv = home / "venv"
    try:
        subprocess.run([_base_python(), "-m", "venv", str(venv)], check=True, timeout=300)
        _pip(venv, "torch==2.13.0")
        _pip(venv, str(week))
        yield venv
    finally:
        shutil.rmtree(home, ignore_errors=True)


def _student_env(**extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return dict(env, **extra)


@pytest.mark.slow
def test_the_pack_installs_into_an_empty_venv_and_grades(student_venv, week, tmp_path):
    """As a student: no dask, no test tools; `grade ex02` in the exercise's folder grades the
    .py saved after the stub notebook, with the pack's grader from the venv."""
    venv = student_venv
    listed = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "list",
                             "--disable-pip-version-check", "--format=freeze"],
                            capture_output=True, text=True, timeout=120).stdout.lower()
    for absent in ("dask", "distributed", "ruff"):
        assert f"\n{absent}==" not in "\n" + listed, f"{absent} was installed"
    work = tmp_path / "ex02_gd"
    shutil.copytree(week / "exercises" / "ex02_gd", work)
    shutil.copy(SOLUTIONS / "ex02.py", work / "ex02.py")
    os.utime(work / "ex02.ipynb", (1_000_000, 1_000_000))  # the stub notebook, untouched
    r = subprocess.run([str(venv / "bin" / "grade"), "ex02", "--json", "--no-report"], cwd=work,
                       capture_output=True, text=True, timeout=600, env=_student_env())
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
    doc = json.loads(r.stdout)
    assert doc["public_only"] and doc["score"] == doc["max_score"] > 0
    assert "grading ex02.py, saved after ex02.ipynb" in r.stderr
    where = subprocess.run([str(venv / "bin" / "python"), "-c",
                            "import grader; print(grader.__file__)"], capture_output=True,
                           text=True, cwd=tmp_path, env=_student_env()).stdout
    assert where.startswith(str(venv)), where


@pytest.mark.slow
def test_a_student_without_root_bubblewrap_cgroups_or_seccomp_is_graded(student_venv, week):
    """macOS, Colab without bubblewrap, a Linux laptop: the weak sandbox (a keeper process,
    rlimits, a process group) as a user who is not root. As root (CI), the run drops to
    nobody with setpriv; PATH (the venv's bin alone) lacks bwrap either way, so no namespaces
    and no seccomp, and cgroups need root."""
    if not _world_readable(student_venv / "bin" / "python"):
        pytest.skip("no Python here that a user other than root can run")
    work = Path(tempfile.mkdtemp(prefix="student-"))  # in /tmp: reachable by nobody
    try:
        shutil.copytree(week / "exercises" / "ex02_gd", work / "ex02_gd")
        shutil.copy(SOLUTIONS / "ex02.py", work / "ex02_gd" / "ex02.py")
        os.utime(work / "ex02_gd" / "ex02.ipynb", (1_000_000, 1_000_000))
        os.chmod(work, 0o755)
        cmd = [str(student_venv / "bin" / "grade"), "ex02", "--json", "--no-report"]
        if os.geteuid() == 0:
            for p in [work, *work.rglob("*")]:
                os.chown(p, 65534, 65534)
            cmd = ["/usr/bin/setpriv", "--reuid", "65534", "--regid", "65534",
                   "--clear-groups", "--", *cmd]
        env = {"PATH": str(student_venv / "bin"), "HOME": str(work), "LANG": "C.UTF-8"}
        r = subprocess.run(cmd, cwd=work / "ex02_gd", env=env, capture_output=True, text=True,
                           timeout=600)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
    doc = json.loads(r.stdout)
    assert doc["score"] == doc["max_score"] > 0 and doc["public_only"]
    sandbox = doc["run"]["sandbox"]
    assert sandbox.startswith("plain subprocess") and "keeper process" in sandbox, sandbox
    assert "rlimits" in sandbox and "seccomp" not in sandbox and "slot uid" not in sandbox
    # what the student sees: one warning line on stderr, saying what is missing
    assert "weak sandbox" in r.stderr and "as you, so it can read and change your files" \
        in r.stderr, r.stderr
