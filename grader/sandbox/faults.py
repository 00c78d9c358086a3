"""What the submission did wrong, as data, and the words a student reads for it.

A `StudentFault` carries its facts from where they are found to the result: its kind
(grader.core.status.FaultKind), the limit a timeout hit (cpu, wall or idle: clock.py's words),
where the student's code was ("line 4", "cell 3, line 2") and the error it raised, in its own
words. Feedback groups faults by these (`StudentFault.key`), never by the message's words.

Every child error becomes a fault here (`from_error`), for a call and for the import alike;
so do timeouts (`timed_out`, with `stopped_at`'s reading of the stack the child dumped) and a
run's end (`exit_words`).
"""
from __future__ import annotations

import os
import re
import signal
from dataclasses import dataclass
from typing import Callable

from grader.core.status import FaultKind

from .clock import CPU, IDLE, Budget
from .guard import EXIT_FRAMES, EXIT_FUNCTIONS, EXIT_HEAP, EXIT_MEMORY
from .protocol import ChildError
from .runs import Ending

Locate = Callable[[int], str]
IMPORTING = "importing your file"   # who did it, while the submission is imported


class StudentFault(Exception):
    """The submission did something wrong: a check that meets this fails with its message.
    `limit`: the limit a timeout hit; `at`: where the student's code was, in their terms;
    `error`: the exception (or refused value) in its own words, without the call's name."""

    def __init__(self, message: str, kind: FaultKind = FaultKind.RAISED, line: int | None = None,
                 traceback: str = "", *, limit: str = "", at: str = "", error: str = ""):
        super().__init__(message)
        self.kind, self.line, self.traceback = FaultKind(kind), line, traceback
        self.limit, self.at, self.error = limit, at, error

    @property
    def key(self) -> tuple[str, str, str, str]:
        """What makes two faults one: the same kind, limit, place and error, whatever call
        met it."""
        return str(self.kind), self.limit, self.at, self.error


class LoadFailed(StudentFault):
    """The submission could not even be imported: every check that needs it fails."""


def from_error(err: ChildError, who: str, memory_mb: int, locate: Locate) -> StudentFault:
    """The fault of a child's error reply: of a call (`who`: "fit()", "your code") or of the
    import (`who` is IMPORTING: a LoadFailed)."""
    loading = who == IMPORTING
    make = LoadFailed if loading else StudentFault
    at = locate(err.line) if err.line is not None else ""
    where = f" ({at})" if at else ""
    if err.phase == "return":
        return make(f"{who} returned {err.message}", FaultKind.BAD_VALUE, error=err.message)
    if err.phase == "tamper" or err.type == "Tampering":
        return make(err.message, FaultKind.TAMPER, error=err.message)
    if loading and err.type == "SystemExit":
        return make("your file called sys.exit() or exit() while being imported: the grader "
                    "imports your file, so put top-level runs under "
                    "`if __name__ == '__main__':`", FaultKind.EXITED, line=err.line, at=at)
    if err.type == "MemoryError":
        what = "ran out of memory while being imported" if loading else \
            f"{who} ran out of memory"
        return make(f"{what} (limit {memory_mb} MB){where}", FaultKind.MEMORY, line=err.line,
                    at=at)
    return make(f"{who} raised {err.message}{where}", FaultKind.RAISED, line=err.line,
                traceback=err.traceback, at=at, error=err.message)


@dataclass(frozen=True)
class Stop:
    """Where the student's code was when it was stopped (from the stack the child dumped)."""
    at: str = ""                 # "line 4", "cell 3, line 2"; "" where no stack was found
    function: str = ""
    stack: str = ""              # those frames of the student's file, as a traceback

    @property
    def words(self) -> str:
        return f" (stopped at {self.at}, in {self.function})" if self.at else ""


def timed_out(who: str, how: str, words: str, stop: Stop) -> StudentFault:
    """The fault of a call (or, `who` IMPORTING, of the import) stopped by the limit `how`;
    `words`: `timeout_words`'."""
    if who != IMPORTING:
        return StudentFault(f"{who} did not finish {words}{stop.words}", FaultKind.TIMEOUT,
                            traceback=stop.stack, limit=how, at=stop.at)
    hint = ": is there a loop or training at the top level?" if how == CPU else ""
    return LoadFailed(f"{who} did not finish {words}{hint}{stop.words}", FaultKind.TIMEOUT,
                      traceback=stop.stack, limit=how, at=stop.at)


def timeout_words(budget: Budget, how: str, whole_run: bool, idle_s: float) -> str:
    """Which limit was hit, in words that follow "did not finish": "within the time limit of
    one call, 4 s of CPU time"."""
    whose = "the whole run" if whole_run else "one call"
    if how == CPU:
        return f"within the time limit of {whose}, {budget.time_limit_s:g} s of CPU time"
    if how == IDLE:
        return (f"and was stopped after {idle_s:g} s in which it used no CPU time:"
                f" it was waiting, not computing (a sleep, input(), a lock, a stopped "
                f"process?)")
    return (f"within {budget.wall_ceiling_s:g} s, the wall-clock ceiling over the time limit "
            f"of {whose} (it used {max(budget.cpu_used(), 0):.1f} of its "
            f"{budget.time_limit_s:g} s of CPU time: was it waiting for something?)")


# A frame in faulthandler's dump: '  File "/work/run3/ex02.py", line 14 in GD'
_DUMPED_FRAME = re.compile(r'\s*File "([^"]+)", line (\d+) in (\S+)')


def stopped_at(output: str, module: str, locate: Locate) -> Stop:
    """Where the student's code was when it was stopped, from the last stack the child dumped
    into its output (faulthandler: just before a limit, or when asked); Stop() when there is
    none. A dump cut short by the kill is passed over for the one before it."""
    end = len(output)
    while (start := output.rfind("most recent call first", 0, end)) >= 0:
        frames = _dumped_frames(output[start:end], module)
        if frames:
            number, function = frames[0]  # most recent first
            trace = "\n".join(f'  File "{module}.py", line {n}, in {f}'
                              for n, f in reversed(frames))
            return Stop(locate(number), function,
                        "Traceback (where your code was when it was stopped):\n" + trace)
        end = start
    return Stop()


def _dumped_frames(dump: str, module: str) -> list[tuple[int, str]]:
    frames = []
    for line in dump.splitlines()[1:60]:
        m = _DUMPED_FRAME.match(line)
        if not m:
            if frames:
                break
            continue
        if m.group(1).endswith(f"/{module}.py"):
            frames.append((int(m.group(2)), m.group(3)))
    return frames


# How guard.py's audit hook ends a run, in words (its EXIT_* codes).
GUARD_EXITS = {
    EXIT_FRAMES: "was stopped: your code reached for the grader's own frames (sys._getframe, a "
        "traceback's frame or inspect), where only your own values are yours to read",
    EXIT_HEAP: "was stopped: your code walked the interpreter's heap (gc.get_objects, "
        "gc.get_referrers or sys._current_frames)",
    EXIT_MEMORY: "was stopped: your code read or wrote raw memory through ctypes",
    EXIT_FUNCTIONS: "was stopped: your code rewrote a function that is not yours (its "
                    "__code__ or defaults)"}
_SIGNAL_WORDS = {"SIGKILL": "was killed", "SIGSEGV": "crashed (segmentation fault)",
                 "SIGXCPU": "ran out of CPU time", "SIGXFSZ": "wrote a file over the size limit"}


def exit_words(ending: Ending, memory_mb: int) -> str:
    """How a run ended, in words that follow "the process": "was killed"."""
    code = os.waitstatus_to_exitcode(ending.status)
    if ending.via_bwrap and 128 < code < 128 + 32:  # bwrap exits 128 + N on signal N
        code = 128 - code
    if code in GUARD_EXITS:
        return GUARD_EXITS[code]
    if ending.oom:
        return f"ran out of memory (limit {memory_mb} MB, counted by the kernel)"
    if code < 0:
        sig = signal.Signals(-code).name if -code in {s.value for s in signal.Signals} \
            else str(-code)
        return _SIGNAL_WORDS.get(sig, f"was stopped by {sig}")
    return f"exited with code {code}"
