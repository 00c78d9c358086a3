"""Shared fixtures: the exercise bank and a cached `graded()` so each file is graded once."""
from __future__ import annotations

import collections
import functools
import json
import os
import shutil
from pathlib import Path

import jsonschema
import pytest
import yaml

from grader.bank.check import KEEP_ENV, KEPT, fingerprint
from grader.grading.pipeline import GradeOptions, grade
from grader.core.result import Result, load_schema
from grader.sandbox.isolation import detect_layers
from grader.sandbox.runs import ColdRun
from grader.sandbox.zygote import Zygote
from grader.core.spec import Exercise, all_exercises, find_exercise, load_exercise

REPO = Path(__file__).resolve().parent.parent
EXERCISES = REPO / "exercises"
SOLUTIONS = REPO / "solutions"
SUBMISSIONS = Path(__file__).resolve().parent / "submissions"

# The two sandboxes a test may hold the grader to: bubblewrap where this machine has it, and
# the weak one (rlimits and a keeper process) every machine has.
STRONG = detect_layers()
WEAK = detect_layers(allow_bwrap=False)
strong_only = pytest.mark.skipif(not STRONG.strong, reason="bubblewrap cannot sandbox here")
MODES = [pytest.param(STRONG, id="strong", marks=strong_only), pytest.param(WEAK, id="weak")]


def exercise(ex_id: str) -> Exercise:
    return find_exercise(EXERCISES, ex_id)


@functools.lru_cache(maxsize=None)
def graded(ex_id: str, path: str, hidden: bool = True) -> Result:
    """Grade once per test session; many tests read the same result. A file of the bank that
    `grade check-bank` graded earlier in this CI run is read from its results, not graded again."""
    kept = from_check_bank(ex_id, Path(path)) if hidden else None
    return kept or grade(exercise(ex_id), Path(path), GradeOptions(hidden=hidden))


# .ci/run names the folder where its check-bank kept its results (KEEP_ENV when it ran) in this
# variable, one that check-bank does not read: the check-bank runs of the tests themselves keep
# nothing (and KEEP_ENV, if set by hand, is taken away from them).
READ_ENV = "TESTS_CHECK_BANK_RESULTS"
CHECK_BANK_RESULTS = os.environ.get(READ_ENV)
os.environ.pop(KEEP_ENV, None)


@functools.lru_cache(maxsize=None)
def _check_bank_results(folder: str | None) -> dict[tuple, dict]:
    """check-bank's kept results (grader/bank/check.py KEEP_ENV) by (exercise, file, seed)."""
    kept = Path(folder or "/nonexistent") / KEPT
    if not folder or not kept.is_file():
        return {}
    records = (json.loads(line) for line in kept.read_text(encoding="utf-8").splitlines())
    return {(r["exercise"], r["path"], r["seed"]): r for r in records}


def from_check_bank(ex_id: str, path: Path, seed: int = 0, device: str | None = None,
                    folder: str | None = CHECK_BANK_RESULTS) -> Result | None:
    """The Result `grade check-bank` computed earlier in this CI run (.ci/run) for this file and
    seed, with the hidden checks, against this repository's exercises as they are now; None
    when there is none (pytest run alone: the test grades it itself). `device`: only a run on
    that device will do."""
    r = _check_bank_results(folder).get((ex_id, str(path.resolve()), seed))
    if r is None or not r["hidden"] or Path(r["folder"]) != exercise(ex_id).folder.resolve():
        return None
    if r["fingerprint"] != fingerprint(EXERCISES, path):
        return None  # the bank or the file changed since
    if device is not None and (r["result"].get("run") or {}).get("device") != device:
        return None
    errors = list(_RESULT_VALIDATOR.iter_errors(r["result"]))  # written outside the tests' check
    assert not errors, f"check-bank's result for {path} does not match the schema: {errors[0]}"
    return Result.from_dict(r["result"])


def copy_exercise(dest: Path, folder: str, **overrides) -> Exercise:
    """exercises/<folder> copied under `dest` (a test may change its files), with some keys of
    its exercise.yaml replaced."""
    target = dest / folder
    shutil.copytree(EXERCISES / folder, target)
    spec = yaml.safe_load((target / "exercise.yaml").read_text(encoding="utf-8"))
    spec.update(overrides)
    (target / "exercise.yaml").write_text(yaml.safe_dump(spec, sort_keys=False),
                                          encoding="utf-8")
    return load_exercise(target)


def bank() -> list[Exercise]:
    return all_exercises(EXERCISES)


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO


# Every result document a test produces (`Result.to_json`: the CLI's --json, the gradebook's
# result_json, batch workers' payloads, Gradescope's extra_data) is validated against the
# published schema, grader/core/schemas/result.schema.json: a field added without its schema line,
# or a status word outside the vocabulary, fails the test that wrote it.
_RESULT_VALIDATOR = jsonschema.Draft202012Validator(load_schema())
_to_json = Result.to_json


def _validated_to_json(self: Result, indent: int | None = 2) -> str:
    text = _to_json(self, indent)
    errors = sorted(_RESULT_VALIDATOR.iter_errors(json.loads(text)), key=str)
    if errors:
        raise AssertionError("result document does not match result.schema.json: "
                             + "; ".join(f"{list(e.absolute_path)}: {e.message}"
                                         for e in errors[:5]))
    return text


Result.to_json = _validated_to_json  # type: ignore[method-assign]


# ---- where the suite's time goes: the sandboxes each test started ----------------------------
# A sandbox start (a warm zygote importing torch, or a cold run) costs seconds; forks from a
# zygote cost milliseconds. Counted in the process that runs the test (not in subprocesses it
# runs), carried on its reports (so across xdist's workers too) and listed after --durations.
_SANDBOX_STARTS = collections.Counter()   # "zygote" | "cold" -> started in this process
_REPORTED = [0]                           # of which already carried on a report


def _counting(cls: type, kind: str) -> None:
    started = cls.__init__

    def __init__(self, *args, **kwargs):
        _SANDBOX_STARTS[kind] += 1
        started(self, *args, **kwargs)
    cls.__init__ = __init__  # type: ignore[method-assign]


_counting(Zygote, "zygote")
_counting(ColdRun, "cold")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    total = sum(_SANDBOX_STARTS.values())
    if total > _REPORTED[0]:
        report.user_properties.append(("sandbox_starts", total - _REPORTED[0]))
        _REPORTED[0] = total
    return report


_BY_TEST = collections.Counter()         # nodeid -> sandboxes started (its reports say)


def pytest_runtest_logreport(report):
    n = sum(v for k, v in report.user_properties if k == "sandbox_starts")
    if n:
        _BY_TEST[report.nodeid] += n


def pytest_terminal_summary(terminalreporter, config):
    if config.option.durations is None or not _BY_TEST:
        return
    tr = terminalreporter
    tr.write_sep("=", "sandboxes started by each test (warm zygotes and cold runs)")
    for nodeid, n in _BY_TEST.most_common(20):
        tr.write_line(f"{n:4d}  {nodeid}")
    tr.write_line(f"total: {sum(_BY_TEST.values())} in {len(_BY_TEST)} tests")
