"""The process that runs a submission: loads it, then answers the grader's calls with data.

Runs inside the sandbox as `python -I -S child.py CONFIG_JSON`. Standalone on purpose: the grader
package is not visible in here. Everything this file needs to talk to the grader (the codec, the
protocol fds, os.write) is captured *before* the student's code runs, so patching json, numpy or
torch inside the submission cannot change what is sent back; and the verdict is computed outside
anyway, from data alone.
"""
import importlib.util
import os
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


def _fix_seeds(seed, use_torch, device):
    import random
    random.seed(seed)
    try:
        import numpy
        numpy.random.seed(seed)
    except ImportError:
        pass
    if use_torch:
        import torch
        torch.manual_seed(seed)
        if device == "cuda":
            torch.cuda.manual_seed_all(seed)
        torch.use_deterministic_algorithms(True, warn_only=True)


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
    if cfg.get("keeper"):
        _keep(cfg["fd_in"], cfg["fd_out"])  # returns in the child; the keeper never returns
    # The scratch folder last: a numpy.py or torch.py the submission writes there cannot shadow
    # the real packages, not even for the wire codec of a restarted child.
    work = os.path.dirname(cfg["submission"])
    sys.path[:] = [p for p in cfg["sys_path"] if p != work] + [work]
    wire = _load_wire(cfg["wire"])  # after sys.path: it needs numpy for arrays
    send, recv, WireError = wire.send, wire.recv, wire.WireError
    # Private copies of the channel: fds the student's subprocesses do not inherit.
    fd_in, fd_out = os.dup(cfg["fd_in"]), os.dup(cfg["fd_out"])
    os.close(cfg["fd_in"]), os.close(cfg["fd_out"])
    perf = time.perf_counter

    sys.meta_path.insert(0, _Forbidden(cfg["forbidden"], cfg["exercise"]))
    sys.argv = [cfg["submission"]]
    submission = cfg["submission"]
    try:
        _fix_seeds(cfg["seed"], cfg["use_torch"], cfg["device"])
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
                send(fd_out, dict(_error(e, submission, "probes"), id=rid))
                continue
            send(fd_out, {"ok": True, "id": rid})
            continue
        t0 = perf()
        try:
            fn = getattr(module, req["name"]) if op == "call" else probes[req["name"]]
            value = fn(*req["args"], **req["kwargs"]) if op == "call" else \
                fn(module, *req["args"], **req["kwargs"])
        except BaseException as e:
            send(fd_out, dict(_error(e, submission, "call"), usage=_usage(), id=rid))
            continue
        try:
            send(fd_out, {"ok": True, "value": value, "seconds": perf() - t0,
                          "usage": _usage(), "id": rid})
        except Exception as e:  # WireError, or a hostile object's own error while encoded
            why = str(e) if isinstance(e, WireError) else \
                f"a value that cannot be sent back to the grader ({type(e).__name__})"
            send(fd_out, {"ok": False, "phase": "return", "id": rid, "error": {
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
