"""Limits count CPU time, so a busy machine does not change a verdict.

A class of three ex02 submissions is graded twice, once on a quiet machine and once beside a CPU
hog (two busy processes per core): one correct and quick, one correct that spends 1.2 s of CPU
in each call (under a call limit of 3 s: on a machine this busy it takes several seconds of wall
time, which a wall-clock limit would have failed), and one that never finishes (stopped at 3 s
of CPU each call, or at the ceiling). Every check gets the same verdict both times.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import SOLUTIONS, copy_exercise
from grader.grading.pipeline import GradeOptions, grade
from grader.core.result import Result

pytestmark = pytest.mark.slow

CALL_LIMIT_S = 3.0
BURN = '''import time
import torch


def GD(params, loss_fn, loop_max=10000, learning_rate=1e-3):
    started = time.process_time()
    while time.process_time() - started < {seconds}:
        pass
    for _ in range(loop_max):
        loss = loss_fn(params)
        loss.backward()
        with torch.no_grad():
            for x in params:
                x -= learning_rate * x.grad
                x.grad = None
'''


@pytest.fixture(scope="module")
def ex02(tmp_path_factory):
    """The whole run's 14 s of CPU leave the slow submission (8.5 s) room, and stop the endless
    one after four calls instead of six."""
    return copy_exercise(tmp_path_factory.mktemp("fair"), "ex02_gd", time_limit_s=14,
                         call_time_limit_s=CALL_LIMIT_S)


@pytest.fixture(scope="module")
def the_class(tmp_path_factory) -> list[Path]:
    folder = tmp_path_factory.mktemp("class")
    slow, endless = folder / "slow_but_right.py", folder / "endless.py"
    slow.write_text(BURN.format(seconds=1.2))
    endless.write_text(BURN.format(seconds=10_000))
    return [SOLUTIONS / "ex02.py", slow, endless]


def _verdicts(r: Result) -> dict[str, tuple[str, float]]:
    return {c.name: (c.status, c.points) for c in r.checks}


def test_the_same_class_gets_the_same_verdicts_beside_a_cpu_hog(ex02, the_class):
    quiet = [grade(ex02, path, GradeOptions()) for path in the_class]
    # Each hog in a session of its own, as other users' programs are: Linux shares the CPU
    # between sessions first (autogroup), and the sandbox has a session of its own too.
    hogs = [subprocess.Popen([sys.executable, "-c", "while True: pass"], start_new_session=True)
            for _ in range(2 * (os.cpu_count() or 1))]
    try:
        busy = [grade(ex02, path, GradeOptions()) for path in the_class]
    finally:
        for h in hogs:
            h.kill()
            h.wait()
    for path, q, b in zip(the_class, quiet, busy):
        assert (q.status, q.score) == (b.status, b.score), path.name
        assert _verdicts(q) == _verdicts(b), path.name
    right, slow, endless = quiet
    assert right.full_marks and slow.full_marks, [c.message for c in slow.checks if not c.passed]
    assert endless.score == 0 and endless.run.limit_hit == "cpu", endless.run
    assert any("the time limit of one call, 3 s of CPU time" in c.message
               for c in endless.checks)
    # The hog did slow it down (2.5 times on 2 cores: calls of 1.2 s of CPU took up to 4 s,
    # past the call's limit of 3 s, which a wall-clock limit would have failed).
    assert busy[1].run.wall_s > 1.5 * quiet[1].run.wall_s, (busy[1].run, quiet[1].run)
    assert abs(busy[1].run.cpu_s - quiet[1].run.cpu_s) < 0.25 * quiet[1].run.cpu_s
