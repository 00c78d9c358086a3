"""grader.grading.checks: a failed expectation's message shows the difference it failed on."""
from __future__ import annotations

import re

import numpy as np
import pytest

from grader.grading.checks import (CheckFailed, auditing_causes, cause, diagnosed, expect_array_close,
                           expect_close, expect_gradients, fmt, fmt_apart)


def message(fn, *args, **kwargs) -> str:
    with pytest.raises(CheckFailed) as info:
        fn(*args, **kwargs)
    return str(info.value)


def test_a_difference_below_six_digits_is_shown_with_the_digits_it_takes():
    """`0.244728; expected 0.244728 +- 1.000e-17` hid the very difference the check failed on."""
    got, want = 0.24472800001, 0.244728
    msg = message(expect_close, "loss", got, want, tol=1e-17)
    shown = re.match(r"loss = (\S+); expected (\S+) \+- 1\.000e-17 \(off by (\S+)\)$", msg)
    assert shown, msg
    assert shown[1] != shown[2] and float(shown[1]) == pytest.approx(got, rel=1e-12)
    assert float(shown[3]) == pytest.approx(abs(got - want), rel=0.05)


def test_a_plain_miss_keeps_six_digits_and_says_how_far():
    msg = message(expect_close, "x", 1.52, 2.0, tol=0.01, after="after 5000 steps")
    assert msg == "x = 1.52 after 5000 steps; expected 2 +- 0.01 (off by 0.48)"


def test_nan_has_no_distance():
    assert message(expect_close, "x", float("nan"), 2.0, tol=0.01) == \
        "x = nan; expected 2 +- 0.01"


@pytest.mark.parametrize("a, b", [(0.1, 0.1 + 1e-16), (1.0, np.nextafter(1.0, 2.0)),
                                  (123456.7, 123456.70001), (3e-7, 3.0000001e-7), (2.0, 3.0)])
def test_fmt_apart_tells_any_two_different_floats_apart(a, b):
    a, b = float(a), float(b)
    shown = fmt_apart(a, b)
    assert (shown[0] != shown[1]) == (a != b), shown
    if fmt(a) != fmt(b):  # six digits already tell them apart: nothing longer
        assert shown == (fmt(a), fmt(b))
    assert float(shown[1]) == pytest.approx(b, rel=1e-6)


def test_array_and_gradient_messages_show_the_difference_too():
    msg = message(expect_array_close, "w", [1.0, 0.30000001], [1.0, 0.3], atol=1e-12)
    assert re.search(r"w\[1\] = 0\.30000001\d*; expected 0\.3(0*)? \+- 1\.000e-12 "
                     r"\(off by 1e-08, 1 of 2 values off\)", msg), msg
    msg = message(expect_gradients, {"a": 2.0000001}, {"a": 2.0}, tol=1e-9)
    assert "a: 2.0000001 (expected 2" in msg and "2 (expected 2)" not in msg, msg


# ---- check-bank's audit of diagnoses ------------------------------------------------------

@cause("never raises")
def recognises_big(run):
    return run["x"] > 10


@cause("reads a key the data lacks")
def broken(run):
    return run["missing"] > 1


def test_a_diagnosis_that_raises_is_silent_outside_the_audit():
    with pytest.raises(CheckFailed) as info:
        with diagnosed({"x": 20}, broken, recognises_big):
            expect_close("x", 20.0, 1.0, tol=0.1)
    assert info.value.cause is recognises_big
    with diagnosed({"x": 1}, broken, recognises_big):  # passes: no cause asked
        pass


def test_the_audit_asks_every_diagnosis_pass_or_fail_and_names_each_that_raises():
    with auditing_causes() as raised:
        with diagnosed({"x": 1}, recognises_big, broken):
            pass
    assert raised == ["diagnosis broken raised KeyError: 'missing'"]
    with auditing_causes() as raised:  # on a failure, all of them too (not just to the first)
        with pytest.raises(CheckFailed):
            with diagnosed({"x": 20}, recognises_big, broken):
                expect_close("x", 20.0, 1.0, tol=0.1)
    assert raised == ["diagnosis broken raised KeyError: 'missing'"]
    with diagnosed({"x": 1}, broken):  # and outside it again, nothing is collected
        pass
