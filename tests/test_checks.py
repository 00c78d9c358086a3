"""grader.grading.checks: a failed expectation's message shows the difference it failed on."""
from __future__ import annotations

import re

import numpy as np
import pytest

from grader.grading.checks import (CheckFailed, Mismatch, as_array, as_float, as_floats,
                                  auditing_causes, cause, datum, diagnosed, expect_accuracy,
                                  expect_array_close, expect_close, expect_converged,
                                  expect_gradients, expect_type, fail, fmt, fmt_apart)


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


# ---- a failure's expected and observed values, as data ------------------------------------------
def mismatch(fn, *args, **kwargs) -> Mismatch | None:
    with pytest.raises(CheckFailed) as info:
        fn(*args, **kwargs)
    return info.value.mismatch


def test_expect_close_hands_over_what_it_compared():
    m = mismatch(expect_close, "x", 4.89978, 2.0, tol=0.01)
    assert m == Mismatch(2.0, 4.89978, "x", 0.01) and m.as_data() == (2.0, 4.89978)
    assert mismatch(expect_close, "x", float("nan"), 2.0, tol=0.01).as_data() == (2.0, "nan")


# Every helper's every way to fail, with the (expected, observed) it hands over: a failure
# without its values would be a blank in the report and the export.
FAILURES = [
    (as_float, (None, "x"), ("a number", "None")),
    (as_float, ("2", "x"), ("a number", "str '2'")),
    (as_array, ([[1, 2]], "w", (3,)), ([3], [1, 2])),
    (as_array, ({"a": 1}, "w"), ("numbers", "dict")),
    (as_floats, ([1.0], "pair", 2), ("2 numbers", "a list of 1 items")),
    (expect_array_close, ("p", [1.0, 5.0], [1.0, 2.0], 0.1), (2.0, 5.0)),
    (expect_converged, ([1.0, float("inf")], 0.5), ("finite", "inf")),
    (expect_converged, ([1.0] * 20, 0.5), ("below 1", 1.0)),
    (expect_converged, ([1.0] * 5, 0.5), ("below 0.5", 1.0)),
    (expect_converged, ([], 0.5), ("a non-empty list of numbers", "shape (0,)")),
    (expect_accuracy, ([1, 0, 0, 0], np.array([1, 1, 1, 1]), 0.9), ("at least 0.9", 0.25)),
    (expect_accuracy, ([1, 0], np.array([1, 1, 1]), 0.9), ([3], [2])),
    (expect_gradients, ({"a": 1.0, "b": 7.0}, {"a": 1.0, "b": 2.0}, 1e-6), (2.0, 7.0)),
    (expect_gradients, ({"a": None}, {"a": 1.0}, 1e-6), ("a number", "None")),
    (expect_type, (3, (list, tuple), "xs"), ("list or tuple", "int 3")),
]


@pytest.mark.parametrize("fn, args, data", FAILURES,
                         ids=[f"{f.__name__}-{i}" for i, (f, _, _) in enumerate(FAILURES)])
def test_every_helper_hands_over_expected_and_observed(fn, args, data):
    m = mismatch(fn, *args)
    assert m is not None and m.as_data() == data


def test_the_message_is_unchanged_by_the_values_beside_it():
    assert message(expect_array_close, "p", [1.0, 5.0], [1.0, 2.0], 0.1) == \
        "p[1] = 5; expected 2 +- 0.1 (off by 3, 1 of 2 values off)"
    assert mismatch(expect_array_close, "p", [1.0, 5.0], [1.0, 2.0], 0.1).what == "p[1]"


def test_a_checks_own_failure_has_values_only_where_it_gives_them():
    assert mismatch(fail, "wrong") is None
    given = Mismatch(expected=5, observed=np.int64(4), what="steps")
    assert mismatch(fail, "4 steps", mismatch=given).as_data() == (5, 4)
    with pytest.raises(CheckFailed) as info:     # a diagnosis keeps the values
        with diagnosed({}, cause("h")(lambda seen: True)):
            expect_close("x", 1.0, 2.0, tol=0.1)
    assert info.value.cause is not None and info.value.mismatch.as_data() == (2.0, 1.0)


@pytest.mark.parametrize("value, data", [
    (np.float32(0.5), 0.5), (np.int64(3), 3), (np.bool_(True), True), (float("-inf"), "-inf"),
    (np.array(2.5), 2.5), (np.array([[1, 2], [3, 4]]), [[1, 2], [3, 4]]),
    ([[[1]]], [["a list of 1 items"]]), (list(range(21)), "a list of 21 items"),
    (np.zeros((60000, 10)), "an array of shape (60000, 10)"), ({"a": 1}, "dict"),
    ("x" * 500, "x" * 199 + "…"), (None, "None")])
def test_values_are_kept_as_small_json_data(value, data):
    assert datum(value) == data
