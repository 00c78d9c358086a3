"""The two kinds of run, behind one interface: start, a channel, an output stream, `end()`.

- `ColdRun`: a new interpreter in a new sandbox (bubblewrap, or the weak keeper mode): seconds
  to start where torch is imported.
- `ForkedRun`: a child of the slot's warm zygote (strong mode only): milliseconds.

Either way the run's processes are in the slot's cgroup where the machine has one, so memory,
tasks and CPU are the kernel's figures; `end()` kills what is left and says how the run ended.
"""
from __future__ import annotations

import os
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Callable

from grader.core.settings import current

from . import cgroups, seccomp, wire, zygote
from .protocol import bounded, is_ready
from .clock import descendants, tree_cpu
from .config import ChildConfig
from .isolation import count_tasks, rlimit_values
from .limits import Limits
from .procs import apply_rlimits

# Settings (grader.core.settings): `sandbox_tasks`, what a cold sandbox adds to the run's tasks
# (bwrap's init and setpriv); `group_memory_headroom`, the cgroup's memory limit over the
# address-space limit (a quarter above: ordinary allocations meet RLIMIT_AS first, a clean
# MemoryError at once, and the cgroup stops only what RLIMIT_AS cannot see, memfd, tmpfs,
# shared memory, before it reaches the machine).


def group_memory_mb(limits: Limits) -> int | None:
    return int(limits.memory_mb * current().group_memory_headroom) if limits.memory_mb else None


@dataclass
class Ending:
    status: int                  # the wait status (os.waitstatus_to_exitcode reads it)
    cpu_s: float = 0.0           # the kernel's figures (cgroup, or the wait4 of our own child)
    peak_mb: float = 0.0
    oom: bool = False            # the kernel's OOM killer ended it (over the memory limit)
    via_bwrap: bool = False      # bwrap exits 128 + N when its child got signal N
    trusted: bool = False        # cpu_s and peak_mb are the kernel's, not the child's


@dataclass(frozen=True)
class Launch:
    """What either kind of run needs to start."""
    child: ChildConfig
    limits: Limits
    scratch: Path
    env: dict[str, str]
    uid: int | None
    group: cgroups.Group | None
    strong: bool
    keeper: bool


class Run:
    reader: int                  # the grader's ends of the request channel
    writer: int
    output: IO[bytes]            # the run's stdout and stderr together
    awaits_source: bool = False  # its first request must carry the submission's source
    launch: Launch
    host_pid: int | None = None  # its first process, in our pid namespace
    _cpu: float = 0.0

    def end(self, grace_s: float) -> Ending:  # pragma: no cover
        raise NotImplementedError

    def sample_stack(self) -> bool:
        """Ask the run's Python for its stack (faulthandler answers SIGPROF, child.py); False
        where it cannot be found."""
        raise NotImplementedError  # pragma: no cover

    def cpu_used(self) -> float:
        """CPU seconds its processes have used so far: the cgroup's count (threads and
        subprocesses included), else its process tree's in /proc."""
        group = self.launch.group
        cpu = group.cpu_now() if group is not None else None
        if cpu is None:
            cpu = tree_cpu(self.host_pid) if self.host_pid else 0.0
        self._cpu = max(self._cpu, cpu)  # a tree forgets a child until its parent reaps it
        return self._cpu


def _pipes() -> tuple[int, int, int, int]:
    """(child reads, grader writes, grader reads, child writes); the grader's write end does
    not block, so that a run that stops reading cannot hang it (wire.send's deadline)."""
    r_child, w_parent = os.pipe()
    r_parent, w_child = os.pipe()
    os.set_blocking(w_parent, False)
    return r_child, w_parent, r_parent, w_child


class ColdRun(Run):
    def __init__(self, launch: Launch, argv_for: Callable[[int, int, int | None], list[str]]):
        """`argv_for(child's read fd, child's write fd, seccomp filter fd)`: the command."""
        self.launch = launch
        r_child, self.writer, self.reader, w_child = _pipes()
        if launch.group is not None:
            launch.group.start(group_memory_mb(launch.limits), launch.limits.nproc + current().sandbox_tasks)
        filter_fd = seccomp.memfd() if launch.strong and seccomp.supported() else None
        keep = (r_child, w_child) + ((filter_fd,) if filter_fd is not None else ())
        try:
            self.proc = subprocess.Popen(
                argv_for(r_child, w_child, filter_fd),
                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                pass_fds=keep, cwd=launch.scratch, env=launch.env, start_new_session=True,
                preexec_fn=self._preexec())
        finally:
            for fd in keep:
                os.close(fd)
        self.output = self.proc.stdout
        self.host_pid = self.proc.pid

    def _preexec(self) -> Callable[[], None] | None:
        values = rlimit_values(self.launch.limits, self.launch.uid, self.launch.child.device)
        group = self.launch.group

        def enter() -> None:  # between fork and exec, in the new process
            if group is not None:
                group.add(os.getpid())
            apply_rlimits(values)
        return enter if os.name == "posix" else None

    def sample_stack(self) -> bool:
        """The run's Python is below bubblewrap (strong) or its keeper (weak): the first
        process under ours that runs child.py."""
        for pid in descendants(self.proc.pid):
            if pid != self.proc.pid and _runs_child(pid):
                _signal(pid, signal.SIGPROF)
                return True
        return False

    def end(self, grace_s: float) -> Ending:
        pid, cpu_peak = self.proc.pid, [0.0, 0.0]
        status = _wait(pid, grace_s, cpu_peak)
        if status is None and self.launch.keeper:  # weak mode: the keeper sweeps first
            for sig in (signal.SIGTERM, signal.SIGCONT):
                _signal(pid, sig)
            status = _wait(pid, 2.0, cpu_peak)
        try:
            os.killpg(pid, signal.SIGKILL)  # also whatever it left behind in its group
        except (ProcessLookupError, PermissionError):
            pass
        if status is None:
            status = _wait(pid, None, cpu_peak)
        self.proc.returncode = os.waitstatus_to_exitcode(status)
        ending = Ending(status, cpu_s=cpu_peak[0], peak_mb=cpu_peak[1],
                        via_bwrap=self.launch.strong, trusted=not self.launch.strong)
        return _with_facts(ending, self.launch.group)


class ForkedRun(Run):
    awaits_source = True

    def sample_stack(self) -> bool:
        if self.host_pid is None:
            return False
        _signal(self.host_pid, signal.SIGPROF)  # not reaped yet: the zygote waits for end()
        return True

    def __init__(self, launch: Launch, slot: int, key: tuple, argv_for, preload: list[str]):
        z = self.zygote = zygote.obtain(slot, key, argv_for, launch.env)
        self.launch, self.slot = launch, slot
        r_child, self.writer, self.reader, w_child = _pipes()
        out_r, out_w = os.pipe()
        if z.tasks is None:  # between runs a zygote is alone with its uid: count it once
            z.tasks = count_tasks(launch.uid) if launch.uid is not None else None
        limits = rlimit_values(launch.limits, launch.uid, launch.child.device, z.tasks)
        if launch.group is not None:
            launch.group.start(group_memory_mb(launch.limits), launch.limits.nproc)
        try:
            self.pid, pidfd = z.fork(launch.child.for_fork(), limits, (r_child, w_child, out_w),
                                     preload)
        except zygote.ZygoteError:
            for fd in (self.writer, self.reader, out_r):
                os.close(fd)
            raise
        finally:
            for fd in (r_child, w_child, out_w):
                os.close(fd)
        try:
            if pidfd is not None:
                self.host_pid = _host_pid(pidfd)
                if launch.group is not None:
                    launch.group.add(self.host_pid)
        except OSError:
            pass  # gone already: it ends as it ended
        finally:
            if pidfd is not None:
                os.close(pidfd)
        self.output = os.fdopen(out_r, "rb")
        self._await_ready()

    def _await_ready(self) -> None:
        """The child says "ready" once it has set its own limits, scheduling and filter, before
        it is sent the submission: a child that never says it could not set itself up (a
        broken zygote), which is the grader's fault. The run ends, the zygote is replaced,
        and the caller starts the submission elsewhere (ZygoteError)."""
        try:
            said = wire.recv(self.reader, time.monotonic() + current().zygote_answer_s, 256)
        except (EOFError, OSError, TimeoutError, wire.WireError):
            said = None
        if is_ready(said):
            return
        self.end(0.0)
        self.output.close()
        for fd in (self.writer, self.reader):
            os.close(fd)
        zygote.discard(self.slot)
        raise zygote.ZygoteError("the forked run could not set itself up")

    def end(self, grace_s: float) -> Ending:
        try:
            done = self.zygote.reap(self.pid, grace_s)
            ending = Ending(int(done.get("status", 9)), cpu_s=bounded(done.get("cpu_s"), 1e9),
                            peak_mb=bounded(done.get("maxrss_mb"), 1e9), trusted=True)
        except (zygote.ZygoteError, TypeError, ValueError):
            # The child took its zygote down (killed or stopped it): that ends this run, and
            # the sandbox it was in is gone with it.
            zygote.discard(self.slot)
            ending = Ending(signal.SIGKILL)
        return _with_facts(ending, self.launch.group)


def _with_facts(ending: Ending, group: cgroups.Group | None) -> Ending:
    if group is None:
        return ending
    facts = group.facts()
    # The cgroup's peak counts what the run charged (files and shared memory too), not the
    # zygote's pages it shares; the resident size counts those: the larger says more.
    peak = max(facts.peak_mb, ending.peak_mb if ending.trusted else 0.0)
    ending.cpu_s, ending.peak_mb, ending.trusted = facts.cpu_s, peak, True
    ending.oom = facts.oom_killed
    return ending


def _runs_child(pid: int) -> bool:
    """Python running child.py (bubblewrap's own command line names child.py too)."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            args = f.read().split(b"\0")
    except OSError:
        return False
    return os.path.basename(args[0]).startswith(b"python") and \
        any(arg.endswith(b"/child.py") for arg in args)


def _host_pid(pidfd: int) -> int:
    """The pid, in our namespace, of the process a pidfd refers to (/proc's fdinfo says)."""
    with open(f"/proc/self/fdinfo/{pidfd}") as f:
        for line in f:
            if line.startswith("Pid:"):
                pid = int(line.split()[1])
                if pid > 0:
                    return pid
    raise ProcessLookupError("the run has ended")


def _wait(pid: int, timeout: float | None, cpu_peak: list[float]) -> int | None:
    """wait4 our child (blocking when timeout is None); note its CPU time and peak memory."""
    end = time.monotonic() + (timeout or 0)
    while True:
        try:
            done, status, ru = os.wait4(pid, 0 if timeout is None else os.WNOHANG)
        except ChildProcessError:
            return 0
        if done:
            cpu_peak[0] = max(cpu_peak[0], ru.ru_utime + ru.ru_stime)
            cpu_peak[1] = max(cpu_peak[1], ru.ru_maxrss / 1024)
            return status
        if time.monotonic() >= end:
            return None
        time.sleep(0.01)


def _signal(pid: int, sig: int) -> None:
    try:
        os.kill(pid, sig)
    except (ProcessLookupError, PermissionError):
        pass
