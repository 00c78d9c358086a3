"""Warm zygotes: a sandboxed process that has imported numpy and torch once and forks a child
per submission, so a run pays a fork (milliseconds) instead of an interpreter start and
`import torch` (seconds).

Strong mode only: the zygote lives in a bubblewrap sandbox of its own (pid, network, mount
namespaces, an unprivileged slot uid) built exactly like a cold run's, and `child.py` cleans
between children (kills everything else in the namespace, empties /work and /tmp). A zygote
serves one run at a time; a process (a batch worker, a test session) keeps one per slot and
replaces it when the exercise needs another sandbox (other forbidden packages, data, device),
or when a child broke it (killed, stopped or left something it could not wipe).

Protocol, over a Unix socket: the grader sends one byte carrying the run's pipes as
SCM_RIGHTS, then a wire frame; the zygote answers with wire frames.
"""
from __future__ import annotations

import os
import select
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from grader.core.settings import current

from . import holdings, procs, seccomp, wire
from .holdings import Holdings

# Settings (grader.core.settings): `zygote_start_s`, its start at most (importing torch on a
# busy machine); `zygote_answer_s`, a fork or a clean-up at most (slower: stuck or stopped).


class ZygoteError(Exception):
    """The zygote could not do what was asked: the machine's fault or a broken zygote."""


class Zygote:
    def __init__(self, key: tuple, argv_for: Any, env: dict[str, str], wait: bool = True):
        """`argv_for(zygote_fd, seccomp_fd, scratch: Path) -> argv` builds the sandbox
        command. `wait=False` returns while the zygote is still importing: the first fork
        waits."""
        self.key = key
        self.versions: dict | None = None
        self._ready = False
        self._preloaded: set[str] = set()
        self.tasks: int | None = None   # processes and threads of its uid (the grader counts)
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        self._sock = ours
        # The sandbox's /work is a tmpfs; an empty folder binds nothing into it, and is gone
        # before the zygote starts (a batch worker ends with os._exit: no clean-up then).
        filter_fd = seccomp.memfd() if seccomp.supported() else None
        keep = (theirs.fileno(),) + ((filter_fd,) if filter_fd is not None else ())
        try:
            with tempfile.TemporaryDirectory(prefix="grade-zygote-") as empty:
                argv = argv_for(theirs.fileno(), filter_fd, Path(empty))
            self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                         pass_fds=keep, cwd="/", env=env,
                                         start_new_session=True)
        finally:
            theirs.close()
            if filter_fd is not None:
                os.close(filter_fd)
        self._sock.setblocking(False)  # every exchange below has a deadline
        # Readable once the sandbox has ended, in this process and in a worker forked from it,
        # which is not its parent and so cannot poll() it.
        self._pidfd = procs.pidfd(self.proc.pid)
        if wait:
            self._await_ready()

    def _await_ready(self) -> None:
        if self._ready:
            return
        ready = self._answer(current().zygote_start_s, "start")
        if not ready.get("ok"):
            self.close()
            raise ZygoteError(f"the sandbox could not start: {ready.get('error', '?')}")
        self.versions, self._ready = ready.get("versions"), True

    @property
    def alive(self) -> bool:
        if self._pidfd is None:
            return self.proc.poll() is None
        return not select.select([self._pidfd], [], [], 0)[0]

    def fork(self, cfg: dict, rlimits: dict, fds: tuple[int, int, int],
             preload: list[str] = ()) -> tuple[int, int | None]:
        """Start a child with the child config `cfg`: its pid in the sandbox, and a pidfd of
        it (None where the kernel has none). The child then waits for its source on its own
        channel: the zygote never sees a submission. The zygote first imports the modules of
        `preload` it has not imported yet."""
        self._await_ready()
        self._send({"op": "fork", "cfg": cfg, "rlimits": rlimits, "preload": list(preload)},
                   fds)
        new = set(preload) - self._preloaded
        self._preloaded |= set(preload)
        deadline = time.monotonic() + (current().zygote_start_s if new else current().zygote_answer_s)
        pidfd = self._receive_pidfd(deadline)
        reply = self._answer(deadline - time.monotonic(), "fork")
        if not isinstance(reply.get("pid"), int):
            if pidfd is not None:
                os.close(pidfd)
            self.close()
            raise ZygoteError("the zygote did not fork")
        return reply["pid"], pidfd

    def _receive_pidfd(self, deadline: float) -> int | None:
        """The marker byte before a fork's answer: P with the child's pidfd, or N."""
        try:
            if not select.select([self._sock], [], [], max(0.0, deadline - time.monotonic()))[0]:
                raise TimeoutError
            mark, fds, _, _ = socket.recv_fds(self._sock, 1, 1)
        except (OSError, TimeoutError) as e:
            self.close()
            raise ZygoteError(f"the zygote did not answer the fork request "
                              f"({type(e).__name__})") from None
        if mark != b"P" or len(fds) != 1:
            for fd in fds:
                os.close(fd)
            if mark not in (b"P", b"N"):
                self.close()
                raise ZygoteError("the zygote sent garbage to the fork request")
            return None
        return fds[0]

    def reap(self, pid: int, grace_s: float) -> dict:
        """End the child `pid` (after `grace_s` to exit by itself) and all it left; its wait
        status and usage. A zygote that cannot clean up after it is closed for good."""
        self._send({"op": "reap", "pid": pid, "grace_s": grace_s})
        reply = self._answer(grace_s + current().zygote_answer_s, "reap")
        if not reply.get("clean", False):
            self.close()
        return reply

    def close(self) -> None:
        """Kill the whole sandbox (bwrap and everything in its pid namespace)."""
        if self.alive:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            self.proc.wait()  # at once where another process is its parent
        self.let_go()

    def let_go(self) -> None:
        """Close this process's hold on the zygote, leaving it to the process that still has
        one (a batch worker forked after it started)."""
        self._sock.close()
        if self._pidfd is not None:
            os.close(self._pidfd)
            self._pidfd = None

    def _send(self, msg: dict, fds: tuple[int, ...] = ()) -> None:
        deadline = time.monotonic() + current().zygote_answer_s
        try:
            if not select.select([], [self._sock], [], current().zygote_answer_s)[1]:
                raise TimeoutError("the zygote stopped reading")
            socket.send_fds(self._sock, [b"R"], list(fds))
            wire.send(self._sock.fileno(), msg, deadline)
        except (OSError, TimeoutError) as e:
            self.close()
            raise ZygoteError(f"the zygote is gone ({e})") from None

    def _answer(self, timeout_s: float, what: str) -> dict:
        try:
            reply = wire.recv(self._sock.fileno(), time.monotonic() + timeout_s)
        except (TimeoutError, EOFError, OSError, wire.WireError) as e:
            self.close()
            raise ZygoteError(f"the zygote did not answer the {what} request "
                              f"({type(e).__name__})") from None
        if not isinstance(reply, dict):
            self.close()
            raise ZygoteError(f"the zygote sent garbage to the {what} request")
        return reply


# One zygote per process and slot (a batch worker grades one submission at a time), kept in the
# process's holdings (grader.sandbox.holdings): `held` below, this process's by default.

def prestart(slot: int, key: tuple, argv_for: Any, env: dict[str, str],
             held: Holdings | None = None) -> None:
    """Start the zygote of this process and `slot` without waiting for its imports (seconds):
    they overlap whatever the caller does next. `obtain` returns it, and its first fork waits."""
    zygotes = (held or holdings.current()).zygotes
    if slot not in zygotes:
        zygotes[slot] = Zygote(key, argv_for, env, wait=False)


def adopt(held: Holdings, parent: Holdings | None, slot: int) -> None:
    """In a process forked after its parent prestarted zygotes (a batch worker): take over the
    one of `slot`, let go of the others."""
    for s, z in list(parent.zygotes.items()) if parent else []:
        if s == slot and z.alive and s not in held.zygotes:
            held.zygotes[s] = z
        else:
            z.let_go()
    if parent is not None and parent is not held:
        parent.zygotes.clear()


def hand_over(held: Holdings) -> list[int]:
    """In the parent, once its workers are forked and hold their zygotes: let go of them.
    Returns their slots (whose uid leases go with them)."""
    slots = list(held.zygotes)
    for slot in slots:
        held.zygotes.pop(slot).let_go()
    return slots


def obtain(slot: int, key: tuple, argv_for: Any, env: dict[str, str],
           held: Holdings | None = None) -> Zygote:
    """The live zygote of this process and slot for `key`, started if needed."""
    zygotes = (held or holdings.current()).zygotes  # a forked worker never uses its parent's
    z = zygotes.get(slot)
    if z is not None and (z.key != key or not z.alive):
        z.close()
        z = None
    if z is None:
        z = zygotes[slot] = Zygote(key, argv_for, env)
    return z


def discard(slot: int, held: Holdings | None = None) -> None:
    z = (held or holdings.current()).zygotes.pop(slot, None)
    if z is not None:
        z.close()


def of_slot(slot: int = 0) -> Zygote | None:
    """This process's zygote of `slot`, if it has one (tests and benchmarks look at it)."""
    return holdings.current().zygotes.get(slot)
