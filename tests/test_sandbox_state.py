"""Round two of the adversarial suite: what outlives a run, what escapes the limits, what hangs
the grader, and what comes back that the grader must not decode blindly.

Each attack file in tests/attacks/ says in its header what it does and the verdict it must get;
these tests hold the strong sandbox to it (the weak one makes no such promise: `grade doctor`).
"""
from __future__ import annotations

import json
import os
import re
import resource
import time
import uuid
from pathlib import Path

import pytest

from conftest import REPO, STRONG, WEAK, copy_exercise, strong_only
from grader.grading.pipeline import GradeOptions, grade
from grader.rendering.report import render_html
from grader.core.result import GRADED, LOAD_ERROR, Result
from grader.sandbox import cgroups, isolation, seccomp
from grader.sandbox.isolation import is_root
from grader.sandbox.limits import limits_for
from grader.sandbox.runs import group_memory_mb
from grader.sandbox.session import Session, SessionConfig, StudentFault
from grader.core.spec import Exercise
from bounds import within

ATTACKS = Path(__file__).resolve().parent / "attacks"
MARGIN_S = 15.0   # around the sandbox: pytest, killing, cleaning up, on a busy 2-core machine

pytestmark = [strong_only, pytest.mark.slow]  # the slow tier: runs that hang or flood


@pytest.fixture(scope="module", autouse=True)
def own_uids():
    """Slot uids of this module's own range (leased: another grader never shares one)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(isolation, "SLOT_UID", 63000)
        yield


@pytest.fixture(scope="module")
def ex02(tmp_path_factory) -> Exercise:
    return copy_exercise(tmp_path_factory.mktemp("torch"), "ex02_gd", time_limit_s=30,
                         call_time_limit_s=4, memory_mb=2048)


@pytest.fixture(scope="module")
def ex02_fast(tmp_path_factory) -> Exercise:
    """torch forbidden: the sandbox starts in a fraction of a second, for import-time attacks."""
    return copy_exercise(tmp_path_factory.mktemp("fast"), "ex02_gd", time_limit_s=8,
                         call_time_limit_s=4, memory_mb=1024, forbidden_imports=["torch"])


def _grade(ex: Exercise, path: Path, hidden: bool = False, slot: int = 0) -> tuple[Result, float]:
    started = time.monotonic()
    r = grade(ex, path, GradeOptions(hidden=hidden, layers=STRONG, slot=slot))
    wall = time.monotonic() - started
    assert r.score == sum(c.points for c in r.checks)
    json.loads(r.to_json())  # always serialisable, whatever the child said
    return r, wall


def _finished(r: Result) -> None:
    assert r.status == LOAD_ERROR and "attack finished" in r.message, (r.status, r.message)


def _lines(r: Result, word: str) -> list[str]:
    return [line for line in r.output.splitlines() if line.startswith(word)]


# ---- 1. nothing of one student in the memory of the next ------------------------------------

def test_a_planted_secret_is_not_in_later_runs_on_the_same_slot(ex02_fast, tmp_path):
    """A batch of three on one warm slot: the planter, an honest student, then a look at all
    the zygote's memory (which every later run starts as a copy of), from outside, as root."""
    secret = uuid.uuid4().hex[:16]
    planter = tmp_path / "planter.py"
    planter.write_text((ATTACKS / "plants_secret.py").read_text().replace(
        "PLANTEDSECRET-0000000000000000", f"PLANTEDSECRET-{secret}"))
    r, _ = _grade(ex02_fast, planter)
    assert secret in r.output  # it ran, and printed it
    _grade(ex02_fast, REPO / "tests" / "attacks" / "honest_gd.py")
    memory = _zygote_memory()
    assert len(memory) > 10 << 20, "the scan read too little to mean anything"
    assert secret.encode() not in memory
    assert b"def GD(params, loss_fn" not in memory  # no submission's source at all


def test_a_submission_scanning_its_own_memory_is_stopped(ex02_fast):
    """What a later run would do to find an earlier one's bytes: the guard ends it."""
    r, _ = _grade(ex02_fast, ATTACKS / "scans_memory.py")
    assert r.status == LOAD_ERROR and "raw memory through ctypes" in r.message, r.message
    assert "FOUND" not in r.output


def _zygote_memory() -> bytes:
    """Every readable byte of this process's warm zygote for slot 0 (root reads any process's
    /proc/PID/mem)."""
    from grader.sandbox import zygote
    if not is_root():
        pytest.skip("reading another uid's process memory needs root")
    bwrap = zygote.of_slot(0).proc.pid
    pids = _descendants(bwrap)
    python = [p for p in pids if b"python" in Path(f"/proc/{p}/cmdline").read_bytes()
              .split(b"\0")[0]]
    assert python, pids
    out = bytearray()
    with open(f"/proc/{python[0]}/maps") as maps, open(f"/proc/{python[0]}/mem", "rb", 0) as mem:
        for line in maps:
            fields = line.split()
            if "r" not in fields[1] or (len(fields) > 5 and fields[5].startswith("[v")):
                continue
            lo, hi = (int(x, 16) for x in fields[0].split("-"))
            try:
                mem.seek(lo)
                out += mem.read(hi - lo)
            except (OSError, ValueError, OverflowError):
                continue
    return bytes(out)


def _descendants(pid: int) -> list[int]:
    kids = {}
    for p in filter(str.isdigit, os.listdir("/proc")):
        try:
            ppid = int(Path(f"/proc/{p}/stat").read_bytes().rpartition(b")")[2].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        kids.setdefault(ppid, []).append(int(p))
    out, todo = [], [pid]
    while todo:
        for k in kids.get(todo.pop(), []):
            out.append(k)
            todo.append(k)
    return out


# ---- 2. state that outlives a run: IPC, keyrings, namespaces, files ---------------------------

REFUSED = {  # attack file: the lines that must each say "refused"
    "sysv_shm.py": ["SHMGET 0", "SHMGET 99357415"],
    "sysv_sem_msg.py": ["SEMGET", "MSGGET"],
    "posix_mqueue.py": ["MQ_OPEN"],
    "keyring_plant.py": ["ADD_KEY -4", "ADD_KEY -3", "ADD_KEY -2"],
    "keyring_read.py": ["REQUEST_KEY", "KEYCTL"],
    "user_namespace.py": ["UNSHARE", "CLONE_NEWUSER", "SETNS"],
    "kernel_surfaces.py": ["IO_URING_SETUP", "BPF", "PERF_EVENT_OPEN", "USERFAULTFD", "PTRACE",
                           "PROCESS_VM_READV"],
    "mounts_and_modules.py": ["MOUNT_REMOUNT", "MOUNT_TMPFS", "CHROOT", "DELETE_MODULE"],
}


@pytest.mark.skipif(not seccomp.supported(), reason="no seccomp filter for this machine")
@pytest.mark.parametrize("name", sorted(REFUSED))
def test_needless_kernel_interfaces_are_refused(ex02_fast, name):
    r, _ = _grade(ex02_fast, ATTACKS / name)
    _finished(r)
    for word in REFUSED[name]:
        said = [line for line in r.output.splitlines() if line.startswith(word + " ")]
        assert said and all("refused" in line for line in said), (word, r.output)
    if name == "sysv_shm.py":
        assert "LISTED 0" in r.output, r.output


def test_a_key_planted_in_one_grader_is_not_read_by_another(ex02_fast, tmp_path):
    """Keyrings are per uid: two grader processes one after the other, same slot number."""
    import subprocess
    import sys
    script = ("import sys; from pathlib import Path; from grader.sandbox import isolation\n"
              "isolation.SLOT_UID = 63000\n"
              "from grader.grading.pipeline import grade, GradeOptions; "
              "from grader.core.spec import load_exercise\n"
              "r = grade(load_exercise(Path(sys.argv[1])), Path(sys.argv[2]), "
              "GradeOptions(hidden=False))\nprint(r.output)\n")
    outs = [subprocess.run([sys.executable, "-c", script, str(ex02_fast.folder),
                            str(ATTACKS / name)], capture_output=True, text=True, timeout=120,
                           cwd=REPO).stdout for name in ("keyring_plant.py", "keyring_read.py")]
    assert "ADD_KEY -4 refused" in outs[0], outs[0]
    assert "REQUEST_KEY refused" in outs[1] and "FOUND" not in outs[1], outs[1]


def test_files_in_dev_shm_and_tmp_do_not_reach_the_next_run(ex02_fast):
    r, _ = _grade(ex02_fast, ATTACKS / "dev_shm_plant.py")
    _finished(r)
    assert len(_lines(r, "PLANTED")) >= 2, r.output
    r, _ = _grade(ex02_fast, ATTACKS / "dev_shm_look.py")
    _finished(r)
    assert "LOOKED" in r.output and "FOUND" not in r.output, r.output


@pytest.mark.skipif(not is_root(), reason="uids are leased as root")
def test_two_graders_never_share_a_slot_uid():
    import subprocess
    import sys
    script = ("from grader.sandbox import isolation; isolation.SLOT_UID = 63500\n"
              "import sys, time; print(isolation.slot_uid(0), flush=True); "
              "sys.stdin.readline()\n")
    procs = [subprocess.Popen([sys.executable, "-c", script], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True, cwd=REPO) for _ in range(3)]
    try:
        seen = [int(p.stdout.readline()) for p in procs]
    finally:
        for p in procs:
            p.communicate("\n", timeout=30)
    assert sorted(seen) == [63500, 63501, 63502], seen


# ---- 3. memory outside the address-space limit -----------------------------------------------

needs_cgroup = pytest.mark.skipif(cgroups.for_slot(0) is None,
                                  reason=f"no cgroup here: {cgroups.why_not()}")


@needs_cgroup
def test_memory_in_memfd_files_counts_against_the_limit(ex02_fast):
    r, wall = _grade(ex02_fast, ATTACKS / "memfd_hog.py")
    assert r.status == LOAD_ERROR and "ran out of memory" in r.message, (r.message, r.output)
    held = [int(line.split()[1]) for line in _lines(r, "HELD")]
    ceiling = group_memory_mb(limits_for(1, 1, ex02_fast.memory_mb)) + 64
    assert held and max(held) <= ceiling, held
    assert ex02_fast.memory_mb / 2 <= r.run.peak_mem_mb <= ceiling, r.run.peak_mem_mb
    assert wall < within(ex02_fast.time_limit_s + MARGIN_S)


@needs_cgroup
def test_a_tmpfs_filled_past_the_limit_is_stopped(ex02_fast):
    r, _ = _grade(ex02_fast, ATTACKS / "tmpfs_hog.py")
    assert r.status == LOAD_ERROR and "attack finished" not in r.message, r.message
    wrote = [int(line.split()[1]) for line in _lines(r, "WROTE")]
    assert not wrote or max(wrote) <= group_memory_mb(limits_for(1, 1, ex02_fast.memory_mb)) + 64, \
        wrote
    assert not Path("/dev/shm/grader-attack-fill").exists()


@needs_cgroup
def test_threads_are_bounded_by_the_task_limit(ex02_fast):
    r, _ = _grade(ex02_fast, ATTACKS / "thread_bomb.py")
    _finished(r)
    started = int(_lines(r, "THREADS")[0].split()[1])
    assert 0 < started < 200, r.output


# ---- 4. the grader never hangs -----------------------------------------------------------------

@pytest.mark.parametrize("warm", [True, False], ids=["forked", "cold"])
def test_a_full_request_pipe_cannot_hold_the_grader(warm):
    """A cold run can reopen its request pipe for writing and fill it (a forked one cannot:
    it is not dumpable); either way the grader's next write gives up at the call's limit."""
    cfg = SessionConfig(exercise="ex02", module="ex02", layers=STRONG,
                        source=(ATTACKS / "fills_request_pipe.py").read_text(), warm=warm,
                        limits=limits_for(60, 3, 2048))
    with Session(cfg) as s:
        assert s.call("GD", [], None) is None
        time.sleep(1.0)  # it has stopped itself by now
        started = time.monotonic()
        with pytest.raises(StudentFault, match="did not finish"):
            s.call("GD", [0.0] * 50_000, None)  # a request larger than a page
        assert time.monotonic() - started < within(3 + MARGIN_S)  # idle for the call's 3 s: stopped
        assert s.usage.limit_hit == "idle"


@pytest.mark.parametrize("name", ["stops_itself.py"])
def test_a_run_that_stops_answering_cannot_hold_the_grader(ex02, name):
    r, wall = _grade(ex02, ATTACKS / name, hidden=True)
    assert r.status == GRADED and r.score == 0, [(c.name, c.message) for c in r.checks]
    assert any("did not finish" in c.message for c in r.checks), [c.message for c in r.checks]
    assert wall < within(ex02.time_limit_s + MARGIN_S), f"graded in {wall:.1f} s"


# ---- 5. what comes back is bounded before it is decoded ----------------------------------------

STOPPED = "reached for the grader's own frames"


@pytest.mark.parametrize("name,words", [("oversized_answer.py", "over this exercise's limit"),
                                        ("many_containers.py", "lists and dicts")])
def test_costly_answers_are_refused_unread(ex02, name, words):
    """The attack needs the request's id, which only the grader's frames hold: the guard stops
    it there. The wire's own bounds (tests/test_wire.py) hold even where a frame gets through."""
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    r, wall = _grade(ex02, ATTACKS / name)
    grew_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert r.status == GRADED and r.score == 0
    assert all(words in c.message or STOPPED in c.message for c in r.checks), \
        [c.message for c in r.checks]
    assert grew_mb < 100, f"the grader grew by {grew_mb:.0f} MB"
    assert wall < within(ex02.time_limit_s + MARGIN_S)


def test_numbers_the_child_reports_about_itself_are_not_trusted(ex02):
    r, _ = _grade(ex02, ATTACKS / "forges_run_facts.py", hidden=True)
    assert r.status == GRADED and r.full_marks, [(c.name, c.message) for c in r.checks]
    run = r.run
    import platform
    assert run.python == platform.python_version() and len(run.torch) < 40
    for value in (run.cpu_s, run.peak_mem_mb, run.student_s, run.wall_s):
        assert 0 <= value < 1e6, run
    assert len(render_html(r)) < 1_000_000


def test_numbers_past_64_bits_are_judged_not_crashed_on(ex02):
    r, _ = _grade(ex02, ATTACKS / "huge_number_answer.py", hidden=True)
    assert r.status == GRADED and r.score == 0, r.message
    assert all(c.status in ("failed", "error") for c in r.checks), \
        [(c.name, c.status, c.message) for c in r.checks]  # never a grader error
    render_html(r)


def test_huge_names_and_messages_are_cut_short(ex02):
    r, _ = _grade(ex02, ATTACKS / "huge_error_names.py", hidden=True)
    assert r.status == GRADED and r.score == 0
    assert all(len(c.message) < 5000 for c in r.checks), max(len(c.message) for c in r.checks)
    assert len(render_html(r)) < 1_000_000
    assert not re.search("A{5000}", r.to_json())


# ---- the course's own code still runs --------------------------------------------------------

DATALOADER = '''
import torch
from torch.utils.data import DataLoader, TensorDataset


def run():
    ds = TensorDataset(torch.arange(100.0).reshape(50, 2), torch.arange(50.0))
    return sum(float(y.sum()) for _, y in DataLoader(ds, batch_size=10, num_workers=2))
'''


@pytest.mark.parametrize("warm", [True, False], ids=["forked", "cold"])
def test_a_dataloader_with_worker_processes_runs_in_the_sandbox(warm):
    """Morvan's notes use DataLoader(..., num_workers=2): its workers' locks and shared memory
    live in the run's own /dev/shm."""
    cfg = SessionConfig(exercise="ex09", module="ex09", source=DATALOADER, layers=STRONG,
                        warm=warm, limits=limits_for(90, 60, 3072))
    with Session(cfg) as s:
        assert s.call("run") == float(sum(range(50)))


# ---- a timeout says where the code was ----------------------------------------------------------

SPINS = '''
def helper(n):
    while True:
        n += 1


def GD(params, loss_fn, loop_max=1, learning_rate=0.1):
    helper(0)
'''


@pytest.mark.parametrize("warm", [True, False], ids=["forked", "cold"])
def test_a_timeout_names_the_line_the_code_was_stopped_at(warm):
    """The stack is sampled wherever the loop is: on its body (line 4) or on the jump back to
    its `while` (line 3)."""
    cfg = SessionConfig(exercise="ex02", module="ex02", source=SPINS, layers=STRONG, warm=warm,
                        use_torch=False, forbidden=("torch",),
                        limits=limits_for(60, 3, 2048))
    with Session(cfg) as s:
        with pytest.raises(StudentFault, match=r"did not finish within the time limit of one "
                                               r"call, 3 s of CPU time \(stopped at line [34], "
                                               r"in helper\)") as e:
            s.call("GD", [], None)
        assert s.usage.limit_hit == "cpu"
    assert 'File "ex02.py", line 8, in GD' in e.value.traceback
    # the same facts as data, for feedback to group by (faults.StudentFault.key)
    assert (e.value.kind, e.value.limit, e.value.error) == ("timeout", "cpu", "")
    assert e.value.at in ("line 3", "line 4")


SLEEPS = '''import time


def GD(params, loss_fn, loop_max=10, learning_rate=0.1):
    time.sleep(1000)
'''


@pytest.mark.parametrize("layers,warm", [(STRONG, True), (STRONG, False), (WEAK, False)],
                         ids=["forked", "cold", "weak"])
def test_a_call_that_waits_is_stopped_as_idle_and_told_where_it_waited(layers, warm):
    """No CPU used: stopped once idle for its limit, not at the ceiling three times as long;
    the run's Python is asked for its stack (SIGPROF) before it is stopped."""
    cfg = SessionConfig(exercise="ex02", module="ex02", source=SLEEPS, layers=layers, warm=warm,
                        use_torch=False, forbidden=("torch",),
                        limits=limits_for(60, 3, 2048))
    with Session(cfg) as s:
        started = time.monotonic()
        with pytest.raises(StudentFault, match=r"stopped after 3 s in which it used no CPU "
                                               r"time.*\(stopped at line 5, in GD\)") as e:
            s.call("GD", [], None)
        assert time.monotonic() - started < within(3 * 3)
        assert s.usage.limit_hit == "idle"
    assert e.value.key == ("timeout", "idle", "line 5", "")


def test_what_the_submission_prints_is_handed_over_line_by_line_as_it_comes():
    """`grade exNN` shows the student's prints live (terminal.Progress.output)."""
    source = ("print('loading', flush=True)\n\n"
              "def GD(params, loss_fn, loop_max=1, learning_rate=0.1):\n"
              "    for k in range(3):\n        print(f'step {k}')\n    return 7\n")
    lines: list[str] = []
    cfg = SessionConfig(exercise="ex02", module="ex02", source=source, layers=STRONG,
                        use_torch=False, forbidden=("torch",),
                        limits=limits_for(60, 30, 2048),
                        on_output=lines.append)
    with Session(cfg) as s:
        assert s.call("GD", [], None) == 7
        deadline = time.monotonic() + 10
        while len(lines) < 4 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert lines[:4] == ["loading", "step 0", "step 1", "step 2"], lines
