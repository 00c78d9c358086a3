"""A run's time: CPU seconds, with a wall-clock ceiling well above them.

A wall-clock limit makes a verdict depend on the machine's load: on a busy 2-core machine the
README's ex03 recipe used 98 s of wall time for 36 s of CPU, and honest code timed out. CPU time
is what the submission itself spends, whatever runs beside it, so the exercise's limits count
that: the run's cgroup where the machine has one (threads and DataLoader workers included), else
the run's process tree in /proc. Code that waits instead of working (a sleep, a blocked read, a
stopped process) spends none: the ceiling, `wall_factor` times the limit, stops it, and sooner
still, a run that spent (next to) no CPU for `idle_s` (or its limit, if shorter) while the grader
waited for its answer is stopped as idle. Honest code under load still gets its share of a
core: 0.5% of one for 10 s would take a machine two hundred times oversubscribed.

Nor is a run starved by other load stopped for it: the time its tasks were ready to run but
waited for a CPU (the kernel's run-queue wait, /proc/<tid>/schedstat's second field, per task:
`WaitMeter`) is not time it could have run, so the wall-clock ceiling and the idle bound leave
it out. A budget without a WaitMeter counts plain wall time.

The wire's reads and writes take a `Deadline`: called, it says how long they may wait before
asking again, and a number <= 0 once the time is spent (`spent()` then says which limit).
"""
from __future__ import annotations

import os
import time
from collections import deque
from dataclasses import dataclass
from typing import Callable, Iterator

from grader.core.settings import current

from .limits import wall_ceiling_s

# The settings this reads (grader.core.settings): `cpu_poll_s`, how often a waiting grader
# looks at the CPU counter (a run overshoots its CPU limit by at most this much per thread, and
# each look costs a read of one cgroup file, about 1 us); `idle_s` and `idle_cpu_s`, a run
# that spends less than idle_cpu_s of CPU in idle_s is waiting, not computing; `wall_factor`.
CPU, WALL, IDLE = "cpu", "wall", "idle"


def _never_waited() -> float:
    return 0.0


@dataclass(frozen=True)
class Budget:
    """`time_limit_s` CPU seconds counted on `meter` from `cpu_at_start`, and `wall_ceiling_s`
    seconds of waiting from the monotonic time `started`, less the seconds `waited` says the run spent
    ready to run but without a CPU (from `waited_at_start`)."""
    time_limit_s: float
    wall_ceiling_s: float
    started: float
    meter: Callable[[], float]
    cpu_at_start: float = 0.0
    waited: Callable[[], float] = _never_waited
    waited_at_start: float = 0.0

    @classmethod
    def start(cls, time_limit_s: float, meter: Callable[[], float],
              waited: Callable[[], float] | None = None) -> "Budget":
        waited = waited or _never_waited
        return cls(time_limit_s, wall_ceiling_s(time_limit_s), time.monotonic(), meter, meter(),
                   waited, waited())

    def cpu_used(self) -> float:
        return self.meter() - self.cpu_at_start

    def cpu_left(self, meter_now: float | None = None) -> float:
        """`meter_now`: the meter's reading, where the caller has one (it reads it once for
        several budgets)."""
        now = self.meter() if meter_now is None else meter_now
        return self.time_limit_s - (now - self.cpu_at_start)

    def wall_left(self, now: float | None = None, waited_now: float | None = None) -> float:
        """Seconds of the ceiling left: wall time since the start, less the time starved."""
        now = time.monotonic() if now is None else now
        starved = (self.waited() if waited_now is None else waited_now) - self.waited_at_start
        return self.started + self.wall_ceiling_s + starved - now


class Deadline:
    """What the wire waits on: the first of its budgets to be spent ends the wait. Its
    budgets count CPU on the same meter."""

    def __init__(self, *budgets: Budget, idle_s: float | None = None):
        """`idle_s`: the `idle_s` setting, or the smallest CPU budget where that is shorter (a
        call of 3 s that has computed nothing for 3 s is not going to)."""
        self.budgets = budgets
        policy = current()
        self.poll_s, self.idle_cpu_s = policy.cpu_poll_s, policy.idle_cpu_s
        self.idle_s = idle_s if idle_s is not None else \
            max(min(policy.idle_s, *(b.time_limit_s for b in budgets)), 1.0)
        # When it last used CPU, on the clock of the time it could run (wall less starved).
        self._active = (time.monotonic() - budgets[0].waited(), budgets[0].meter())

    def __call__(self) -> float:
        # One read of each meter: the budgets share them.
        cpu, now, waited = self.budgets[0].meter(), time.monotonic(), self.budgets[0].waited()
        left = self.poll_s
        for b in self.budgets:
            if b.cpu_left(cpu) <= 0:
                return -1.0
            # not the CPU left: a sleeping run spends none
            left = min(left, b.wall_left(now, waited))
        could_run = now - waited
        if cpu - self._active[1] >= self.idle_cpu_s:
            self._active = (could_run, cpu)
        return min(left, self._active[0] + self.idle_s - could_run)

    def spent(self) -> tuple[Budget, str]:
        """The budget that ran out, and how: CPU (working), WALL (waiting) or IDLE (waiting
        without using any CPU for idle_s)."""
        for b in self.budgets:
            if b.cpu_left() <= 0:
                return b, CPU
        first = min(self.budgets, key=lambda b: b.wall_left())
        return first, WALL if first.wall_left() <= 0 else IDLE

    def wall_left(self) -> float:
        """Seconds until the earliest ceiling (a stack is dumped just before it)."""
        return min(b.wall_left() for b in self.budgets)

    def cpu_left(self) -> float:
        """CPU seconds left (the child dumps its stack just before they are spent)."""
        return min(b.cpu_left() for b in self.budgets)


class WaitMeter:
    """Seconds a run spent ready to run but waiting for a CPU, since the meter was made: the
    kernel's run-queue wait of each of its tasks (/proc/<pid>/task/<tid>/schedstat, second
    field, nanoseconds). Called, it reads them all; between two reads the run counts as starved
    for the longest wait of any one task (at most the time between the reads): the run could
    not go on while its most-waiting task waited, and a run of many threads is not credited
    once per thread. `pid()`: the run's first process now (None: no run), read at each call,
    so one meter follows a session across restarts."""

    def __init__(self, pid: Callable[[], int | None]):
        self._pid = pid
        self._seen: dict[int, int] = {}
        self._total, self._last = 0.0, time.monotonic()

    # Reads closer together than this give the last total: a read walks /proc (about 0.3 ms
    # for a run of a few tasks on a busy machine), and the wire may ask many times a second.
    MIN_READ_S = 0.05

    def __call__(self) -> float:
        now = time.monotonic()
        if now - self._last < self.MIN_READ_S:
            return self._total
        try:
            pid = self._pid()
        except Exception:  # noqa: BLE001  no run to read: it waited for nothing
            pid = None
        delays = run_queue_waits(pid) if pid else {}
        longest = max((ns - self._seen.get(tid, 0) for tid, ns in delays.items()), default=0)
        self._seen = delays
        self._total += min(max(longest, 0) / 1e9, now - self._last)
        self._last = now
        return self._total


def run_queue_waits(pid: int) -> dict[int, int]:
    """{tid: nanoseconds it has waited on a run queue} for every task of `pid` and its
    descendants; tasks that cannot be read (ended, or a kernel without schedstat) are left
    out."""
    waits: dict[int, int] = {}
    for p in descendants(pid):
        try:
            tids = os.listdir(f"/proc/{p}/task")
        except OSError:
            continue
        for tid in tids:
            try:
                with open(f"/proc/{p}/task/{tid}/schedstat", "rb") as f:
                    waits[int(tid)] = int(f.read().split()[1])
            except (OSError, ValueError, IndexError):
                continue
    return waits


def tree_cpu(pid: int) -> float:
    """CPU seconds of `pid` and its descendants (and the children they reaped), from /proc:
    the meter where there is no cgroup. A process that ends between two reads is skipped."""
    total = 0.0
    for p in descendants(pid):
        try:
            with open(f"/proc/{p}/stat", "rb") as f:
                # after the command's closing parenthesis: state is field 3, utime field 14
                fields = f.read().rsplit(b")", 1)[1].split()
            total += sum(int(x) for x in fields[11:15]) / _TICKS
        except (OSError, ValueError, IndexError):
            continue
    return total


def descendants(pid: int) -> Iterator[int]:
    """`pid`, then its children, their children, ... (breadth first), from /proc."""
    todo, seen = deque([pid]), set()
    while todo:
        p = todo.popleft()
        if p in seen:
            continue
        seen.add(p)
        yield p
        try:
            for tid in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{tid}/children", "rb") as f:
                    todo.extend(int(c) for c in f.read().split())
        except (OSError, ValueError):
            continue


_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
