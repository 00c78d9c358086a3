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

SPAN = 1000                      # uids base .. base + SPAN - 1


def lock_dir() -> Path:
    for parent in ("/run/lock", "/var/lock", tempfile.gettempdir()):
        if os.access(parent, os.W_OK):
            d = Path(parent) / "nn-grader-uids"
            d.mkdir(mode=0o700, exist_ok=True)
            return d
    raise OSError("no writable folder for the uid leases")


# (pid, slot, base) -> (uid, lock fd); base is part of the key so that a test may ask for a
# range of its own while the same process holds a lease in another
_leases: dict[tuple[int, int, int], tuple[int, int]] = {}


def lease(slot: int, base: int) -> int:
    """The uid of this process's `slot`: base + slot when free, else the next free one."""
    key = (os.getpid(), slot, base)
    if key in _leases:
        return _leases[key][0]
    folder = lock_dir()
    for offset in [*range(slot, SPAN), *range(0, slot)]:
        uid = base + offset
        fd = os.open(folder / f"{uid}.lock", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            continue
        _leases[key] = (uid, fd)
        return uid
    raise OSError(f"all {SPAN} sandbox uids from {base} are in use by other graders")


def adopt(slot: int) -> None:
    """In a process forked after its parent leased uids: keep the parent's lease of `slot`
    (the same lock, inherited), let go of the others."""
    me, parent = os.getpid(), os.getppid()
    for key, (uid, fd) in list(_leases.items()):
        if key[0] != me:
            del _leases[key]
            mine = (me,) + key[1:]
            if key[:2] == (parent, slot) and mine not in _leases:
                _leases[mine] = (uid, fd)
            else:
                os.close(fd)


def hand_over(slots: list[int]) -> None:
    """In the parent, once its workers hold the leases of `slots`: drop its own copies."""
    for key in [k for k in _leases if k[0] == os.getpid() and k[1] in slots]:
        os.close(_leases.pop(key)[1])
