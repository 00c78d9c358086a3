"""The errors the grader names to a person: each reaches the CLI as one line.

Whose fault an error is decides what it costs: a `GraderError` or a `GraderBug` is never the
student's (their submission keeps every point the broken part could not judge). They live here,
below every other package, so that catching one (the CLI, the bank, a renderer) imports nothing
else of the grader: not the sandbox, not pytest, not torch. The modules that raise them import
them from here (and still offer them under their old names: `from grader.core.spec import
SpecError` works as it did)."""
from __future__ import annotations


class GraderError(Exception):
    """The grader or an exercise is broken (not the student's fault): reaches the CLI as one line."""


class GraderBug(Exception):
    """A fault in the exercise's own checks, probes or yaml: never the student's."""


# ---- an exercise and its checks (the instructor's) --------------------------------------------

class SpecError(Exception):
    """An instructor-side fault in an exercise folder (not a student's fault): the exercise
    cannot be loaded. str(e) is one line naming the file (and line, where there is one)."""


class CheckNamesDiffer(SpecError):
    """The checks in exercise.yaml and the test functions in the check files do not match:
    each side is readable, so `grade check-bank` lists every such name as a bank problem."""


class UnknownExercise(Exception):
    """No exercise of the bank has that id, number or slug."""


class ChecksBroken(Exception):
    """The exercise's check files cannot be collected or run: the instructor's fault."""


class DataError(Exception):
    """The data set is missing or damaged; the message is one line meant for the user."""


# ---- a submission (the student's) ------------------------------------------------------------

class SubmissionError(Exception):
    """The file cannot be graded at all; str(e) is one line a student understands."""


# ---- a class folder and its inputs (the instructor's) ----------------------------------------

class GradebookError(Exception):
    """The gradebook file cannot be used (not a gradebook, a newer schema, corrupt)."""


class ExportError(Exception):
    """A class folder, a CSV the instructor gave, or an argument cannot be used as asked: one
    line for the CLI (exit 2). Raised by the exports and by the files the batch reads (late
    policy, submission times), so it lives below both."""


class RosterError(Exception):
    """The roster file cannot be read: the instructor's, one line."""


class BatchError(Exception):
    """The batch cannot run as asked (nothing found, --out inside the input, busy): one line."""


class DiscoveryError(Exception):
    """The input cannot be read at all (no such folder, not a zip): the instructor's."""


class FolderBusy(Exception):
    """Another process holds the folder's lock (another `grade batch` on the same --out)."""


# What `grade` prints as one line and exit 2 (anything else is a bug: a traceback). `grade
# batch` names its own (BatchError, DiscoveryError, RosterError, FolderBusy) with their ids
# escaped.
USER_FACING = (SubmissionError, GraderError, SpecError, UnknownExercise, DataError, ExportError,
               GradebookError)
