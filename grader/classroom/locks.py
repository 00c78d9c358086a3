"""Numbered resources shared by every grader process on a machine (GPUs, sandbox slots), one
lock file each: a process holds one with flock until its block ends, and the kernel releases
it when the process dies, however it dies."""
from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from grader.core.errors import FolderBusy


class AllHeld(Exception):
    """Every lock stayed held for as long as the caller would wait."""


@contextmanager
def first_free(locks: list[Path], poll_s: float, wait_s: float | None = None
               ) -> Iterator[int]:
    """Hold the first lock file of `locks` that no other process holds, until the block ends;
    its index. Waits while all are held; AllHeld after `wait_s` (None: for ever)."""
    deadline = None if wait_s is None else time.monotonic() + wait_s
    while True:
        for i, path in enumerate(locks):
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                continue
            try:
                yield i
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
                os.close(fd)
            return
        if deadline is not None and time.monotonic() > deadline:
            raise AllHeld(f"all {len(locks)} held for {wait_s:g} s")
        time.sleep(poll_s)


LOCK_NAME = ".grade-batch.lock"


@contextmanager
def hold_folder(folder: Path, wait_s: float = 0.0, poll_s: float = 0.2) -> Iterator[None]:
    """One writer per output folder: two batches on one --out would both grade everything
    and race on its files. The lock file names the holder's pid for the message."""
    path = Path(folder) / LOCK_NAME
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    try:
        deadline = time.monotonic() + wait_s
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "?"
                    raise FolderBusy(f"another grade batch (pid {holder}) is writing to "
                                     f"{folder}; wait for it to finish, or use another --out"
                                     ) from None
                time.sleep(poll_s)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        os.close(fd)         # closing the descriptor releases the lock
