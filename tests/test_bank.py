"""The whole exercise bank proves itself: reference = full marks, stub = zero, and every
known-wrong submission loses the points of the check meant to catch it."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import SOLUTIONS, SUBMISSIONS, bank, graded

EXERCISE_IDS = [e.id for e in bank()]


def wrong_submissions() -> list[tuple[str, Path]]:
    return [(d.name, f) for d in sorted(SUBMISSIONS.iterdir()) if d.is_dir()
            for f in sorted(d.glob("*.py")) + sorted(d.glob("*.ipynb"))
            if _expectations(f)["fail"]]


def _expectations(path: Path) -> dict[str, list[str]]:
    """`# expect-fail: check_a, check_b` and `# expect-text: words` lines in the file's header."""
    text = path.read_text(encoding="utf-8", errors="replace")
    found = {"fail": [], "text": [], "pass": []}
    for key, value in re.findall(r"^#\s*expect-(fail|text|pass):\s*(.+)$", text, re.M):
        found[key] += [v.strip() for v in value.split(",") if v.strip()]
    return found


@pytest.mark.parametrize("ex_id", EXERCISE_IDS)
def test_reference_solution_gets_full_marks(ex_id):
    r = graded(ex_id, str(SOLUTIONS / f"{ex_id}.py"))
    failed = [f"{c.name}: {c.message}" for c in r.checks if not c.passed]
    assert r.full_marks, f"{ex_id} reference lost points: {failed}"


@pytest.mark.parametrize("ex_id", EXERCISE_IDS)
def test_stub_gets_zero_on_every_check(ex_id):
    ex = next(e for e in bank() if e.id == ex_id)
    r = graded(ex_id, str(ex.stub))
    assert r.status == "graded", r.message
    assert [c.name for c in r.checks if c.passed] == []
    assert r.score == 0


@pytest.mark.parametrize("ex_id,path", wrong_submissions(),
                         ids=lambda v: v.stem if isinstance(v, Path) else v)
def test_known_wrong_submission_loses_the_right_points(ex_id, path):
    want = _expectations(path)
    r = graded(ex_id, str(path))
    by_name = {c.name: c for c in r.checks}
    for name in want["fail"]:
        assert name in by_name, f"{path.name} names unknown check {name}"
        assert not by_name[name].passed, f"{name} passed on {path.name}"
    for name in want["pass"]:
        assert by_name[name].passed, f"{name} should still pass on {path.name}: " \
                                     f"{by_name[name].message}"
    said = " ".join(by_name[n].message + " " + by_name[n].hint for n in want["fail"]).lower()
    for words in want["text"]:
        assert words.lower() in said, f"expected '{words}' in the messages, got: {said}"
    assert not r.full_marks
