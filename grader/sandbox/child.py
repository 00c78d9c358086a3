"""The process that runs a submission: loads it, then answers the grader's calls with data.

Runs inside the sandbox as `python -I -S child.py CONFIG_JSON`. Standalone on purpose: the grader
package is not visible in here. Everything this file needs to talk to the grader (the codec, the
protocol fds, os.write) is captured *before* the student's code runs, so patching json, numpy or
torch inside the submission cannot change what is sent back; and the verdict is computed outside
anyway, from data alone.
"""
import importlib.util
import os
import select
import signal
import sys
import time
import traceback


def _load_wire(path):
    spec = importlib.util.spec_from_file_location("_grader_wire", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


class _Forbidden:
    """A meta-path finder that refuses the exercise's forbidden packages, whatever the spelling."""

    def __init__(self, names, exercise):
        self.names, self.exercise = frozenset(names), exercise

    def find_spec(self, fullname, path=None, target=None):
        if fullname.partition(".")[0] in self.names:
            raise ImportError(f"'{fullname.partition('.')[0]}' may not be used in {self.exercise}: "
                              f"this exercise is about writing it yourself")
        return None


def _fix_seeds(seed, use_torch, device, gpu_memory_fraction=None):
    import random
    random.seed(seed)
    try:
        import numpy
        numpy.random.seed(seed)
    except ImportError:
        pass
    if use_torch:
        import torch
        if device != "cuda":
            # The CPU generator is all a CPU run has. torch.manual_seed would also queue a
            # seed for CUDA, formatting a stack trace from source files: 3 ms a run, for a
            # device it cannot see.
            torch.default_generator.manual_seed(seed)
        else:
            torch.manual_seed(seed)
            torch.cuda.manual_seed_all(seed)
            if gpu_memory_fraction:  # a run that asks for more gets torch's OutOfMemoryError
                torch.cuda.set_per_process_memory_fraction(gpu_memory_fraction)
        _deterministic(torch)


def _deterministic(torch):
    """torch.use_deterministic_algorithms(True, warn_only=True) without its import of
    torch._inductor's config (torch._dynamo: 2 s), which only torch.compile reads."""
    setter = getattr(torch._C, "_set_deterministic_algorithms", None)
    if setter is None:  # another torch: the public way
        torch.use_deterministic_algorithms(True, warn_only=True)
    else:
        setter(True, warn_only=True)


def _error(exc, submission, phase):
    """A student-facing description of an exception: type, message, line in their file."""
    line = None
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename == submission:
            line = frame.lineno
    if isinstance(exc, SyntaxError) and exc.filename == submission:
        line = exc.lineno
    text = "".join(traceback.format_exception_only(type(exc), exc)).strip()
    tb = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    return {"ok": False, "phase": phase, "error": {
        "type": type(exc).__name__, "message": text[-2000:], "line": line,
        "traceback": tb[-6000:]}}


def main():
    import json
    cfg = json.loads(sys.argv[1])
    if cfg.get("zygote"):
        try:  # _zygote returns only in a forked child, with that child's config
            _zygote(cfg)
            _run(_FORKED)
        except BaseException:  # a child never falls back into the zygote's loop
            _exit(70)
        _exit(0)
    _run(cfg)


def _run(cfg):
    if cfg.get("keeper"):
        _keep(cfg["fd_in"], cfg["fd_out"])  # returns in the child; the keeper never returns
    # The scratch folder last: a numpy.py or torch.py the submission writes there cannot shadow
    # the real packages, not even for the wire codec of a restarted child.
    work = os.path.dirname(cfg["submission"])
    sys.path[:] = [p for p in cfg["sys_path"] if p != work] + [work]
    # after sys.path: it needs numpy for arrays. A forked child has the zygote's, loaded
    # before any submission ran.
    wire = _ZYGOTE_WIRE or _load_wire(cfg["wire"])
    send, recv, WireError = wire.send, wire.recv, wire.WireError
    # Private copies of the channel: fds the student's subprocesses do not inherit.
    fd_in, fd_out = os.dup(cfg["fd_in"]), os.dup(cfg["fd_out"])
    os.close(cfg["fd_in"]), os.close(cfg["fd_out"])
    perf = time.perf_counter
    if cfg.get("await_source"):
        # A forked child gets its submission from the grader, past the zygote: the zygote
        # never holds a student's bytes that a later child, a copy of its memory, could find.
        # The grader sends it once the run is in its cgroup: nothing runs uncounted.
        try:
            first = recv(fd_in)
            source = first["source"]
        except (EOFError, KeyError, TypeError, WireError):
            _exit(71)
        with open(cfg["submission"], "x", encoding="utf-8") as f:
            f.write(source)
        del first, source

    sys.meta_path.insert(0, _Forbidden(cfg["forbidden"], cfg["exercise"]))
    sys.argv = [cfg["submission"]]
    submission = cfg["submission"]
    try:
        _fix_seeds(cfg["seed"], cfg["use_torch"], cfg["device"], cfg.get("gpu_memory_fraction"))
    except Exception as e:  # a broken torch install is the machine's fault, say so plainly
        send(fd_out, _error(e, submission, "setup"))
        return
    versions = _versions(cfg["use_torch"])

    try:  # what it printed reaches the report even if it is killed before flushing
        sys.stdout.reconfigure(line_buffering=True)
    except (AttributeError, ValueError):
        pass
    module = _new_module(cfg["module"], submission)
    t0 = perf()
    try:
        with open(submission, "rb") as f:
            code = compile(f.read(), submission, "exec")
        exec(code, module.__dict__)
    except BaseException as e:  # SystemExit and KeyboardInterrupt included: all are the student's
        send(fd_out, _error(e, submission, "load"))
        return
    send(fd_out, {"ok": True, "event": "loaded", "seconds": perf() - t0, "versions": versions,
                  "usage": _usage()})
    _serve(module, cfg, fd_in, fd_out, send, recv, WireError, perf)
    # Done: leave now, without the student's atexit handlers or never-ending threads.
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BaseException:
            pass
    _exit(0)


# ---- warm zygote: import once, fork a child per submission ------------------------------------

_FORKED = None                   # the config of a forked child, set in that child only
_ZYGOTE_WIRE = None              # in a zygote and its children: the wire module, loaded once
_ZYGOTE_SIGNALS = ("SIGTERM", "SIGINT", "SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2", "SIGALRM")


def _zygote(cfg):
    """Strong mode only (a pid namespace of its own, an unprivileged uid): import numpy and
    torch once, then fork a child per submission on the grader's request. Each child gets a
    fresh folder, its own session, limits and seeds; when it ends, everything this uid runs in
    the namespace except the zygote is killed and /work and /tmp are emptied, so nothing of one
    submission meets the next. The zygote cannot be traced or read by its children (not
    dumpable); one that kills or stops it only ends its own run: the grader starts another."""
    global _FORKED, _ZYGOTE_WIRE
    import gc
    import shutil
    import socket
    import json, random, traceback, types  # noqa: E401,F401  what a child needs, imported once
    sys.path[:] = list(cfg["sys_path"])
    wire = _ZYGOTE_WIRE = _load_wire(cfg["wire"])
    sock = socket.socket(fileno=cfg["fd_zygote"])
    fd = sock.fileno()
    if os.getpid() > 16:  # kill(-1) below is only safe inside a pid namespace of our own
        wire.send(fd, {"ok": False, "error": "the zygote needs a pid namespace of its own"})
        _exit(1)
    try:
        import numpy.random  # noqa: F401  (lazy in numpy 2: 10 ms for each child's seed)
        if cfg["use_torch"]:
            import torch  # noqa: F401
        versions = _versions(cfg["use_torch"])
    except BaseException as e:  # a broken install is the machine's fault: the grader says so
        wire.send(fd, {"ok": False, "error": f"{type(e).__name__}: {e}"[:500]})
        _exit(1)
    _prctl(4, 0)    # PR_SET_DUMPABLE: no ptrace, no /proc/<zygote>/mem for the children
    _prctl(36, 1)   # PR_SET_CHILD_SUBREAPER: what a child leaves behind becomes ours to reap
    for name in _ZYGOTE_SIGNALS:
        signal.signal(getattr(signal, name), signal.SIG_IGN)
    wire.send(fd, {"ok": True, "event": "ready", "versions": versions})
    runs, n = {}, 0
    while True:
        try:
            head, fds, _, _ = socket.recv_fds(sock, 1, 3)
            req = wire.recv(fd) if head else {"op": "exit"}
        except (OSError, EOFError, wire.WireError):
            _exit(0)
        if req.get("op") == "fork":
            _preload(req.get("preload", ()))
            # Whatever the zygote imported goes to the collector's permanent generation: a
            # child's collections then skip torch's hundreds of thousands of objects, instead
            # of walking them and copying every page they touch (copy on write).
            gc.freeze()
            n += 1
            pid = _fork()
            if pid == 0:
                try:
                    _FORKED = _forked_child(req, fds, f"{cfg['work']}/run{n}", sock)
                    return
                except BaseException:
                    _exit(70)
            runs[pid] = f"{cfg['work']}/run{n}"
            for f in fds:
                os.close(f)
            # The child's pidfd lets the grader name it outside the namespace (its cgroup).
            pidfd = _pidfd(pid)
            socket.send_fds(sock, [b"P" if pidfd is not None else b"N"],
                            [pidfd] if pidfd is not None else [])
            if pidfd is not None:
                os.close(pidfd)
            wire.send(fd, {"ok": True, "pid": pid})
        elif req.get("op") == "reap":
            pid = int(req["pid"])
            reply = _reap(pid, float(req.get("grace_s", 0)))
            runs.pop(pid, None)
            reply["clean"] = _wipe((cfg["work"], "/tmp", "/dev/shm"), shutil)
            wire.send(fd, dict(reply, ok=True))
        else:
            _exit(0)


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


def _forked_child(req, fds, run, sock):
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
    _apply_rlimits(req["rlimits"])
    return cfg


def _apply_rlimits(values):
    """The grader's isolation.apply_rlimits, repeated here: this file cannot import the grader."""
    import resource
    mb = 1024 * 1024
    resource.setrlimit(resource.RLIMIT_CPU, (values["cpu_s"], values["cpu_s"] + 5))
    if values["memory_mb"] is not None:
        resource.setrlimit(resource.RLIMIT_AS, (values["memory_mb"] * mb,) * 2)
    resource.setrlimit(resource.RLIMIT_FSIZE, (values["file_mb"] * mb,) * 2)
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if values.get("nproc") is not None:
        resource.setrlimit(resource.RLIMIT_NPROC, (values["nproc"],) * 2)


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


def _pidfd(pid):
    """A file descriptor that becomes readable when `pid` exits (Linux 5.3+); None elsewhere."""
    try:
        return os.pidfd_open(pid)
    except (AttributeError, OSError):
        return None


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


def _prctl(option, value):
    try:
        import ctypes
        ctypes.CDLL(None, use_errno=True).prctl(option, value, 0, 0, 0)
    except (OSError, AttributeError):
        pass


_exit, _fork, _waitpid, _kill = os._exit, os.fork if hasattr(os, "fork") else None, \
    os.waitpid if hasattr(os, "waitpid") else None, os.kill


class _Stop(Exception):
    pass


def _keep(fd_in, fd_out):
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
        try:
            import ctypes
            ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
        except (OSError, AttributeError):
            pass
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


def _usage(resource=__import__("resource") if os.name == "posix" else None):
    """CPU seconds and peak memory (MB) of this process: informational only, never a verdict."""
    if resource is None:
        return [0.0, 0.0]
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return [ru.ru_utime + ru.ru_stime, ru.ru_maxrss / 1024]


def _serve(module, cfg, fd_in, fd_out, send, recv, WireError, perf):
    probes = {"device": cfg["device"], "DATA": dict(cfg.get("data", {})), "__name__": "probes"}
    submission = cfg["submission"]
    while True:
        try:
            req = recv(fd_in)
        except EOFError:
            return
        op, rid = req.get("op"), req.get("id")
        if op == "exit":
            return
        if op == "probes":
            try:  # the submission may have broken what the probes import: say so, don't die
                exec(compile(req["source"], "<probes>", "exec"), probes)
            except BaseException as e:
                send(fd_out, dict({"id": rid}, **_error(e, submission, "probes")))
                continue
            send(fd_out, {"id": rid, "ok": True})
            continue
        t0 = perf()
        try:
            fn = getattr(module, req["name"]) if op == "call" else probes[req["name"]]
            value = fn(*req["args"], **req["kwargs"]) if op == "call" else \
                fn(module, *req["args"], **req["kwargs"])
        except BaseException as e:
            send(fd_out, dict({"id": rid}, **_error(e, submission, "call"), usage=_usage()))
            continue
        try:
            send(fd_out, {"id": rid, "ok": True, "value": value, "seconds": perf() - t0,
                          "usage": _usage()})
        except Exception as e:  # WireError, or a hostile object's own error while encoded
            why = str(e) if isinstance(e, WireError) else \
                f"a value that cannot be sent back to the grader ({type(e).__name__})"
            send(fd_out, {"id": rid, "ok": False, "phase": "return", "error": {
                "type": "WireError", "message": why[:500], "line": None, "traceback": ""}})


def _new_module(name, path):
    import types
    module = types.ModuleType(name)
    module.__file__ = path
    sys.modules[name] = module
    return module


def _versions(use_torch):
    out = {"python": sys.version.split()[0]}
    for name in ("numpy", "torch") if use_torch else ("numpy",):
        try:
            out[name] = __import__(name).__version__
        except ImportError:
            pass
    return out


if __name__ == "__main__":
    main()
