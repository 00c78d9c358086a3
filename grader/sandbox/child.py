"""The process that runs a submission: loads it, then answers the grader's calls with data.

Runs inside the sandbox as `python -I -S child.py CONFIG_JSON`. Standalone on purpose: the grader
package is not visible in here. Everything this file needs to talk to the grader (the codec, the
protocol fds, os.write) is captured *before* the student's code runs, so patching json, numpy or
torch inside the submission cannot change what is sent back; and the verdict is computed outside
anyway, from data alone.
"""
import importlib.util
import os
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
    sys.path[:] = cfg["sys_path"]
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
        op = req.get("op")
        if op == "exit":
            return
        if op == "probes":
            try:  # the submission may have broken what the probes import: say so, don't die
                exec(compile(req["source"], "<probes>", "exec"), probes)
            except BaseException as e:
                send(fd_out, _error(e, submission, "probes"))
                continue
            send(fd_out, {"ok": True})
            continue
        t0 = perf()
        try:
            fn = getattr(module, req["name"]) if op == "call" else probes[req["name"]]
            value = fn(*req["args"], **req["kwargs"]) if op == "call" else \
                fn(module, *req["args"], **req["kwargs"])
        except BaseException as e:
            send(fd_out, dict(_error(e, submission, "call"), usage=_usage()))
            continue
        try:
            send(fd_out, {"ok": True, "value": value, "seconds": perf() - t0,
                          "usage": _usage()})
        except WireError as e:
            send(fd_out, {"ok": False, "phase": "return", "error": {
                "type": "WireError", "message": str(e), "line": None, "traceback": ""}})


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
