"""Feedback that teaches: diagnoses (checks.cause), next_step, one panel per cause, clean text.

The unit tests build results by hand; `test_known_wrong_next_step` grades every known-wrong
submission and holds it to its `# expect-next-step:` header (those of MNIST and of long
trainings are marked slow; `grade check-bank` holds them to it too).
"""
from __future__ import annotations

from pathlib import Path

import pytest
from rich.console import Console

from conftest import SUBMISSIONS, graded
from grader.grading import feedback
from grader.bank import expectations
from grader.grading.checks import CheckFailed, cause, diagnose, diagnosed, expect_close, fail
from grader.rendering.report import banner, render_html
from grader.core.result import (ERROR, FAILED, GRADED, LOAD_ERROR, PASSED, SYNTAX_ERROR, CheckResult,
                           Result)
from grader.rendering.terminal import render_table, shorten


@cause("reset the gradients")
def piles_up(seen):
    return seen["kind"] == "pile"


@cause("never asked")
def broken(seen):
    raise KeyError("a diagnosis that cannot decide")


def check(name, status=FAILED, message="wrong", hint="fixed hint", cause_name="", fault="",
          tb="", points=1.0):
    return CheckResult(name=name, description=name, status=status,
                       points=points if status == PASSED else 0.0, max_points=points,
                       hidden=False, message=message, hint=hint, cause=cause_name, fault=fault,
                       student_traceback=tb)


def result(*checks, status=GRADED, message="", notes=()):
    checks = tuple(checks)
    return Result(exercise="ex02", title="GD", submission="ex02.py", status=status,
                  score=sum(c.points for c in checks), max_score=sum(c.max_points for c in checks),
                  checks=checks, message=message, notes=tuple(notes),
                  next_step=feedback.next_step(status, message, checks, notes))


# ---- diagnoses ---------------------------------------------------------------------------------
def test_diagnosed_attaches_the_first_cause_that_recognises_the_data():
    with pytest.raises(CheckFailed) as e:
        with diagnosed({"kind": "pile"}, broken, piles_up):
            expect_close("x", 1.0, 2.0, tol=0.1)
    assert e.value.cause is piles_up and piles_up.hint == "reset the gradients"
    assert diagnose({"kind": "other"}, broken, piles_up) is None


def test_a_cause_is_asked_only_when_the_check_fails():
    asked = []

    @cause("h")
    def spy(seen):
        asked.append(seen)
        return True

    with diagnosed("data", spy):
        expect_close("x", 2.0, 2.0, tol=0.1)
    assert asked == []
    with pytest.raises(CheckFailed) as e:
        fail("no", spy)
    assert e.value.cause is spy


# ---- next_step ---------------------------------------------------------------------------------
def test_next_step_is_the_cause_most_checks_agree_on():
    r = result(check("a", hint="step against the gradient"),
               check("b", hint="reset the gradients", cause_name="piles_up"),
               check("c", hint="reset the gradients", cause_name="piles_up"),
               check("d", hint="other", cause_name="other"), check("e", PASSED))
    # the undiagnosed check "a" counts with the costliest diagnosis; "other" follows
    assert r.next_step == "reset the gradients. Then: other."


def test_a_crash_leads_before_any_wrong_value():
    r = result(check("a", hint="h", cause_name="piles_up"),
               check("b", ERROR, "descend(...) did not finish within 20 s", fault="timeout"),
               check("c", ERROR, "notes_loss(...) did not finish within 20 s", fault="timeout"))
    assert r.next_step.startswith("Your code was stopped: descend(...) did not finish within 20 s")
    assert "it cost 2 checks" in r.next_step


def test_a_timeout_of_your_code_is_not_named_twice():
    r = result(check("a", ERROR, "your code did not finish within the time limit of one call, "
                                 "3 s of CPU time", fault="timeout"))
    assert r.next_step.startswith("Your code was stopped: it did not finish within the time "
                                  "limit of one call, 3 s of CPU time")
    console = Console(record=True, width=200, color_system=None)
    render_table(r, console)   # a lone fault: its panel, not the same words twice
    assert console.export_text().count("did not finish") == 2  # the panel, the table's row


def test_without_causes_the_first_failing_check_leads():
    r = result(check("a", PASSED), check("b", hint="use argmax"), check("c", hint="other"))
    assert "use argmax" in r.next_step and "b" in r.next_step


def test_syntax_error_is_one_sentence_and_one_panel():
    msg = "SyntaxError on line 3: invalid syntax"
    r = result(*(check(f"c{i}", message=msg) for i in range(10)), status=SYNTAX_ERROR,
               message=msg)
    assert r.next_step == f"Fix the syntax error first: {msg}"
    console = Console(record=True, width=120, color_system=None)
    render_table(r, console)
    out = console.export_text()
    assert out.count("invalid syntax") == 1 and out.count("not run") == 10


BROKEN_CELL = ("cell 4 has a SyntaxError on line 3: '(' was never closed (`loss.backward(`); "
               "Jupyter cannot run it either: the grader skipped it and ran the other cells")
RAISED_CELL = ("cell 6 raised NameError: name 'GD' is not defined (line 1); the cells after it "
               "still ran")
NO_GD = "descend(...) raised AttributeError: module 'ex02' has no attribute 'GD'"


def test_a_cell_that_did_not_run_leads_when_a_name_is_missing():
    """The cell that would have defined GD did not run: the student is told that, not only
    that GD is not defined."""
    r = result(check("a", message=NO_GD, fault="raised"), check("b", message=NO_GD,
                                                                  fault="raised"),
               notes=("cell 1: dropped IPython magic `%matplotlib inline`", RAISED_CELL,
                      BROKEN_CELL))
    assert r.next_step == ("Fix cell 4 first: it has a SyntaxError on line 3: '(' was never "
                           "closed (`loss.backward(`), so nothing in it ran, and GD is not "
                           "defined; it cost 2 checks.")
    # a cell that raised is of the same family: the rest of it did not run
    helper = "GD(...) raised NameError: name 'step' is not defined (cell 3, line 4)"
    r = result(check("a", message=helper, fault="raised"), notes=(RAISED_CELL,))
    assert r.next_step == ("Fix cell 6 first: it raised NameError: name 'GD' is not defined "
                           "(line 1), so the rest of it did not run, and step is not defined.")
    assert feedback.failed_cells(r.notes + (BROKEN_CELL,)) == [BROKEN_CELL, RAISED_CELL]


@pytest.mark.parametrize("message, fault, notes", [
    (NO_GD, "raised", ("cell 1: dropped IPython magic `%matplotlib inline`",)),  # no such cell
    ("descend(...) raised ZeroDivisionError: division by zero", "raised", (BROKEN_CELL,)),
    ("descend(...) did not finish within 20 s", "timeout", (BROKEN_CELL,)),
])
def test_a_cell_leads_only_for_a_missing_name(message, fault, notes):
    r = result(check("a", ERROR if fault == "timeout" else FAILED, message, fault=fault),
               notes=notes)
    assert not r.next_step.startswith("Fix cell"), r.next_step
    assert message in r.next_step


def test_full_marks_has_no_next_step():
    assert result(check("a", PASSED)).next_step == ""


# ---- one cause, one message --------------------------------------------------------------------
TB = "ex02.py, line 14, in GD\n    x -= lr * x.grad\nNameError: name 'lr' is not defined"


def test_the_same_crash_in_several_checks_is_one_fault():
    r = result(*(check(f"c{i}", FAILED, f"probe{i}(...) raised NameError: name 'lr' is not "
                       f"defined (line 14)", fault="raised", tb=TB) for i in range(6)),
               check("other", FAILED, "x = 3; expected 2"))
    found = feedback.faults(r.checks)
    assert len(found) == 1 and len(found[0].checks) == 6 and found[0].traceback == TB
    console = Console(record=True, width=120, color_system=None)
    render_table(r, console)
    out = console.export_text()
    # the lead sentence (it names the other failing check after it: "Then: ..."), the one
    # panel, and its traceback's last line
    assert out.count("NameError") == 3 and "Then: \u201cother\u201d" in out
    assert "ex02.py, line 14, in GD" in out and out.count("the error above") == 6
    page = render_html(r)
    assert page.count("ex02.py, line 14, in GD") == 1 and "One error, 6 checks" in page


def test_colour_codes_are_stripped_and_long_messages_cut_between_words():
    assert feedback.clean("\x1b[31mred\x1b[0m text\x07") == "red text"
    cut = shorten("word " * 40, 30)
    assert cut.endswith("…") and len(cut) <= 30 and "wor…" not in cut
    assert shorten("\x1b[1mbold\x1b[0m") == "bold"


def test_banner_leads_with_next_step():
    r = result(check("a", hint="reset the gradients", cause_name="piles_up"))
    assert banner(r).next_step == "reset the gradients"


def test_the_start_with_sentence_is_one_sentence_wherever_it_is_said():
    """A failing check nothing explains: next_step leads with it, and a result read from an
    older document (no next_step) gets the same sentence in its banner."""
    plain = check("GD reaches the minimum", message="x = 4.9; expected 2 +- 0.01\nmore", hint="")
    r = result(plain, check("b", status=PASSED))
    assert r.next_step == feedback.start_with(plain) == \
        "Start with \u201cGD reaches the minimum\u201d: x = 4.9; expected 2 +- 0.01"
    old = Result(**{**r.__dict__, "next_step": ""})
    assert banner(old).next_step == r.next_step
    hinted = check("c", hint="Step down the gradient.")
    assert feedback.start_with(hinted) == "Start with \u201cc\u201d: Step down the gradient."


# ---- every known-wrong submission names its own bug --------------------------------------------
SLOW = {"ex04", "ex05", "ex08", "ex09", "ex11"}   # MNIST, training loops: run in CI
FILES = sorted([*SUBMISSIONS.glob("ex*/*.py"), *SUBMISSIONS.glob("ex*/*.ipynb")])
# A notebook among them (ex01's slow one) runs until its time limit: slow too.
KNOWN = [pytest.param(p, marks=[pytest.mark.slow]
                      if p.parent.name in SLOW or p.suffix == ".ipynb" else [])
         for p in FILES if not p.name.startswith("ok_")]


def test_every_known_wrong_submission_declares_its_next_step():
    missing = [str(p.relative_to(SUBMISSIONS)) for p in FILES
               if not p.name.startswith("ok_") and not expectations.read(p).next_step]
    assert missing == []


@pytest.mark.parametrize("path", KNOWN, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_known_wrong_next_step(path: Path):
    want = expectations.read(path).next_step
    r = graded(path.parent.name, str(path))
    for words in want:
        assert words.lower() in r.next_step.lower(), r.next_step


def test_withheld_feedback_leads_with_public_checks_only():
    from dataclasses import replace
    from grader.classroom.exports.feedback import student_view
    hidden = replace(check("h", hint="the hidden cause's hint", cause_name="secret"), hidden=True)
    r = result(check("p", hint="the public hint"), hidden)
    assert r.next_step == "the hidden cause's hint"
    view, _ = student_view(r)
    assert "hidden" not in view.next_step and "the public hint" in view.next_step


def test_student_frames_keep_the_students_lines_in_their_terms():
    from grader.grading.loader import Submission
    from grader.grading.pipeline import student_frames
    tb = ('Traceback (most recent call last):\n'
          '  File "/sandbox/child.py", line 300, in run\n    value = fn(*args)\n'
          '  File "/work/ex02.py", line 14, in GD\n    x -= helper(x.grad)\n'
          '  File "/work/ex02.py", line 5, in helper\n    return x * lr\n'
          "NameError: name 'lr' is not defined\n")
    py = Submission(Path("hw/my_gd.py"), "py", "", (), "")
    assert student_frames(tb, py, "ex02") == (
        "my_gd.py, line 14, in GD\n    x -= helper(x.grad)\n"
        "my_gd.py, line 5, in helper\n    return x * lr\nNameError: name 'lr' is not defined")
    # a notebook runs its cells as they are joined (cell_starts), each on its own
    nb = Submission(Path("ex02.ipynb"), "ipynb", "", (), "", cell_starts=((2, 1), (10, 2)))
    assert student_frames(tb, nb, "ex02").startswith("cell 2, line 5, in GD\n")


# ---- the first sentence names the cause, not the symptom (issue 27) ----------------------------
from grader.grading import explain, progress, trajectory  # noqa: E402


def test_a_cause_may_say_its_hint_with_the_runs_numbers():
    @cause("generic")
    def grew(seen):
        return f"the loss grew to {seen}" if seen > 1 else ""

    assert diagnose(5, grew).hint == "the loss grew to 5" and diagnose(0, grew) is None
    with pytest.raises(CheckFailed) as e:
        with diagnosed(7, grew):
            fail("x")
    assert e.value.cause.name == "grew" and e.value.cause.hint == "the loss grew to 7"


@pytest.mark.parametrize("losses, kind, words", [
    ([3.1, 9.0, 40.0, float("inf"), float("nan")], trajectory.DIVERGED,
     "grew from 3.1 to inf in 3 steps"),
    ([1.0, 2.0, 5.0, 30.0], trajectory.DIVERGED, "grew from 1 to 30 in 4 steps"),
    ([10 * 0.98 ** i for i in range(100)], trajectory.TOO_SLOW, "still falling"),
    ([4.0, 2.0, 1.5, 1.25] + [1.2] * 40, trajectory.WRONG_PLACE, "settled at 1.2"),
    ([2.5] * 30, trajectory.NOT_MOVING, "stayed at 2.5 for all 30 steps"),
])
def test_a_failed_fit_is_classified_from_its_trajectory(losses, kind, words):
    t = trajectory.classify(losses, target=1e-3)
    assert t.kind == kind and words in t.summary, t


def test_a_fit_that_converged_or_is_not_numbers_is_no_class():
    assert trajectory.classify([4.0, 1.0, 1e-4], target=1e-3) is None
    assert trajectory.classify("junk") is None and trajectory.classify([1.0]) is None
    assert trajectory.sentence([]) == ""


def test_a_diverged_sum_over_many_points_is_told_to_use_the_mean():
    said = trajectory.sentence([3.1, 50.0, 4e4, float("inf")], points=2000)
    assert said.startswith("The loss grew from 3.1 to inf in 3 steps: the steps are too large")
    assert "2000 times the mean's" in said and "smaller learning rate" in said


@pytest.mark.parametrize("error, code, passed, words", [
    ("AssertionError", "assert isinstance(point, torch.Tensor)", "a list of 2 floats",
     ["Your own assert", "a list of 2 floats", "convert it"]),
    ("RuntimeError: 1D tensors expected, but got 2D and 2D tensors", "return a.dot(b)",
     "", ["torch.dot takes two 1-d vectors", "2-d and 2-d", "flatten"]),
    ("AttributeError: 'NoneType' object has no attribute 'data'", "p.grad.data.zero_()", "",
     ["p.grad is None", "before the first backward()"]),
    ("TypeError: Variable data has to be a tensor, but got NoneType",
     "p.data = update(p, learning_rate)", "", ["update() returned None", "has no `return`"]),
    ("TypeError: unsupported operand type(s) for -: 'NoneType' and 'float'", "y = f(x) - 1.0",
     "", ["is None", "without a `return`"]),
    ("RuntimeError: mat1 and mat2 shapes cannot be multiplied (2000x1 and 3x1)", "model(x)",
     "", ["2000x1 and 3x1", "made for 3 inputs got rows of 1"]),
    ("TypeError: unsupported operand type(s) for -: 'list' and 'list'", "d = x - y",
     "a list of 3 floats and a list of 3 floats", ["treats a Python list as an array",
                                                   "np.asarray"]),
    ("RuntimeError: element 0 of tensors does not require grad and does not have a grad_fn",
     "loss.backward()", "", ["not connected", "requires_grad=True"]),
])
def test_common_errors_are_explained_in_the_exercises_terms(error, code, passed, words):
    said = explain.explain(explain.Raised(error=error, code=code, where="line 27, in f",
                                          passed=passed))
    for w in words:
        assert w in said, said


def test_an_error_without_an_explanation_says_nothing_more():
    assert explain.explain(explain.Raised(error="ValueError: my own message")) == ""


def test_what_a_check_passed_in_is_named_as_a_student_would():
    import numpy as np
    assert explain.passed_in(([1.0, 3.0],), {}) == "a list of 2 floats"
    assert explain.passed_in((np.zeros((2000, 1)), [[1.0, 2.0], [3.0, 4.0]]),
                             {"epochs": 5}) == ("a float64 numpy array of shape (2000, 1), a "
                                                "list of 2 lists (a list of 2 floats each) and "
                                                "epochs=the int 5")
    tb = ('Traceback (most recent call last):\n  File "/sandbox/child.py", line 3, in run\n'
          '    x\n  File "/work/ex06.py", line 27, in gradient\n'
          '    assert isinstance(point, torch.Tensor)\nAssertionError\n')
    assert explain.last_student_frame(tb, "ex06") == ("line 27, in gradient",
                                                      "assert isinstance(point, torch.Tensor)")


def test_a_stopped_run_says_how_far_it_got_and_what_to_cut():
    out = "\n".join(f"Epoch {i}/20, loss {1 / i:.4f}" for i in range(1, 8))
    note = progress.note("loading data\n" + out)
    assert note.startswith(progress.LEAD)
    assert "epoch 7 of 20 (its loss then 0.1429)" in note and "about 3 times" in note
    assert "run fewer epochs" in note
    r = result(check("a", ERROR, "your code did not finish within the time limit of one "
                                 "call, 3 s of CPU time (stopped at line 9, in train)",
                     fault="timeout"), notes=(note,))
    assert "stopped at line 9" in r.next_step and "epoch 7 of 20" in r.next_step
    r = result(check("a"), status=LOAD_ERROR, message="importing your file did not finish "
               "within the time limit of the whole run, 30 s of CPU time", notes=(note,))
    assert r.next_step.startswith("Your file stops before any check can run") and \
        "run fewer epochs" in r.next_step
    console = Console(record=True, width=300, color_system=None)
    render_table(r, console)
    assert "epoch 7 of 20" in console.export_text() and "epoch 7 of 20" in banner(r).next_step


def test_a_stopped_loop_whose_printed_loss_diverged_was_computing_not_waiting():
    out = "\n".join(f"step {i} loss {v}" for i, v in enumerate([3.1, 40.0, 9e9, "inf", "nan"]))
    note = progress.note(out)
    assert "computing, not waiting" in note and "grew from 3.1 to inf" in note
    assert "never ends" in note
    assert progress.note("hello\nworld") == ""


def test_several_bugs_lead_with_the_costliest_then_the_others_in_order():
    r = result(check("crash", ERROR, "f(...) raised ZeroDivisionError: division by zero",
                     fault="raised", points=1),
               check("a", hint="You never reset the gradients: more words.",
                     cause_name="piles_up", points=3),
               check("b", hint="You never reset the gradients: more words.",
                     cause_name="piles_up", points=3),
               check("c", hint="Take exactly loop_max steps: call it once per step.",
                     cause_name="count", points=2))
    assert r.next_step == ("You never reset the gradients: more words. Then: Take exactly "
                           "loop_max steps; then: fix f(...) raised ZeroDivisionError: "
                           "division by zero.")
    ranked = feedback.causes(r.checks)
    assert [c.points for c in ranked] == [6, 2, 1]


def test_a_panel_the_diagnosis_explains_shows_it_not_its_generic_hint():
    lead = "Step against the gradient, not the loss: x -= lr * x.grad."
    r = result(check("a", hint=lead, cause_name="by_loss", points=3),
               check("b", hint="Did you reset the gradients?", points=2),
               check("c", hint="Update every tensor in params.", points=2),
               check("d", PASSED, hint="Update in place."))
    assert r.next_step == lead
    assert [feedback.panel_hint(c, r.checks) for c in r.checks] == [lead, lead, lead, "Update "
                                                                     "in place."]
    page = render_html(r)
    assert "reset the gradients?" not in page and "Update every tensor" not in page
    # without any diagnosis, each failing check keeps its own hint
    plain = result(check("b", hint="Did you reset the gradients?"), check("c", hint="Other."))
    assert feedback.panel_hint(plain.checks[1], plain.checks) == "Other."


def test_an_explained_exception_leads_with_its_explanation():
    r = result(check("a", FAILED, "gradient(...) raised AssertionError (line 27)",
                     fault="raised", hint="Your own assert (line 27: `assert ...`) rejected it.",
                     cause_name=feedback.EXPLAINED, points=2))
    assert r.next_step == ("Fix this first: gradient(...) raised AssertionError (line 27). "
                           "Your own assert (line 27: `assert ...`) rejected it.")


@pytest.mark.parametrize("printed, words", [
    ("Epoch [3/20], Step [100/600], Loss: 0.2153", "epoch 3 of 20 (its loss then 0.2153)"),
    ("epoch: 4 loss = tensor(1.25, grad_fn=<MseLossBackward0>)", "epoch 4 (its loss then 1.25)"),
    ("iter 1200  loss 3.1e-02", "iter 1200 (its loss then 0.031)"),
])
def test_common_progress_lines_are_read(printed, words):
    assert words in progress.note(printed), progress.note(printed)


def test_the_shared_fit_cause_names_only_what_is_sure():
    sure = trajectory.FIT_WENT_WRONG
    found = diagnose({"losses": [2.0, 8.0, float("nan")], "points": 2000}, sure)
    assert found.name == "fit_went_wrong" and "2000 times the mean's" in found.hint
    assert diagnose({"losses": [0.5] * 50}, sure).hint.startswith("The loss stayed at 0.5")
    falling = {"losses": [10 * 0.9 ** i for i in range(40)]}
    assert diagnose(falling, sure) is None   # still falling: only where the caller is sure
    assert "still falling" in diagnose(dict(falling, kinds=trajectory.SURE + (
        trajectory.TOO_SLOW,)), sure).hint


def test_faults_are_grouped_by_their_facts_not_by_their_words():
    """Two calls stopped idle at one place are one fault, whatever their messages say; a CPU
    timeout there, or the same exception at another line, is another (CheckResult's fault_*
    fields, as the sandbox recorded them)."""
    from dataclasses import replace
    idle = "did not finish and was stopped after 3 s in which it used no CPU time"

    def fault(name, message, kind, limit="", at="", error=""):
        c = check(name, ERROR if kind == "timeout" else FAILED, message, fault=kind)
        return replace(c, fault_limit=limit, fault_at=at, fault_error=error)
    checks = (fault("a", f"fit() {idle} (stopped at line 4, in wait)", "timeout", "idle",
                    "line 4"),
              fault("b", f"descend() {idle} (stopped at line 4, in wait)", "timeout", "idle",
                    "line 4"),
              fault("c", "fit() did not finish within the time limit of one call, 3 s of CPU "
                    "time (stopped at line 4, in wait)", "timeout", "cpu", "line 4"),
              fault("d", "fit() raised ZeroDivisionError: division by zero (line 7)", "raised",
                    at="line 7", error="ZeroDivisionError: division by zero"),
              fault("e", "GD() raised ZeroDivisionError: division by zero (line 9)", "raised",
                    at="line 9", error="ZeroDivisionError: division by zero"))
    found = feedback.faults(checks)
    assert [f.checks for f in found] == [("a", "b"), ("c",), ("d",), ("e",)]
    assert feedback.grouped(checks) == {"a", "b"}
    assert result(*checks).to_dict()["checks"][0]["fault_limit"] == "idle"
