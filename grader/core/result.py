"""The result document: what one graded submission produced.

Everything the user sees (terminal table, HTML report, JSON, later the gradebook) is rendered
from this one structure. It is plain data, frozen, and round-trips through JSON.
"""
from __future__ import annotations

import dataclasses
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grader.core.status import CheckStatus, RunStatus

# The version of the JSON document `Result.to_json` writes (its JSON Schema:
# grader/core/schemas/result.schema.json). A change a consumer could trip on bumps it; documents
# without the field were written before it existed (read them as version 0).
SCHEMA_VERSION = 1
SCHEMA_PATH = Path(__file__).resolve().parent / "schemas" / "result.schema.json"

# The status words (grader.core.status documents them); these names stay for existing imports.
GRADED = RunStatus.GRADED
SYNTAX_ERROR = RunStatus.SYNTAX_ERROR
LOAD_ERROR = RunStatus.LOAD_ERROR
FORBIDDEN = RunStatus.FORBIDDEN
PASSED = CheckStatus.PASSED
FAILED = CheckStatus.FAILED
ERROR = CheckStatus.ERROR
GRADER_ERROR = CheckStatus.GRADER_ERROR


@dataclass(frozen=True)
class Plot:
    """A figure a check attaches for the report: one or more named series."""
    title: str
    kind: str                    # "line" | "scatter+line" | "bars" | "image-grid" | "matrix"
    series: dict[str, Any]       # name -> {"x": [...], "y": [...]} or other kind-specific data
    xlabel: str = ""
    ylabel: str = ""
    log_y: bool = False


@dataclass(frozen=True)
class CheckResult:
    name: str
    description: str
    status: str                  # a CheckStatus value
    points: float
    max_points: float
    hidden: bool
    message: str = ""
    hint: str = ""
    duration_s: float = 0.0
    plots: tuple[Plot, ...] = ()
    # For a grader_error: the check's traceback, for the instructor (terminal, batch overview,
    # the full JSON). The student's report shows only the message.
    traceback: str = ""
    # The mistake a diagnosis recognised (checks.cause's name); the hint above is then its hint.
    cause: str = ""
    # When the student's code raised or stopped in this check: how ("raised", "timeout", ...)
    # and the last lines of its traceback in the student's file ("ex02.py, line 14").
    fault: str = ""
    student_traceback: str = ""
    # What a failed check expected and what it saw, as data (grader.grading.checks.Mismatch):
    # a number, a short string or a small list each; None where the check gave none. The
    # message says the same in a sentence. Left out of the JSON when None.
    expected: Any = None
    observed: Any = None
    # The fault's facts, as the sandbox found them (feedback groups faults by these, with
    # `fault`): the limit a timeout hit (cpu, wall or idle), where the student's code was
    # ("line 14", "cell 3, line 2") and the error in its own words, without the call's name.
    fault_limit: str = ""
    fault_at: str = ""
    fault_error: str = ""

    @property
    def passed(self) -> bool:
        return self.status == PASSED


@dataclass(frozen=True)
class RunInfo:
    """How the sandbox ran, so a student can reproduce it and staff can tell failures apart."""
    seed: int
    device: str
    sandbox: str                 # which isolation layers were active, in words
    python: str = ""
    torch: str = ""
    numpy: str = ""
    wall_s: float = 0.0
    cpu_s: float = 0.0
    peak_mem_mb: float = 0.0
    student_s: float = 0.0       # inside the submission's own code (imports and calls)
    starts: int = 0              # sandbox processes started (restarts after a timeout count)
    ended: str = ""              # how the last sandbox process ended, in words
    time_limit_s: float = 0.0    # the run's limit, in CPU seconds (a wall ceiling stands above)
    limit_hit: str = ""          # a timeout's limit: cpu (working), wall or idle (waiting)
    wall_ceiling_s: float = 0.0  # the wall-clock ceiling the run stood under (0: not recorded)


@dataclass(frozen=True)
class Result:
    exercise: str
    title: str
    submission: str
    status: str                  # a RunStatus value
    score: float
    max_score: float
    checks: tuple[CheckResult, ...]
    message: str = ""            # one line for the whole submission when it could not be graded
    notes: tuple[str, ...] = ()  # loader notes: dropped magics, skipped cells, ...
    output: str = ""             # the submission's stdout+stderr, truncated
    output_truncated: bool = False
    public_only: bool = False    # hidden checks were not run (student mode)
    hidden_remaining: int = 0
    hidden_points: float = 0.0
    run: RunInfo | None = None
    graded_at: str = ""
    grader_version: str = ""
    schema_version: int = SCHEMA_VERSION
    # The one sentence the report and the terminal lead with: the likeliest cause across all
    # checks: every cause (a crash or timeout, a diagnosis) ranked by the points it cost, the
    # costliest first, then "Then: ..." for the others (grader.grading.feedback).
    next_step: str = ""
    # A load_error's fault kind (grader.core.status.FaultKind: raised, timeout, exited, ...).
    fault: str = ""

    @property
    def grader_errors(self) -> tuple[CheckResult, ...]:
        """Checks the grader could not run through its own fault (not counted in the score)."""
        return tuple(c for c in self.checks if c.status == GRADER_ERROR)

    @property
    def full_marks(self) -> bool:
        return self.max_score > 0 and self.score >= self.max_score

    def to_dict(self) -> dict[str, Any]:
        """Plain dicts and lists, sharing the plots' series with this Result (not copied:
        `dataclasses.asdict` deep-copies every point, a third of a batch's bookkeeping)."""
        d = _fields(self)
        d["checks"] = [_check_dict(c) for c in self.checks]
        d["notes"] = list(self.notes)
        d["run"] = _fields(self.run) if self.run is not None else None
        return d

    def to_json(self, indent: int | None = 2) -> str:
        d = self.to_dict()
        try:
            return json.dumps(d, indent=indent, allow_nan=False, default=_jsonable)
        except ValueError:
            # A diverging submission puts inf/nan into plots; JSON has no such numbers: null
            # them (a walk over every point, so only when there is one).
            return json.dumps(_finite(d), indent=indent, allow_nan=False, default=_jsonable)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Result":
        checks = tuple(
            CheckResult(**{k: v for k, v in c.items() if k != "passed" and k != "plots"},
                        plots=tuple(Plot(**p) for p in c.get("plots", ())))
            for c in d["checks"])
        run = RunInfo(**d["run"]) if d.get("run") else None
        rest = {k: v for k, v in d.items() if k not in ("checks", "run")}
        rest["notes"] = tuple(rest.get("notes", ()))
        return cls(**rest, checks=checks, run=run)


# Fields a check's JSON has only when they are set (documents stay as they were without them).
_WHEN_SET = ("expected", "observed")


def _check_dict(c: CheckResult) -> dict[str, Any]:
    d = dict(_fields(c), passed=c.passed, plots=[_fields(p) for p in c.plots])
    for key in _WHEN_SET:
        if d[key] is None:
            del d[key]
    return d


def _fields(obj: Any) -> dict[str, Any]:
    return {f.name: getattr(obj, f.name) for f in dataclasses.fields(obj)}


def _finite(obj: Any) -> Any:
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {k: _finite(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_finite(v) for v in obj]
    if hasattr(obj, "tolist"):
        return _finite(obj.tolist())
    return obj


def _jsonable(obj: Any) -> Any:
    # numpy scalars sneak into plots; anything else is a bug worth seeing.
    if hasattr(obj, "item"):
        return obj.item()
    if hasattr(obj, "tolist"):
        return obj.tolist()
    raise TypeError(f"not JSON serialisable: {type(obj).__name__}")


def load_schema() -> dict[str, Any]:
    """The result document's JSON Schema (draft 2020-12), for validating what to_json wrote."""
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
