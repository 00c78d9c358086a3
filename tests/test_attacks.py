"""The adversarial suite: hostile submissions against the sandbox, one file per attack.

Each file in tests/attacks/ says in its header what it does and the verdict it must get. Every
test grades one of them through `grader.grading.pipeline.grade`, against copies of the exercises with
short limits, and asserts the verdict (0 points on what it cheats, a clear status) and that
nothing leaked: no process left, no file on the host, no secret in the output, the grader alive.

Most attacks run under the strong sandbox (bubblewrap); some also under the weak one
(`detect_layers(allow_bwrap=False)`), to hold it to what it claims. The runs use a slot uid of
their own, so "no process of the slot uid is left" means this run's, not a parallel grader's.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import resource
import shutil
import socket
import subprocess
import sys
import threading
import time
import uuid
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest

from conftest import MODES, REPO, STRONG, WEAK, copy_exercise, strong_only
from grader.core.settings import current
from grader import cli
from grader.grading.pipeline import GradeOptions, grade
from grader.rendering.report import render_html
from grader.core.result import ERROR, FAILED, GRADED, LOAD_ERROR, Result
from grader.sandbox import isolation
from grader.sandbox.isolation import is_root, weak_warning
from grader.sandbox.limits import limits_for
from grader.sandbox.session import Session, SessionConfig, StudentFault
from grader.core.spec import Exercise
from bounds import within

ATTACKS = Path(__file__).resolve().parent / "attacks"
MARGIN_S = 10.0   # around the sandbox: pytest, killing, cleaning up, on a busy 2-core machine

# ---- fixtures --------------------------------------------------------------------------------

@pytest.fixture(scope="module", autouse=True)
def slot_uid():
    """A slot uid for this module alone (as root): parallel graders use 61000 and up."""
    uid = 62000 + os.getpid() % 1000
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(isolation, "SLOT_UID", uid)
        yield isolation.slot_uid(0) if is_root() else None  # leased: uid, or the next free


@pytest.fixture(scope="module")
def ex02(tmp_path_factory) -> Exercise:
    """ex02 with torch, 4 s per call. The whole run keeps 30 s: a crash means a restart, and
    importing torch takes seconds on a busy machine."""
    return copy_exercise(tmp_path_factory.mktemp("torch"), "ex02_gd", time_limit_s=30,
                 call_time_limit_s=4, memory_mb=2048)


@pytest.fixture(scope="module")
def ex02_fast(tmp_path_factory) -> Exercise:
    """ex02 with torch forbidden, so the sandbox starts in a fraction of a second: for the
    attacks that end while the file is imported. 8 s of CPU for the whole run (memory_hog.py
    fills its 1 GB in well under one; a busy machine no longer counts, as when the limit was in
    wall time and 4 s read as a timeout), 1 GB of memory."""
    return copy_exercise(tmp_path_factory.mktemp("fast"), "ex02_gd", time_limit_s=8,
                 call_time_limit_s=2, memory_mb=1024, forbidden_imports=["torch"])


@pytest.fixture(scope="module")
def ex01(tmp_path_factory) -> Exercise:
    return copy_exercise(tmp_path_factory.mktemp("ex01"), "ex01_backward", time_limit_s=10,
                 call_time_limit_s=4)


def _attack(name: str, tmp_path: Path | None = None, **replace: str) -> Path:
    """tests/attacks/NAME, or a copy in tmp_path with `KEY = ...` lines set from `replace`."""
    path = ATTACKS / name
    if not replace:
        return path
    text = path.read_text(encoding="utf-8")
    for key, value in replace.items():
        line = next(s for s in text.splitlines() if s.startswith(f"{key} = "))
        text = text.replace(line, f"{key} = {value!r}", 1)
    copy = tmp_path / name
    copy.write_text(text, encoding="utf-8")
    return copy


def _grade(ex: Exercise, path: Path, layers, hidden: bool = False) -> tuple[Result, float]:
    started = time.monotonic()
    r = grade(ex, path, GradeOptions(hidden=hidden, layers=layers))
    wall = time.monotonic() - started
    assert r.score == sum(c.points for c in r.checks)
    assert json.loads(r.to_json())["score"] == r.score
    return r, wall


# ---- what is left behind -----------------------------------------------------------------------

def _processes(uid: int | None = None, marker: str | None = None) -> list[str]:
    """Live (not zombie) processes of `uid`, or whose command line contains `marker`."""
    out = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            status = Path(f"/proc/{pid}/status").read_text()
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        if fields.get("State", "").strip().startswith("Z") or _is_zygote(fields, cmd):
            continue
        if (uid is not None and int(fields["Uid"].split()[0]) == uid) or \
                (marker and marker in cmd):
            out.append(f"{pid}: {cmd[:120]}")
    return out


def _is_zygote(fields: dict[str, str], cmd: str) -> bool:
    """The warm zygote itself: it outlives runs by design, and is process 2 of its namespace
    (process 1 is bwrap). What a run forks from it carries the same command line, so the
    namespace pid tells them apart: a daemon left behind is not process 2."""
    return '"zygote": true' in cmd and fields.get("NSpid", "").split()[-1:] == ["2"]


def _assert_nothing_left(uid: int | None, marker: str | None = None, wait_s: float = 3.0):
    """No process of the run's slot uid (or with `marker`), and no child of ours, remains.
    The kernel may need a moment to empty a pid namespace once its init is gone."""
    end = time.monotonic() + wait_s
    while True:
        left = _processes(uid, marker) + [f"child {c}" for c in _our_children()]
        if not left or time.monotonic() > end:
            break
        time.sleep(0.1)
    assert not left, f"left running after grading: {left}"


def _our_children() -> list[int]:
    me, out = os.getpid(), []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            stat = Path(f"/proc/{pid}/stat").read_bytes().rpartition(b")")[2].split()
        except OSError:
            continue
        if int(stat[1]) == me and stat[0] != b"Z" and not _is_zygote_sandbox(pid):
            out.append(int(pid))
    return out


def _is_zygote_sandbox(pid: str) -> bool:
    """The bwrap that holds the warm zygote (checked above, by what runs inside it)."""
    try:
        return b'"zygote": true' in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def _uid_for(layers) -> int | None:
    return isolation.slot_uid(0) if layers.strong else None


# ---- honest submissions still pass -----------------------------------------------------------

@pytest.mark.parametrize("layers", MODES)
def test_honest_submission_gets_full_marks(ex02, layers):
    r, _ = _grade(ex02, _attack("honest_gd.py"), layers, hidden=True)
    assert r.status == GRADED and r.full_marks, [(c.name, c.message) for c in r.checks]
    assert "child says 42" in r.output
    assert r.run.sandbox == layers.describe()
    _assert_nothing_left(_uid_for(layers))


@strong_only
@pytest.mark.slow
def test_mnist_sized_data_is_readable_and_arrays_cross_the_boundary(tmp_path):
    images = np.random.default_rng(0).integers(0, 256, (60000, 784), dtype=np.uint8)
    data = tmp_path / "train-images"
    images.tofile(data)
    source = ("import numpy as np\nimport torch\n\n"
              "def stats(path):\n"
              "    a = np.fromfile(path, dtype=np.uint8).reshape(-1, 784)\n"
              "    return {'shape': list(a.shape), 'sum': int(a.sum())}\n\n"
              "def first(path, n):\n"
              "    a = np.fromfile(path, dtype=np.uint8)[: n * 784].reshape(n, 784)\n"
              "    return torch.from_numpy(a.astype(np.float32) / 255)\n")
    cfg = SessionConfig(exercise="ex02", module="ex02", source=source, limits=limits_for(120, 60,
                        3072), layers=STRONG,
                        data_files=(("train-images", str(data)),), reply_bytes=64 << 20)
    with Session(cfg) as s:
        assert s.call("stats", "/data/train-images") == {"shape": [60000, 784],
                                                         "sum": int(images.sum(dtype=np.int64))}
        got = s.call("first", "/data/train-images", 10000)
    assert got.shape == (10000, 784) and got.dtype == np.float32
    assert np.array_equal(got, images[:10000].astype(np.float32) / 255)


def test_cuda_is_visible_only_when_asked():
    torch = pytest.importorskip("torch")
    if not torch.cuda.is_available():
        pytest.skip("no CUDA device on this machine")
    source = "import torch\n\ndef cuda():\n    return torch.cuda.is_available()\n"
    seen = {}
    for device in ("cpu", "cuda"):
        cfg = SessionConfig(exercise="ex02", module="ex02", source=source, limits=limits_for(120,
                            60, 1 << 20),
                            layers=STRONG, device=device)
        with Session(cfg) as s:
            seen[device] = s.call("cuda")
    assert seen == {"cpu": False, "cuda": True}


# ---- attacks that end while the file is imported ---------------------------------------------

IMPORT_ATTACKS = {  # file: words the load error must contain
    "infinite_loop.py": ["did not finish within the time limit"],
    "ignores_sigterm.py": ["did not finish within the time limit"],
    "memory_hog.py": ["ran out of memory", "1024 MB"],
    "os_exit_at_import.py": ["exited with code 0", "before any check could run"],
    "sys_exit_at_import.py": ["sys.exit()", "__main__"],
    "segfault_ctypes.py": ["crashed (segmentation fault)"],
    "huge_file.py": ["File too large"],
    "kill_process_group.py": ["was killed while being imported"],
}


@pytest.mark.parametrize("layers", MODES)
@pytest.mark.parametrize("name", sorted(IMPORT_ATTACKS))
@pytest.mark.slow
def test_import_time_attack_is_a_clear_load_error(ex02_fast, name, layers):
    r, wall = _grade(ex02_fast, _attack(name), layers)
    assert r.status == LOAD_ERROR, (r.status, r.message)
    for words in IMPORT_ATTACKS[name]:
        assert words in r.message, r.message
    assert r.score == 0 and all(c.status == FAILED for c in r.checks)
    assert wall < within(ex02_fast.time_limit_s + MARGIN_S), f"graded in {wall:.1f} s"
    _assert_nothing_left(_uid_for(layers))


@strong_only
@pytest.mark.skipif(not is_root(), reason="RLIMIT_NPROC per slot uid needs root")
@pytest.mark.slow
def test_fork_bomb_is_bounded_and_cleaned_up(tmp_path, slot_uid):
    # Its processes mostly wait for a fork to succeed: a trickle of CPU that only the wall-clock
    # ceiling over the time limit stops. A limit of 5 s keeps that ceiling at 15 s.
    ex02_fast = copy_exercise(tmp_path, "ex02_gd", time_limit_s=5, call_time_limit_s=2,
                              memory_mb=1024, forbidden_imports=["torch"])
    counts, done = [], threading.Event()

    def sample():
        while not done.is_set():
            counts.append(isolation.count_tasks(slot_uid))
            time.sleep(0.02)
    sampler = threading.Thread(target=sample)
    sampler.start()
    try:
        r, wall = _grade(ex02_fast, _attack("fork_bomb.py"), STRONG)
    finally:
        done.set()
        sampler.join()
    assert r.status == LOAD_ERROR and "time limit" in r.message and r.score == 0
    assert max(counts) > 10, "the bomb never went off"
    zygote = isolation.count_tasks(slot_uid)  # all that is left: the warm zygote's own tasks
    assert max(counts) <= limits_for(1, 1, 1).nproc + zygote, f"{max(counts)} processes at the peak"
    assert r.run.limit_hit == "wall"
    assert wall < within(ex02_fast.time_limit_s * current().wall_factor + MARGIN_S)
    _assert_nothing_left(slot_uid)


@strong_only
def test_filling_the_disk_stops_at_the_private_scratch_size(ex02_fast, slot_uid):
    before = shutil.disk_usage("/tmp").used
    r, _ = _grade(ex02_fast, _attack("disk_fill.py"), STRONG)
    assert r.status == LOAD_ERROR and "attack finished" in r.message
    filled = [line.split() for line in r.output.splitlines() if line.startswith("FILLED")]
    assert len(filled) == 5, r.output
    limit = limits_for(1, 1, 1).scratch_mb
    assert all(int(words[2]) <= limit for words in filled), filled
    assert not any("never stopped" in line for line in r.output.splitlines())
    assert not list(Path("/tmp").glob("fill-*.bin")) and not list(Path("/var/tmp").glob("fill-*"))
    assert shutil.disk_usage("/tmp").used - before < 64 << 20  # nothing of it on the host disk
    _assert_nothing_left(slot_uid)


@pytest.mark.parametrize("layers", MODES)
def test_daemon_left_behind_is_killed(ex02_fast, layers, tmp_path):
    marker = f"grader-attack-daemon-{uuid.uuid4().hex[:8]}"
    path = tmp_path / "daemon.py"
    path.write_text(_attack("daemon.py").read_text().replace('"grader-attack-daemon"',
                                                               repr(marker)))
    r, _ = _grade(ex02_fast, path, layers)
    assert r.status == LOAD_ERROR and "attack finished" in r.message, r.message
    assert "daemon started" in r.output
    _assert_nothing_left(_uid_for(layers), marker)


@pytest.mark.parametrize("layers", MODES)
def test_no_secret_from_the_grader_environment(ex02_fast, layers, monkeypatch):
    secret = f"s3cr3t-{uuid.uuid4().hex}"
    monkeypatch.setenv("GRADER_ATTACK_SECRET", secret)
    r, _ = _grade(ex02_fast, _attack("env_secrets.py"), layers)
    assert r.status == LOAD_ERROR and "attack finished" in r.message, r.message
    own_env = next(line for line in r.output.splitlines() if line.startswith("ENV "))
    assert secret not in own_env and "GRADER_ATTACK_SECRET" not in own_env
    assert "HOME" in own_env
    if layers.strong:  # the weak mode can read the grader's /proc/PID/environ: it says so
        assert secret not in r.output
        assert "GRADER_ATTACK_SECRET" not in r.output


@strong_only
def test_no_connection_to_the_host_loopback_or_outside(ex02_fast, tmp_path):
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.settimeout(0.2)
    got: list[bytes] = []
    done = threading.Event()

    def accept():
        while not done.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            got.append(conn.recv(100) or b"(connected)")
            conn.close()
    t = threading.Thread(target=accept)
    t.start()
    try:
        path = _attack("network_loopback.py", tmp_path, PORT=server.getsockname()[1])
        r, _ = _grade(ex02_fast, path, STRONG)
    finally:
        done.set()
        t.join()
        server.close()
    assert r.status == LOAD_ERROR and "attack finished" in r.message, r.message
    assert got == [], f"the server got {got}"
    assert "CONNECTED" not in r.output, r.output
    assert r.output.count("no connection") == 3


@strong_only
def test_nothing_written_outside_the_sandbox(ex02_fast):
    name = "grader-attack-planted"
    planted = isolation.SANDBOX_DIR / name
    r, _ = _grade(ex02_fast, _attack("writes_everywhere.py"), STRONG)
    assert r.status == LOAD_ERROR and "attack finished" in r.message, r.message
    wrote = {line.split(" ", 1)[1] for line in r.output.splitlines() if line.startswith("WROTE")}
    # its own private tmpfs only (a run forked by the warm zygote works in /work/runN)
    assert {re.sub(r"^/work/run\d+$", "/work", w) for w in wrote} <= {"/work", "/tmp",
                                                                       "/dev/shm"}, wrote
    host = {Path.home(), Path("/tmp"), Path("/var/tmp"), Path("/dev/shm"), Path("/"),
            Path("/root"), Path("/etc"), Path(sys.prefix), Path(sys.base_prefix), REPO,
            REPO / "grader", isolation.SANDBOX_DIR, ex02_fast.folder, Path.cwd()}
    host |= {Path(p) for p in isolation.python_paths()}
    found = [str(d / name) for d in host if (d / name).exists()] + \
        [str(p) for p in Path("/tmp").glob(f"grade-*/{name}")]
    assert not found and not planted.exists(), found


def test_forbidden_torch_under_another_name_fails(ex01):
    for layers in ([STRONG] if STRONG.strong else []) + [WEAK]:
        r, _ = _grade(ex01, _attack("torch_under_another_name.py"), layers)
        assert r.status == LOAD_ERROR and r.score == 0, r.message
        assert "torch" in r.message, r.message
        if layers.strong:  # without namespaces only the import guard stands: it can be removed
            assert "GOT TORCH" not in r.output, r.output


@pytest.mark.parametrize("layers", MODES)
def test_html_in_output_is_escaped_in_the_report(ex02_fast, layers):
    r, _ = _grade(ex02_fast, _attack("html_in_output.py"), layers)
    assert r.status == LOAD_ERROR and "ValueError" in r.message
    assert "<script>alert('output')</script>" in r.output  # kept as the submission's text
    page = render_html(r)
    assert "<script" not in page.lower()
    assert "&lt;script&gt;alert(" in page
    tags = _Tags()
    tags.feed(page)
    assert tags.script == 0 and not tags.handlers, tags.handlers


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.script, self.handlers = 0, []

    def handle_starttag(self, tag, attrs):
        self.script += tag == "script"
        self.handlers += [(tag, k) for k, _ in attrs if k.lower().startswith("on")]


# ---- attacks on the checks and the channel ----------------------------------------------------

@pytest.mark.slow
def test_200_mb_of_output_is_capped_and_still_graded(ex02):
    before_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    r, wall = _grade(ex02, _attack("output_200mb.py"), STRONG if STRONG.strong else WEAK)
    grew_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before_kb) / 1024
    assert r.status == GRADED and r.full_marks, [c.message for c in r.checks]
    assert r.output_truncated and len(r.output.encode()) <= 70_000
    assert "more bytes of output not kept" in r.output
    assert grew_mb < 40, f"the grader's memory grew by {grew_mb:.0f} MB"
    assert wall < within(ex02.time_limit_s + MARGIN_S)


@strong_only
@pytest.mark.slow
def test_fake_results_on_every_fd_score_nothing(ex02, slot_uid):
    r, _ = _grade(ex02, _attack("fake_results_every_fd.py"), STRONG)
    assert r.score == 0 and not r.full_marks
    assert all(c.status in (FAILED, ERROR) for c in r.checks)
    assert "6 passed" in r.output and "10/10 full marks" in r.output
    _assert_nothing_left(slot_uid)


@pytest.mark.parametrize("layers", MODES)
@pytest.mark.slow
def test_forged_protocol_frames_are_rejected(ex02, layers):
    r, _ = _grade(ex02, _attack("forged_frames.py"), layers)
    assert "FORGED frames" in r.output
    assert r.score == 0, [(c.name, c.status, c.message) for c in r.checks]
    said = " ".join(c.message for c in r.checks) + r.message
    assert "not the answer to the grader's request" in said, said


@strong_only
def test_monkeypatched_comparisons_change_nothing(ex02):
    r, _ = _grade(ex02, _attack("monkeypatch_comparisons.py"), STRONG, hidden=True)
    assert r.status == LOAD_ERROR, r.message
    assert "replaced builtins.abs" in r.message and "cannot trust this run" in r.message
    assert r.score == 0 and all(c.status == FAILED for c in r.checks), \
        [(c.name, c.status, c.message) for c in r.checks]


@strong_only
def test_hidden_checks_and_solutions_are_not_in_the_sandbox(ex02):
    r, _ = _grade(ex02, _attack("reads_hidden_checks.py"), STRONG, hidden=True)
    assert r.status == GRADED, r.message
    assert "LEAKED" not in r.output, r.output
    assert "import grader failed" in r.output
    assert r.score == 0


@strong_only
def test_objects_that_unpickle_to_code_are_rejected_as_data(ex02, tmp_path):
    marker = Path("/tmp/grader-attack-unpickled")
    marker.unlink(missing_ok=True)
    r, _ = _grade(ex02, _attack("unpickle_gadget.py"), STRONG)
    assert r.status == GRADED and r.score == 0
    assert all(c.status == FAILED for c in r.checks)
    first = r.checks[0].message  # GD left builtins.float replaced: the guard names it
    assert "replaced builtins.float" in first or "Gadget cannot be sent back" in first, first
    cfg = SessionConfig(exercise="ex02", module="ex02", layers=STRONG,
                        source=_attack("unpickle_gadget.py").read_text(),
                        limits=limits_for(60, 30, 2048))
    with Session(cfg) as s:
        with pytest.raises(StudentFault, match="Gadget cannot be sent back") as e:
            s.call("make_gadget")
        assert e.value.kind == "bad_value"
    assert not marker.exists()


@pytest.mark.parametrize("layers", MODES)
@pytest.mark.slow
def test_planted_conftest_sitecustomize_pth_and_shadows_never_run(ex02, layers):
    r, _ = _grade(ex02, _attack("planted_files.py"), layers)
    assert "PLANTED-RAN" not in r.output, r.output
    assert r.score == 0 and all(c.status == ERROR for c in r.checks)
    assert all("exited with code 3" in c.message for c in r.checks), [c.message for c in r.checks]
    assert r.run.starts == 2  # the second check ran in a fresh sandbox, next to the planted files


@pytest.mark.parametrize("layers", MODES)
@pytest.mark.slow
def test_symlinks_in_the_scratch_folder_have_no_effect_on_the_host(ex02, layers, tmp_path):
    canary = tmp_path / "canary.txt"
    canary.write_text("untouched")
    shadow = _fingerprint(Path("/etc/shadow"))
    repo = _fingerprint(REPO / "grader" / "sandbox" / "child.py")
    r, _ = _grade(ex02, _attack("symlinks.py", tmp_path, CANARY=str(canary)), layers)
    assert r.score == 0 and r.run.starts == 2
    assert canary.read_text() == "untouched"
    assert _fingerprint(Path("/etc/shadow")) == shadow
    assert _fingerprint(REPO / "grader" / "sandbox" / "child.py") == repo
    if not layers.strong:  # its scratch folder is on the host: the link was really planted
        assert "REPLACED ex02.py" in r.output


def _fingerprint(path: Path):
    if not path.exists():
        return None
    st = path.lstat()
    return st.st_mode, st.st_uid, st.st_size, st.st_mtime_ns, hashlib.sha256(
        path.read_bytes() if os.access(path, os.R_OK) else b"").hexdigest()


# ---- attacks on the grader's process: graded from a separate grader process ------------------

GRADE_SCRIPT = r"""
import json, sys
from pathlib import Path
from grader.sandbox import isolation
from grader.grading.pipeline import GradeOptions, grade
from grader.core.spec import load_exercise
folder, uid, strong, *files = sys.argv[1:]
isolation.SLOT_UID = int(uid)
layers = isolation.detect_layers(allow_bwrap=strong == "1")
ex = load_exercise(Path(folder))
for f in files:
    r = grade(ex, Path(f), GradeOptions(hidden=False, layers=layers))
    print(json.dumps({"file": Path(f).name, "status": r.status, "score": r.score,
                      "full": r.full_marks, "message": r.message, "output": r.output[-3000:],
                      "checks": [c.message for c in r.checks]}), flush=True)
"""


@pytest.mark.parametrize("layers", MODES)
@pytest.mark.slow
def test_killing_or_stopping_the_parent_leaves_the_grader_running(ex02, layers):
    """If the attack reached the grader, this grader process would die or hang, not pytest's."""
    files = [_attack("kill_parent.py"), _attack("stop_parent.py")]
    uid = isolation.SLOT_UID
    env = dict(os.environ, PYTHONPATH=str(REPO))
    proc = subprocess.run([sys.executable, "-c", GRADE_SCRIPT, str(ex02.folder), str(uid),
                           "1" if layers.strong else "0", *map(str, files)],
                          capture_output=True, text=True, timeout=240, cwd=REPO, env=env)
    assert proc.returncode == 0, f"the grader died ({proc.returncode}): {proc.stderr[-2000:]}"
    results = {d["file"]: d for d in map(json.loads, proc.stdout.splitlines())}
    assert set(results) == {"kill_parent.py", "stop_parent.py"}
    killer, stopper = results["kill_parent.py"], results["stop_parent.py"]
    # A stopped parent (the keeper, or the warm zygote) stops nothing that counts.
    assert stopper["status"] == GRADED and stopper["full"], stopper
    # Strong or weak, the kill is refused (the run's per-run seccomp filter: it may signal only
    # its own descendants), and its correct GD is graded in full.
    assert killer["status"] == GRADED and killer["full"], killer
    _assert_nothing_left(_uid_for(layers))


# ---- the weak mode says so ------------------------------------------------------------------

@pytest.mark.slow
def test_weak_mode_grades_and_warns_once_on_stderr(ex02, monkeypatch, capsys, tmp_path):
    assert weak_warning(WEAK) and (weak_warning(STRONG) is None) == STRONG.strong
    monkeypatch.setattr(isolation, "detect_layers", lambda allow_bwrap=True: WEAK)
    code = cli.main(["--exercises", str(ex02.folder.parent), "ex02",
                     str(REPO / "solutions" / "ex02.py"), "--public-only", "--no-report",
                     "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert json.loads(out)["score"] == json.loads(out)["max_score"]
    assert err.count("weak sandbox") == 1, err
    assert "weak isolation" in json.loads(out)["run"]["sandbox"]


def test_doctor_names_every_layer_and_why(capsys):
    assert cli.main(["doctor"]) == 0
    out = capsys.readouterr().out
    for layer in ("bubblewrap namespaces", "unprivileged uid", "resource limits",
                  "process group", "cgroups"):
        assert layer in out, out
    assert ("[on ] bubblewrap" in out) == STRONG.strong
