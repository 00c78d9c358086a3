"""The limits of one run, and the policy that derives the rest from the exercise's numbers.

One name per quantity, from `exercise.yaml` to the child's timer:

    time_limit_s       CPU seconds for the whole run (exercise.yaml `time_limit_s`)
    call_time_limit_s  CPU seconds for one call into the submission (`call_time_limit_s`)
    wall_ceiling_s     wall-clock seconds a budget may last: `wall_factor` times its time limit
                       (clock.py: a run that waits instead of working is stopped there)
    rlimit_cpu_s       RLIMIT_CPU of each of the run's processes: `rlimit_cpu_factor` times the
                       run's time limit, a backstop the grader's own CPU count stops first
    wall_left_s,       what is left of a budget when a request is sent: the wire's request
    cpu_left_s         fields, and what the child's stack dump is armed with (child.py)
"""
from __future__ import annotations

from dataclasses import dataclass, field

from grader.core.settings import current

# The factors are settings (grader.core.settings): `wall_factor`, the wall-clock ceiling over a
# CPU time limit (waiting, a sleep or a stuck read, spends no CPU), and `rlimit_cpu_factor`,
# RLIMIT_CPU over the run's time limit: the kernel's backstop, never the limit a run meets
# first (the grader's CPU count stops it at its limit, and says which).


@dataclass(frozen=True)
class Limits:
    time_limit_s: float          # CPU seconds for the whole run (clock.py: a wall ceiling above)
    call_time_limit_s: float     # CPU seconds for one call into the submission
    memory_mb: int
    rlimit_cpu_s: float          # RLIMIT_CPU of each process: a backstop above time_limit_s
    # The grader's policy, from the settings table when not given.
    file_mb: int = field(default_factory=lambda: current().file_mb)  # one file written
    # processes and threads, on top of what the run's user has
    nproc: int = field(default_factory=lambda: current().nproc)
    # each of /work and /tmp inside bubblewrap (kept in memory)
    scratch_mb: int = field(default_factory=lambda: current().scratch_mb)

    @property
    def wall_ceiling_s(self) -> float:
        """The wall-clock ceiling over the whole run's time limit."""
        return wall_ceiling_s(self.time_limit_s)


def limits_for(time_limit_s: float, call_time_limit_s: float, memory_mb: int) -> Limits:
    """The limits of a run of an exercise with these numbers (exercise.yaml's)."""
    return Limits(time_limit_s=time_limit_s, call_time_limit_s=call_time_limit_s,
                  memory_mb=memory_mb, rlimit_cpu_s=time_limit_s * current().rlimit_cpu_factor)


def wall_ceiling_s(time_limit_s: float) -> float:
    return time_limit_s * current().wall_factor
