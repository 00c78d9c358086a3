"""The Gradescope bundle where bubblewrap cannot create namespaces, as in a Docker container
that forbids them: the unpacked zip's `run_autograder`, run as root under Docker's own refusals
(tests/docker_like.py: a seccomp filter against new namespaces, CAP_SYS_ADMIN dropped; the real
bwrap fails there exactly as it does in such a container), grades attack submissions that go
for results.json (tests/attacks/gradescope_*.py). None may raise its score above what its GD
alone earns (tests/attacks/gradescope_lazy_gd.py: 1/10).

The fake /autograder is a folder under /tmp (GRADESCOPE_ROOT), so that the grading uid can
reach it. Where the interpreter lives under a folder only root may enter (/root/.pyenv), an
outer bubblewrap mount namespace makes that one folder visible to all, as a container's
/usr/bin/python3 is; nothing else changes. Each run grades as a uid of its own, so "no process
of the uid is left" is this run's alone.
"""
from __future__ import annotations

import itertools
import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import jsonschema
import pytest

from conftest import EXERCISES, REPO, SOLUTIONS
from grader.cli import main
from grader.commands.apart import pids_of
from grader.classroom.exports.gradescope import RESULTS_SCHEMA

ATTACKS = Path(__file__).resolve().parent / "attacks"
DOCKER_LIKE = Path(__file__).resolve().parent / "docker_like.py"
_uids = itertools.count(63000 + os.getpid() % 450 * 2)   # test_attacks: 62xxx, test_uids: 64xxx

pytestmark = [
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux containers only"),
    pytest.mark.skipif(os.name != "posix" or os.geteuid() != 0,
                       reason="run_autograder runs as root in Gradescope's container"),
    pytest.mark.skipif(not shutil.which("bwrap"), reason="the real bwrap must be there to fail"),
]


def _closed_to_others(path: Path) -> Path | None:
    """The highest folder above `path` that others may not enter, if any."""
    for parent in reversed(path.parents):
        if str(parent) != "/" and not parent.stat().st_mode & stat.S_IXOTH:
            return parent
    return None


def _container() -> list[str]:
    """The command prefix that runs like Gradescope's container: Docker's refusals, and the
    interpreter readable by every uid."""
    prefix: list[str] = []
    base = Path(sys.base_prefix).resolve()
    closed = _closed_to_others(base / "bin")
    if closed is not None:
        prefix = ["bwrap", "--dev-bind", "/", "/", "--perms", "0755", "--tmpfs", str(closed)]
        for folder in reversed(base.parents):   # bwrap would copy the host's closed modes
            if folder.is_relative_to(closed) and folder != closed:
                prefix += ["--perms", "0755", "--dir", str(folder)]
        prefix += ["--ro-bind", str(base), str(base), "--"]
    if _closed_to_others(REPO / ".venv" / "bin") or _closed_to_others(REPO / "grader"):
        pytest.skip("the grader's checkout is not readable by other uids here")
    return prefix + [sys.executable, str(DOCKER_LIKE)]


@pytest.fixture(scope="module")
def zips(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("zips")
    out = {}
    for ex in ("ex02", "ex04"):
        out[ex] = folder / f"{ex}.zip"
        assert main(["--exercises", str(EXERCISES), "gradescope", ex, "--out",
                     str(out[ex])]) == 0
    return out


@pytest.fixture
def container(zips):
    """run(exercise, submission text, as_user=None, limit_s=600) -> (results.json, its text,
    the fake /autograder, the grading uid, run_autograder's output: the instructor's log)."""
    made: list[Path] = []

    def run(exercise: str, text: str, as_user: int | None = None, limit_s: float = 600):
        root = Path(tempfile.mkdtemp(prefix="gs-weak-", dir="/tmp"))
        made.append(root)
        root.chmod(0o755)
        with zipfile.ZipFile(zips[exercise]) as zf:
            zf.extractall(root / "source")
        (root / "submission").mkdir()
        (root / "submission" / f"{exercise}.py").write_text(text)
        (root / "results").mkdir()
        cmd = _container()
        if as_user is not None:
            os.chown(root / "results", as_user, as_user)
            cmd = [*cmd, "setpriv", f"--reuid={as_user}", f"--regid={as_user}",
                   "--clear-groups"]
        uid = next(_uids)
        env = {**os.environ, "PATH": f"{REPO / '.venv' / 'bin'}:{os.environ.get('PATH', '')}",
               "GRADESCOPE_ROOT": str(root), "GRADER_GRADING_UID": str(uid),
               "GRADER_GRADESCOPE_LIMIT_S": str(limit_s)}
        done = subprocess.run([*cmd, "bash", str(root / "source" / "run_autograder")], env=env,
                              cwd=root, capture_output=True, text=True, timeout=limit_s + 120)
        assert done.returncode == 0, done.stderr
        raw = (root / "results" / "results.json").read_text()
        doc = json.loads(raw)
        jsonschema.validate(doc, RESULTS_SCHEMA)
        return doc, raw, root, uid, done.stdout + done.stderr   # Gradescope's results/stdout

    yield run
    for root in made:
        shutil.rmtree(root, ignore_errors=True)


def _held_apart(doc: dict, root: Path, uid: int) -> None:
    """What every weak run must show: graded apart, said so, nothing of the uid left, the
    results folder still root's own."""
    sandbox = doc["extra_data"]["sandbox"]
    assert (sandbox["strong"], sandbox["graded"]) == (False, True)
    assert "cannot create namespaces" in sandbox["missing"][0]
    assert f"grading as uid {uid}, not root" in sandbox["layers"]
    assert any(layer.startswith("seccomp filter") for layer in sandbox["layers"])
    assert pids_of(uid) == []
    info = (root / "results").stat()
    assert (info.st_uid, stat.S_IMODE(info.st_mode)) == (0, 0o755)
    assert [p.name for p in (root / "results").iterdir()] == ["results.json"]


@pytest.mark.slow
def test_without_namespaces_the_reference_is_graded_apart_in_full(container):
    doc, _, root, uid, err = container("ex02", (SOLUTIONS / "ex02.py").read_text())
    assert doc["score"] == 10 and len(doc["tests"]) == 6, (doc["output"], err)
    assert all(t["score"] == t["max_score"] for t in doc["tests"])
    assert "weak sandbox" in err            # the instructor's log says so
    _held_apart(doc, root, uid)


# attack -> the score it must get: its GD's own (1). Killing or stopping its own grading is
# refused (the run's per-run seccomp filter), so those too are graded in full.
ATTACKED = {"gradescope_lazy_gd.py": 1.0, "gradescope_overwrite_results.py": 1.0,
            "gradescope_atexit_results.py": 1.0, "gradescope_daemon_writes_later.py": 1.0,
            "gradescope_results_folder.py": 1.0, "gradescope_grader_pipe.py": 1.0,
            "gradescope_interrupts_grader.py": 1.0,
            "gradescope_kill_ancestors.py": 1.0, "gradescope_stops_grader.py": 1.0}


@pytest.mark.slow
@pytest.mark.parametrize("attack", sorted(ATTACKED))
def test_without_namespaces_no_attack_on_results_json_raises_the_score(container, attack):
    doc, raw, root, uid, _ = container("ex02", (ATTACKS / attack).read_text())
    assert "FORGED" not in raw
    assert doc["score"] == ATTACKED[attack], doc["output"]
    _held_apart(doc, root, uid)
    for p in Path("/tmp").glob("forged-*.json"):   # gradescope_results_folder's, if any
        if p.stat().st_uid == uid:
            p.unlink()
    if ATTACKED[attack] == 0:
        assert doc["tests"] == [] and "stopped" in doc["output"]
    else:   # graded in full: public at once, hidden and the total once published
        assert len(doc["tests"]) == 6 and doc["visibility"] == "after_published"


@pytest.mark.slow
def test_a_grading_that_never_ends_ends_at_the_drivers_limit_with_0(container):
    """Root's driver has its own wall limit, for a grading that never ends (a submission can no
    longer stop its grader: here the limit is simply shorter than any grading): at it, every
    process of the uid is killed and the driver writes a 0 that says why."""
    doc, raw, root, uid, _ = container("ex02", (SOLUTIONS / "ex02.py").read_text(), limit_s=1)
    assert doc["score"] == 0 and doc["tests"] == []
    assert "took more than 1 s" in doc["output"]
    _held_apart(doc, root, uid)


@pytest.mark.slow
def test_without_namespaces_or_root_it_refuses_to_grade(container):
    """Not root (a container that runs run_autograder as a user): no uid to switch to, so no
    grade at all, and a score of 0 that says why."""
    doc, raw, root, uid, _ = container("ex02", (SOLUTIONS / "ex02.py").read_text(),
                                       as_user=65534)
    assert doc["score"] == 0 and doc["tests"] == []
    assert doc["output"].startswith("Not graded: the autograder cannot run your code safely")
    assert "not root" in doc["output"]
    sandbox = doc["extra_data"]["sandbox"]
    assert (sandbox["strong"], sandbox["graded"]) == (False, False)


def test_without_namespaces_an_exercise_with_test_labels_is_not_graded(container):
    """ex04 reads MNIST, test labels and all: the grading uid could read what the submission
    reads, so it is refused even as root."""
    doc, _, _, _, _ = container("ex04", "raise SystemExit('never run')\n")
    assert doc["score"] == 0 and doc["tests"] == []
    assert "data (mnist)" in doc["output"] and doc["output"].startswith("Not graded")
    assert doc["extra_data"]["sandbox"]["graded"] is False
