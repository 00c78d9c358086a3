"""grader/grading/runner.py: one pytest session per process and exercise serves submission after
submission; nothing of one grading reaches the next, and changed or broken check files are
noticed."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import REPO, copy_exercise
from grader.grading import worker
from grader.core.errors import GraderError
from grader.grading.pipeline import grade
from grader.core.result import PASSED
from grader.core.spec import Exercise, find_exercise

REFERENCE = REPO / "solutions" / "ex02.py"
STUB = REPO / "exercises" / "ex02_gd" / "ex02.py"


@pytest.fixture
def ex02_copy(tmp_path: Path) -> Exercise:
    """A private copy of ex02, whose check files a test may change."""
    return copy_exercise(tmp_path, "ex02_gd")


def test_one_session_grades_one_submission_after_another_without_leaks():
    ex = find_exercise(REPO / "exercises", "ex02")
    first = grade(ex, REFERENCE)
    session = worker.current().checks
    stub = grade(ex, STUB)
    again = grade(ex, REFERENCE)
    assert worker.current().checks is session                     # the same pytest session, warm
    assert first.full_marks and again.full_marks
    assert stub.score == 0 and not any(c.status == PASSED for c in stub.checks)
    assert not any(c.plots for c in stub.checks)            # no plot of the last grading
    assert [c.message for c in again.checks] == [c.message for c in first.checks]


@pytest.mark.slow
def test_changed_check_files_are_used_at_once(ex02_copy: Exercise):
    ex = ex02_copy
    assert grade(ex, REFERENCE).full_marks
    public = ex.folder / "test_public.py"
    public.write_text(public.read_text().replace("expect_converged(run[\"losses\"], below=1e-3)",
                                                 "assert False, \"changed by the instructor\""),
                      encoding="utf-8")
    after = grade(ex, REFERENCE)
    falls = next(c for c in after.checks if c.name == "test_loss_falls")
    assert falls.message == "changed by the instructor"


def test_check_files_that_cannot_be_collected_are_the_graders_fault(ex02_copy: Exercise):
    ex = ex02_copy
    (ex.folder / "test_hidden.py").write_text("def test_x(:\n", encoding="utf-8")
    with pytest.raises(GraderError, match="the checks of ex02 are broken"):
        grade(ex, REFERENCE)
    shutil.copy(REPO / "exercises" / "ex02_gd" / "test_hidden.py", ex.folder / "test_hidden.py")
    assert grade(ex, REFERENCE).full_marks                  # fixed: graded again at once
