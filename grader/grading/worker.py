"""The grader process as a worker: one `Worker` per process owns everything that lasts from
one grading to the next.

    slot           the sandbox slot this process grades in (a batch worker's, given at fork)
    holdings       per slot: the uid lease, the warm zygote, the cgroup (grader.sandbox.holdings)
    checks         the warm pytest session (grader.grading.runner), and the lock that lets one
                   grading at a time through it
    gpus           how many GPUs this machine has, counted once
    weak sandbox   whether this process may grade where the sandbox is weak (`refusal`)

`current()` is this process's Worker. It is the holdings the sandbox keeps in its one holder
(grader.sandbox.holdings: the sandbox may not import this module, so the holder sits there and
the Worker is what it holds): no other module of the grader keeps state of its own between
gradings (tests/test_worker.py). A process forked from a worker gets a Worker of its own: a
batch worker with `Worker.forked(slot)`, which adopts its parent's warm sandbox of that slot;
any other fork a fresh one, at its first `current()`.
"""
from __future__ import annotations

import os
import signal
import sys
import threading
from typing import TYPE_CHECKING, Any

from grader.sandbox import holdings, procs
from grader.sandbox.holdings import Holdings

if TYPE_CHECKING:
    from grader.grading.runner import ChecksSession


class Worker(Holdings):
    """This process as a grader: its slot, its sandbox holdings (the parent class: what the
    sandbox sees), its checks session and its weak-sandbox policy."""

    def __init__(self, slot: int = 0, allow_weak_sandbox: bool = False) -> None:
        super().__init__()
        self.slot = slot
        self.allow_weak_sandbox = allow_weak_sandbox
        self.checks: ChecksSession | None = None
        # One grading at a time per process: pytest.main is not thread-safe, and the checks
        # session serves one submission at a time. Re-entrant: a dask task holds it around
        # the whole grading, whose checks take it again.
        self.one_at_a_time = threading.RLock()
        self._gpus: int | None = None

    @classmethod
    def forked(cls, slot: int, allow_weak_sandbox: bool = False) -> "Worker":
        """In a batch worker just forked: this process's Worker for `slot`, holding the warm
        sandbox (zygote, uid lease) its parent started for that slot, if any."""
        me = cls(slot, allow_weak_sandbox)
        me.adopt(slot, holdings.inherited())
        holdings.install(me)
        return me

    def die_with_parent(self) -> None:
        """A batch worker ends with the process that forked it (PR_SET_PDEATHSIG): a `kill -9`
        of the batch leaves no orphan grading behind."""
        if sys.platform.startswith("linux"):
            procs.prctl(procs.PR_SET_PDEATHSIG, signal.SIGKILL)
            if os.getppid() == 1:    # the parent was already gone before prctl took effect
                os._exit(1)

    @property
    def gpus(self) -> int:
        """This machine's GPUs (torch asked once per process)."""
        if self._gpus is None:
            import torch
            self._gpus = torch.cuda.device_count() if torch.cuda.is_available() else 0
        return self._gpus

    def refusal(self, machine: str = "this machine") -> str | None:
        """The one line that refuses to grade a class on `machine` (this process's) where the
        sandbox is weak, unless this worker may (--allow-weak-sandbox); None: grade."""
        return weak_sandbox_refusal(self.allow_weak_sandbox, machine)


def weak_sandbox_refusal(allow_weak: bool, machine: str = "this machine") -> str | None:
    """The weak-sandbox policy, for local batches and dask workers alike: a class is graded
    only where bubblewrap sandboxes strongly, unless the instructor allowed a weak sandbox."""
    if allow_weak:
        return None
    from grader.sandbox import isolation
    if isolation.detect_layers().strong:
        return None
    there = "" if machine == "this machine" else " there"
    return (f"{machine} cannot sandbox strongly (run `grade doctor`{there} to see why); a "
            f"class needs it: install bubblewrap, or pass --allow-weak-sandbox")


def current() -> Worker:
    """This process's Worker (made at first use; a fresh one in a process forked without
    `Worker.forked`). Plain holdings the sandbox made first are taken over, not lost."""
    held: Any = holdings.current(Worker)
    return held
