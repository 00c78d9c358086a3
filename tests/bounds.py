"""How long a run stopped at its limit may take here, on this machine as loaded as it is now.

A run's limits are CPU time (grader/sandbox/clock.py): on a machine whose cores are shared, the
same run takes longer in wall time, and tests run beside others (pytest-xdist, CI's other jobs).
A wall-clock bound in a test is there to catch a hang, so it stretches with the load: the
bound a quiet machine would keep, times the run queue's length per core (at least 1)."""
from __future__ import annotations

import os

from grader.core.machine import cores


def stretch() -> float:
    """The 1-minute load average per usable core, at least 1."""
    return max(1.0, os.getloadavg()[0] / cores())


def within(seconds: float) -> float:
    """`seconds` on a quiet machine, as a bound on this one now."""
    return seconds * stretch()
