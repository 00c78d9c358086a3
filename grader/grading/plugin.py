"""The pytest plugin that runs an exercise's checks against one live sandboxed submission.

Checks run here, in the trusted process, through pytest's own API. They receive fixtures:
`student` (the sandbox session), `exercise` (the spec, for thresholds), `dataset` (e.g. MNIST with
its test labels, which stay here), `rng` (a numpy Generator
seeded per check, so hidden inputs are random yet reproducible) and `report` (attach plots).
Outcomes are collected from `pytest_runtest_logreport`; students only ever see the curated
message of a failure, never pytest's long report (which quotes the check's source). An
exception of the check's own (not a failed expectation, not the student's) makes the check a
`grader_error`: its traceback is kept for the instructor, the student reads a fixed line.
"""
from __future__ import annotations

import hashlib
import sys
import traceback
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pytest

from grader.grading.checks import CheckFailed, auditing_causes
from grader.core.errors import GraderBug
from grader.grading.contract import Student, probe_names
from grader.grading.explain import Raised, explain, last_student_frame
from grader.grading.feedback import EXPLAINED
from grader.grading.plot_series import thinned
from grader.core.result import FAILED, GRADER_ERROR, PASSED, Plot
from grader.sandbox.session import Session, StudentFault
from grader.core.spec import Exercise
from grader.core.status import fault_check_status

if sys.version_info >= (3, 11):
    from builtins import BaseExceptionGroup
else:  # pytest's own dependency there
    from exceptiongroup import BaseExceptionGroup

# What the student reads when the check itself is broken; the traceback goes to the instructor.
GRADER_ERROR_MESSAGE = ("the grader could not run this check (a fault in the exercise's checks, "
                        "not in your code); it costs you nothing")


@dataclass
class Outcome:
    status: str
    message: str
    duration_s: float
    plots: list[Plot] = field(default_factory=list)
    traceback: str = ""          # grader_error only: for the instructor
    cause: str = ""              # the diagnosis that recognised the mistake (checks.cause)
    cause_hint: str = ""         # its hint, which replaces the check's own
    fault: str = ""              # the student's code raised or stopped: the StudentFault's kind
    student_traceback: str = ""  # its last lines, in the student's file
    expected: Any = None         # a failed expectation's values, as data (checks.Mismatch)
    observed: Any = None
    # the fault's facts (StudentFault's): the limit a timeout hit, where, the error's words
    fault_facts: tuple[str, str, str] = ("", "", "")


class Reporter:
    """The `report` fixture: lets a check attach figures for the HTML report."""

    def __init__(self) -> None:
        self.plots: list[Plot] = []
        self.notes: list[str] = []

    def note(self, text: str) -> None:
        """A line for the check's message when it passes (what was seen: 98.7% in 31 s)."""
        self.notes.append(text)

    def plot(self, title: str, series: dict[str, Any], kind: str = "line", xlabel: str = "",
             ylabel: str = "", log_y: bool = False) -> None:
        if kind in ("line", "scatter+line"):
            series = thinned(series)
        self.plots.append(Plot(title=title, kind=kind, series=series, xlabel=xlabel,
                               ylabel=ylabel, log_y=log_y))


@dataclass(frozen=True)
class Job:
    """One submission's grading: what the fixtures hand to the checks."""
    exercise: Exercise
    session: Session
    seed: int
    datasets: dict[str, Any] = field(default_factory=dict)
    # Told of each check as it starts and ends, to show progress live (grader.rendering.terminal's
    # Progress): `started(name)`, `finished(name, outcome)`. None: nobody listens.
    progress: Any = None
    # check-bank's grading of a reference: every diagnosis runs on the data, and a check one of
    # whose diagnoses raises ends as a grader error naming it (grader.grading.checks.auditing_causes).
    audit_causes: bool = False


class GraderPlugin:
    """Fixtures and outcomes for one pytest session, which may grade several submissions one
    after another (grader.grading.runner): `begin(job)` before each."""

    def __init__(self) -> None:
        self.job: Job | None = None
        self.outcomes: dict[str, Outcome] = {}
        self._reporters: dict[str, Reporter] = {}
        self.collect_errors: list[str] = []
        self._probe_source: str | None = None
        self._probe_set: frozenset[str] | None = None
        self._names: frozenset[str] = frozenset()

    def begin(self, job: Job) -> None:
        self.job, self.outcomes, self._reporters = job, {}, {}
        self._probe_set = None  # probes.py is read again for each submission, parsed on change

    # ---- fixtures ----------------------------------------------------------------------------
    @pytest.fixture
    def student(self) -> Student:
        return Student(self.job.session, self._probes())

    def _probes(self) -> frozenset[str]:
        """The probes the exercise defines, so that a misspelt name is the grader's error."""
        if self._probe_set is None:
            f = self.job.exercise.folder / "probes.py"
            text = f.read_text(encoding="utf-8") if f.exists() else ""
            if self._probe_source != text:
                self._probe_source, self._names = text, probe_names(text)
            self._probe_set = self._names
        return self._probe_set

    @pytest.fixture(name="exercise")
    def exercise_fixture(self) -> Exercise:
        return self.job.exercise

    @pytest.fixture
    def dataset(self) -> dict[str, Any]:
        """The exercise's data sets, answers included: they never enter the sandbox."""
        return self.job.datasets

    @pytest.fixture
    def rng(self, request: pytest.FixtureRequest) -> np.random.Generator:
        digest = hashlib.sha256(f"{self.job.seed}:{request.node.name}".encode()).digest()
        return np.random.default_rng(int.from_bytes(digest[:8], "big"))

    @pytest.fixture(name="seed")
    def seed_fixture(self) -> int:
        """The grading run's seed: checks that must share one expensive run (a training) draw
        its random setting from it, the same in every check (rng differs per check)."""
        return self.job.seed

    @pytest.fixture
    def report(self, request: pytest.FixtureRequest) -> Reporter:
        return self._reporters.setdefault(request.node.name, Reporter())

    # ---- outcomes ----------------------------------------------------------------------------
    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_call(self, item: pytest.Item):
        if self.job is None or not self.job.audit_causes:
            return (yield)
        with auditing_causes() as raised:
            result = yield  # a check that fails keeps its own verdict
        if raised:
            raise GraderBug("; ".join(raised) + " (check-bank runs every diagnosis on the "
                            "reference's data: a diagnosis that raises never recognises its "
                            "mistake)")
        return result

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo
                                  ) -> pytest.TestReport | None:
        """The report of a phase that raised, made here: its long repr is the exception's one
        line, where pytest's own renders a traceback with source for every failure (a tenth
        of a second each, parsing the check file) that a grading never shows. The grader's
        verdict rides on it. A phase that passed, and a skip, get pytest's own report."""
        exc = call.excinfo
        if exc is None:
            return None
        if _skipped(exc.value):
            rep = pytest.TestReport.from_item_and_call(item, call)
        else:
            # No captured sections: the runner runs without the capture and logging plugins.
            rep = pytest.TestReport(item.nodeid, item.location, dict.fromkeys(item.keywords, 1),
                                    "failed", _short_repr(exc), call.when, (), call.duration,
                                    call.start, call.stop, user_properties=item.user_properties)
        self._verdict(rep, exc)
        return rep

    def _verdict(self, rep: pytest.TestReport, excinfo: pytest.ExceptionInfo) -> None:
        """What the grader makes of the exception: status, message, cause, fault."""
        exc = excinfo.value
        rep.grader_status = _status(exc)
        if rep.grader_status == GRADER_ERROR:
            rep.grader_message = GRADER_ERROR_MESSAGE
            rep.grader_traceback = _traceback(excinfo)
            return
        rep.grader_message = _message(exc)  # curated, safe to show
        found = getattr(exc, "cause", None) if isinstance(exc, CheckFailed) else None
        if found is not None:
            rep.grader_cause = (found.name, found.hint)
        if isinstance(exc, CheckFailed) and exc.mismatch is not None:
            rep.grader_mismatch = exc.mismatch.as_data()
        if isinstance(exc, StudentFault):
            rep.grader_fault = (exc.kind, getattr(exc, "traceback", "") or "",
                                (exc.limit, exc.at, exc.error))
            said = self._explained(exc)
            if said and found is None:
                rep.grader_cause = (EXPLAINED, said)

    def _explained(self, exc: StudentFault) -> str:
        """An exception of the student's code, explained in the exercise's terms
        (grader.grading.explain), or ""."""
        if exc.kind != "raised" or self.job is None:
            return ""
        tb = getattr(exc, "traceback", "") or ""
        where, code = last_student_frame(tb, self.job.exercise.id)
        last = next((ln.strip() for ln in reversed(tb.splitlines()) if ln.strip()), "")
        error = last or str(exc).split(" raised ", 1)[-1]
        return explain(Raised(error=error, code=code, where=where,
                              passed=getattr(exc, "passed", "") or ""))

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        name = report.nodeid.rsplit("::", 1)[-1]
        if report.when == "call" or (report.when == "setup" and not report.passed):
            if report.passed:
                status, msg = PASSED, "; ".join(self._reporters.get(name, Reporter()).notes)
            else:
                status = getattr(report, "grader_status", FAILED)
                msg = getattr(report, "grader_message", "the check failed")
            plots = self._reporters.get(name, Reporter()).plots
            cause, cause_hint = getattr(report, "grader_cause", ("", ""))
            fault, student_tb, facts = getattr(report, "grader_fault", ("", "", ("", "", "")))
            expected, observed = getattr(report, "grader_mismatch", (None, None))
            self.outcomes[name] = Outcome(status, msg, report.duration, list(plots),
                                          getattr(report, "grader_traceback", ""),
                                          cause=cause, cause_hint=cause_hint, fault=fault,
                                          student_traceback=student_tb, expected=expected,
                                          observed=observed, fault_facts=facts)
            if self.job is not None and self.job.progress is not None:
                _tell(self.job.progress.finished, name, self.outcomes[name])

    def pytest_runtest_logstart(self, nodeid: str, location: Any) -> None:
        if self.job is not None and self.job.progress is not None:
            _tell(self.job.progress.started, nodeid.rsplit("::", 1)[-1])

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:  # a broken check file is the instructor's fault: report it loudly
            self.collect_errors.append(f"{report.nodeid}: {report.longreprtext[-2000:]}")


def _tell(fn: Any, *args: Any) -> None:
    try:
        fn(*args)
    except Exception:  # noqa: BLE001  a display that fails must not change a verdict
        pass


def _short_repr(excinfo: pytest.ExceptionInfo) -> str:
    return excinfo.exconly()[:2000]


def _skipped(exc: BaseException) -> bool:
    """pytest's rule for a skipped phase: a skip, or a group of nothing but skips."""
    if isinstance(exc, pytest.skip.Exception):
        return True
    return isinstance(exc, BaseExceptionGroup) and exc.split(pytest.skip.Exception)[1] is None


def _status(exc: BaseException) -> str:
    """check50's line: a failed expectation (fail(), the expect_ helpers, a plain assert) and
    the student's own exceptions are the student's; anything else raised in the check's code,
    or a fixture that does not exist, is the grader's."""
    if isinstance(exc, StudentFault):
        # A wrong answer fails the check; a run that did not finish means it could not be
        # completed (grader.core.status.FaultKind says which kind is which).
        return fault_check_status(exc.kind)
    if isinstance(exc, AssertionError):  # CheckFailed is one
        return FAILED
    return GRADER_ERROR


def _traceback(excinfo: pytest.ExceptionInfo) -> str:
    exc = excinfo.value
    if isinstance(exc, GraderBug):
        return f"GraderBug: {exc}"
    if isinstance(exc, pytest.FixtureLookupError):
        return _fixture_error(exc)
    # pytest's and pluggy's own frames say nothing to the author: start at the check's code.
    tb = exc.__traceback__
    while tb is not None and _is_machinery(tb.tb_frame.f_code.co_filename):
        tb = tb.tb_next
    text = "".join(traceback.format_exception(type(exc), exc, tb or exc.__traceback__))
    return text[-6000:]


def _is_machinery(filename: str) -> bool:
    return any(part in filename for part in ("/_pytest/", "/pluggy/", "/grader/grading/plugin.py"))


def _fixture_error(exc: BaseException) -> str:
    argname = getattr(exc, "argname", None)
    return (f"fixture '{argname}' does not exist; the grader's fixtures are student, exercise, "
            f"rng, seed, report, dataset") if argname else f"{type(exc).__name__}: {exc}"


def _message(exc: BaseException) -> str:
    if isinstance(exc, (CheckFailed, StudentFault)):
        return str(exc)
    return str(exc).split("\n")[0] or "the check failed"
