"""A live sandboxed process holding one submission, and the calls the checks make into it.

The checks (trusted, in the grader's process) call `session.call("fit_numpy", x, y)` or
`session.probe("trajectory", x0)`; the request travels as data, the submission runs in the
child, and only data comes back. A call that hangs kills the child; the next call starts a
fresh one while the exercise's time budget lasts, so one bad function costs only its own checks.

Session is the checks' front and the run's life; its neighbours do the rest: protocol.py (the
messages), limits.py and clock.py (the limits and budgets), launch.py (configurations and
command lines), runs.py (the two kinds of run), faults.py (what went wrong, as data and words).
"""
from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import os
import platform
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from grader.core.settings import current
from grader.core.status import FaultKind
from grader.core.text import cut

from . import faults, probe_source, protocol, wire, zygote
from .clock import Budget, Deadline, WaitMeter
from .faults import IMPORTING, LoadFailed, StudentFault
from .isolation import Layers
from .launch import Launcher, write_new
from .limits import Limits
from .output import Output
from .protocol import ChildError, FailedCell
from .runs import ColdRun, Ending, ForkedRun, Run

__all__ = ["LoadFailed", "Session", "SessionConfig", "StudentFault", "Usage"]

# Settings (grader.core.settings): `stack_wait_s`, for a stack asked of a run at its deadline to
# reach its output; `handshake_bytes`, "loaded" or an error (a traceback) at most;
# `output_cap_bytes`, what a run prints that is kept.


@dataclass(frozen=True)
class SessionConfig:
    exercise: str
    module: str                  # the name the submission is imported as, e.g. "ex02"
    source: str                  # the submission's Python source (a notebook's cells joined)
    limits: Limits
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
    # A notebook's cells in `source`: (first line, cell number) each. The child runs them one
    # by one, as Jupyter does: a cell that raises is a record of the load's reply
    # (Usage.failed_cells), and the next cells still run.
    cells: tuple[tuple[int, int], ...] = ()


@dataclass
class Usage:
    starts: int = 0
    cpu_s: float = 0.0
    peak_mem_mb: float = 0.0
    ended: str = ""
    versions: dict | None = None
    student_s: float = 0.0       # time spent inside the submission's own code, as it reported
    limit_hit: str = ""          # the limit a timeout hit: cpu (working), wall or idle (waiting)
    failed_cells: tuple[FailedCell, ...] = ()  # notebook cells that raised, as the child said

    def count(self, ending: Ending, reported_cpu: float, reported_peak: float) -> None:
        """A run's CPU time and peak memory: the kernel's figures where there are any, else
        the child's own word (bounded: informational only)."""
        trusted = ending.trusted
        self.cpu_s += ending.cpu_s if trusted else reported_cpu
        self.peak_mem_mb = max(self.peak_mem_mb, ending.peak_mb if trusted else reported_peak)


class Session:
    def __init__(self, cfg: SessionConfig):
        self.cfg = cfg
        self.usage = Usage()
        self._run: Run | None = None
        self._cpu_spent = 0.0  # by the runs that ended: a restart does not reset the budget
        # Time the run was starved of a CPU by other load is not counted (clock.WaitMeter).
        self._waited = WaitMeter(lambda: self._run.host_pid if self._run is not None else None)
        self._budget = Budget.start(cfg.limits.time_limit_s, self._cpu_used, waited=self._waited)
        self._load_error: LoadFailed | None = None
        self._output = Output(current().output_cap_bytes, cfg.on_output)
        self._scratch = Path(tempfile.mkdtemp(prefix="grade-"))
        self._launcher = Launcher(cfg, self._scratch)
        self._memo: dict[tuple[str, bytes], Any] = {}
        self._reported_cpu = self._reported_peak = 0.0  # the child's word, where no kernel's
        self._last_ending: Ending | None = None
        self._probe_source = probe_source.split(cfg.probes) if cfg.probes else None
        self._probes_loaded: set[str] = set()

    # ---- the checks' side -------------------------------------------------------------------
    def call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        """Call the submission's function `name` with data; return its result as data."""
        return self._request(protocol.CALL, name, args, kwargs, f"{name}()")

    def probe(self, name: str, *args: Any, **kwargs: Any) -> Any:
        """Run the exercise's probe `name(submission_module, *args)` inside the sandbox (sent
        there on its first call: a run holds only the probes its checks have called)."""
        self.ensure_loaded()
        self._load_probes(name)
        # The probe's name is the instructor's; the student reads "your code".
        return self._request(protocol.PROBE, name, args, kwargs, "your code")

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

    def zygote_spec(self) -> tuple[tuple, Callable[..., list[str]], dict[str, str]]:
        """What `zygote.obtain` needs for this session's warm sandbox: key, argv, environment."""
        return self._launcher.zygote_spec()

    # ---- the channel -------------------------------------------------------------------------
    def _request(self, op: str, name: str, args: tuple, kwargs: dict, who: str) -> Any:
        self.ensure_loaded()
        deadline = self._call_deadline()
        request = protocol.Call(op, name, args, kwargs, deadline.wall_left(), deadline.cpu_left())
        try:
            wire.send(self._run.writer, request.encode(), deadline)
            # only a frame that starts with the request's id is decoded, none over the limit
            reply = wire.recv(self._run.reader, deadline, self.cfg.reply_bytes,
                              wire.reply_prefix(request.id))
        except TimeoutError:
            raise self._timed_out(deadline, who, f"in {name}") from None
        except wire.NotTheAnswer:
            self._kill("answered another request")
            raise StudentFault(f"{who} sent back something that is not the answer to the "
                               f"grader's request (was the grader's channel written to?)",
                               FaultKind.CRASH, error="not the answer to the request") from None
        except wire.WireError as e:
            ended = self._kill(f"sent an unreadable answer in {name}")
            error = cut(str(e), 300)
            raise StudentFault(f"{who} sent back an answer the grader cannot accept: "
                               f"{error} (the process {ended})", FaultKind.BAD_VALUE,
                               error=error) from None
        except (EOFError, OSError) as e:
            ended = self._kill(f"died in {name}", grace_s=1.0)
            raise StudentFault(f"the submission's process {ended} while running {who}",
                               FaultKind.MEMORY if self._oom else FaultKind.CRASH,
                               error=ended) from e
        return self._unwrap(reply, who)

    def _call_deadline(self) -> Deadline:
        call = Budget.start(self.cfg.limits.call_time_limit_s, self._cpu_used,
                            waited=self._waited)
        return Deadline(call, self._budget)

    def _cpu_used(self) -> float:
        """CPU seconds of every run of this session so far: what its budgets count."""
        return self._cpu_spent + (self._run.cpu_used() if self._run is not None else 0.0)

    def _timed_out(self, deadline: Deadline, who: str, doing: str) -> StudentFault:
        """Stop a run that hit a limit of `deadline`; the fault says which, and where the
        student's code was (the run's usage says which too: clock.py's words)."""
        budget, how = deadline.spent()
        self.usage.limit_hit = how
        words = faults.timeout_words(budget, how, budget is self._budget, deadline.idle_s)
        self._sample_stack()
        self._kill(f"timed out {doing}")
        stop = faults.stopped_at(self._output.text(), self.cfg.module, self.cfg.locate)
        return faults.timed_out(who, how, words, stop)

    def _sample_stack(self) -> None:
        """A stack sample at the deadline: what faults.stopped_at reads (a run stopped by its
        CPU budget has dumped its own already, ITIMER_PROF: a second dump says the same)."""
        if self._run is not None and self._run.sample_stack():
            time.sleep(current().stack_wait_s)

    def _unwrap(self, reply: Any, who: str) -> Any:
        if not protocol.is_reply(reply):
            self._kill("sent garbage")
            raise StudentFault(f"{who} sent back something that is not a result",
                               FaultKind.CRASH, error="not a result")
        self._note_usage(reply)
        if reply["ok"]:
            return reply.get("value")
        raise faults.from_error(ChildError.decode(reply), who, self.cfg.limits.memory_mb,
                                self.cfg.locate)

    def _note_usage(self, reply: dict) -> None:
        # Reported by the child, so informational only, and bounded: it never enters a
        # verdict, and the kernel's figures replace it where there are any (see _kill).
        said = protocol.Usage.decode(reply, self._budget.wall_ceiling_s,
                                     self.cfg.limits.rlimit_cpu_s + 10)
        self.usage.student_s += said.seconds
        if said.cpu_s is not None:
            self._reported_cpu = said.cpu_s
            self._reported_peak = max(self._reported_peak, said.peak_mb)

    # ---- the run's life ----------------------------------------------------------------------
    def _start(self) -> None:
        self._reported_cpu = 0.0
        if Deadline(self._budget)() <= 0:
            raise StudentFault("no time left: the run used the exercise's whole time limit",
                               FaultKind.TIMEOUT)
        self._run = run = self._new_run()
        self.usage.starts += 1
        self._output.drain(run.output)
        self._load(Deadline(self._budget))

    def _new_run(self) -> Run:
        """A child forked from the slot's warm zygote where the sandbox is strong, else (or
        where the zygote fails: the machine's trouble, not the student's) a cold one."""
        strong, launcher = self.cfg.layers.strong, self._launcher
        group = launcher.group()
        if self.cfg.warm and strong:
            try:
                return ForkedRun(launcher.launch(inside=True, group=group), self.cfg.slot,
                                 *launcher.zygote_spec()[:2], launcher.preload())
            except zygote.ZygoteError:
                pass
        write_new(self._scratch / f"{self.cfg.module}.py", self.cfg.source)
        return ColdRun(launcher.launch(inside=strong, group=group), launcher.cold_argv)

    def _load(self, deadline: Deadline) -> None:
        """Have the run import the submission: one Load request, whichever kind of run (a
        forked one gets the source in it), carrying the time left for the import."""
        source = self.cfg.source if self._run.awaits_source else None
        request = protocol.Load(deadline.wall_left(), deadline.cpu_left(), source,
                                self.cfg.cells)
        try:
            wire.send(self._run.writer, request.encode(), deadline)
            reply = wire.recv(self._run.reader, deadline, current().handshake_bytes)
        except TimeoutError:
            raise self._failed(self._timed_out(deadline, IMPORTING, "while importing")) from None
        except wire.WireError as e:
            ended = self._kill("sent an unreadable answer while importing")
            raise self._failed(LoadFailed(
                f"while your file was imported, the grader got an answer it cannot accept: "
                f"{cut(str(e), 300)} (the process {ended})", FaultKind.CRASH)
            ) from None
        except (EOFError, OSError):
            raise self._ended_while_importing() from None
        if protocol.is_loaded(reply):
            self._loaded(reply, deadline)
            return
        self._kill("failed to import", grace_s=1.0)  # let it flush what it printed
        err = reply.get("error") if isinstance(reply, dict) else None
        if not isinstance(err, dict) or not err.get("type"):
            raise self._failed(LoadFailed(
                "your file replaced something the grader needs to talk to it (json, stdout, "
                "os.write?) while being imported", FaultKind.CRASH))
        raise self._failed(faults.from_error(ChildError.decode(reply), IMPORTING,
                                             self.cfg.limits.memory_mb, self.cfg.locate))

    def _loaded(self, reply: dict, deadline: Deadline) -> None:
        self._note_usage(reply)
        self.usage.failed_cells = protocol.FailedCell.decode_all(reply.get("failed_cells"))
        self.usage.versions = run_versions(self.cfg.use_torch)
        if self.cfg.probes:
            self._send_probes(deadline)

    def _failed(self, fault: StudentFault) -> LoadFailed:
        """The load's fault, kept: every later check meets it too."""
        assert isinstance(fault, LoadFailed)
        self._load_error = fault
        return fault

    def _ended_while_importing(self) -> LoadFailed:
        ended = self._kill("ended while importing", grace_s=1.0)
        if self._oom:
            return self._failed(LoadFailed(
                f"ran out of memory while being imported (limit {self.cfg.limits.memory_mb} "
                f"MB, counted by the kernel: memory in files and shared memory included)",
                FaultKind.MEMORY))
        return self._failed(LoadFailed(f"the submission {ended} while being imported, before "
                                       f"any check could run", FaultKind.EXITED))

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
                raise StudentFault(str(e), e.kind) from None
            self._probes_loaded.update(names)

    def _send_probes(self, deadline: Deadline, source: str | None = None) -> None:
        """Load the exercise's probes next to the submission (the common part, at first); a
        submission that broke what they need (sys.modules['torch'] = None, a patched exec, ...)
        fails to load."""
        if source is None:
            self._probes_loaded = set()
            source = self._probe_source.common if self._probe_source else self.cfg.probes
        request = protocol.LoadProbes(probe_source.compiled(source))
        try:
            wire.send(self._run.writer, request.encode(), deadline)
            reply = wire.recv(self._run.reader, deadline, current().handshake_bytes,
                              wire.reply_prefix(request.id))
        except (EOFError, OSError):  # it ended right after its import (it killed its parent)
            raise self._ended_while_importing() from None
        except wire.NotTheAnswer:
            self._kill("answered another request")
            raise self._failed(LoadFailed(
                "your file sent back something that is not the answer to the grader's "
                "request (was the grader's channel written to?)", FaultKind.CRASH)) from None
        except (TimeoutError, wire.WireError):
            reply = None
        if not (isinstance(reply, dict) and reply.get("ok") is True):
            self._kill("broke the grader's probes", grace_s=1.0)
            raise self._failed(LoadFailed(
                "your file changed something the grader needs to call your code (sys.modules, "
                "builtins, torch or numpy) while being imported", FaultKind.CRASH))

    @property
    def _oom(self) -> bool:
        return bool(self._last_ending and self._last_ending.oom)

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
        self.usage.count(ending, self._reported_cpu, self._reported_peak)
        ended = faults.exit_words(ending, self.cfg.limits.memory_mb)
        self.usage.ended = f"{why}: {ended}"
        return ended

    def close(self) -> None:
        if self._run is not None:
            try:
                wire.send(self._run.writer, protocol.EXIT_REQUEST, time.monotonic() + 1.0)
            except (OSError, TimeoutError, wire.WireError):
                pass
            self._kill("finished", grace_s=2.0)
            self.usage.ended = "finished normally"
        shutil.rmtree(self._scratch, ignore_errors=True)

    def __enter__(self) -> "Session":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


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
