"""Inside the sandbox's weak mode (no namespaces): a keeper process between the grader and the
submission. Loaded by child.py; standard library only.
"""
import os
import signal
import sys
import time

_exit, _fork, _waitpid, _kill = os._exit, os.fork if hasattr(os, "fork") else None, \
    os.waitpid if hasattr(os, "waitpid") else None, os.kill


class _Stop(Exception):
    pass


def keep(fd_in, fd_out, prctl):
    """Weak mode (no namespaces): split into a keeper and the child that runs the submission.

    The child returns at once. The keeper stays the parent, so a submission that signals its
    parent (os.kill(os.getppid(), SIGKILL or SIGSTOP)) hits the keeper, not the grader. On
    Linux the keeper is a child subreaper: processes the submission leaves behind, even
    double-forked and setsid ones, become its children, and it kills them all when the child
    ends or when the grader sends it SIGTERM. It then ends the way the child ended, so the
    grader sees the child's exit code or signal."""
    if _fork is None:
        return
    if sys.platform.startswith("linux"):
        prctl(36, 1)  # PR_SET_CHILD_SUBREAPER
    pid = _fork()
    if pid == 0:
        return
    os.close(fd_in), os.close(fd_out)  # only the child speaks to the grader
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)

    def stop(signum, frame):
        raise _Stop
    signal.signal(signal.SIGTERM, stop)
    status = None
    try:
        while status is None:
            done, st = _waitpid(-1, 0)
            if done == pid:
                status = st
    except _Stop:
        pass
    except ChildProcessError:
        status = 0
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    status = _sweep(pid, status)
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        signal.signal(sig, signal.SIG_DFL)
        _kill(os.getpid(), sig)
    _exit(os.WEXITSTATUS(status) if os.WIFEXITED(status) else 1)


def _sweep(pid, status, limit_s=5.0):
    """Kill every child of the keeper (the submission's process, and what was reparented to
    it) until none is left; return the submission's wait status."""
    end = time.monotonic() + limit_s
    if status is None:  # told to stop: the submission first, even where /proc cannot list it
        try:
            _kill(pid, signal.SIGKILL)
        except OSError:
            pass
    while time.monotonic() < end:
        for kid in _children():
            try:
                _kill(kid, signal.SIGKILL)
            except OSError:
                pass
        try:
            done, st = _waitpid(-1, 0)
        except ChildProcessError:
            break
        if done == pid:
            status = st
    return status if status is not None else 9  # killed


def _children():
    """The keeper's children: pid, then ppid in /proc/PID/stat (Linux); only the first child
    where there is no /proc."""
    me, out = os.getpid(), []
    try:
        names = os.listdir("/proc")
    except OSError:
        return out
    for name in names:
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as f:
                fields = f.read().rpartition(b")")[2].split()
        except OSError:
            continue
        if len(fields) > 1 and int(fields[1]) == me:
            out.append(int(name))
    return out
