"""What a recorded loss history says about a fit that failed: it diverged, it was converging
too slowly, it settled in the wrong place, or it never moved; with the numbers.

A check that judges a training sees only that the final loss (or fit) is off. The history tells
the causes apart, and each has its own fix: a step too large (a loss summed over n points has a
gradient n times its mean's), too few steps or too small a learning rate, an update or a loss
that computes something else, or an update that never reaches the parameters. Causes use it:

    @cause("...")
    def diverged(run):
        return trajectory.diverged_sentence(run["losses"], points=2000)  # the hint, or ""

Everything here is plain numpy over the numbers a probe sent back; nothing raises on junk
(a history that is not numbers classifies as None).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from grader.core.settings import current

DIVERGED, TOO_SLOW, WRONG_PLACE, NOT_MOVING = "diverged", "too_slow", "wrong_place", "not_moving"


@dataclass(frozen=True)
class Trajectory:
    """One failed fit's history, classified."""
    kind: str                    # DIVERGED, TOO_SLOW, WRONG_PLACE, NOT_MOVING
    first: float                 # the first loss
    last: float                  # the last loss (inf or nan for a diverged run)
    steps: int                   # how many losses were recorded
    at: int                      # DIVERGED: the step where it first became inf/nan, else steps
    summary: str                 # "the loss grew from 3.1 to inf in 40 steps"


def _num(x: float) -> str:
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return f"{x:.3g}"


def history(losses: Any) -> np.ndarray | None:
    """The losses as a 1-d float array of at least two steps, or None."""
    try:
        arr = np.asarray(losses, dtype=np.float64).ravel()
    except (TypeError, ValueError):
        return None
    return arr if arr.size >= 2 else None


def classify(losses: Any, target: float | None = None) -> Trajectory | None:
    """What kind of failed fit `losses` (one per step) is; None when it is none of them (it
    reached `target`, where one is given, or there is too little to tell)."""
    arr = history(losses)
    if arr is None:
        return None
    n, first = arr.size, float(arr[0])
    bad = ~np.isfinite(arr)
    if bad.any() or (first > 0 and arr[-1] > current().diverged_growth * first):
        at = int(np.argmax(bad)) if bad.any() else n
        worst = float(arr[at]) if bad.any() else float(arr[-1])
        return Trajectory(DIVERGED, first, worst, n, at,
                          f"the loss grew from {_num(first)} to {_num(worst)} in {at} steps")
    last = float(arr[-1])
    if target is not None and last <= target:
        return None
    spread = float(arr.max() - arr.min())
    if spread <= 1e-12 * max(1.0, abs(first)):
        return Trajectory(NOT_MOVING, first, last, n, n,
                          f"the loss stayed at {_num(first)} for all {n} steps")
    fall = first - last
    tail = arr[-max(2, n // 10):]
    # Still falling: the last tenth of the run took a real share of what is left to fall (a
    # plateau takes next to none, however slowly an ill-conditioned fit crawls).
    if fall > 0 and float(tail[0] - tail[-1]) >= current().still_falling * max(abs(last), 1e-12):
        return Trajectory(TOO_SLOW, first, last, n, n,
                          f"the loss was still falling when the run ended: from {_num(first)} "
                          f"to {_num(last)} in {n} steps, {_num(float(tail[0] - tail[-1]))} "
                          f"of that in the last {tail.size}")
    return Trajectory(WRONG_PLACE, first, last, n, n,
                      f"the loss settled at {_num(last)} (from {_num(first)}, {n} steps)"
                      + (f", above the {_num(target)} a right fit reaches" if target else ""))


def advice(t: Trajectory, points: int | None = None, summed: bool | None = None) -> str:
    """What to do about `t`, one sentence: the fix that class of failure usually needs.
    `points`: how many data points the loss is over (a summed loss then says so);
    `summed`: the loss is known to be a sum (True) or a mean (False)."""
    if t.kind == DIVERGED:
        if points and points > 1 and summed:
            return (f"the steps are too large: your loss sums over {points} points, so its "
                    f"gradient is {points} times the mean's; use the mean (MSELoss(), or divide "
                    f"by {points}) or a learning rate {points} times smaller")
        if points and points > 1 and summed is None:
            return (f"the steps are too large: a loss summed over the {points} points (not "
                    f"their mean) has a gradient {points} times the mean's, so use the mean "
                    f"(MSELoss(), or divide by {points}); else take a smaller learning rate")
        return "the steps are too large: use a smaller learning rate (or the mean loss)"
    if t.kind == TOO_SLOW:
        return ("it needs more steps, or a larger learning rate (the one it is given: a "
                "smaller step of its own converges too slowly)")
    if t.kind == NOT_MOVING:
        return ("nothing reaches the parameters: call backward() on the loss, then update "
                "the parameters themselves (in place, under torch.no_grad()) or step the "
                "optimizer that holds them")
    return ("it converges, but not to the answer: the loss or the update computes something "
            "else (a sign, a missing term, the wrong data)")


def sentence(losses: Any, target: float | None = None, points: int | None = None,
             summed: bool | None = None) -> str:
    """"The loss grew from 3.1 to inf in 40 steps: the steps are too large ..." for a failed
    fit, "" when `losses` shows none of the classes. Usable as a cause's result (the hint
    with this run's numbers)."""
    t = classify(losses, target)
    if t is None:
        return ""
    text = f"{t.summary}: {advice(t, points, summed)}."
    return text[0].upper() + text[1:]


# What a failed training's losses can say for sure, whatever the data: it diverged, or it never
# moved. Where a right fit has surely converged before the end (a well-conditioned problem, a
# generous number of steps), "still falling" is sure too: pass `kinds=SURE + (TOO_SLOW,)`.
SURE = (DIVERGED, NOT_MOVING)


def _went_wrong(seen: dict) -> str:
    """The cause's test: `seen` holds "losses" (one per step), and optionally "points" (how
    many data points the loss is over) and "kinds" (the classes to name, SURE by default)."""
    t = classify(seen["losses"])
    if t is None or t.kind not in seen.get("kinds", SURE):
        return ""
    return sentence(seen["losses"], points=seen.get("points"))


def _fit_cause() -> Any:
    from grader.grading.checks import Cause
    return Cause("fit_went_wrong", "The training went wrong: see its loss curve.", _went_wrong)


# For `diagnosed({"losses": ..., "points": n}, ..., trajectory.FIT_WENT_WRONG)`: says how a
# failed training went (diverged, never moved, ...) with its numbers, and what usually causes it.
FIT_WENT_WRONG = _fit_cause()
