"""Hidden checks for ex02: random bowls the student has not seen, and the exact trajectory."""
import numpy as np

from grader.grading.checks import (diagnose, diagnosed, expect_array_close, expect_close, fail, series,
                           sibling)

public = sibling(__file__, "test_public")  # the causes of ex02's usual mistakes


def test_random_bowl_minimum(student, rng, exercise):
    """GD finds the minimum of a random 3-parameter quadratic bowl"""
    centres, start = rng.uniform(-5, 5, 3), rng.uniform(-5, 5, 3)
    scales = rng.uniform(0.5, 2.0, 3)
    run = student.probe("descend", start.tolist(), centres.tolist(), scales.tolist(),
                        loop_max=3000, learning_rate=0.01)
    with diagnosed(public.bowl(run, start, centres, scales, 0.01, 3000), *public.CAUSES):
        expect_array_close("params", run["x"], centres,
                           atol=exercise.thresholds["x_tol"])


def test_trajectory_is_gradient_descent(student, rng, report):
    """Each step is exactly x <- x - lr * grad, with the gradient of that step only"""
    centres, start = rng.uniform(-3, 3, 2), rng.uniform(-3, 3, 2)
    scales, lr, steps = np.array([1.0, 0.5]), 0.05, 40
    run = student.probe("descend", start.tolist(), centres.tolist(), scales.tolist(),
                        loop_max=steps, learning_rate=lr)
    expected = [start]
    for _ in range(steps - 1):
        x = expected[-1]
        expected.append(x - lr * 2 * scales * (x - centres))
    xs = np.asarray(run["xs"], dtype=float)
    seen = public.bowl(run, start, centres, scales, lr, steps)
    if xs.shape != (steps, 2):
        fail(f"expected {steps} steps on 2 parameters, saw {xs.shape[0]} calls of loss_fn",
             diagnose(seen, *public.COUNT_CAUSES))
    report.plot("x[0] per step", {"yours": series(xs[:, 0]),
                                  "gradient descent": series(np.asarray(expected)[:, 0])},
                xlabel="step", ylabel="x[0]")
    off = ~np.isclose(xs, np.asarray(expected), atol=1e-6).all(axis=1)
    if off.any():
        t = int(np.argmax(off))  # the first step that is off
        fail(f"step {t}: x = {np.round(xs[t], 6).tolist()}; expected "
             f"{np.round(expected[t], 6).tolist()} "
             + ("(the start values, untouched before the first loss)" if t == 0 else
                f"(x - lr * grad, the gradient at step {t - 1} alone)"),
             diagnose(seen, *public.CAUSES))


def test_runs_loop_max_steps(student, rng):
    """GD takes exactly loop_max steps"""
    steps = int(rng.integers(50, 150))
    run = student.probe("descend", [1.0], [0.0], [1.0], loop_max=steps, learning_rate=1e-3)
    if len(run["losses"]) != steps:
        fail(f"loss_fn was called {len(run['losses'])} times for loop_max={steps}",
             diagnose(public.bowl(run, [1.0], [0.0], [1.0], 1e-3, steps), *public.COUNT_CAUSES))


def test_updates_params_in_place(student, rng):
    """The tensors passed in params are themselves updated"""
    c = float(rng.uniform(1, 4))
    run = student.probe("descend", [0.0], [c], [1.0], loop_max=2000, learning_rate=0.01)
    with diagnosed(public.bowl(run, [0.0], [c], [1.0], 0.01, 2000), *public.CAUSES):
            expect_close("the tensor you were given", run["x"][0], c, tol=0.01,
                     after="after 2000 steps (was it updated in place?)")
