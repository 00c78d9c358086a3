"""Hostile and broken ex02 submissions are graded, never crash the grader, and finish within the
exercise's time limit plus a small margin.

Each scenario is one file in tests/attacks/ (its top comment says what it does; the same folder
as test_attacks.py's, which holds the sandbox to account where this file holds the verdicts and
messages to account), graded through
`grader.grading.pipeline.grade` against a copy of exercises/ex02_gd with short time limits, so a
submission that hangs costs seconds, not minutes.
"""
from __future__ import annotations

import json
import resource
import sys
import time
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from conftest import SOLUTIONS as REPO_SOLUTIONS, copy_exercise
from grader.grading.pipeline import GradeOptions, grade
from grader.core.result import (ERROR, FAILED, GRADED, LOAD_ERROR, PASSED, SYNTAX_ERROR, Result)
from grader.core.spec import Exercise
from bounds import within

HOSTILE = Path(__file__).resolve().parent / "attacks"
# Grading around the sandbox (loading the file, pytest, killing, cleaning up) and a machine
# that may be loaded: wall-time bounds here only prove that a hang was cut off (far below what
# an unbounded run would take); the verdicts are what the tests hold the grader to.
MARGIN_S = 60.0


@pytest.fixture(scope="module")
def ex02(tmp_path_factory) -> Exercise:
    """ex02 as students get it, with a shorter limit for one call: 15 s (the reference's
    longest call takes about 1 s idle, several on a loaded 2-core machine). The whole run keeps
    90 s: a hang plus a restart means two sandbox starts, each importing torch, which takes
    10 s or more on a busy 2-core machine."""
    return copy_exercise(tmp_path_factory.mktemp("bank"), "ex02_gd", time_limit_s=90,
                         call_time_limit_s=15)


@pytest.fixture(scope="module")
def ex02_no_torch(tmp_path_factory) -> Exercise:
    """ex02 with torch forbidden, so the sandbox starts in well under a second instead of
    importing torch for several: for the submissions that fail while being imported, before
    any torch code could run. The time limit is 10 s: a loaded machine can take seconds to
    start even this sandbox, and a file that fails at import must not read as a timeout."""
    return copy_exercise(tmp_path_factory.mktemp("bank_no_torch"), "ex02_gd", time_limit_s=10,
                         call_time_limit_s=5, forbidden_imports=["torch"])


@pytest.fixture(scope="module")
def graded_once():
    """grade(exercise, path) -> (Result, wall seconds), each combination graded once."""
    cache: dict[tuple, tuple[Result, float]] = {}

    def run(ex: Exercise, path: Path, hidden: bool = True) -> tuple[Result, float]:
        key = (ex.folder, Path(path), hidden)
        if key not in cache:
            started = time.monotonic()
            result = grade(ex, Path(path), GradeOptions(hidden=hidden))
            cache[key] = (result, time.monotonic() - started)
            _assert_well_formed(cache[key][0], ex, hidden)
        return cache[key]
    return run


def _assert_well_formed(r: Result, ex: Exercise, hidden: bool) -> None:
    """Whatever the submission did: every check is there, the score adds up, JSON works."""
    want = [c.name for c in ex.checks if hidden or not c.hidden]
    assert [c.name for c in r.checks] == want
    assert r.max_score == sum(ex.check(n).points for n in want)
    assert r.score == sum(c.points for c in r.checks)
    assert all(c.status in (PASSED, FAILED, ERROR) for c in r.checks)
    assert all(c.points in (0, c.max_points) for c in r.checks)
    assert json.loads(r.to_json())["score"] == r.score


def _by_name(r: Result) -> dict:
    return {c.name: c for c in r.checks}


def _line_of(path: Path, starts: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return 1 + next(i for i, s in enumerate(lines) if s.startswith(starts))


# ---- hanging -------------------------------------------------------------------------------

@pytest.mark.slow
def test_loop_at_import_is_stopped_at_the_time_limit(ex02_no_torch, graded_once):
    r, wall = graded_once(ex02_no_torch, HOSTILE / "loop_at_import.py")
    assert r.status == LOAD_ERROR
    assert "time limit" in r.message
    assert r.score == 0
    assert all(c.status == FAILED and c.message == r.message for c in r.checks)
    limit = ex02_no_torch.time_limit_s
    assert limit * 0.9 <= wall < within(limit + MARGIN_S), f"graded in {wall:.1f} s"


@pytest.mark.slow
def test_loop_inside_gd_costs_only_its_own_check(ex02, graded_once):
    r, wall = graded_once(ex02, HOSTILE / "loop_in_gd.py")
    assert r.status == GRADED, r.message
    hung = _by_name(r)["test_random_bowl_minimum"]
    assert hung.status == ERROR
    assert "did not finish" in hung.message and f"{ex02.call_time_limit_s:g} s" in hung.message
    assert hung.duration_s >= ex02.call_time_limit_s  # cut off at its limit, not before
    # The checks after it ran in a fresh sandbox, and passed.
    rest = [c for c in r.checks if c.name != hung.name]
    assert all(c.passed for c in rest), [(c.name, c.message) for c in rest if not c.passed]
    assert r.score == r.max_score - hung.max_points
    assert r.run.starts == 2
    assert wall < within(ex02.time_limit_s + MARGIN_S), f"graded in {wall:.1f} s"


def test_input_at_import_fails_at_once_instead_of_waiting(ex02_no_torch, graded_once):
    r, wall = graded_once(ex02_no_torch, HOSTILE / "reads_stdin.py")
    assert r.status == LOAD_ERROR
    # At once: an EOFError, not the time limit (which is what waiting on stdin would end in).
    assert "EOFError" in r.message and "time limit" not in r.message
    assert f"line {_line_of(HOSTILE / 'reads_stdin.py', 'name = input')}" in r.message


# ---- crashing and exiting at import --------------------------------------------------------

def test_raise_at_import_names_the_exception_and_the_line(ex02_no_torch, graded_once):
    path = HOSTILE / "raises_at_import.py"
    r, _ = graded_once(ex02_no_torch, path)
    assert r.status == LOAD_ERROR
    assert "ValueError" in r.message and "refuses to be imported" in r.message
    assert f"line {_line_of(path, 'raise ValueError')}" in r.message
    assert r.score == 0 and all(c.message == r.message for c in r.checks)
    assert "loading my GD..." in r.output


def test_sys_exit_at_import_is_a_load_error_that_explains_why(ex02_no_torch, graded_once):
    r, _ = graded_once(ex02_no_torch, HOSTILE / "sys_exit_at_import.py")
    assert r.status == LOAD_ERROR
    assert "sys.exit()" in r.message and "__main__" in r.message
    assert r.score == 0
    assert "all done, bye" in r.output


def test_os_exit_at_import_is_a_load_error(ex02_no_torch, graded_once):
    r, _ = graded_once(ex02_no_torch, HOSTILE / "os_exit_at_import.py")
    assert r.status == LOAD_ERROR
    assert "exited with code 0" in r.message and "before any check" in r.message
    assert r.score == 0


def test_replacing_json_dumps_at_import_is_a_load_error_not_a_crash(ex02_no_torch, graded_once):
    r, _ = graded_once(ex02_no_torch, HOSTILE / "replaces_json_dumps.py")
    assert r.status == LOAD_ERROR
    assert r.score == 0


def test_replacing_json_dumps_at_import_gets_a_message_that_says_something(ex02_no_torch,
                                                                          graded_once):
    r, _ = graded_once(ex02_no_torch, HOSTILE / "replaces_json_dumps.py")
    assert r.message.strip(), "a load error with no message"
    assert not r.message.rstrip().endswith("raised"), r.message
    assert "while being imported" in r.message, r.message


def test_breaking_the_probes_at_import_is_graded_not_a_grader_crash(ex02, graded_once):
    r, wall = graded_once(ex02, HOSTILE / "hides_torch_from_probes.py", hidden=False)
    # Tampering with sys.modules at import is caught at import: a load error that says so.
    assert r.status == LOAD_ERROR, (r.status, r.message)
    assert "sys.modules['torch']" in r.message, r.message
    assert r.score == 0 and all(c.status == FAILED for c in r.checks)
    assert wall < within(ex02.time_limit_s + MARGIN_S)


# ---- output --------------------------------------------------------------------------------

@pytest.mark.slow
def test_50_mb_of_output_is_capped_and_the_submission_still_graded(ex02, graded_once):
    before_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    r, wall = graded_once(ex02, HOSTILE / "prints_50mb.py", hidden=False)
    grew_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before_kb) / 1024
    assert r.status == GRADED and r.full_marks, [c.message for c in r.checks]
    assert r.output_truncated
    assert r.output.startswith("spam spam")
    assert "more bytes of output not kept" in r.output
    assert len(r.output.encode("utf-8")) <= 70_000
    if sys.platform.startswith("linux"):  # ru_maxrss is in KB there
        assert grew_mb < 40, f"the grader's peak memory grew by {grew_mb:.0f} MB"
    assert wall < within(ex02.time_limit_s + MARGIN_S), f"graded in {wall:.1f} s"


def test_fake_results_printed_by_a_correct_gd_change_nothing(ex02, graded_once):
    r, _ = graded_once(ex02, HOSTILE / "fake_output_correct.py", hidden=False)
    assert r.status == GRADED and r.full_marks, [c.message for c in r.checks]
    # Shown as the submission's output, never read as a verdict.
    assert '"score": 0' in r.output and "FAILED" in r.output and "6 failed" in r.output


def test_fake_full_marks_printed_by_a_wrong_gd_change_nothing(ex02, graded_once):
    r, _ = graded_once(ex02, HOSTILE / "fake_output_wrong.py", hidden=False)
    assert r.status == GRADED
    assert r.score == 0 and not r.full_marks
    assert all(c.status == FAILED for c in r.checks), [(c.name, c.status) for c in r.checks]
    assert "10/10 full marks" in r.output and "PASSED" in r.output


# ---- lying -----------------------------------------------------------------------------------

def test_patching_item_float_json_and_allclose_does_not_pass_wrong_answers(ex02, graded_once):
    r, _ = graded_once(ex02, HOSTILE / "liar.py")
    assert r.status == GRADED, r.message
    checks = _by_name(r)
    needs_descent = ["test_loss_falls", "test_random_bowl_minimum",
                     "test_trajectory_is_gradient_descent", "test_updates_params_in_place"]
    assert [n for n in needs_descent if checks[n].passed] == []
    assert all(checks[n].status == FAILED for n in needs_descent)  # judged, not crashed
    # float(tensor) = 2.0 can at most fake the public answer, as hardcoding x = 2 does.
    at_most = sum(c.max_points for c in r.checks if c.name not in needs_descent)
    assert r.score <= at_most


# ---- notebooks -----------------------------------------------------------------------------

GD_CELL = """\
def GD(params, loss_fn, loop_max=10000, learning_rate=1e-3):
    for _ in range(loop_max):
        loss = loss_fn(params)
        loss.backward()
        with torch.no_grad():
            for x in params:
                x -= learning_rate * x.grad
                x.grad = None
"""


def _write_notebook(path: Path, cells: list) -> Path:
    nbformat.write(new_notebook(cells=cells), str(path))
    return path


def test_notebook_with_a_syntax_error_names_the_cell(ex02, graded_once, tmp_path):
    # As in Jupyter, the cell with the SyntaxError (a first draft of GD) fails alone: the cells
    # after it run, and the note names it.
    nb = _write_notebook(tmp_path / "broken.ipynb", [
        new_code_cell("import torch"),
        new_code_cell("def GD(params, loss_fn, loop_max=10000, learning_rate=1e-3)\n    pass"),
        new_code_cell(GD_CELL)])
    r, wall = graded_once(ex02, nb)
    assert r.status == GRADED and r.full_marks, [c.message for c in r.checks]
    assert r.notes == ("cell 2 has a SyntaxError on line 1: expected ':' (`def GD(params, "
                       "loss_fn, loop_max=10000, learning_rate=1e-3)`); Jupyter cannot run it "
                       "either: the grader skipped it and ran the other cells",), r.notes
    # No cell compiles: the submission's syntax error, and nothing runs.
    nb = _write_notebook(tmp_path / "all_broken.ipynb", [
        new_code_cell("import torch as"),
        new_code_cell("def GD(params, loss_fn, loop_max=10000, learning_rate=1e-3)\n    pass")])
    r, wall = graded_once(ex02, nb)
    assert r.status == SYNTAX_ERROR
    assert "cell 1" in r.message, r.message
    assert r.score == 0 and all(c.message == r.message for c in r.checks)
    assert r.run is None  # nothing ran: no sandbox was started


def test_notebook_with_magics_and_pip_install_is_graded(ex02, graded_once, tmp_path):
    nb = _write_notebook(tmp_path / "magic.ipynb", [
        new_markdown_cell("# Gradient descent\nMy notebook."),
        new_code_cell("%matplotlib inline\n!pip install torch\nimport torch"),
        # %%time's body runs as plain Python, as in Jupyter (the note below says so): a loop
        # that is short (10 ** 9 would cost half a minute of CPU and prove nothing more)
        new_code_cell("%%time\nfor i in range(10 ** 5):\n    pass"),
        new_code_cell("torch.tensor?\n" + GD_CELL),
        new_code_cell("get_ipython().run_line_magic('load_ext', 'autoreload')")])
    r, _ = graded_once(ex02, nb, hidden=False)
    assert r.status == GRADED and r.full_marks, [c.message for c in r.checks]
    notes = " | ".join(r.notes)
    for dropped in ("%matplotlib", "pip install", "%%time", "torch.tensor?", "get_ipython()"):
        assert dropped in notes, f"{dropped!r} not in notes: {notes}"


@pytest.mark.slow
def test_plots_and_progress_bars_in_student_code_grade(ex02, tmp_path):
    """Course code plots with matplotlib and shows tqdm bars: both work in the sandbox, and
    plt.show() returns at once (the Agg backend) instead of waiting on a window."""
    path = tmp_path / "ex02.py"
    path.write_text("import matplotlib.pyplot as plt\nfrom tqdm import tqdm\n"
                    "plt.plot([0, 1], [1, 0]); plt.show()\n"
                    "for _ in tqdm(range(3)):\n    pass\n"
                    + (REPO_SOLUTIONS / "ex02.py").read_text(encoding="utf-8"), encoding="utf-8")
    result = grade(ex02, path, GradeOptions(hidden=True))
    assert result.status == GRADED and result.full_marks, result.message
    assert "3/3" in result.output and "Fontconfig" not in result.output, result.output
