"""Probes for ex02: they run inside the sandbox, drive the student's GD and record what happened.

No expected values live here: the checks compute those in the grader. Histories go back as
numpy arrays: a few bytes per step, where a list of floats costs a JSON number each way.
"""
import numpy as np
import torch


class _Runaway(BaseException):
    """Raised from loss_fn once GD has called it far more often than loop_max: a loop "until
    the loss is small" that never ends (its loss diverged to nan, which is never small). A
    BaseException, so that the student's `except Exception` lets it through; the probe then
    returns the run so far, and the checks say why it never ended instead of a timeout."""


def _runaway(losses, loop_max):
    """GD has called loss_fn far past loop_max: 10 times as often (at least 20000), or 100
    times past it with a loss that has been inf or nan for those 100 calls (it never comes
    back)."""
    n = len(losses)
    return n >= max(10 * int(loop_max), 20000) or (
        n >= int(loop_max) + 100 and not np.isfinite(losses[-100:]).any())


def _run(sub, params, loss_fn, **kwargs):
    """sub.GD(params, loss_fn, ...); True when it was stopped as a runaway loop."""
    try:
        sub.GD(params, loss_fn, **kwargs)
    except _Runaway:
        return True
    return False


def descend(sub, start, centres, scales, loop_max, learning_rate):
    """GD on sum_i scales[i] * (x_i - centres[i])**2 from `start`; record each step."""
    params = [torch.tensor(float(v), dtype=torch.float64, requires_grad=True) for v in start]
    given = list(params)  # the originals: in-place updates must show up on these
    c = [float(v) for v in centres]
    s = [float(v) for v in scales]
    losses, xs = [], []

    def loss_fn(p):
        if _runaway(losses, loop_max):
            raise _Runaway()
        xs.append([float(t.detach()) for t in given])
        loss = sum(si * (pi - ci) ** 2 for pi, ci, si in zip(p, c, s))
        losses.append(float(loss.detach()))
        return loss

    runaway = _run(sub, params, loss_fn, loop_max=loop_max, learning_rate=learning_rate)
    return {"x": [float(t.detach()) for t in given], "losses": np.asarray(losses, dtype=np.float64),
            "xs": np.asarray(xs, dtype=np.float64), "runaway": runaway}


def notes_loss(sub, start, loop_max):
    """The notes' loss x*x - 4*x + 4, with the notes' default learning rate."""
    x = torch.tensor(float(start), requires_grad=True)
    losses, xs = [], []

    def loss_fn(p):
        if _runaway(losses, loop_max):
            raise _Runaway()
        xs.append([float(x.detach())])
        loss = p[0] * p[0] - 4 * p[0] + 4
        losses.append(float(loss.detach()))
        return loss

    runaway = _run(sub, [x], loss_fn, loop_max=loop_max)
    return {"x": float(x.detach()), "losses": np.asarray(losses, dtype=np.float64),
            "xs": np.asarray(xs, dtype=np.float64), "runaway": runaway}
