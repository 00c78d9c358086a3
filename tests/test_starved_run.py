"""A run starved of the CPU by other load is never stopped for it (grader/sandbox/clock.py's
WaitMeter): the same honest, CPU-bound submission gets the same verdict alone and beside busy
processes in sessions of their own (as other users' programs are), at a load that slows it more
than three times. Its calls spend 2 s of CPU each under a call limit of 3 s: at a sixth of a
core a call takes 12 s of wall time, past the 9 s wall-clock ceiling that counted every second,
starved or not.
"""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from conftest import copy_exercise
from grader.grading.pipeline import GradeOptions, grade
from test_fair_limits import BURN

pytestmark = pytest.mark.slow

CALL_LIMIT_S = 3.0
HOGS_PER_CORE = 8


def test_a_starved_cpu_bound_run_gets_the_verdict_it_gets_alone(tmp_path):
    ex02 = copy_exercise(tmp_path, "ex02_gd", time_limit_s=10, call_time_limit_s=CALL_LIMIT_S)
    honest = tmp_path / "honest.py"
    honest.write_text(BURN.format(seconds=2.0))
    opts = GradeOptions(hidden=False)   # two checks, two calls of 2 s of CPU
    alone = grade(ex02, honest, opts)
    hogs = [subprocess.Popen([sys.executable, "-c", "while True: pass"],
                             start_new_session=True)
            for _ in range(HOGS_PER_CORE * (os.cpu_count() or 1))]
    try:
        busy = grade(ex02, honest, opts)
    finally:
        for h in hogs:
            h.kill()
            h.wait()
    assert alone.full_marks, [c.message for c in alone.checks]
    assert [(c.name, c.status, c.points) for c in busy.checks] == \
        [(c.name, c.status, c.points) for c in alone.checks], [c.message for c in busy.checks]
    assert busy.run.limit_hit == "" and "waiting" not in busy.next_step
    # The load did slow it more than three times: it ran at under a third of a core.
    assert busy.run.wall_s > 3 * busy.run.cpu_s, busy.run
