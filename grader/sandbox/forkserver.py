"""Inside the sandbox: the warm zygote's fork server (strong mode only). Loaded by child.py;
standard library only. It imports numpy and torch once, then forks a child per submission on
the grader's request, and cleans up after each (see `_zygote`). Protocol, over a Unix socket:
one byte carrying the run's pipes as SCM_RIGHTS, then a wire frame; answers are wire frames,
and a fork's answer is preceded by a byte carrying the child's pidfd (P) or none (N).
"""
import os
import select
import signal
import sys
import time

_exit, _fork, _kill = os._exit, os.fork, os.kill
_prctl = _pidfd = _apply_rlimits = None  # procs.py's, set by serve()



_ZYGOTE_SIGNALS = ("SIGTERM", "SIGINT", "SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2", "SIGALRM")


def serve(cfg, load, procs, warm=None):
    """Run the zygote; returns only in a forked child: (that child's config, the wire module).
    `load(path)` loads a helper file; `procs` is procs.py, loaded by child.py; `warm()`, run once
    torch is imported, prepares what every child would otherwise make for itself."""
    global _prctl, _pidfd, _apply_rlimits
    _prctl, _pidfd, _apply_rlimits = procs.prctl, procs.pidfd, procs.apply_rlimits
    return _zygote(cfg, load, warm)


def _zygote(cfg, load, warm=None):
    """Strong mode only (a pid namespace of its own, an unprivileged uid): import numpy and
    torch once, then fork a child per submission on the grader's request. Each child gets a
    fresh folder, its own session, limits and seeds; when it ends, everything this uid runs in
    the namespace except the zygote is killed and /work and /tmp are emptied, so nothing of one
    submission meets the next. The zygote cannot be traced or read by its children (not
    dumpable); one that kills or stops it only ends its own run: the grader starts another."""
    import socket
    import json, random, traceback, types  # noqa: E401,F401  what a child needs, imported once
    sys.path[:] = list(cfg["sys_path"])
    wire = load(cfg["wire"])
    sock = socket.socket(fileno=cfg["fd_zygote"])
    _warm_up(cfg, wire, sock.fileno(), warm)
    # What every child starts from, set explicitly in each (`_forked_child`), and what the
    # zygote checks it still holds before each fork: a run cannot act on it (seccomp.py's
    # per-run filter), and a zygote found changed anyway is the grader's fault: it says so,
    # and the grader starts another (the run is retried, never graded on a broken sandbox).
    start = _state()
    wire.send(sock.fileno(), {"ok": True, "event": "ready"})
    return _serve_forks(cfg, wire, sock, start)


def _warm_up(cfg, wire, fd, warm):
    """Check the namespace, import what every child needs, and shut the zygote to its
    children: not dumpable, their subreaper, deaf to the signals that would end it."""
    if os.getpid() > 16:  # kill(-1) in _reap is only safe inside a pid namespace of our own
        wire.send(fd, {"ok": False, "error": "the zygote needs a pid namespace of its own"})
        _exit(1)
    try:
        import numpy.random  # noqa: F401  (lazy in numpy 2: 10 ms for each child's seed)
        if cfg["use_torch"]:
            import torch  # noqa: F401
        if warm is not None:
            warm()
    except BaseException as e:  # a broken install is the machine's fault: the grader says so
        wire.send(fd, {"ok": False, "error": f"{type(e).__name__}: {e}"[:500]})
        _exit(1)
    _prctl(4, 0)    # PR_SET_DUMPABLE: no ptrace, no /proc/<zygote>/mem for the children
    _prctl(36, 1)   # PR_SET_CHILD_SUBREAPER: what a child leaves behind becomes ours to reap
    for name in _ZYGOTE_SIGNALS:
        signal.signal(getattr(signal, name), signal.SIG_IGN)


def _serve_forks(cfg, wire, sock, start):
    """The grader's requests, fork and reap, until it closes the socket; returns only in a
    forked child: (its config, the wire module)."""
    import shutil
    import socket
    fd, n = sock.fileno(), 0
    while True:
        try:
            head, fds, _, _ = socket.recv_fds(sock, 1, 3)
            req = wire.recv(fd) if head else {"op": "exit"}
        except (OSError, EOFError, wire.WireError):
            _exit(0)
        if req.get("op") == "fork":
            n += 1
            child = _fork_one(req, fds, f"{cfg['work']}/run{n}", sock, wire, start)
            if child is not None:
                return child, wire
        elif req.get("op") == "reap":
            reply = _reap(int(req["pid"]), float(req.get("grace_s", 0)))
            reply["clean"] = _wipe((cfg["work"], "/tmp", "/dev/shm"), shutil)
            wire.send(fd, dict(reply, ok=True))
        else:
            _exit(0)


def _fork_one(req, fds, run, sock, wire, start):
    """Fork the child the request asks for; in the child, its config; in the zygote, None
    (the child's pidfd, then its pid, sent to the grader)."""
    import gc
    import socket
    fd = sock.fileno()
    changed = _changed(start)
    if changed:
        socket.send_fds(sock, [b"N"], [])
        wire.send(fd, {"ok": False, "error": f"the zygote's {changed} changed"})
        for f in fds:
            os.close(f)
        return None
    _preload(req.get("preload", ()))
    # Whatever the zygote imported goes to the collector's permanent generation: a child's
    # collections then skip torch's hundreds of thousands of objects, instead of walking them
    # and copying every page they touch (copy on write).
    gc.freeze()
    pid = _fork()
    if pid == 0:
        try:
            return _forked_child(req, fds, run, sock, start)
        except BaseException:
            _exit(70)
    for f in fds:
        os.close(f)
    # The child's pidfd lets the grader name it outside the namespace (its cgroup).
    pidfd = _pidfd(pid)
    socket.send_fds(sock, [b"P" if pidfd is not None else b"N"],
                    [pidfd] if pidfd is not None else [])
    if pidfd is not None:
        os.close(pidfd)
    wire.send(fd, {"ok": True, "pid": pid})
    return None


_PRELOADED = set()               # in the zygote: module names it has tried to import


def _preload(names):
    """Import, in the zygote, what the next submission names (matplotlib builds its font list
    at import: 1.5 s), once: every later child finds it imported."""
    for name in names:
        if name not in _PRELOADED:
            _PRELOADED.add(name)
            try:
                __import__(name)
            except Exception:  # not installed or broken: the student's import will say so
                pass


def _state():
    """This process's scheduling and limits: (nice, policy, priority, CPUs, every rlimit)."""
    import resource
    limits = tuple((r, resource.getrlimit(r)) for r in _rlimit_ids(resource))
    return (os.getpriority(os.PRIO_PROCESS, 0), os.sched_getscheduler(0),
            os.sched_getparam(0).sched_priority, frozenset(os.sched_getaffinity(0)), limits)


def _rlimit_ids(resource):
    return sorted({getattr(resource, n) for n in dir(resource) if n.startswith("RLIMIT_")})


def _changed(start):
    """What of the zygote's `_state()` differs from `start` ("" when nothing does)."""
    now = _state()
    names = ("priority", "scheduling policy", "scheduling priority", "CPU affinity", "limits")
    return ", ".join(n for n, a, b in zip(names, start, now) if a != b)


def _set_state(start, rlimits):
    """Set this process's scheduling and every limit explicitly: the zygote's start values
    (checked before the fork), then the run's own limits on top."""
    import resource
    nice, policy, priority, cpus, limits = start
    os.setpriority(os.PRIO_PROCESS, 0, nice)
    os.sched_setscheduler(0, policy, os.sched_param(priority))
    os.sched_setaffinity(0, cpus)
    for r, value in limits:
        resource.setrlimit(r, value)
    _apply_rlimits(rlimits)


def _forked_child(req, fds, run, sock, start):
    """In the forked child: its own session, output, folder, limits; returns its config."""
    sock.close()
    for name in _ZYGOTE_SIGNALS:
        signal.signal(getattr(signal, name), signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    os.setsid()
    fd_in, fd_out, out = fds
    os.dup2(out, 1), os.dup2(out, 2), os.close(out)
    os.mkdir(run, 0o700)
    cfg = dict(req["cfg"], fd_in=fd_in, fd_out=fd_out, await_source=True)
    cfg["submission"] = f"{run}/{cfg['module']}.py"
    os.chdir(run)
    os.environ["HOME"] = run
    _set_state(start, req["rlimits"])
    return cfg


def _reap(pid, grace_s):
    """Let the child end within `grace_s`, then kill everything of ours in the namespace;
    return the child's wait status and usage."""
    end, status, ru = time.monotonic() + grace_s, None, None
    pidfd = _pidfd(pid)
    try:
        while status is None:
            try:
                done, st, usage = os.wait4(pid, os.WNOHANG)
            except ChildProcessError:
                status = 9
                break
            if done:
                status, ru = st, usage
            elif time.monotonic() >= end:
                break
            elif pidfd is None:
                time.sleep(0.005)
            else:  # wakes the moment the child exits
                select.select([pidfd], [], [], min(0.05, max(0.0, end - time.monotonic())))
    finally:
        if pidfd is not None:
            os.close(pidfd)
    try:
        _kill(-1, signal.SIGKILL)  # every process of this uid in the namespace, but not us
    except OSError:
        pass
    while True:
        try:
            done, st, usage = os.wait4(-1, 0)
        except ChildProcessError:
            break
        except InterruptedError:
            continue
        if done == pid:
            status, ru = st, usage
    out = {"status": status if status is not None else 9, "cpu_s": 0.0, "maxrss_mb": 0.0}
    if ru is not None:
        out.update(cpu_s=ru.ru_utime + ru.ru_stime, maxrss_mb=ru.ru_maxrss / 1024)
    return out


def _wipe(folders, shutil):
    """Empty the folders a submission could write to; False when something stayed. Mount
    points are left alone, and the folders leading to them (the interpreter's venv may sit
    below /work on the host) are root's: only what is inside them is wiped."""
    try:
        with open("/proc/self/mountinfo", encoding="utf-8", errors="replace") as f:
            mounts = {line.split()[4] for line in f if len(line.split()) > 4}
    except OSError:
        return False
    clean = True
    for folder in folders:
        try:
            names = os.listdir(folder)
        except FileNotFoundError:
            continue
        except OSError:
            return False
        for name in names:
            path = os.path.join(folder, name)
            if path in mounts:
                continue
            if any(m.startswith(path + "/") for m in mounts):
                clean = _wipe((path,), shutil) and clean
                continue
            try:
                if os.path.isdir(path) and not os.path.islink(path):
                    shutil.rmtree(path)
                else:
                    os.unlink(path)
            except OSError:
                clean = False
    return clean
