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


def _load_wire(path, name="_grader_wire"):
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


# Modules that reach raw memory or the interpreter's internals without ctypes (CPython's test
# modules, cffi): refused in every exercise.
NEVER = ("_testcapi", "_testinternalcapi", "_testbuffer", "_testmultiphase", "_testclinic",
         "_testimportmultiple", "_testsinglephase", "_xxtestfuzz", "_ctypes_test", "cffi",
         "_cffi_backend", "xxsubtype", "xxlimited", "xxlimited_35")
# A meta-path finder that refuses the exercise's forbidden packages, whatever the spelling. Made
# in globals of its own: it sits in sys.meta_path, within the submission's reach.
_FORBIDDEN = """
class Forbidden:
    def __init__(self, names, never, exercise):
        self.names, self.never, self.exercise = frozenset(names), frozenset(never), exercise

    def find_spec(self, fullname, path=None, target=None):
        top = fullname.partition(".")[0]
        if top in self.never:
            raise ImportError(f"'{top}' reaches the interpreter's memory: the grader's sandbox "
                              f"does not load it")
        if top in self.names:
            raise ImportError(f"'{top}' may not be used in {self.exercise}: "
                              f"this exercise is about writing it yourself")
        return None
"""


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
        global _ZYGOTE_WIRE, _ZYGOTE_GUARD, _ZYGOTE_SECCOMP
        try:  # serve returns only in a forked child, with that child's config
            # guard.py too is compiled once, here, not in every child (1.6 ms a run)
            _ZYGOTE_GUARD = _load_wire(_beside(cfg, "guard.py"), "_grader_guard")
            _ZYGOTE_SECCOMP = _load_wire(_beside(cfg, "seccomp.py"), "_grader_seccomp")
            _ZYGOTE_SECCOMP._libc()  # ctypes' handle and struct, made once for every child
            for name in ("hooks", "readers", "skills"):
                _helper(cfg, name)
            forkserver = _load_wire(_beside(cfg, "forkserver.py"), "_grader_forkserver")
            child_cfg, _ZYGOTE_WIRE = forkserver.serve(cfg, _load_wire, _procs(cfg),
                                                       warm=_helper(cfg, "readers").warm)
            _run(child_cfg)
        except BaseException:  # a child never falls back into the zygote's loop
            _exit(70)
        _exit(0)
    _run(cfg)


_ZYGOTE_WIRE = None              # in a forked child: the zygote's wire module, loaded once
_ZYGOTE_GUARD = None             # ... and its guard module
_ZYGOTE_SECCOMP = None           # ... and seccomp.py
_ZYGOTE_HELPERS = {}             # ... and hooks.py, readers.py, skills.py (compiled once there)
_PROCS = None                    # procs.py, loaded once


def _procs(cfg):
    global _PROCS
    if _PROCS is None:
        _PROCS = _load_wire(_beside(cfg, "procs.py"), "_grader_procs")
    return _PROCS


def _confine(cfg):
    """From here on this process and all it starts may act on no process but their own
    (seccomp.py's per-run filter: not the zygote, not bwrap, not the grader). In weak mode,
    where bubblewrap installed nothing, also the filter it would have installed."""
    seccomp = _ZYGOTE_SECCOMP or _load_wire(_beside(cfg, "seccomp.py"), "_grader_seccomp")
    if not sys.platform.startswith("linux") or not seccomp.supported():
        return
    try:
        if cfg.get("keeper"):
            seccomp.install(seccomp.program())
        seccomp.install(seccomp.reach_program(os.getpid() - 1))
    except OSError:
        if not cfg.get("keeper"):  # the strong sandbox without its filter: do not run
            raise


def _beside(cfg, name):
    """A helper file next to wire.py (in /sandbox, or this folder in weak mode)."""
    return os.path.join(os.path.dirname(cfg["wire"]), name)


def _run(cfg):
    _enter(cfg)
    # after sys.path: it needs numpy for arrays. A forked child has the zygote's, loaded
    # before any submission ran.
    wire = _ZYGOTE_WIRE or _load_wire(cfg["wire"])
    # Private copies of the channel: fds the student's subprocesses do not inherit.
    fd_in, fd_out = os.dup(cfg["fd_in"]), os.dup(cfg["fd_out"])
    os.close(cfg["fd_in"]), os.close(cfg["fd_out"])
    load = _await_load(cfg, wire, fd_in, fd_out)
    if not _prepare(cfg, wire.send, fd_out):
        return
    sealed = _seal(cfg)
    # bound here, before the submission runs: nothing it reaches can replace them
    error, usage, tampered, checks, _, leave = sealed["helpers"]
    send, serve, finish, perf = wire.send, _serve, _finish, time.perf_counter
    submission = cfg["submission"]
    # `import __main__` is the submission itself, not this file: nothing of the grader's is
    # reachable by name from the submission's code.
    module = _new_module(cfg["module"], submission)
    t0 = perf()
    dumps = _Dumps()  # the stack just before the import's limits: where it was stopped
    dumps.arm(load.get("wall_left_s"), load.get("cpu_left_s"), usage()[0])
    try:
        failed_cells = _import(module, submission, load.get("cells"))
    except BaseException as e:  # SystemExit and KeyboardInterrupt included: all are the student's
        leave()
        send(fd_out, error(e, submission, "load"))
        return
    finally:
        dumps.cancel()
    leave()
    bad = checks()
    if bad:
        send(fd_out, tampered(bad))
        return
    send(fd_out, {"ok": True, "event": "loaded", "seconds": perf() - t0, "usage": usage(),
                  "failed_cells": failed_cells})
    serve(module, cfg, fd_in, fd_out, wire, perf, sealed, dumps)
    finish()


def _enter(cfg):
    """Into the run's own walls: behind its keeper (weak mode), its filter, its path."""
    if cfg.get("keeper") and hasattr(os, "fork"):  # returns in the child; the keeper never
        keeper = _load_wire(_beside(cfg, "keeper.py"), "_grader_keeper")
        keeper.keep(cfg["fd_in"], cfg["fd_out"], _procs(cfg).prctl)
    _confine(cfg)
    # The scratch folder last: a numpy.py or torch.py the submission writes there cannot shadow
    # the real packages, not even for the wire codec of a restarted child.
    work = os.path.dirname(cfg["submission"])
    sys.path[:] = [p for p in cfg["sys_path"] if p != work] + [work]


def _await_load(cfg, wire, fd_in, fd_out):
    """The grader's Load request (protocol.py), the same for either kind of run: the time left
    for the import, a notebook's cells, and for a forked child its source. A forked child gets
    the submission from the grader, past the zygote: the zygote never holds a student's bytes
    that a later child, a copy of its memory, could find; the grader sends it once the run is
    in its cgroup: nothing runs uncounted. "ready" first: a child that could not set itself up
    never says it, and the grader then blames the zygote (and retries), not the submission."""
    if cfg.get("await_source"):
        wire.send(fd_out, {"event": "ready"})
    try:
        load = wire.recv(fd_in)
        if load["op"] != "load":
            raise KeyError("op")
        source = load.pop("source") if cfg.get("await_source") else None
        if cfg.get("await_source") and not isinstance(source, str):
            raise TypeError("source")
    except (EOFError, KeyError, TypeError, wire.WireError):
        _exit(71)
    if source is not None:
        with open(cfg["submission"], "x", encoding="utf-8") as f:
            f.write(source)
    return load


def _prepare(cfg, send, fd_out):
    """The forbidden imports refused, argv, seeds and line-buffered output; False (the error
    sent) where the machine's torch is broken."""
    finder = _helper(cfg, "hooks").sealed(_FORBIDDEN, "Forbidden")
    sys.meta_path.insert(0, finder(cfg["forbidden"], NEVER, cfg["exercise"]))
    sys.argv = [cfg["submission"]]
    try:
        _fix_seeds(cfg["seed"], cfg["use_torch"], cfg["device"], cfg.get("gpu_memory_fraction"))
    except Exception as e:  # a broken torch install is the machine's fault, say so plainly
        send(fd_out, _error(e, cfg["submission"], "setup"))
        return False
    try:  # what it printed reaches the report even if it is killed before flushing
        sys.stdout.reconfigure(line_buffering=True)
    except (AttributeError, ValueError):
        pass
    return True


def _seal(cfg):
    """Last, just before the submission: what it may not change or reach (guard.py, hooks.py,
    readers.py), and this file's helpers bound, where nothing the submission reaches can
    replace them."""
    guard = _ZYGOTE_GUARD or _load_wire(cfg["guard"], "_grader_guard")
    if cfg.get("disabled"):  # every route to what the exercise refuses (skills.py)
        _helper(cfg, "skills").close(cfg["disabled"], cfg["exercise"])
    guard.close_raw_memory()
    hooks, readers = _helper(cfg, "hooks"), _helper(cfg, "readers")
    foreign_handlers = hooks.install_signal_wrappers()
    surface, trusted = guard.Surface(), guard.trusted_builtins()
    read, faults = readers.make(surface.modules_as_they_were())
    enter, leave, as_grader = hooks.quarantine()
    checks = _checks(surface.changes, foreign_handlers, faults)
    _procs(cfg).prctl(4, 0)  # not dumpable: no /proc/self/mem, no reopening pipes via /proc
    work = os.path.dirname(cfg["submission"])
    # Package folders are never the submission's; the scratch folder (or a folder above it,
    # /work for a forked run's /work/runN) is not a package folder.
    packages = [p for p in cfg["sys_path"] if not (work + "/").startswith(p.rstrip("/") + "/")]
    guard.install_hook([work + "/"], ["<probes>"], packages + [os.path.dirname(cfg["wire"])])
    return {"helpers": (_error, _usage, _tampered, checks, enter, leave), "surface": surface,
            "trusted": trusted, "probes_builtins": dict(trusted, **read),
            "as_grader": as_grader}


def _cell_codes(text, submission, cells, whole):
    """(cell number, first line, code) per cell, each compiled on its own at its own lines
    (blank lines before it), with the `from __future__` features of the whole file (only its
    first cell may hold them). All compiled before any runs, as the whole file was."""
    import __future__
    features = 0
    for name in __future__.all_feature_names:
        features |= getattr(__future__, name).compiler_flag
    flags = whole.co_flags & features
    lines = text.split("\n")
    starts = [s for s, _ in cells] + [len(lines) + 2]
    out = []
    for (start, cell), end in zip(cells, starts[1:]):
        body = "\n" * (start - 1) + "\n".join(lines[start - 1:end - 2])
        out.append((cell, start, compile(body, submission, "exec", flags, True)))
    return out


def _failed_cell(e, cell, start, submission, write=os.write):
    """The record of a cell that raised, and its line on stderr, where the run's output shows
    it (the grader reads the record, never the output: a student may print anything)."""
    tb = e.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename != submission:
        tb = tb.tb_next
    line = tb.tb_lineno - start + 1 if tb is not None else 1
    try:
        message = str(e)
    except Exception:  # an exception whose __str__ raises
        message = ""
    record = {"cell": cell, "type": type(e).__name__, "message": message[:2000], "line": line}
    said = f"[grader] cell {cell} raised {record['type']}: {message} (line {line}); " \
           f"the cells after it still ran\n"
    try:
        write(2, said.encode("utf-8", "replace"))
    except OSError:
        pass
    return record


def _import(module, submission, cells, compile=compile, exec=exec, Exception=Exception,
            record=_failed_cell):
    """Run the submission's file in `module`. A notebook's cells (`cells`: [first line, cell
    number] each) run one by one, as Jupyter runs them: one that raises an Exception is
    recorded (`_failed_cell`, bound before any of it runs) and the next cells still run. The records, for the load's reply."""
    with open(submission, "rb") as f:
        text = f.read()
    whole = compile(text, submission, "exec")
    if not cells:
        exec(whole, module.__dict__)
        return []
    failed = []
    for cell, start, code in _cell_codes(text.decode("utf-8"), submission, cells, whole):
        try:
            exec(code, module.__dict__)
        except Exception as e:
            failed.append(record(e, cell, start, submission))
    return failed


def _finish():
    """Done: leave now, without the student's atexit handlers or never-ending threads."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BaseException:
            pass
    _exit(0)


_exit = os._exit


def _helper(cfg, name):
    """One of the sandbox's helper modules (hooks, readers, skills): the zygote's copy, else
    loaded."""
    loaded = _ZYGOTE_HELPERS.get(name)
    if loaded is None:
        loaded = _ZYGOTE_HELPERS[name] = _load_wire(_beside(cfg, f"{name}.py"), f"_grader_{name}")
    return loaded


def _frozen(mapping):
    import types
    return types.MappingProxyType(mapping)


def _checks(changes, foreign_handlers, faults):
    """What voids a run's answer, checked after its import and after every call: libraries
    changed (guard.py), a signal handler that came another way (hooks.py), a read the probes
    refused (readers.py)."""
    def check():
        out = changes()
        out += [f"set a handler for signal {n} the grader cannot watch (use signal.signal)"
                for n in foreign_handlers()]
        out += faults()
        return out[:5]
    return check


def _usage(resource=__import__("resource") if os.name == "posix" else None):
    """CPU seconds and peak memory (MB) of this process: informational only, never a verdict."""
    if resource is None:
        return [0.0, 0.0]
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return [ru.ru_utime + ru.ru_stime, ru.ru_maxrss / 1024]


def _tampered(changes):
    """The answer to a request after which the libraries were found changed."""
    what = "; ".join(changes)
    return {"ok": False, "phase": "tamper", "error": {
        "type": "Tampering", "line": None, "traceback": "",
        "message": f"your code {what}: the grader cannot trust this run (it reads your "
                   f"results through these)"}}


class _Dumps:
    """faulthandler, armed for a limit: the stack goes to stderr just before the grader's wall
    ceiling (a timer) or its CPU budget (ITIMER_PROF counts this process's CPU time, threads
    included), and the grader says where the code was when it was stopped. Words for the
    student only: no verdict rests on it, and a submission that disarms it loses the hint."""

    def __init__(self):
        import faulthandler
        import signal
        self.later, self.cancel_later = (faulthandler.dump_traceback_later,
                                         faulthandler.cancel_dump_traceback_later)
        self.itimer = getattr(signal, "setitimer", None)
        self.prof = getattr(signal, "ITIMER_PROF", None)
        if self.itimer is not None and self.prof is not None:
            faulthandler.register(signal.SIGPROF, file=sys.stderr, all_threads=True)

    def arm(self, wall_left_s, cpu_left_s, cpu_used=0.0):
        """What is left of the request's budgets (protocol.py), from the grader, or None;
        `cpu_used`: this process's CPU seconds so far (ITIMER_PROF counts from here)."""
        if wall_left_s is not None and wall_left_s > 0.5:
            self.later(wall_left_s - 0.3, file=sys.stderr)
        if self.itimer is not None and cpu_left_s is not None and cpu_left_s - cpu_used > 0.5:
            self.itimer(self.prof, cpu_left_s - cpu_used - 0.2)

    def cancel(self):
        self.cancel_later()
        if self.itimer is not None:
            self.itimer(self.prof, 0)


def _serve(module, cfg, fd_in, fd_out, wire, perf, sealed, dumps):
    """Answer the grader's requests until it says exit (or closes the channel)."""
    trusted = sealed["trusted"]
    # The builtins this loop uses, as they are now (the import left them untouched, or the
    # surface check said so): a call that replaces one later cannot break the loop itself.
    number = (trusted["int"], trusted["float"])
    recv, send, isinstance = wire.recv, wire.send, trusted["isinstance"]
    load_probes, answer = _probes_loader(cfg, sealed, trusted), _answerer(
        module, cfg, wire, perf, sealed, dumps, trusted)
    while True:
        try:
            req = recv(fd_in)
        except EOFError:
            return
        op = req.get("op")
        if op == "exit":
            return
        if op == "probes":
            send(fd_out, load_probes(req))
            continue
        limits = [req.get(k) for k in ("wall_left_s", "cpu_left_s")]
        answer(fd_out, req, *[v if isinstance(v, number) else None for v in limits])


def _probes_loader(cfg, sealed, trusted):
    """Loads the probes the grader sends (their namespace, `probes`, is the calls' too)."""
    code_of, watch, as_grader = _probe_loader(), sealed["surface"].watch, sealed["as_grader"]
    exec_, dict, BaseException = trusted["exec"], trusted["dict"], trusted["BaseException"]
    error, submission = sealed["helpers"][0], cfg["submission"]
    # The probes' builtins are the ones from before the submission ran, with readers that read
    # only the libraries' own types (readers.py); watched like the probes' namespace (a
    # callback's __builtins__ leads there). The data paths are read-only.
    probes = sealed["probes"] = {
        "device": cfg["device"], "DATA": _frozen(dict(cfg.get("data", {}))),
        "__name__": "probes", "__builtins__": sealed["probes_builtins"]}
    watch("the grader's probes' builtins", sealed["probes_builtins"])

    def load(req):
        rid = req.get("id")
        try:  # the submission may have broken what the probes import: say so, don't die
            code = code_of(req["code"])
            as_grader(lambda: exec_(code, probes))
        except BaseException as e:
            return dict({"id": rid}, **error(e, submission, "probes"))
        watch("the grader's probes", probes)  # a callback's __globals__ leads here
        return {"id": rid, "ok": True}
    return load


def _answerer(module, cfg, wire, perf, sealed, dumps, trusted):
    """Answers one call of the submission's function or of a probe: runs it between the
    quarantine's enter and leave, encodes its answer, then checks nothing was changed."""
    getattr, dict, BaseException = trusted["getattr"], trusted["dict"], trusted["BaseException"]
    isinstance = trusted["isinstance"]
    frame, write_all, send, WireError = wire.frame, wire.write_all, wire.send, wire.WireError
    error, usage, tampered, checks, enter, leave = sealed["helpers"]
    arm, cancel_dumps, probes = dumps.arm, dumps.cancel, sealed["probes"]
    submission = cfg["submission"]

    def answer(fd_out, req, wall_left_s, cpu_left_s):
        op, rid = req.get("op"), req.get("id")
        t0 = perf()
        arm(wall_left_s, cpu_left_s)
        enter()
        fn = None
        try:
            fn = getattr(module, req["name"]) if op == "call" else probes[req["name"]]
            value = fn(*req["args"], **req["kwargs"]) if op == "call" else \
                fn(module, *req["args"], **req["kwargs"])
        except BaseException as e:
            value, failed = None, e
        else:
            failed = None
        leave()
        cancel_dumps()
        if failed is not None:
            reply = dict({"id": rid}, **error(failed, submission, "call"), usage=usage())
        else:
            reply = {"id": rid, "ok": True, "value": value, "seconds": perf() - t0,
                     "usage": usage()}
        try:  # encoded before the check: what encoding runs of the submission's, and whatever
            framed = frame(reply)  # dropping its value sets off, is checked too
        except Exception as e:  # WireError, or a hostile object's own error while encoded
            why = str(e) if isinstance(e, WireError) else \
                f"a value that cannot be sent back to the grader ({type(e).__name__})"
            framed = frame({"id": rid, "ok": False, "phase": "return", "error": {
                "type": "WireError", "message": why[:500], "line": None, "traceback": ""}})
        del reply, value, failed, fn
        bad = checks()
        if bad:  # whatever it answered was read through what it changed
            send(fd_out, dict({"id": rid}, **tampered(bad)))
            return
        write_all(fd_out, framed)
    return answer


def _probe_loader():
    """The probes arrive compiled by the grader (marshal, base64: probe_source.compiled), their
    attribute reads routed through readers.py's `__attr__`."""
    import binascii
    import marshal
    loads, unbase64 = marshal.loads, binascii.a2b_base64
    return lambda text: loads(unbase64(text))


def _new_module(name, path):
    import types
    module = types.ModuleType(name)
    module.__file__ = path
    sys.modules[name] = sys.modules["__main__"] = module
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
