"""Issue "Sandbox, round three", class 1: a run reaches no process but its own.

A run forked from the warm zygote shares its uid and pid namespace: it must not be able to
lower the zygote's limits, change its priority, scheduling or CPUs, signal it, or read or write
it through /proc (tests/attacks/reach_*.py try every route they know, each attempt printing
REACHED when it got through). Every run starts from limits and scheduling set explicitly; a
zygote found changed anyway is the grader's fault: the run is retried on a fresh sandbox, never
graded on a broken one.
"""
from __future__ import annotations

import os
import re
import resource
from pathlib import Path

import pytest

from conftest import EXERCISES, SOLUTIONS, STRONG, strong_only
from grader.classroom.batch import BatchOptions, run_batch
from grader.classroom.gradebook import Gradebook
from grader.grading.pipeline import GradeOptions, grade, prestart
from grader.core.result import GRADED
from grader.sandbox import zygote
from grader.core.spec import load_exercise

pytestmark = strong_only
ATTACKS = Path(__file__).resolve().parent / "attacks"
REACH = sorted(p.name for p in ATTACKS.glob("reach_*.py"))
# An honest ex02 that says, at import, what it was given: its priority, scheduling policy,
# CPUs and the limits a planter would lower.
STATE = '''
import os, resource
print("STATE", os.getpriority(os.PRIO_PROCESS, 0), os.sched_getscheduler(0),
      sorted(os.sched_getaffinity(0)),
      [resource.getrlimit(r) for r in (resource.RLIMIT_DATA, resource.RLIMIT_STACK,
                                        resource.RLIMIT_NOFILE, resource.RLIMIT_MEMLOCK)])
'''


def honest_with_state() -> str:
    return STATE + (SOLUTIONS / "ex02.py").read_text(encoding="utf-8")


def state_line(output: str) -> str:
    lines = [line for line in output.splitlines() if line.startswith("STATE ")]
    assert len(lines) == 1, output[-2000:]
    return lines[0]


@pytest.fixture(scope="module")
def ex02():
    return load_exercise(EXERCISES / "ex02_gd")


@pytest.mark.slow
@pytest.mark.parametrize("name", REACH)
def test_a_run_reaches_no_other_process(ex02, name):
    r = grade(ex02, ATTACKS / name, GradeOptions(hidden=True, layers=STRONG))
    assert r.status == GRADED and r.score == 0, (r.status, r.message)
    reached = [line for line in r.output.splitlines() if line.startswith("REACHED")]
    assert not reached, reached
    assert "refused" in r.output, r.output[-2000:]
    # and the next submission in the same slot is graded as if nothing had happened
    after = grade(ex02, SOLUTIONS / "ex02.py", GradeOptions(hidden=True, layers=STRONG))
    assert after.full_marks, [(c.name, c.message) for c in after.checks]


def test_signals_reach_the_runs_own_processes():
    """The filter refuses what names another process, not what a run does to its own."""
    import subprocess
    import sys
    code = ("import os, signal, subprocess, sys\n"
            "p = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(30)'])\n"
            "os.kill(p.pid, 0); os.setpriority(os.PRIO_PROCESS, p.pid, 5)\n"
            "os.sched_setaffinity(p.pid, os.sched_getaffinity(0))\n"
            "p.terminate(); p.wait(); os.nice(1); signal.raise_signal(0) if False else None\n"
            "print('OWN OK', p.returncode)\n")
    from grader.sandbox import seccomp
    wrapper = ("import os, sys\nsys.path.insert(0, %r)\n"
               "from grader.sandbox import seccomp\n"
               "seccomp.install(seccomp.reach_program(os.getpid() - 1))\n" % str(EXERCISES.parent))
    out = subprocess.run([sys.executable, "-c", wrapper + code], capture_output=True, text=True,
                         timeout=60)
    assert seccomp.supported()
    assert "OWN OK -15" in out.stdout, out.stderr


@pytest.mark.slow
def test_a_planter_changes_nothing_for_the_next_students_in_its_slot(tmp_path):
    """Three honest students graded after the planters on one slot (one worker): full marks,
    and their runs' priority, scheduling, CPUs and limits are those of the one before."""
    subs = tmp_path / "subs"
    students = {"a_first": honest_with_state()}
    for i, name in enumerate(REACH):
        students[f"m_planter{i}"] = (ATTACKS / name).read_text(encoding="utf-8")
    students.update({f"z_next{i}": honest_with_state() for i in range(3)})
    for student, source in students.items():
        (subs / student).mkdir(parents=True)
        (subs / student / "ex02.py").write_text(source, encoding="utf-8")
    run_batch(subs, EXERCISES, BatchOptions(out=tmp_path / "out", exercise="ex02", jobs=1))
    with Gradebook.in_folder(tmp_path / "out") as gb:
        entries = {e.student: e for e in gb.current()}
    assert set(entries) == set(students)
    first = state_line(entries["a_first"].result.output)
    for student, e in entries.items():
        if student.startswith("m_planter"):
            assert e.score == 0 and "REACHED" not in e.result.output, e.result.output[-1500:]
        else:
            assert e.score == e.max_score, (student, [(c.name, c.message)
                                                      for c in e.result.checks])
            assert state_line(e.result.output) == first, student
    nice, policy = re.match(r"STATE (-?\d+) (\d+)", first).groups()
    assert int(policy) == os.SCHED_OTHER and int(nice) == os.getpriority(os.PRIO_PROCESS, 0)


def _zygote_pid() -> int:
    """The host pid of this process's warm zygote (slot 0): below its bwrap, the Python whose
    pid in the sandbox is 2."""
    z = zygote.of_slot(0)
    z._await_ready()
    todo = [z.proc.pid]
    while todo:
        pid = todo.pop()
        status = Path(f"/proc/{pid}/status").read_text()
        nspid = status.split("NSpid:")[1].splitlines()[0].split()
        if nspid[-1] == "2" and b'"zygote": true' in Path(f"/proc/{pid}/cmdline").read_bytes():
            return pid
        for task in os.listdir(f"/proc/{pid}/task"):
            todo += map(int, Path(f"/proc/{pid}/task/{task}/children").read_text().split())
    raise AssertionError("no zygote found")


def _as_owner_of(pid: int, fn) -> None:
    """Run `fn` in a process of `pid`'s uid (root may lack CAP_SYS_RESOURCE in a container)."""
    uid = int(Path(f"/proc/{pid}/status").read_text().split("Uid:")[1].split()[0])
    child = os.fork()
    if child == 0:
        try:
            os.setgid(uid), os.setuid(uid)
            fn()
        except BaseException:
            os._exit(1)
        os._exit(0)
    assert os.waitstatus_to_exitcode(os.waitpid(child, 0)[1]) == 0, "could not change it"


@pytest.mark.slow
@pytest.mark.skipif(os.geteuid() != 0, reason="changing the zygote from outside needs root")
def test_a_zygote_changed_anyway_is_replaced_and_the_run_retried(ex02):
    """Defence in depth: if something did change the zygote (here the test itself, as root),
    the zygote says so before forking, and the submission is graded elsewhere at full marks,
    never as its own failure."""
    opts = GradeOptions(hidden=True, layers=STRONG)
    prestart(ex02, opts)
    pid, before = _zygote_pid(), zygote.of_slot(0)

    def plant():  # what a run could do before the per-run filter, as the zygote's own uid
        resource.prlimit(pid, resource.RLIMIT_DATA, (64 << 20, 64 << 20))
        os.setpriority(os.PRIO_PROCESS, pid, 15)
    _as_owner_of(pid, plant)
    r = grade(ex02, SOLUTIONS / "ex02.py", opts)
    assert r.full_marks, [(c.name, c.message) for c in r.checks]
    assert not before.alive, "the changed zygote was not closed"
    again = grade(ex02, SOLUTIONS / "ex02.py", opts)  # on a fresh zygote
    assert again.full_marks
