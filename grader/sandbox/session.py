"""A live sandboxed process holding one submission, and the calls the checks make into it.

The checks (trusted, in the grader's process) call `session.call("fit_numpy", x, y)` or
`session.probe("trajectory", x0)`; the request travels as data, the submission runs in the
child, and only data comes back. A call that hangs kills the child; the next call starts a
fresh one while the exercise's time budget lasts, so one bad function costs only its own checks.
"""
from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import os
import platform
import re
import secrets
import shutil
import signal
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from . import cgroups, probe_source, wire, zygote
from .clock import CPU, IDLE, Budget, Deadline, WaitMeter
from .config import ChildConfig, child_config
from .isolation import (INSIDE_HELPERS, SANDBOX_DIR, Layers, Limits, bwrap_argv, is_root,
                        sandbox_env, slot_uid)
from .guard import EXIT_FRAMES, EXIT_FUNCTIONS, EXIT_HEAP, EXIT_MEMORY
from .runs import ColdRun, Ending, ForkedRun, Launch, Run, bounded

OUTPUT_CAP = 64 * 1024
STACK_WAIT_S = 0.2              # for a stack asked of a run at its deadline to reach its output
HANDSHAKE_BYTES = 64 * 1024     # "loaded", or an error: a traceback at most
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
    reply_bytes: int = 8 << 20   # the largest answer the exercise's calls may send back
    disabled: tuple[str, ...] = ()  # library names refused in the sandbox (torch.optim.Adam)
    on_output: Callable[[str], None] | None = None  # each line the submission prints, live
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
    limit_hit: str = ""          # the limit a timeout hit: cpu (working), wall or idle (waiting)


class Session:
    def __init__(self, cfg: SessionConfig):
        self.cfg = cfg
        self.usage = Usage()
        self._run: Run | None = None
        self._cpu_spent = 0.0  # by the runs that ended: a restart does not reset the budget
        # Time the run was starved of a CPU by other load is not counted (clock.WaitMeter).
        self._waited = WaitMeter(lambda: self._run.host_pid if self._run is not None else None)
        self._budget = Budget.start(cfg.limits.time_s, self._cpu_used, waited=self._waited)
        self._load_error: LoadFailed | None = None
        self._output = _Output(OUTPUT_CAP, cfg.on_output)
        self._scratch = Path(tempfile.mkdtemp(prefix="grade-"))
        self._uid = slot_uid(cfg.slot) if cfg.layers.strong else None
        self._memo: dict[tuple[str, bytes], Any] = {}
        self._reported_cpu = self._reported_peak = 0.0  # the child's word, where no kernel's
        self._last_ending: Ending | None = None
        self._probe_source = probe_source.split(cfg.probes) if cfg.probes else None
        self._probes_loaded: set[str] = set()

    # ---- the checks' side -------------------------------------------------------------------
    def call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        """Call the submission's function `name` with data; return its result as data."""
        return self._request({"op": "call", "name": name, "args": args, "kwargs": kwargs},
                             f"{name}()")

    def probe(self, name: str, *args: Any, **kwargs: Any) -> Any:
        """Run the exercise's probe `name(submission_module, *args)` inside the sandbox (sent
        there on its first call: a run holds only the probes its checks have called)."""
        self.ensure_loaded()
        self._load_probes(name)
        # The probe's name is the instructor's; the student reads "your code".
        return self._request({"op": "probe", "name": name, "args": args, "kwargs": kwargs},
                             "your code")

    def probe_once(self, name: str, *args: Any) -> Any:
        """`probe`, run at most once per session for the same arguments: checks in different
        files (public and hidden) judge one expensive run, such as a whole MNIST training.
        A fault is kept too and raised again: running again would fail the same way, and
        cost the run's time again. The arguments are told apart by their wire encoding
        (every element of an array, where repr() would summarise a large one)."""
        key = (name, hashlib.sha256(wire.dumps(list(args))).digest())
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
        if self._run is None:
            self._start()

    @property
    def output(self) -> tuple[str, bool]:
        return self._output.text(), self._output.truncated

    # ---- the channel -------------------------------------------------------------------------
    def _request(self, msg: dict, who: str) -> Any:
        self.ensure_loaded()
        deadline = self._call_deadline()
        msg = dict(msg, id=secrets.token_hex(8),  # a frame forged in advance cannot echo it
                   limit_s=round(deadline.wall_left(), 3), cpu_s=round(deadline.cpu_left(), 3))
        try:
            reply = self._exchange(msg, deadline)
        except TimeoutError:
            why = self._timed_out(deadline)
            self._sample_stack()
            self._kill(f"timed out in {msg['name']}")
            where, stack = self._stopped_at()
            raise StudentFault(f"{who} did not finish {why}{where}", kind="timeout",
                               traceback=stack) from None
        except wire.NotTheAnswer:
            self._kill("answered another request")
            raise StudentFault(f"{who} sent back something that is not the answer to the "
                               f"grader's request (was the grader's channel written to?)",
                               kind="crash") from None
        except wire.WireError as e:
            ended = self._kill(f"sent an unreadable answer in {msg['name']}")
            raise StudentFault(f"{who} sent back an answer the grader cannot accept: "
                               f"{_short(str(e), 300)} (the process {ended})",
                               kind="bad_value") from None
        except (EOFError, OSError) as e:
            ended = self._kill(f"died in {msg['name']}", grace_s=1.0)
            raise StudentFault(f"the submission's process {ended} while running {who}",
                               kind=self._fault_kind("crash")) from e
        return self._unwrap(reply, who)

    def _call_deadline(self) -> Deadline:
        return Deadline(Budget.start(self.cfg.call_time_s, self._cpu_used, waited=self._waited),
                        self._budget)

    def _cpu_used(self) -> float:
        """CPU seconds of every run of this session so far: what its budgets count."""
        return self._cpu_spent + (self._run.cpu_used() if self._run is not None else 0.0)

    def _timed_out(self, deadline: Deadline) -> str:
        """Which limit was hit, in words that follow "did not finish": "within the time limit
        of one call, 4 s of CPU time". The run's usage says it too (clock.py's words)."""
        budget, how = deadline.spent()
        self.usage.limit_hit = how
        whose = "the whole run" if budget is self._budget else "one call"
        if how == CPU:
            return f"within the time limit of {whose}, {budget.cpu_s:g} s of CPU time"
        if how == IDLE:
            return (f"and was stopped after {deadline.idle_s:g} s in which it used no CPU time:"
                    f" it was waiting, not computing (a sleep, input(), a lock, a stopped "
                    f"process?)")
        return (f"within {budget.wall_s:g} s, the wall-clock ceiling over the time limit of "
                f"{whose} (it used {max(budget.cpu_used(), 0):.1f} of its {budget.cpu_s:g} s "
                f"of CPU time: was it waiting for something?)")

    def _sample_stack(self) -> None:
        """A stack sample at the deadline: what _stopped_at reads (a run stopped by its CPU
        budget has dumped its own already, ITIMER_PROF: a second dump says the same)."""
        if self._run is not None and self._run.sample_stack():
            time.sleep(STACK_WAIT_S)

    def _stopped_at(self) -> tuple[str, str]:
        """Where the student's code was when it was stopped, from the last stack the child
        dumped (faulthandler: just before a limit, or when asked): " (stopped at line 4, in
        helper)" and those frames of the student's file as a traceback; ("", "") when there
        is none. A dump cut short by the kill is passed over for the one before it."""
        text = self._output.text()
        end = len(text)
        while (start := text.rfind("most recent call first", 0, end)) >= 0:
            frames = self._dumped_frames(text[start:end])
            if frames:
                number, function = frames[0]  # most recent first
                trace = "\n".join(f'  File "{self.cfg.module}.py", line {n}, in {f}'
                                  for n, f in reversed(frames))
                return (f" (stopped at {self.cfg.locate(number)}, in {function})",
                        "Traceback (where your code was when it was stopped):\n" + trace)
            end = start
        return "", ""

    def _dumped_frames(self, dump: str) -> list[tuple[int, str]]:
        frames = []
        for line in dump.splitlines()[1:60]:
            m = _DUMPED_FRAME.match(line)
            if not m:
                if frames:
                    break
                continue
            if m.group(1).endswith(f"/{self.cfg.module}.py"):
                frames.append((int(m.group(2)), m.group(3)))
        return frames

    def _exchange(self, msg: dict, deadline: Deadline) -> Any:
        """Send `msg` and read its answer, both before `deadline`; only a frame that starts
        with the request's id is decoded, and none larger than the exercise allows."""
        wire.send(self._run.writer, msg, deadline)
        prefix = wire.reply_prefix(msg["id"])
        return wire.recv(self._run.reader, deadline, self.cfg.reply_bytes, prefix)

    def _unwrap(self, reply: Any, who: str) -> Any:
        if not isinstance(reply, dict) or not isinstance(reply.get("ok"), bool):
            self._kill("sent garbage")
            raise StudentFault(f"{who} sent back something that is not a result", kind="crash")
        self._note_usage(reply)
        if reply["ok"]:
            return reply.get("value")
        err = reply.get("error") if isinstance(reply.get("error"), dict) else {}
        msg, line = _short(str(err.get("message", "an error")), 2000), _line(err.get("line"))
        where = f" ({self.cfg.locate(line)})" if line is not None else ""
        if reply.get("phase") == "return":
            raise StudentFault(f"{who} returned {msg}", kind="bad_value")
        if reply.get("phase") == "tamper":
            raise StudentFault(msg, kind="tamper")
        if _short(str(err.get("type")), 100) == "MemoryError":
            raise StudentFault(f"{who} ran out of memory (limit {self.cfg.limits.memory_mb} MB)"
                               f"{where}", kind="memory", line=line)
        raise StudentFault(f"{who} raised {msg}{where}", kind="raised", line=line,
                           traceback=_short(str(err.get("traceback", "")), 6000))

    def _note_usage(self, reply: dict) -> None:
        # Reported by the child, so informational only, and bounded: it never enters a
        # verdict, and the kernel's figures replace it where there are any (see _kill).
        u = reply.get("usage")
        self.usage.student_s += bounded(reply.get("seconds"), self._budget.wall_s)
        if isinstance(u, list) and len(u) == 2:
            self._reported_cpu = bounded(u[0], self.cfg.limits.cpu_s + 10)
            self._reported_peak = max(self._reported_peak, bounded(u[1], 1 << 30))

    # ---- the run's life ----------------------------------------------------------------------
    def _start(self) -> None:
        self._reported_cpu = 0.0
        if Deadline(self._budget)() <= 0:
            raise StudentFault("no time left: the run used the exercise's whole time limit",
                               kind="timeout")
        group = cgroups.for_slot(self.cfg.slot) if self.cfg.layers.strong and is_root() \
            else None
        run = None
        if self.cfg.warm and self.cfg.layers.strong:
            try:
                run = ForkedRun(self._launch(inside=True, group=group), self.cfg.slot,
                                *self.zygote_spec()[:2], self._preload())
            except zygote.ZygoteError:
                pass  # the machine's trouble, not the student's: start cold instead
        if run is None:
            _write_new(self._scratch / f"{self.cfg.module}.py", self.cfg.source)
            run = ColdRun(self._launch(inside=self.cfg.layers.strong, group=group),
                          self._cold_argv)
        self._run = run
        self.usage.starts += 1
        self._output.drain(run.output)
        self._handshake(Deadline(self._budget))

    def _launch(self, inside: bool, group) -> Launch:
        return Launch(child=self._child_config(inside), limits=self.cfg.limits,
                      scratch=self._scratch, env=self._env(), uid=self._uid, group=group,
                      strong=self.cfg.layers.strong, keeper=self.cfg.layers.keeper)

    def _child_config(self, inside: bool, fds: tuple[int, int] = (-1, -1),
                      zygote_fd: int | None = None) -> ChildConfig:
        c = self.cfg
        return child_config(exercise=c.exercise, module=c.module, seed=c.seed, device=c.device,
                            forbidden=c.forbidden, use_torch=c.use_torch, disabled=c.disabled,
                            gpu_memory_fraction=c.gpu_memory_fraction, keeper=c.layers.keeper,
                            data_files=c.data_files, inside=inside, scratch=str(self._scratch),
                            fds=fds, zygote_fd=zygote_fd,
                            load_limit_s=round(self._budget.wall_left(), 3),
                            load_cpu_s=round(self._budget.cpu_left(), 3))

    def _preload(self) -> list[str]:
        return [m for m in PRELOAD if m.partition(".")[0] not in self.cfg.forbidden
                and m.partition(".")[0] in self.cfg.source]

    def zygote_spec(self) -> tuple[tuple, Callable[..., list[str]], dict[str, str]]:
        """What `zygote.obtain` needs for this session's warm sandbox: key, argv, environment."""
        return self._zygote_key(), self._zygote_argv, self._env()

    def _zygote_key(self) -> tuple:
        """What makes two sandboxes differ; limits do not: each child sets its own."""
        c = self.cfg
        return (c.layers.bwrap, c.device, c.gpu, c.forbidden, c.use_torch, c.data_files,
                c.limits.scratch_mb, self._uid)

    def _zygote_argv(self, zygote_fd: int, seccomp_fd: int | None, scratch: Path) -> list[str]:
        cfg = self._child_config(inside=True, zygote_fd=zygote_fd)
        return self._sandboxed(cfg, scratch, seccomp_fd)

    def _cold_argv(self, r_child: int, w_child: int, seccomp_fd: int | None) -> list[str]:
        cfg = self._child_config(self.cfg.layers.strong, fds=(r_child, w_child))
        if not self.cfg.layers.strong:
            return [os.path.realpath(sys.executable), "-I", "-S", f"{SANDBOX_DIR}/child.py",
                    cfg.to_json()]
        return self._sandboxed(cfg, self._scratch, seccomp_fd)

    def _sandboxed(self, cfg: ChildConfig, scratch: Path, seccomp_fd: int | None) -> list[str]:
        # The real interpreter, not a venv's symlink: only the base install is mounted inside.
        inner = [os.path.realpath(sys.executable), "-I", "-S", f"{INSIDE_HELPERS}/child.py",
                 cfg.to_json()]
        return bwrap_argv(self.cfg.layers.bwrap, scratch, inner, self.cfg.device,
                          self.cfg.data_files, self.cfg.forbidden, self._uid,
                          self.cfg.limits.scratch_mb, seccomp_fd=seccomp_fd)

    def _handshake(self, deadline: Deadline) -> None:
        try:
            if self._run.awaits_source:
                wire.send(self._run.writer, {"op": "source", "source": self.cfg.source,
                                             "limit_s": round(deadline.wall_left(), 3),
                                             "cpu_s": round(deadline.cpu_left(), 3)}, deadline)
            reply = wire.recv(self._run.reader, deadline, HANDSHAKE_BYTES)
        except TimeoutError:
            why = self._timed_out(deadline)
            self._sample_stack()
            self._kill("timed out while importing")
            where, stack = self._stopped_at()
            hint = "" if self.usage.limit_hit != CPU else \
                ": is there a loop or training at the top level?"
            self._load_error = LoadFailed(f"importing your file did not finish {why}"
                                          f"{hint}{where}", kind="timeout", traceback=stack)
            raise self._load_error from None
        except wire.WireError as e:
            ended = self._kill("sent an unreadable answer while importing")
            self._load_error = LoadFailed(
                f"while your file was imported, the grader got an answer it cannot accept: "
                f"{_short(str(e), 300)} (the process {ended})", kind="crash")
            raise self._load_error from None
        except (EOFError, OSError):
            raise self._ended_while_importing() from None
        if isinstance(reply, dict) and reply.get("ok") is True and reply.get("event") == "loaded":
            self._note_usage(reply)
            self.usage.versions = run_versions(self.cfg.use_torch)
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
        if self._oom:
            self._load_error = LoadFailed(
                f"ran out of memory while being imported (limit {self.cfg.limits.memory_mb} "
                f"MB, counted by the kernel: memory in files and shared memory included)",
                kind="memory")
        else:
            self._load_error = LoadFailed(f"the submission {ended} while being imported, "
                                          f"before any check could run", kind="exited")
        return self._load_error

    def _load_probes(self, name: str) -> None:
        """Send the probe `name` (and the probes it calls) to the run, if not there yet."""
        if self._probe_source is None:
            return
        names = self._probe_source.to_load(name, self._probes_loaded)
        if names:
            deadline = self._call_deadline()
            try:
                self._send_probes(deadline, self._probe_source.source(names))
            except LoadFailed as e:
                self._load_error = None  # the run is gone; a later check starts a fresh one
                raise StudentFault(str(e), kind=e.kind) from None
            self._probes_loaded.update(names)

    def _send_probes(self, deadline: Deadline, source: str | None = None) -> None:
        """Load the exercise's probes next to the submission (the common part, at first); a
        submission that broke what they need (sys.modules['torch'] = None, a patched exec, ...)
        fails to load."""
        rid = secrets.token_hex(8)
        if source is None:
            self._probes_loaded = set()
            source = self._probe_source.common if self._probe_source else self.cfg.probes
        try:
            request = {"op": "probes", "code": probe_source.compiled(source), "id": rid}
            wire.send(self._run.writer, request, deadline)
            reply = wire.recv(self._run.reader, deadline, HANDSHAKE_BYTES,
                              wire.reply_prefix(rid))
        except (EOFError, OSError):  # it ended right after its import (it killed its parent)
            raise self._ended_while_importing() from None
        except wire.NotTheAnswer:
            self._kill("answered another request")
            self._load_error = LoadFailed(
                "your file sent back something that is not the answer to the grader's "
                "request (was the grader's channel written to?)", kind="crash")
            raise self._load_error from None
        except (TimeoutError, wire.WireError):
            reply = None
        if not (isinstance(reply, dict) and reply.get("ok") is True):
            self._kill("broke the grader's probes", grace_s=1.0)
            self._load_error = LoadFailed(
                "your file changed something the grader needs to call your code (sys.modules, "
                "builtins, torch or numpy) while being imported", kind="crash")
            raise self._load_error

    def _fault_kind(self, default: str) -> str:
        return "memory" if self._oom else default

    @property
    def _oom(self) -> bool:
        return bool(self._last_ending and self._last_ending.oom)

    def _env(self) -> dict[str, str]:
        env = sandbox_env(str(self._scratch))
        if self.cfg.device != "cuda":
            env["CUDA_VISIBLE_DEVICES"] = ""
        elif self.cfg.gpu is not None:
            env["CUDA_VISIBLE_DEVICES"] = str(self.cfg.gpu)
        return env

    def _kill(self, why: str, grace_s: float = 0.0) -> str:
        """End the run and all it left (after `grace_s` to exit on its own); how it ended,
        in words."""
        run = self._run
        if run is None:
            return "was not running"
        ending = self._last_ending = run.end(grace_s)
        self._cpu_spent += run.cpu_used()  # after end(): the cgroup's count is final
        for fd in (run.reader, run.writer):
            try:
                os.close(fd)
            except OSError:
                pass
        self._run = None
        self._output.join()
        if ending.trusted:
            self.usage.cpu_s += ending.cpu_s
            self.usage.peak_mem_mb = max(self.usage.peak_mem_mb, ending.peak_mb)
        else:  # the child's own word, bounded: informational only
            self.usage.cpu_s += self._reported_cpu
            self.usage.peak_mem_mb = max(self.usage.peak_mem_mb, self._reported_peak)
        ended = self._describe(ending)
        self.usage.ended = f"{why}: {ended}"
        return ended

    def _describe(self, ending: Ending) -> str:
        code = os.waitstatus_to_exitcode(ending.status)
        if ending.via_bwrap and 128 < code < 128 + 32:  # bwrap exits 128 + N on signal N
            code = 128 - code
        if code in _GUARD_EXITS:
            return _GUARD_EXITS[code]
        if ending.oom:
            return f"ran out of memory (limit {self.cfg.limits.memory_mb} MB, counted by the " \
                   f"kernel)"
        if code < 0:
            sig = signal.Signals(-code).name if -code in {s.value for s in signal.Signals} \
                else str(-code)
            return {"SIGKILL": "was killed", "SIGSEGV": "crashed (segmentation fault)",
                    "SIGXCPU": "ran out of CPU time", "SIGXFSZ": "wrote a file over the size limit"
                    }.get(sig, f"was stopped by {sig}")
        return f"exited with code {code}"

    def close(self) -> None:
        if self._run is not None:
            try:
                wire.send(self._run.writer, {"op": "exit"}, time.monotonic() + 1.0)
            except (OSError, TimeoutError, wire.WireError):
                pass
            self._kill("finished", grace_s=2.0)
            self.usage.ended = "finished normally"
        shutil.rmtree(self._scratch, ignore_errors=True)

    def __enter__(self) -> "Session":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# How guard.py's audit hook ends a run, in words (its EXIT_* codes).
_GUARD_EXITS = {
    EXIT_FRAMES: "was stopped: your code reached for the grader's own frames (sys._getframe, a "
        "traceback's frame or inspect), where only your own values are yours to read",
    EXIT_HEAP: "was stopped: your code walked the interpreter's heap (gc.get_objects, "
        "gc.get_referrers or sys._current_frames)",
    EXIT_MEMORY: "was stopped: your code read or wrote raw memory through ctypes",
    EXIT_FUNCTIONS: "was stopped: your code rewrote a function that is not yours (its "
                    "__code__ or defaults)"}


# A frame in faulthandler's dump: '  File "/work/run3/ex02.py", line 14 in GD'
_DUMPED_FRAME = re.compile(r'\s*File "([^"]+)", line (\d+) in (\S+)')


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _line(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and \
        0 < value < 10_000_000 else None


@functools.cache
def run_versions(use_torch: bool) -> dict[str, str]:
    """The versions a run uses, from the grader's side: the sandbox runs this very interpreter
    and its packages, and a submission cannot write what the grader reads here."""
    out = {"python": platform.python_version()}
    for name in ("numpy", "torch") if use_torch else ("numpy",):
        try:
            out[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            pass
    return out


def _write_new(path: Path, text: str) -> None:
    """Write `path` afresh: whatever the last run left there (a symlink to a host file, say)
    is removed, never followed."""
    path.unlink(missing_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o644)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)


def _load_failure(err: dict, memory_mb: int, locate: Callable[[int], str]) -> LoadFailed:
    typ, msg, line = _short(str(err.get("type", "")), 100), \
        _short(str(err.get("message", "")), 2000), _line(err.get("line"))
    where = f" ({locate(line)})" if line is not None else ""
    if typ == "SystemExit":
        return LoadFailed("your file called sys.exit() or exit() while being imported: the grader "
                          "imports your file, so put top-level runs under "
                          "`if __name__ == '__main__':`", kind="exited", line=line)
    if typ == "MemoryError":
        return LoadFailed(f"ran out of memory while being imported (limit {memory_mb} MB){where}",
                          kind="memory", line=line)
    if typ == "Tampering":
        return LoadFailed(msg, kind="tamper")
    return LoadFailed(f"importing your file raised {msg}{where}", kind="raised", line=line,
                      traceback=_short(str(err.get("traceback", "")), 6000))


class _Output:
    """Drain the child's stdout+stderr in a thread, keeping the first `cap` bytes; with
    `on_line`, hand each complete line of what is kept to it as it arrives (`grade exNN`
    shows the student's prints live)."""

    def __init__(self, cap: int, on_line: Callable[[str], None] | None = None):
        self.cap, self.buf, self.dropped = cap, bytearray(), 0
        self._threads: list[threading.Thread] = []
        self._on_line, self._told = on_line, 0

    def drain(self, stream) -> None:
        t = threading.Thread(target=self._pump, args=(stream,), daemon=True)
        t.start()
        self._threads.append(t)

    def _pump(self, stream) -> None:
        while chunk := stream.read1(1 << 16):
            room = self.cap - len(self.buf)
            self.buf += chunk[:max(room, 0)]
            self.dropped += max(len(chunk) - max(room, 0), 0)
            self._tell()
        stream.close()

    def _tell(self) -> None:
        if self._on_line is None:
            return
        end = self.buf.rfind(b"\n") + 1
        if end <= self._told:
            return
        lines = bytes(self.buf[self._told:end]).decode("utf-8", errors="replace").splitlines()
        self._told = end
        for line in lines:
            try:
                self._on_line(line)
            except Exception:  # noqa: BLE001  a display fault never stops the grading
                self._on_line = None
                return

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
