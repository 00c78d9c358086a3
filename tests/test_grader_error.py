"""A check's own mistakes are grader errors: they cost the student nothing, the student reads
"the grader could not run this check", the instructor gets the traceback."""
from __future__ import annotations

from pathlib import Path

import pytest

from grader.grading.pipeline import GradeOptions, grade
from grader.core.result import FAILED, GRADER_ERROR, PASSED
from grader.core.spec import load_exercise

YAML = """\
title: Broken on purpose
time_limit_s: 60
memory_mb: 1024
device: cpu
forbidden_imports: [torch]
thresholds:
  tol: 0.01
checks:
  test_right: {points: 1}
  test_wrong_answer: {points: 1}
  test_misspelt_probe: {points: 2}
  test_misspelt_threshold: {points: 2}
  test_unknown_fixture: {points: 2}
  test_check_code_raises: {points: 2}
  test_student_raises: {points: 1}
"""
PROBES = """\
def double(sub, x):
    return sub.double(x)

def boom(sub):
    return sub.boom()
"""
CHECKS = '''\
from grader.grading.checks import expect_close

def test_right(student, exercise):
    """double(2) = 4"""
    expect_close("double(2)", student.probe("double", 2.0), 4.0, tol=exercise.thresholds["tol"])

def test_wrong_answer(student):
    """double(3) = 7 (a wrong expectation: the student's failure, as far as the grader knows)"""
    expect_close("double(3)", student.probe("double", 3.0), 7.0, tol=0.01)

def test_misspelt_probe(student):
    """a probe name the author misspelt"""
    student.probe("doubel", 2.0)

def test_misspelt_threshold(student, exercise):
    """a threshold key the yaml lacks"""
    expect_close("x", student.probe("double", 1.0), 2.0, tol=exercise.thresholds["toll"])

def test_unknown_fixture(student, studnet):
    """a fixture that does not exist"""

def test_check_code_raises(student):
    """the check's own code breaks"""
    run = {"x": student.probe("double", 1.0)}
    run["shapez"]

def test_student_raises(student):
    """the student's code raises: that is the student's"""
    student.probe("boom")
'''
SUBMISSION = "def double(x):\n    return 2 * x\n\ndef boom():\n    raise ValueError('mine')\n"


def broken_bank(root: Path) -> Path:
    folder = root / "ex99_broken"
    folder.mkdir()
    (folder / "exercise.yaml").write_text(YAML)
    (folder / "probes.py").write_text(PROBES)
    (folder / "test_public.py").write_text(CHECKS)
    (folder / "ex99.py").write_text("def double(x):\n    raise NotImplementedError\n")
    return folder


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    root = tmp_path_factory.mktemp("bank")
    folder = broken_bank(root)
    sub = root / "ex99.py"
    sub.write_text(SUBMISSION)
    return grade(load_exercise(folder), sub, GradeOptions())


def test_authoring_mistakes_are_grader_errors_not_failures(result):
    status = {c.name: c.status for c in result.checks}
    assert status == {"test_right": PASSED, "test_wrong_answer": FAILED,
                      "test_misspelt_probe": GRADER_ERROR,
                      "test_misspelt_threshold": GRADER_ERROR,
                      "test_unknown_fixture": GRADER_ERROR,
                      "test_check_code_raises": GRADER_ERROR, "test_student_raises": FAILED}


def test_grader_errors_cost_nothing_and_leave_the_maximum(result):
    assert result.score == 1
    assert result.max_score == 3  # 11 points in the yaml, 8 of them in checks that could not run
    for c in result.grader_errors:
        assert c.points == 0 and c.max_points == 0 and c.hint == ""
        assert "the grader could not run this check" in c.message
        assert "your code" not in c.message.replace("not in your code", "")


def test_the_instructor_sees_what_broke(result):
    tb = {c.name: c.traceback for c in result.grader_errors}
    assert "probe 'doubel' is not defined in probes.py" in tb["test_misspelt_probe"]
    assert "threshold 'toll'" in tb["test_misspelt_threshold"] and "tol" in tb["test_misspelt_threshold"]
    assert "fixture 'studnet' does not exist" in tb["test_unknown_fixture"]
    assert "KeyError: 'shapez'" in tb["test_check_code_raises"]
    assert "test_public.py" in tb["test_check_code_raises"]  # where, for the author


def test_json_and_terminal_say_grader_error(result, capsys):
    import json
    from rich.console import Console
    from grader.rendering.terminal import render_table, summary_line
    doc = json.loads(result.to_json())
    assert {c["status"] for c in doc["checks"]} == {PASSED, FAILED, GRADER_ERROR}
    assert doc["max_score"] == 3
    assert "4 grader errors" in summary_line(result)
    render_table(result, Console(width=200, force_terminal=False))
    out = capsys.readouterr().out
    assert "could not be run by the grader" in out and "KeyError: 'shapez'" in out


def test_student_report_shows_no_traceback(result):
    from grader.rendering.report import render_html
    html = render_html(result)
    assert "not counted" in html and "shapez" not in html


def test_a_batch_lists_grader_errors_in_the_overview_and_scores_them_0_of_0(tmp_path):
    import json
    from grader.classroom.batch import BatchOptions, run_batch
    exercises = tmp_path / "exercises"
    exercises.mkdir()
    broken_bank(exercises)
    (tmp_path / "subs" / "s1").mkdir(parents=True)
    (tmp_path / "subs" / "s1" / "ex99.py").write_text(SUBMISSION)
    run_batch(tmp_path / "subs", exercises,
              BatchOptions(out=tmp_path / "out", exercise="ex99", jobs=1))
    html = (tmp_path / "out" / "index.html").read_text()
    assert "Grader errors" in html and "test_misspelt_probe" in html
    assert "probe &#39;doubel&#39; is not defined" in html or "probe 'doubel'" in html
    doc = json.loads((tmp_path / "out" / "results" / "s1" / "ex99.json").read_text())
    assert doc["score"] == 1 and doc["extra_data"]["max_score"] == 3  # Gradescope format
    broken = [t for t in doc["tests"] if t["extra_data"]["check"] == "test_check_code_raises"][0]
    assert broken["max_score"] == 0 and "shapez" not in json.dumps(doc)
