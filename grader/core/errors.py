"""The errors the grader names to a person: each reaches the CLI as one line.

Whose fault an error is decides what it costs: a `GraderError` or a `GraderBug` is never the
student's (their submission keeps every point the broken part could not judge)."""
from __future__ import annotations


class GraderError(Exception):
    """The grader or an exercise is broken (not the student's fault): reaches the CLI as one line."""


class GraderBug(Exception):
    """A fault in the exercise's own checks, probes or yaml: never the student's."""


class ExportError(Exception):
    """A class folder, a CSV the instructor gave, or an argument cannot be used as asked: one
    line for the CLI (exit 2). Raised by the exports and by the files the batch reads (late
    policy, submission times), so it lives below both."""
