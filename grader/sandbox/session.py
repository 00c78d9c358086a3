"""A live sandboxed process holding one submission, and the calls the checks make into it.

The checks (trusted, in the grader's process) call `session.call("fit_numpy", x, y)` or
`session.probe("trajectory", x0)`; the request travels as data, the submission runs in the
child, and only data comes back. A call that hangs kills the child; the next call starts a
fresh one while the exercise's time budget lasts, so one bad function costs only its own checks.
"""
from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from . import wire, zygote
from .isolation import (INSIDE_DATA, INSIDE_HELPERS, INSIDE_WORK, SANDBOX_DIR, Layers, Limits,
                        bwrap_argv, count_tasks, preexec, python_paths, rlimit_values,
                        sandbox_env, slot_uid)

OUTPUT_CAP = 64 * 1024
# Imported by a warm zygote before it forks a submission whose source names it (where installed
# and not forbidden): notebooks often import it for plots, and its first import costs 1.5 s.
# Once imported, the zygote keeps it for every later submission; a zygote that never meets it
# never pays for it.
PRELOAD = ("matplotlib.pyplot",)


class StudentFault(Exception):
    """The submission did something wrong: a check that meets this fails with its message."""

    def __init__(self, message: str, kind: str = "error", line: int | None = None,
                 traceback: str = ""):
        super().__init__(message)
        self.kind, self.line, self.traceback = kind, line, traceback


class LoadFailed(StudentFault):
    """The submission could not even be imported: every check that needs it fails."""


@dataclass(frozen=True)
class SessionConfig:
    exercise: str
    module: str                  # the name the submission is imported as, e.g. "ex02"
    source: str                  # the submission's Python source (a notebook already flattened)
    limits: Limits
    call_time_s: float
    layers: Layers
    seed: int = 0
    device: str = "cpu"
    forbidden: tuple[str, ...] = ()
    use_torch: bool = True
    probes: str = ""             # source of the exercise's probes.py
    # Files the submission may read: (name, host path). Mounted read-only, never copied; a
    # data set's answers (test labels) are simply not among them.
    data_files: tuple[tuple[str, str], ...] = ()
    slot: int = 0                # parallel runs use different slots, hence different uids
    warm: bool = True            # fork from a warm zygote where the sandbox is strong
    gpu: int | None = None       # with device cuda: the one GPU this run sees (None: all)
    gpu_memory_fraction: float | None = None  # with device cuda: its share of that GPU's memory
    # A line of `source` in the student's terms: "line 12", or "cell 3, line 2" in a notebook.
    locate: Callable[[int], str] = lambda line: f"line {line}"


@dataclass
class Usage:
    starts: int = 0
    cpu_s: float = 0.0
    peak_mem_mb: float = 0.0
    ended: str = ""
    versions: dict | None = None
    student_s: float = 0.0       # time spent inside the submission's own code, as it reported


class Session:
    def __init__(self, cfg: SessionConfig):
        self.cfg = cfg
        self.usage = Usage()
        self._deadline = time.monotonic() + cfg.limits.wall_s
        self._proc: subprocess.Popen | None = None
        self._load_error: LoadFailed | None = None
        self._output = _Output(OUTPUT_CAP)
        self._scratch = Path(tempfile.mkdtemp(prefix="grade-"))
        self._uid = slot_uid(cfg.slot) if cfg.layers.strong else None
        self._memo: dict[tuple[str, str], Any] = {}

    # ---- the checks' side -------------------------------------------------------------------
    def call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        """Call the submission's function `name` with data; return its result as data."""
        return self._request({"op": "call", "name": name, "args": args, "kwargs": kwargs},
                             f"{name}()")

    def probe(self, name: str, *args: Any, **kwargs: Any) -> Any:
        """Run the exercise's probe `name(submission_module, *args)` inside the sandbox."""
        # The probe's name is the instructor's; the student reads "your code".
        return self._request({"op": "probe", "name": name, "args": args, "kwargs": kwargs},
                             "your code")

    def probe_once(self, name: str, *args: Any) -> Any:
        """`probe`, run at most once per session for the same arguments: checks in different
        files (public and hidden) judge one expensive run, such as a whole MNIST training.
        A fault is kept too and raised again: running again would fail the same way, and
        cost the run's time again."""
        key = (name, repr(args))
        if key not in self._memo:
            try:
                self._memo[key] = self.probe(name, *args)
            except StudentFault as fault:
                self._memo[key] = fault
        value = self._memo[key]
        if isinstance(value, StudentFault):
            raise value
        return value

    def ensure_loaded(self) -> None:
        """Start the child if needed; raise LoadFailed when the submission cannot be imported."""
        if self._load_error:
            raise self._load_error
        if self._proc is None or self._proc.poll() is not None:
            self._start()

    @property
    def output(self) -> tuple[str, bool]:
        return self._output.text(), self._output.truncated

    # ---- process management ----------------------------------------------------------------
    def _request(self, msg: dict, who: str) -> Any:
        self.ensure_loaded()
        deadline = min(self._deadline, time.monotonic() + self.cfg.call_time_s)
        msg = dict(msg, id=secrets.token_hex(8))  # a frame forged in advance cannot echo it
        try:
            wire.send(self._w, msg)
            reply = wire.recv(self._r, deadline)
        except TimeoutError:
            why = "the time limit for the whole run" if deadline == self._deadline else \
                f"{self.cfg.call_time_s:g} s"
            self._kill(f"timed out in {msg['name']}")
            raise StudentFault(f"{who} did not finish within {why}", kind="timeout") from None
        except (EOFError, BrokenPipeError, OSError, wire.WireError) as e:
            ended = self._kill(f"died in {msg['name']}", grace_s=1.0)
            raise StudentFault(f"the submission's process {ended} while running {who}",
                               kind="crash") from e
        if isinstance(reply, dict) and reply.get("id") != msg["id"]:
            self._kill("answered another request")
            raise StudentFault(f"{who} sent back something that is not the answer to the "
                               f"grader's request (was the grader's channel written to?)",
                               kind="crash")
        return self._unwrap(reply, who)

    def _unwrap(self, reply: Any, who: str) -> Any:
        if not isinstance(reply, dict) or not isinstance(reply.get("ok"), bool):
            self._kill("sent garbage")
            raise StudentFault(f"{who} sent back something that is not a result", kind="crash")
        self._note_usage(reply)
        if reply["ok"]:
            return reply.get("value")
        err = reply.get("error") or {}
        msg, line = str(err.get("message", "an error"))[:2000], err.get("line")
        where = f" ({self.cfg.locate(line)})" if isinstance(line, int) else ""
        if reply.get("phase") == "return":
            raise StudentFault(f"{who} returned {msg}", kind="bad_value")
        if "MemoryError" in str(err.get("type")):
            raise StudentFault(f"{who} ran out of memory (limit {self.cfg.limits.memory_mb} MB)"
                               f"{where}", kind="memory", line=line)
        raise StudentFault(f"{who} raised {msg}{where}", kind="raised", line=line,
                           traceback=str(err.get("traceback", ""))[:6000])

    def _note_usage(self, reply: dict) -> None:
        # Reported by the child, so informational only: it never enters a verdict.
        u = reply.get("usage")
        if isinstance(reply.get("seconds"), (int, float)):
            self.usage.student_s += max(0.0, float(reply["seconds"]))
        if isinstance(u, list) and len(u) == 2 and all(isinstance(v, (int, float)) for v in u):
            self._reported_cpu = float(u[0])
            self.usage.peak_mem_mb = max(self.usage.peak_mem_mb, float(u[1]))

    def _start(self) -> None:
        self._reported_cpu = 0.0
        left = self._deadline - time.monotonic()
        if left <= 0:
            raise StudentFault("no time left: the run used the exercise's whole time limit",
                               kind="timeout")
        if self.cfg.warm and self.cfg.layers.strong:
            try:
                return self._start_forked()
            except zygote.ZygoteError:
                pass  # the machine's trouble, not the student's: start cold instead
        _write_new(self._scratch / f"{self.cfg.module}.py", self.cfg.source)
        r_child, w_parent = os.pipe()
        r_parent, w_child = os.pipe()
        argv = self._argv(r_child, w_child)
        self._proc = subprocess.Popen(
            argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            pass_fds=(r_child, w_child), cwd=self._scratch, env=self._env(),
            start_new_session=True,
            preexec_fn=preexec(self.cfg.limits, self._uid, self.cfg.device)
            if self.cfg.layers.rlimits else None)
        os.close(r_child), os.close(w_child)
        self._r, self._w = r_parent, w_parent
        self.usage.starts += 1
        self._output.drain(self._proc.stdout)
        self._handshake(self._deadline)

    def _start_forked(self) -> None:
        """Fork the run from the warm zygote of this slot: no interpreter start, no imports."""
        z = zygote.obtain(self.cfg.slot, *self.zygote_spec())
        r_child, w_parent = os.pipe()
        r_parent, w_child = os.pipe()
        out_r, out_w = os.pipe()
        if z.tasks is None:  # between runs a zygote is alone with its uid: count it once
            z.tasks = count_tasks(self._uid) if self._uid is not None else None
        limits = rlimit_values(self.cfg.limits, self._uid, self.cfg.device, z.tasks)
        try:
            pid = z.fork(self._child_config(r_child, w_child, inside=True), self.cfg.source,
                         limits, (r_child, w_child, out_w), self._preload())
        except zygote.ZygoteError:
            for fd in (r_child, w_parent, r_parent, w_child, out_r, out_w):
                os.close(fd)
            raise
        for fd in (r_child, w_child, out_w):
            os.close(fd)
        self._proc = _Forked(z, pid)
        self._r, self._w = r_parent, w_parent
        self.usage.starts += 1
        self._output.drain(os.fdopen(out_r, "rb"))
        self._handshake(self._deadline)

    def _preload(self) -> list[str]:
        return [m for m in PRELOAD if m.partition(".")[0] not in self.cfg.forbidden
                and m.partition(".")[0] in self.cfg.source]

    def zygote_spec(self) -> tuple[tuple, Callable[[dict, Path], list[str]], dict[str, str]]:
        """What `zygote.obtain` needs for this session's warm sandbox: key, argv, environment."""
        return self._zygote_key(), self._zygote_argv, self._env()

    def _zygote_key(self) -> tuple:
        """What makes two sandboxes differ; limits do not: each child sets its own."""
        c = self.cfg
        return (c.layers.bwrap, c.device, c.gpu, c.forbidden, c.use_torch, c.data_files,
                c.limits.scratch_mb, self._uid)

    def _zygote_argv(self, inner_cfg: dict, scratch: Path) -> list[str]:
        cfg = dict(inner_cfg, zygote=True, sys_path=list(python_paths()), use_torch=self.cfg.use_torch,
                   wire=f"{INSIDE_HELPERS}/wire.py", work=INSIDE_WORK)
        inner = [os.path.realpath(sys.executable), "-I", "-S", f"{INSIDE_HELPERS}/child.py",
                 json.dumps(cfg)]
        return bwrap_argv(self.cfg.layers.bwrap, scratch, inner, self.cfg.device,
                          self.cfg.data_files, self.cfg.forbidden, self._uid,
                          self.cfg.limits.scratch_mb)

    def _handshake(self, deadline: float) -> None:
        try:
            reply = wire.recv(self._r, deadline)
        except TimeoutError:
            self._kill("timed out while importing")
            self._load_error = LoadFailed("importing your file did not finish within the time "
                                          "limit: is there a loop or training at the top level?",
                                          kind="timeout")
            raise self._load_error from None
        except (EOFError, OSError, wire.WireError):
            raise self._ended_while_importing() from None
        if isinstance(reply, dict) and reply.get("ok") is True and reply.get("event") == "loaded":
            self._note_usage(reply)
            self.usage.versions = reply.get("versions") if isinstance(reply.get("versions"),
                                                                      dict) else None
            if self.cfg.probes:
                self._send_probes(deadline)
            return
        self._kill("failed to import", grace_s=1.0)  # let it flush what it printed
        err = reply.get("error") if isinstance(reply, dict) else None
        if not isinstance(err, dict) or not err.get("type"):
            self._load_error = LoadFailed(
                "your file replaced something the grader needs to talk to it (json, stdout, "
                "os.write?) while being imported", kind="crash")
        else:
            self._load_error = _load_failure(err, self.cfg.limits.memory_mb, self.cfg.locate)
        raise self._load_error

    def _ended_while_importing(self) -> LoadFailed:
        ended = self._kill("ended while importing", grace_s=1.0)
        self._load_error = LoadFailed(f"the submission {ended} while being imported, before any "
                                      f"check could run", kind="exited")
        return self._load_error

    def _send_probes(self, deadline: float) -> None:
        """Load the exercise's probes next to the submission; a submission that broke what
        they need (sys.modules['torch'] = None, a patched exec, ...) fails to load."""
        try:
            wire.send(self._w, {"op": "probes", "source": self.cfg.probes})
            reply = wire.recv(self._r, deadline)
        except (EOFError, OSError):  # it ended right after its import (it killed its parent)
            raise self._ended_while_importing() from None
        except (TimeoutError, wire.WireError):
            reply = None
        if not (isinstance(reply, dict) and reply.get("ok") is True):
            self._kill("broke the grader's probes", grace_s=1.0)
            self._load_error = LoadFailed(
                "your file changed something the grader needs to call your code (sys.modules, "
                "builtins, torch or numpy) while being imported", kind="crash")
            raise self._load_error

    def _argv(self, r_child: int, w_child: int) -> list[str]:
        inside = self.cfg.layers.strong
        helpers = INSIDE_HELPERS if inside else str(SANDBOX_DIR)
        config = self._child_config(r_child, w_child, inside)
        # The real interpreter, not a venv's symlink: only the base install is mounted inside.
        python = os.path.realpath(sys.executable)
        inner = [python, "-I", "-S", f"{helpers}/child.py", json.dumps(config)]
        if inside:
            return bwrap_argv(self.cfg.layers.bwrap, self._scratch, inner, self.cfg.device,
                              self.cfg.data_files, self.cfg.forbidden, self._uid,
                              self.cfg.limits.scratch_mb)
        return inner

    def _child_config(self, r_child: int, w_child: int, inside: bool) -> dict:
        """What child.py needs to run the submission (a forked child's submission path and
        fds are set by the zygote)."""
        work = INSIDE_WORK if inside else str(self._scratch)
        helpers = INSIDE_HELPERS if inside else str(SANDBOX_DIR)
        return {"wire": f"{helpers}/wire.py", "fd_in": r_child, "fd_out": w_child,
                "submission": f"{work}/{self.cfg.module}.py", "module": self.cfg.module,
                "sys_path": [work, *python_paths()], "seed": self.cfg.seed,
                "device": self.cfg.device, "forbidden": list(self.cfg.forbidden),
                "use_torch": self.cfg.use_torch, "exercise": self.cfg.exercise,
                "gpu_memory_fraction": self.cfg.gpu_memory_fraction,
                "keeper": self.cfg.layers.keeper,
                "data": {name: f"{INSIDE_DATA}/{name}" if inside else host
                         for name, host in self.cfg.data_files}}

    def _env(self) -> dict[str, str]:
        env = sandbox_env(str(self._scratch))
        if self.cfg.device != "cuda":
            env["CUDA_VISIBLE_DEVICES"] = ""
        elif self.cfg.gpu is not None:
            env["CUDA_VISIBLE_DEVICES"] = str(self.cfg.gpu)
        return env

    def _kill(self, why: str, grace_s: float = 0.0) -> str:
        """Kill the child's whole process group (after `grace_s` to exit on its own); return
        how it ended, in words."""
        proc = self._proc
        if proc is None:
            return "was not running"
        if isinstance(proc, _Forked):
            return self._reap(proc, why, grace_s)
        status = self._wait(proc.pid, grace_s)
        if status is None and self.cfg.layers.keeper:  # weak mode: the keeper sweeps first
            for sig in (signal.SIGTERM, signal.SIGCONT):
                _signal(proc.pid, sig)
            status = self._wait(proc.pid, 2.0)
        try:
            os.killpg(proc.pid, signal.SIGKILL)  # also whatever it left behind in its group
        except (ProcessLookupError, PermissionError):
            pass
        if status is None:
            status = self._wait(proc.pid, None)
        self.usage.cpu_s += self._reported_cpu  # bwrap's rusage does not reach us
        return self._ended(proc, status, why, via_bwrap=self.cfg.layers.strong)

    def _reap(self, proc: "_Forked", why: str, grace_s: float) -> str:
        """_kill for a child of the zygote: the zygote ends it and everything it left."""
        try:
            done = proc.zygote.reap(proc.pid, grace_s)
            status = int(done.get("status", 9))
            self.usage.cpu_s += float(done.get("cpu_s", 0.0))
            self.usage.peak_mem_mb = max(self.usage.peak_mem_mb, float(done.get("maxrss_mb", 0)))
        except (zygote.ZygoteError, TypeError, ValueError):
            # The child took its zygote down (killed or stopped it): that ends this run, and
            # the sandbox it was in is gone with it.
            zygote.discard(self.cfg.slot)
            status = signal.SIGKILL
            self.usage.cpu_s += self._reported_cpu
        return self._ended(proc, status, why)

    def _ended(self, proc, status: int, why: str, via_bwrap: bool = False) -> str:
        """Forget the ended child: close its channel, collect its output; how it ended."""
        for fd in (self._r, self._w):
            try:
                os.close(fd)
            except OSError:
                pass
        self._proc = None
        self._output.join()
        ended = self._describe(proc, status, via_bwrap=via_bwrap)
        self.usage.ended = f"{why}: {ended}"
        return ended

    def _wait(self, pid: int, timeout: float | None) -> int | None:
        """wait4 the child (blocking when timeout is None); record its CPU time and memory."""
        end = time.monotonic() + (timeout or 0)
        while True:
            try:
                done, status, ru = os.wait4(pid, 0 if timeout is None else os.WNOHANG)
            except ChildProcessError:
                return 0
            if done:
                self._reported_cpu = max(self._reported_cpu, ru.ru_utime + ru.ru_stime)
                self.usage.peak_mem_mb = max(self.usage.peak_mem_mb, ru.ru_maxrss / 1024)
                return status
            if time.monotonic() >= end:
                return None
            time.sleep(0.01)

    @staticmethod
    def _describe(proc: subprocess.Popen, status: int, via_bwrap: bool = False) -> str:
        code = os.waitstatus_to_exitcode(status)
        if via_bwrap and 128 < code < 128 + 32:  # bwrap exits 128 + N when its child got signal N
            code = 128 - code
        proc.returncode = code
        if code < 0:
            sig = signal.Signals(-code).name if -code in {s.value for s in signal.Signals} \
                else str(-code)
            return {"SIGKILL": "was killed", "SIGSEGV": "crashed (segmentation fault)",
                    "SIGXCPU": "ran out of CPU time", "SIGXFSZ": "wrote a file over the size limit"
                    }.get(sig, f"was stopped by {sig}")
        return f"exited with code {code}"

    def close(self) -> None:
        if self._proc is not None:
            try:
                wire.send(self._w, {"op": "exit"})
            except OSError:
                pass
            self._kill("finished", grace_s=2.0)
            self.usage.ended = "finished normally"
        shutil.rmtree(self._scratch, ignore_errors=True)

    def __enter__(self) -> "Session":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _Forked:
    """A run forked by a zygote: not our child, so the zygote reaps it (Session._reap)."""

    def __init__(self, z: "zygote.Zygote", pid: int):
        self.zygote, self.pid, self.returncode = z, pid, None

    def poll(self) -> int | None:
        return self.returncode


def _write_new(path: Path, text: str) -> None:
    """Write `path` afresh: whatever the last run left there (a symlink to a host file, say)
    is removed, never followed."""
    path.unlink(missing_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o644)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)


def _signal(pid: int, sig: int) -> None:
    try:
        os.kill(pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def _load_failure(err: dict, memory_mb: int, locate: Callable[[int], str]) -> LoadFailed:
    typ, msg, line = str(err.get("type", "")), str(err.get("message", ""))[:2000], err.get("line")
    where = f" ({locate(line)})" if isinstance(line, int) else ""
    if typ == "SystemExit":
        return LoadFailed("your file called sys.exit() or exit() while being imported: the grader "
                          "imports your file, so put top-level runs under "
                          "`if __name__ == '__main__':`", kind="exited", line=line)
    if typ == "MemoryError":
        return LoadFailed(f"ran out of memory while being imported (limit {memory_mb} MB){where}",
                          kind="memory", line=line)
    return LoadFailed(f"importing your file raised {msg}{where}", kind="raised", line=line,
                      traceback=str(err.get("traceback", ""))[:6000])


class _Output:
    """Drain the child's stdout+stderr in a thread, keeping the first `cap` bytes."""

    def __init__(self, cap: int):
        self.cap, self.buf, self.dropped = cap, bytearray(), 0
        self._threads: list[threading.Thread] = []

    def drain(self, stream) -> None:
        t = threading.Thread(target=self._pump, args=(stream,), daemon=True)
        t.start()
        self._threads.append(t)

    def _pump(self, stream) -> None:
        while chunk := stream.read1(1 << 16):
            room = self.cap - len(self.buf)
            self.buf += chunk[:max(room, 0)]
            self.dropped += max(len(chunk) - max(room, 0), 0)
        stream.close()

    def join(self) -> None:
        for t in self._threads:
            t.join(timeout=2)

    @property
    def truncated(self) -> bool:
        return self.dropped > 0

    def text(self) -> str:
        s = self.buf.decode("utf-8", errors="replace")
        if self.dropped:
            s += f"\n[... {self.dropped} more bytes of output not kept]"
        return s
