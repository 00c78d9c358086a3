"""Probes for ex10: they run inside the sandbox, drive the student's optimizers and record every
step. No expected values live here.

The checks also run these very functions in the grader, with torch.optim's optimizers in place
of the submission (see `reference` in test_public.py): the same parameters, gradients, losses and
batches, so the expected trajectory is torch's own, computed by trusted code.
"""
import numpy as np
import torch

DTYPE = torch.float64


def _tensor(values, requires_grad=False):
    return torch.tensor(np.asarray(values, dtype=np.float64), dtype=DTYPE,
                        requires_grad=requires_grad)


def _snapshot(params):
    return [p.detach().clone() for p in params]


def feed(sub, name, hyper, starts, grads):
    """Optimizer `name` on tensors made from `starts`; before each step every tensor's .grad is
    set to the given gradient (grads[t][k] for tensor k at step t). Records the tensors after
    each step: trajectory[t][k]."""
    params = [_tensor(s, requires_grad=True) for s in starts]
    given = list(params)  # the originals: updates must land on these, in place
    optimizer = getattr(sub, name)(params, **hyper)
    trajectory = []
    for step_grads in grads:
        for p, g in zip(given, step_grads):
            p.grad = _tensor(g)
        optimizer.step()
        trajectory.append(_snapshot(given))
    return {"trajectory": trajectory}


def descend(sub, name, hyper, start, centre, curvature, steps):
    """Minimise (w - centre)^T curvature (w - centre) from `start` with the notes' loop:
    zero_grad(), loss, backward(), step(). Records w and the loss at each step."""
    w = _tensor(start, requires_grad=True)
    c, A = _tensor(centre), _tensor(curvature)
    ws, losses = [], []
    optimizer = getattr(sub, name)([w], **hyper)
    for _ in range(steps):
        optimizer.zero_grad()
        loss = (w - c) @ A @ (w - c)
        ws.append(w.detach().clone())
        losses.append(float(loss.detach()))
        loss.backward()
        optimizer.step()
    return {"w": ws, "losses": losses}


def train_net(sub, name, hyper, x, y, weights, batches):
    """Morvan's comparison: the net predict(relu(hidden(x))), its weights given, trained on
    mini-batches (index lists) of (x, y) with the mean squared error. Records each batch's loss."""
    params = [_tensor(w, requires_grad=True) for w in weights]
    w1, b1, w2, b2 = params
    xs, ys = _tensor(x), _tensor(y)
    optimizer = getattr(sub, name)(params, **hyper)
    losses = []
    for batch in batches:
        bx, by = xs[batch], ys[batch]
        optimizer.zero_grad()
        prediction = torch.relu(bx @ w1.T + b1) @ w2.T + b2
        loss = torch.mean((prediction - by) ** 2)
        losses.append(float(loss.detach()))
        loss.backward()
        optimizer.step()
    return {"losses": losses}


def zero_grad(sub, name, hyper, shapes):
    """Give tensors of `shapes` gradients with backward(), then call zero_grad(): what is each
    tensor's .grad afterwards? None, or its values."""
    params = [torch.ones(s, dtype=DTYPE, requires_grad=True) for s in shapes]
    optimizer = getattr(sub, name)(params, **hyper)
    sum(((k + 2.0) * p * p).sum() for k, p in enumerate(params)).backward()
    before = [p.grad is not None for p in params]
    optimizer.zero_grad()
    return {"had_grad": before,
            "after": [None if p.grad is None else p.grad.detach().clone() for p in params]}
