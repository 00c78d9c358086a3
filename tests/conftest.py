"""Shared fixtures: the exercise bank and a cached `graded()` so each file is graded once."""
from __future__ import annotations

import functools
import json
import shutil
from pathlib import Path

import jsonschema
import pytest
import yaml

from grader.grading.pipeline import GradeOptions, grade
from grader.core.result import Result, load_schema
from grader.sandbox.isolation import detect_layers
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
    """Grade once per test session; many tests read the same result."""
    return grade(exercise(ex_id), Path(path), GradeOptions(hidden=hidden))


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
