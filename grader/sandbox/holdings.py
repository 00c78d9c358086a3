"""What one grader process holds of the sandbox, slot by slot: uid leases, warm zygotes, cgroups.

A process (a student's `grade`, a batch worker, a dask worker, a test session) holds, for each
sandbox slot it uses, the lease of a uid (grader.sandbox.uids), a warm zygote
(grader.sandbox.zygote) and a control group (grader.sandbox.cgroups). They are fields of one
`Holdings` object, and the modules that make them take it as an argument: none of them keeps
a table of its own.

The process's object is `current()`: the one piece of module-level mutable state of the
grader's parent side (tests/test_worker.py checks it). Above the sandbox it is a
`grader.grading.worker.Worker`, which adds the batch slot, the checks session and the
weak-sandbox policy; the sandbox sees only its holdings. A process forked from another gets
a fresh one, unless it adopts a slot of its parent's (`adopt`, a batch worker).
"""
from __future__ import annotations

import atexit
import os
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from grader.sandbox.cgroups import Group
    from grader.sandbox.zygote import Zygote


class Holdings:
    """The sandbox state of one process. Made in that process; a forked child's copy is not
    its own (`current()` in the child replaces it)."""

    def __init__(self) -> None:
        self.pid = os.getpid()
        # (slot, base) -> (uid, lock fd); base is part of the key so that a test may ask for
        # a range of its own while the same process holds a lease in another
        self.leases: dict[tuple[int, int], tuple[int, int]] = {}
        self.zygotes: dict[int, Zygote] = {}      # slot -> this process's warm zygote
        self.groups: dict[int, Group] = {}        # slot -> this process's control group
        self.no_cgroups = ""                      # why no group can be made here, once known

    def taken_over_by(self, other: "Holdings") -> "Holdings":
        """`other` holds what this object held (a Worker replacing plain holdings)."""
        other.pid, other.leases, other.zygotes = self.pid, self.leases, self.zygotes
        other.groups, other.no_cgroups = self.groups, self.no_cgroups
        return other

    def adopt(self, slot: int, parent: "Holdings | None") -> None:
        """In a process forked from `parent`'s: keep its zygote and uid lease of `slot` (the
        same socket and lock, inherited), let go of the rest of its holdings."""
        from grader.sandbox import uids, zygote
        if parent is None or parent.pid == self.pid:
            return               # nothing inherited: a process started, not forked
        self.no_cgroups = self.no_cgroups or parent.no_cgroups
        uids.adopt(self, parent, slot)
        zygote.adopt(self, parent, slot)

    def hand_over(self) -> None:
        """In a parent whose forked workers now hold its zygotes: let go of them, and of the
        leases that went with them."""
        from grader.sandbox import uids, zygote
        slots = zygote.hand_over(self)
        uids.hand_over(self, slots)

    def close(self) -> None:
        """At exit: end this process's zygotes, remove its control groups."""
        if self.pid != os.getpid():
            return
        for z in self.zygotes.values():
            z.close()
        self.zygotes.clear()
        for g in self.groups.values():
            g.remove()
        self.groups.clear()


_here: list[Holdings] = []       # the process's holdings, made on first use: the one holder
_making = threading.Lock()       # two threads of one process (a dask worker's) get one object


def current(kind: type[Holdings] = Holdings) -> Holdings:
    """This process's holdings (a fresh object in a process forked without adopting), made a
    `kind` (a Worker, by grader.grading.worker) if it is not one yet: what plain holdings held
    is taken over, not lost."""
    with _making:
        if not _here or _here[0].pid != os.getpid():
            _here[:] = [kind()]
        elif not isinstance(_here[0], kind):
            _here[:] = [_here[0].taken_over_by(kind())]
        return _here[0]


def inherited() -> Holdings | None:
    """The holdings this process has now, its parent's where it was forked and has not
    replaced them yet (what a batch worker adopts a slot of)."""
    return _here[0] if _here else None


def install(held: Holdings) -> Holdings:
    """Make `held` this process's holdings (a Worker, or a batch worker's after its fork)."""
    with _making:
        _here[:] = [held]
    return held


@atexit.register
def _close() -> None:
    if _here:
        _here[0].close()
