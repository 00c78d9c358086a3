"""The grader's status words, one enum per concept, documented once.

Every enum is a `str` subclass whose values are exactly the strings of the JSON result, the
gradebook and the batch payloads, so `RunStatus.GRADED == "graded"` and `json.dumps` writes
`"graded"`: a document written by an older grader reads the same.

RunStatus      `Result.status`: did the checks of one submission get to run at all?
CheckStatus    `CheckResult.status`: what happened to one check (check50's three states, plus
               the grader's own fault).
EntryStatus    a gradebook row (`submissions.status`, `Entry.status`): a RunStatus, or a file
               the grader could not load, or a rostered student who handed nothing in.
TaskKind       what a batch worker sends back for one submission (`grade_task`'s "kind").
FaultKind      why the student's code stopped answering (`StudentFault.kind`, raised by the
               sandbox session), and what that does to the check that was asking.

"Graded" (docs/commands.md, `grade batch`) is every entry whose status is a RunStatus: the
checks ran, or the file scored 0 because of itself. "Not graded" is a TaskKind.ERROR: the
grader's or the machine's fault, never recorded, retried by the next run.
"""
from __future__ import annotations

import enum


class _Words(str, enum.Enum):
    """A str-valued enum that prints (and formats, and JSON-encodes) as its bare value."""

    def __str__(self) -> str:
        return str(self.value)

    __format__ = str.__format__  # f"{RunStatus.GRADED}" == "graded" on every Python


class RunStatus(_Words):
    GRADED = "graded"                    # the checks ran (some may have failed)
    SYNTAX_ERROR = "syntax_error"        # the submission does not parse; nothing ran
    LOAD_ERROR = "load_error"            # importing it raised, exited or timed out
    FORBIDDEN = "forbidden_import"       # the source imports a package the exercise forbids


class CheckStatus(_Words):
    PASSED = "passed"
    FAILED = "failed"                    # the student's answer is wrong (it costs the points)
    ERROR = "error"                      # the check could not run: the submission timed out,
                                         # crashed or ran out of memory (it costs the points)
    # The check's own code is broken (an exception that is not a fail(...), a probe or fixture
    # that does not exist, a threshold the yaml lacks): the instructor's fault. It costs the
    # student nothing: 0 of 0 points, left out of max_score, everywhere.
    GRADER_ERROR = "grader_error"


class EntryStatus(_Words):
    GRADED = RunStatus.GRADED.value
    SYNTAX_ERROR = RunStatus.SYNTAX_ERROR.value
    LOAD_ERROR = RunStatus.LOAD_ERROR.value
    FORBIDDEN = RunStatus.FORBIDDEN.value
    UNREADABLE = "unreadable"            # the file could not be loaded at all (SubmissionError)
    NO_SUBMISSION = "no_submission"      # on the roster, and nothing was handed in: 0

    @property
    def ran(self) -> bool:
        """The checks ran (some may have failed): a full result document exists."""
        return self is EntryStatus.GRADED


class TaskKind(_Words):
    GRADED = "graded"                    # a Result (whatever its RunStatus): recorded
    UNREADABLE = "unreadable"            # the file is not a submission: recorded as 0
    ERROR = "error"                      # the grader's or machine's fault: not recorded


class FaultKind(_Words):
    TIMEOUT = "timeout"                  # did not finish within its time
    CRASH = "crash"                      # the process died, or sent back something unreadable
    MEMORY = "memory"                    # ran out of memory
    EXITED = "exited"                    # called exit() / os._exit()
    RAISED = "raised"                    # the student's code raised an exception
    BAD_VALUE = "bad_value"              # returned a value the grader cannot accept
    TAMPER = "tamper"                    # touched the grader's channel or its probes

    @property
    def check_status(self) -> CheckStatus:
        """A run that did not finish means the check could not be completed (ERROR); a wrong
        or forged answer, or an exception, fails it."""
        return _UNFINISHED.get(self, CheckStatus.FAILED)


_UNFINISHED = {FaultKind.TIMEOUT: CheckStatus.ERROR, FaultKind.CRASH: CheckStatus.ERROR,
               FaultKind.MEMORY: CheckStatus.ERROR, FaultKind.EXITED: CheckStatus.ERROR}


def fault_check_status(kind: str) -> CheckStatus:
    """The CheckStatus of a check stopped by a StudentFault of `kind` (an unknown kind fails)."""
    try:
        return FaultKind(kind).check_status
    except ValueError:
        return CheckStatus.FAILED
