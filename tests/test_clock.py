"""grader/sandbox/clock.py: a run's time is its CPU time, under a wall-clock ceiling, and a run
that waits without computing is stopped as idle; each says which limit it was."""
from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from grader.core.settings import current
from grader.sandbox import wire
from grader.sandbox.clock import (CPU, IDLE, WALL, Budget, Deadline, WaitMeter,
                                  run_queue_waits, tree_cpu)


class Meter:
    """A CPU counter the test moves by hand."""

    def __init__(self) -> None:
        self.cpu = 0.0

    def __call__(self) -> float:
        return self.cpu


def test_a_budget_counts_cpu_from_its_start():
    meter = Meter()
    meter.cpu = 5.0
    b = Budget.start(2.0, meter)
    assert b.cpu_left() == pytest.approx(2.0)
    meter.cpu = 6.5
    assert b.cpu_used() == pytest.approx(1.5) and b.cpu_left() == pytest.approx(0.5)
    assert b.wall_ceiling_s == pytest.approx(2.0 * 3)


def test_spending_the_cpu_ends_the_wait_and_says_cpu():
    meter = Meter()
    call, run = Budget.start(1.0, meter), Budget.start(10.0, meter)
    d = Deadline(call, run)
    assert 0 < d() <= current().cpu_poll_s
    meter.cpu = 1.0
    assert d() <= 0
    assert d.spent() == (call, CPU)


def test_the_whole_runs_cpu_is_named_when_it_is_the_one_spent():
    meter = Meter()
    run = Budget.start(1.0, meter)
    meter.cpu = 0.9
    call = Budget.start(5.0, meter)   # a call that starts with 0.1 s of the run left
    d = Deadline(call, run)
    meter.cpu = 1.2
    assert d() <= 0 and d.spent() == (run, CPU)


def test_the_wall_ceiling_stops_a_run_that_works_too_slowly():
    meter = Meter()
    b = Budget(time_limit_s=10.0, wall_ceiling_s=0.2, started=time.monotonic(), meter=meter)
    d = Deadline(b)
    while d() > 0:
        meter.cpu += 0.1   # it computes, so it is never idle, but slower than the ceiling
        time.sleep(0.05)
    assert d.spent() == (b, WALL)


def test_a_run_that_uses_no_cpu_is_stopped_as_idle_long_before_its_ceiling():
    meter = Meter()
    b = Budget.start(100.0, meter)
    d = Deadline(b, idle_s=0.3)
    started = time.monotonic()
    while d() > 0:
        time.sleep(0.02)
    assert d.spent() == (b, IDLE)
    assert time.monotonic() - started < 100


def test_a_trickle_of_cpu_is_still_idle_but_real_work_is_not():
    meter = Meter()
    d = Deadline(Budget.start(100.0, meter), idle_s=0.3)
    for _ in range(10):   # 0.1 s of CPU at every look: working, never idle
        meter.cpu += 0.1
        time.sleep(0.05)
        assert d() > 0
    started = time.monotonic()
    while d() > 0:   # then 0.001 s at a time: waiting
        meter.cpu += 0.001
        time.sleep(0.02)
    assert 0.25 < time.monotonic() - started < 5


def test_the_wire_waits_on_a_deadline_function():
    r, w = os.pipe()
    try:
        calls = []

        def deadline() -> float:
            calls.append(1)
            return 0.01 if len(calls) < 5 else 0.0
        with pytest.raises(TimeoutError):
            wire.recv(r, deadline)
        assert len(calls) == 5   # asked again after each wait, not once
        wire.send(w, {"ok": True})
        assert wire.recv(r, Deadline(Budget.start(1.0, Meter()))) == {"ok": True}
    finally:
        os.close(r), os.close(w)


def test_tree_cpu_counts_a_process_and_its_children():
    """A parent that waits and a child that computes: the child's CPU is the tree's."""
    code = ("import os, sys, time\n"
            "if os.fork() == 0:\n"
            "    t = time.process_time()\n"
            "    while time.process_time() - t < 0.5: pass\n"
            "    print('done', flush=True); time.sleep(30); os._exit(0)\n"
            "time.sleep(30)\n")
    p = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE)
    try:
        assert p.stdout.readline().strip() == b"done"
        assert 0.45 <= tree_cpu(p.pid) < 5
    finally:
        p.kill()
        p.wait()


def test_tree_cpu_of_a_process_that_is_gone_is_zero():
    p = subprocess.Popen([sys.executable, "-c", "pass"])
    p.wait()
    assert tree_cpu(p.pid) == 0.0


# ---- a run starved by other load is not stopped for it (issue 27) ------------------------------
class Waited:
    """A run-queue wait the test sets (clock.WaitMeter reads the kernel's): while `starved`,
    every second that passes is a second waited, however slowly the test itself runs."""

    def __init__(self) -> None:
        self.s, self._since = 0.0, None

    def starve(self, on: bool) -> None:
        now = time.monotonic()
        if not on and self._since is not None:
            self.s += now - self._since
        self._since = now if on else None

    def __call__(self) -> float:
        return self.s + (time.monotonic() - self._since if self._since is not None else 0.0)


def test_time_starved_of_a_cpu_does_not_count_against_the_ceiling():
    meter, waited = Meter(), Waited()
    waited.starve(True)
    b = Budget(time_limit_s=10.0, wall_ceiling_s=0.2, started=time.monotonic(), meter=meter, waited=waited)
    d = Deadline(b)
    deadline = time.monotonic() + 1.0
    while time.monotonic() < deadline:   # working a little, and starved of a CPU the while
        time.sleep(0.05)
        meter.cpu += 0.06
        assert d() > 0
    waited.starve(False)
    while d() > 0:   # no longer starved: the ceiling comes
        meter.cpu += 0.06
        time.sleep(0.02)
    assert d.spent() == (b, WALL)


def test_a_starved_run_is_not_idle():
    """A run that waited 1 s for a CPU without using any is not stopped as idle after 0.3 s."""
    meter, waited = Meter(), Waited()
    waited.starve(True)
    d = Deadline(Budget.start(100.0, meter, waited=waited), idle_s=0.3)
    deadline = time.monotonic() + 1.0
    while time.monotonic() < deadline:
        time.sleep(0.05)
        assert d() > 0
    waited.starve(False)
    started = time.monotonic()
    while d() > 0:   # now it waits with a CPU to run on: idle
        time.sleep(0.02)
    assert d.spent()[1] == IDLE and time.monotonic() - started < 5


def _spinner(cpu: int) -> subprocess.Popen:
    return subprocess.Popen(["taskset", "-c", str(cpu), sys.executable, "-c",
                             "while True: pass"], start_new_session=True)


def test_the_wait_meter_reads_the_kernels_run_queue_wait():
    """Two busy processes on one core: each waits for it about half the time, and the meter
    (the longest wait of any task of the run) says so; a sleeping run never waits."""
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; print(1, flush=True); "
                                "time.sleep(30)"], stdout=subprocess.PIPE)
    sleeper.stdout.readline()   # past its start: from now on it only sleeps
    run, rival = _spinner(0), _spinner(0)
    try:
        busy, idle = WaitMeter(lambda: run.pid), WaitMeter(lambda: sleeper.pid)
        started = time.monotonic()
        busy(), idle()
        time.sleep(1.0)
        assert 0.1 < busy() <= time.monotonic() - started   # never more than the time passed
        assert idle() < 0.1
        assert run_queue_waits(run.pid)[run.pid] > 0
    finally:
        for p in (run, rival, sleeper):
            p.kill()
            p.wait()
    assert WaitMeter(lambda: None)() == 0.0
