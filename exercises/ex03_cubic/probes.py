"""Probes for ex03: they run inside the sandbox, call the submission and report plain data.

`device` ("cpu" or "cuda") is put in this namespace by the sandbox. No expected values live
here: the checks compute those in the grader from the data they sent.
"""
import io

import numpy as np
import torch
from torch.optim.optimizer import (register_optimizer_step_post_hook,
                                   register_optimizer_step_pre_hook)

NAMES = ("a", "b", "c", "d")


def _tensor(values):
    return torch.as_tensor(np.asarray(values, dtype=np.float32), device=device)


def _as_number(v):
    try:
        return float(v.detach()) if isinstance(v, torch.Tensor) else float(v)
    except (TypeError, ValueError, RuntimeError):
        return None


def _returned(value):
    """What a fit returned: the container, each item's type, and the numbers where readable."""
    out = {"container": type(value).__name__, "types": [], "python_floats": [], "values": None}
    if isinstance(value, (np.ndarray, torch.Tensor)) and value.ndim != 1:
        return out
    if not isinstance(value, (tuple, list, np.ndarray, torch.Tensor)):
        return out
    items = list(value)
    numbers = [_as_number(v) for v in items]
    out.update(types=[type(v).__name__ for v in items],
               python_floats=[isinstance(v, float) for v in items],
               values=None if None in numbers else numbers)
    return out


class _Trace:
    """What fit_torch's training did, step by step: the scalar loss of each backward(), and the
    parameters just before and just after each torch.optim step (a pre and a post hook). The
    checks then ask for the work itself: steps that move the parameters, nothing else moving
    them, a loss that falls, and an answer that is where the steps ended."""

    MAX_NUMEL = 64               # parameters recorded whole up to this size (the cubic has 4)

    def __init__(self):
        self.losses, self.steps, self.steps_with_grad = [], 0, 0
        self.before, self.after = [], []

    def _params(self, optimizer):
        flat = [p.detach().reshape(-1).double().cpu() for group in optimizer.param_groups
                for p in group["params"]]
        v = torch.cat(flat) if flat else torch.zeros(0, dtype=torch.float64)
        return v.numpy().copy() if v.numel() <= self.MAX_NUMEL else np.zeros(0)

    def __enter__(self):
        self._backward = torch.autograd.backward  # what Tensor.backward() calls
        trace = self

        def backward(tensors, *args, **kwargs):
            if isinstance(tensors, torch.Tensor) and tensors.numel() == 1:
                trace.losses.append(float(tensors.detach()))
            return trace._backward(tensors, *args, **kwargs)

        def pre_step(optimizer, args, kwargs):
            trace.steps += 1
            if any(p.grad is not None for group in optimizer.param_groups
                   for p in group["params"]):
                trace.steps_with_grad += 1
            trace.before.append(trace._params(optimizer))

        def post_step(optimizer, args, kwargs):
            trace.after.append(trace._params(optimizer))

        torch.autograd.backward = backward
        self._hooks = (register_optimizer_step_pre_hook(pre_step),
                       register_optimizer_step_post_hook(post_step))
        return self

    def __exit__(self, *exc):
        torch.autograd.backward = self._backward
        for hook in self._hooks:
            hook.remove()
        return False

    def trajectory(self):
        """before[k] and after[k]: the parameters around step k (same length, same size)."""
        n = min(len(self.before), len(self.after))
        sizes = {a.size for a in self.before[:n] + self.after[:n]}
        if n == 0 or len(sizes) != 1 or 0 in sizes:
            return np.zeros((0, 0)), np.zeros((0, 0))
        return np.stack(self.before[:n]), np.stack(self.after[:n])


def fit(sub, function, x, y):
    """Call fit_numpy (float64 arrays) or fit_torch (float32 tensors on `device`) on (x, y)."""
    if function == "fit_numpy":
        xs, ys = np.array(x, dtype=np.float64), np.array(y, dtype=np.float64)
    else:
        xs, ys = _tensor(x), _tensor(y)
    with _Trace() as trace:
        value = getattr(sub, function)(xs, ys)
    out = _returned(value)
    before, after = trace.trajectory()
    out.update(optimizer_steps=trace.steps, steps_with_grad=trace.steps_with_grad,
               losses=np.asarray(trace.losses, dtype=np.float64),
               params_before=before, params_after=after)
    return out


def _read(model, name):
    return _as_number(getattr(model, name, None))


def new_polynomial3(sub, x):
    """A fresh Polynomial3 on `device`: its registered parameters, its a, b, c, d, and model(x)."""
    model = sub.Polynomial3().to(device)
    params = [{"name": n, "shape": list(p.shape), "requires_grad": bool(p.requires_grad)}
              for n, p in model.named_parameters()]
    with torch.no_grad():
        y = model(_tensor(x))
    return {"parameters": params, "values": [_read(model, n) for n in NAMES],
            "y": y if isinstance(y, torch.Tensor) else None, "y_type": type(y).__name__}


def state_dict_round_trip(sub, values, x):
    """Give a Polynomial3 the coefficients `values`, save its state_dict to bytes, load it into
    a fresh Polynomial3, and report what each predicts."""
    first = sub.Polynomial3().to(device)
    with torch.no_grad():
        for name, v in zip(NAMES, values):
            current = getattr(first, name, None)
            if isinstance(current, torch.Tensor):
                current.copy_(torch.as_tensor(float(v)))
            else:
                setattr(first, name, float(v))
    buffer = io.BytesIO()
    torch.save(first.state_dict(), buffer)
    buffer.seek(0)
    second = sub.Polynomial3().to(device)
    second.load_state_dict(torch.load(buffer, map_location=device))
    xs = _tensor(x)
    with torch.no_grad():
        y_first, y_second = first(xs), second(xs)
    return {"keys": list(first.state_dict().keys()), "loaded": [_read(second, n) for n in NAMES],
            "y_first": y_first, "y_second": y_second}
