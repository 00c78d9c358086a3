"""Unprivileged uids for sandboxed runs, leased machine-wide: two graders never share one.

As root the grader drops each run to a slot uid. Some kernel state belongs to a uid whatever the
namespace (keyrings, RLIMIT_NPROC's count, files a uid owns), so a uid must never serve two
grader processes at once: each (process, slot) holds a lease, an flock on a file named after the
uid, for as long as the process lives; the kernel drops it however the process dies. A batch
worker that adopts the sandbox its parent started for its slot adopts the lease with it.
"""
from __future__ import annotations

import fcntl
import os
import tempfile
from pathlib import Path

from grader.core.settings import current
from grader.sandbox import holdings
from grader.sandbox.holdings import Holdings



def lock_dir() -> Path:
    for parent in ("/run/lock", "/var/lock", tempfile.gettempdir()):
        if os.access(parent, os.W_OK):
            d = Path(parent) / "nn-grader-uids"
            d.mkdir(mode=0o700, exist_ok=True)
            return d
    raise OSError("no writable folder for the uid leases")


def lease(slot: int, base: int, held: Holdings | None = None) -> int:
    """The uid of this process's `slot`: base + slot when free, else the next free one.
    `held`: the process's holdings (grader.sandbox.holdings), where the lease is kept."""
    leases = (held or holdings.current()).leases
    if (slot, base) in leases:
        return leases[(slot, base)][0]
    folder = lock_dir()
    span = current().uid_span      # uids base .. base + span - 1
    for offset in [*range(slot, span), *range(0, slot)]:
        uid = base + offset
        fd = os.open(folder / f"{uid}.lock", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            continue
        leases[(slot, base)] = (uid, fd)
        return uid
    raise OSError(f"all {current().uid_span} sandbox uids from {base} are in use by other graders")


def adopt(held: Holdings, parent: Holdings | None, slot: int) -> None:
    """In a process forked after its parent leased uids: keep the parent's lease of `slot`
    (the same lock, inherited), let go of the others."""
    for (s, base), (uid, fd) in list(parent.leases.items()) if parent else []:
        if s == slot and (s, base) not in held.leases:
            held.leases[(s, base)] = (uid, fd)
        else:
            os.close(fd)
    if parent is not None and parent is not held:
        parent.leases.clear()


def hand_over(held: Holdings, slots: list[int]) -> None:
    """In the parent, once its workers hold the leases of `slots`: drop its own copies."""
    for key in [k for k in held.leases if k[0] in slots]:
        os.close(held.leases.pop(key)[1])
