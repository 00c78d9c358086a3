"""The contract between an exercise's checks and the grader, enforced where checks run.

A check's own mistakes (a probe that does not exist, a threshold the yaml lacks, any exception
the check's code raises that is not a `fail(...)`) are the instructor's, not the student's:
they end the check as `grader_error`, which costs the student nothing. This module holds what
makes those mistakes loud and named instead of a `KeyError` that reads as the student's.
"""
from __future__ import annotations

import ast
from typing import Any

from grader.core.errors import GraderBug


def probe_names(source: str) -> frozenset[str]:
    """The probes a probes.py defines: its top-level functions (read, never imported here:
    probes run only in the sandbox)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return frozenset()
    return frozenset(n.name for n in tree.body if isinstance(n, ast.FunctionDef))


class Student:
    """The `student` fixture: the sandboxed session, with the probe's name checked here first.

    A misspelt probe name would otherwise reach the sandbox, fail there with a KeyError, and
    come back as "your code raised KeyError" on the student's account."""

    def __init__(self, session: Any, probes: frozenset[str]):
        self._session, self._probes = session, probes

    def _known(self, name: str) -> None:
        if name not in self._probes:
            known = ", ".join(sorted(p for p in self._probes if not p.startswith("_"))) or "none"
            raise GraderBug(f"probe '{name}' is not defined in probes.py (it defines: {known})")

    def probe(self, name: str, *args: Any, **kwargs: Any) -> Any:
        self._known(name)
        return _noting(args, kwargs, self._session.probe, name, *args, **kwargs)

    def probe_once(self, name: str, *args: Any, **kwargs: Any) -> Any:
        self._known(name)
        return _noting(args, kwargs, self._session.probe_once, name, *args, **kwargs)

    def call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        return _noting(args, kwargs, self._session.call, name, *args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._session, name)


def _noting(args: tuple, kwargs: dict, fn: Any, *a: Any, **kw: Any) -> Any:
    """`fn(*a, **kw)`; an exception of the student's code leaves with what the check passed in,
    in words (`passed`), for the explanation the student reads (grader.grading.explain)."""
    try:
        return fn(*a, **kw)
    except Exception as e:
        if getattr(e, "kind", None) == "raised" and not hasattr(e, "passed"):
            from grader.grading.explain import passed_in
            try:
                e.passed = passed_in(args, kwargs)
            except Exception:  # noqa: BLE001  words only: never a reason to fail differently
                e.passed = ""
        raise
