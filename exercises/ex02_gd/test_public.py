"""Public checks for ex02: the example from the course notes.

The causes below (grader.grading.checks.cause) recognise ex02's usual mistakes in a recorded run:
the checks of both files name them, so a failure leads with the real bug, not the check's hint.
A run is the probe's dict (x, losses, xs: the given tensors' values at each call of loss_fn)
plus the bowl it descended: start, centres, scales, lr, loop_max.
"""
import numpy as np

from grader.grading import trajectory
from grader.grading.checks import cause, diagnosed, expect_close, expect_converged, series


def bowl(run, start, centres, scales, lr, loop_max):
    """The probe's run with the setting that produced it, for the causes."""
    return dict(run, start=np.atleast_1d(np.asarray(start, dtype=float)),
                centres=np.atleast_1d(np.asarray(centres, dtype=float)),
                scales=np.atleast_1d(np.asarray(scales, dtype=float)), lr=lr, loop_max=loop_max)


def simulate(run, steps, sign=1.0, accumulate=False, lr=None, by_loss=False):
    """The positions of gradient descent on the run's bowl, right or with one given mistake
    (`by_loss`: each step moves by the loss instead of the gradient)."""
    x, total, lr = run["start"].copy(), 0.0, run["lr"] if lr is None else lr
    out = [x]
    for _ in range(steps - 1):
        g = 2 * run["scales"] * (x - run["centres"])
        if by_loss:
            g = np.full_like(x, np.sum(run["scales"] * (x - run["centres"]) ** 2))
        total = total + g if accumulate else g
        x = x - sign * lr * total
        out.append(x)
    return np.asarray(out)


def _follows(run, **mistake):
    xs = np.asarray(run["xs"], dtype=float)
    k = min(len(xs), 60)
    if k < 3:
        return False
    return bool(np.allclose(xs[:k], simulate(run, k, **mistake), rtol=1e-3, atol=1e-4))


@cause("Take exactly loop_max steps: call loss_fn once per step, loop_max times, not a "
       "number of steps of your own.")
def wrong_number_of_steps(run):
    return len(run["losses"]) != run["loop_max"]


@cause("You replace the tensors in params with new ones, so the caller's tensors never move: "
       "update the ones you were given in place (x -= learning_rate * x.grad inside "
       "torch.no_grad()).")
def tensors_replaced(run):
    xs, losses = np.asarray(run["xs"], dtype=float), np.asarray(run["losses"], dtype=float)
    return (np.allclose(xs, run["start"]) and len(losses) > 2
            and not np.isclose(losses[-1], losses[0]))


@cause("Your GD sets the parameters without descending: they never change from one step to "
       "the next. Each step: compute the loss, call loss.backward(), then move every tensor "
       "against its gradient (x -= learning_rate * x.grad).")
def no_descent(run):
    xs, losses = np.asarray(run["xs"], dtype=float), np.asarray(run["losses"], dtype=float)
    return len(xs) > 2 and np.allclose(xs[1:], xs[-1]) and (
        not np.allclose(xs[0], run["start"]) or np.allclose(losses, losses[0]))


@cause("You step up the gradient (x += ...), so the loss grows: step against it, "
       "x -= learning_rate * x.grad.")
def sign_flipped(run):
    return _follows(run, sign=-1.0)


@cause("You never reset the gradients: torch adds each backward() onto .grad, so every step "
       "uses the sum of all gradients so far. Set x.grad = None (or x.grad.zero_()) after each "
       "step.")
def gradients_pile_up(run):
    return _follows(run, accumulate=True)


@cause("Your steps ignore the learning_rate you are given: use it, "
       "x -= learning_rate * x.grad, not a number of your own.")
def ignores_learning_rate(run):
    xs = np.asarray(run["xs"], dtype=float)
    g = 2 * run["scales"] * (xs[0] - run["centres"])
    i = int(np.argmax(np.abs(g)))
    eta = (xs[0][i] - xs[1][i]) / g[i]
    return eta > 0 and not np.isclose(eta, run["lr"], rtol=1e-3) and _follows(run, lr=eta)


@cause("Each of your steps moves by the loss, not by its gradient: x -= learning_rate * "
       "x.grad (after loss.backward()), not learning_rate * loss.")
def steps_by_the_loss(run):
    return _follows(run, by_loss=True)


MECHANISMS = (sign_flipped, gradients_pile_up, ignores_learning_rate, steps_by_the_loss)


@cause("The loss diverged: each step overshoots.")
def diverged(run):
    """The run diverged (or a loop "until the loss is small" ran away on a diverging loss):
    say so with its numbers, then the mistake that made it, where one is recognised."""
    losses = np.asarray(run["losses"], dtype=float)
    t = trajectory.classify(losses)
    if t is None or t.kind != trajectory.DIVERGED:
        return ""
    said = t.summary[0].upper() + t.summary[1:]
    if run.get("runaway"):
        said += (f", and your GD went on calling loss_fn {len(losses)} times for "
                 f"loop_max={run['loop_max']}: a loop that waits for the loss to get small "
                 f"never ends once it has diverged (nan is never small); take loop_max steps")
    why = next((c for c in MECHANISMS if c(run)), None)
    return f"{said}. " + (why.hint if why else
                          "Each step overshoots: step against the gradient with the "
                          "learning_rate you are given, x -= learning_rate * x.grad.")


# A run with several mistakes (gradients that pile up, and one step too few) matches several
# causes: a check of the values names the mistake that moved them, a check of the number of
# steps the one that miscounted; next_step then ranks them by the points each cost.
CAUSES = (diverged, tensors_replaced, no_descent, sign_flipped, gradients_pile_up,
          ignores_learning_rate, steps_by_the_loss, wrong_number_of_steps)
COUNT_CAUSES = (diverged, wrong_number_of_steps)


def notes_run(student):
    run = student.probe("notes_loss", start=-1.5, loop_max=5000)
    return run, bowl(run, -1.5, 2.0, 1.0, 1e-3, 5000)


def test_reaches_minimum_of_notes_loss(student, exercise):
    """GD moves x from -1.5 to 2, the minimum of x*x - 4*x + 4, in 5000 steps"""
    run, seen = notes_run(student)
    with diagnosed(seen, *CAUSES):
        expect_close("x", run["x"], 2.0, tol=exercise.thresholds["x_tol"],
                     after="after 5000 steps")


def test_loss_falls(student, report):
    """The loss falls steadily towards 0"""
    run, seen = notes_run(student)
    report.plot("loss of x*x - 4*x + 4", {"loss": series(run["losses"])}, xlabel="step",
                ylabel="loss", log_y=True)
    with diagnosed(seen, *CAUSES):
        expect_converged(run["losses"], below=1e-3)
