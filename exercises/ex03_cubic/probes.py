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


# torch.optim's own optimizers, as the probes found them (the grader replays their steps)
_LIBRARY = tuple(c for c in vars(torch.optim).values() if isinstance(c, type)
                 and issubclass(c, torch.optim.Optimizer) and c is not torch.optim.Optimizer)


def _number(v):
    if isinstance(v, torch.Tensor) and v.numel() == 1:
        return float(v.detach())
    return float(v) if isinstance(v, (bool, int, float)) else None


class _Trace:
    """What fit_torch's training did, step by step, read in torch.optim's own step hooks: the
    parameters just before and just after each step, the gradients the step was given, the
    index of the last backward() before it (whose scalar loss is recorded), and each
    optimizer's class and settings (lr, betas, ...) at that step. The checks then recompute the
    data's loss and gradient at the recorded parameters, and replay every step with torch.optim
    itself, in the grader: the training is judged, not its look."""

    MAX_NUMEL = 64               # parameters recorded whole up to this size (the cubic has 4)
    MAX_STEPS = 50000            # steps recorded (the notes' recipe takes 10000)

    def __init__(self):
        self.losses, self.steps, self.steps_with_grad = [], 0, 0
        self.before, self.after, self.grads, self.loss_index, self.which = [], [], [], [], []
        self.hyper, self.optimizers = [], []   # per step; each optimizer's class and layout
        self._ids = {}

    def _tensors(self, optimizer):
        return [p for group in optimizer.param_groups for p in group["params"]]

    def _flat(self, tensors):
        flat = [t.detach().reshape(-1).double().cpu() for t in tensors]
        v = torch.cat(flat) if flat else torch.zeros(0, dtype=torch.float64)
        return v.numpy().copy() if v.numel() <= self.MAX_NUMEL else np.zeros(0)

    def _grads(self, tensors):
        """Each tensor's gradient, NaN where it has none (torch.optim skips those)."""
        return self._flat([p.grad if p.grad is not None else torch.full_like(p, float("nan"))
                           for p in tensors])

    def _settings(self, optimizer):
        """(layout, numbers): every group's settings but its tensors; numbers per step."""
        layout, numbers = [], []
        for group in optimizer.param_groups:
            static = {}
            for key in sorted(k for k in group if k != "params"):
                v = group[key]
                if isinstance(v, (tuple, list)) and all(_number(u) is not None for u in v):
                    static[key] = ["tuple", len(v)]
                    numbers += [_number(u) for u in v]
                elif _number(v) is not None:
                    static[key] = [type(v).__name__ if isinstance(v, (bool, int)) else "float", 1]
                    numbers.append(_number(v))
                else:
                    static[key] = ["fixed", v if v is None or isinstance(v, str) else repr(v)]
            layout.append(static)
        return layout, numbers

    def _optimizer(self, optimizer):
        """The index of this optimizer in self.optimizers, recorded at its first step."""
        key = id(optimizer)
        if key not in self._ids:
            library = next((c for c in type(optimizer).__mro__ if c in _LIBRARY), None)
            tensors = self._tensors(optimizer)
            self._ids[key] = len(self.optimizers)
            self.optimizers.append({
                "class": None if library is None else library.__name__,
                "own_class": type(optimizer).__qualname__,
                "shapes": [[list(p.shape) for p in g["params"]] for g in optimizer.param_groups],
                "dtype": str(tensors[0].dtype).replace("torch.", "") if tensors else "",
                "settings": self._settings(optimizer)[0]})
        return self._ids[key]

    def __enter__(self):
        self._backward = torch.autograd.backward  # what Tensor.backward() calls
        trace = self

        def backward(tensors, *args, **kwargs):
            if isinstance(tensors, torch.Tensor) and tensors.numel() == 1:
                trace.losses.append(float(tensors.detach()))
            return trace._backward(tensors, *args, **kwargs)

        def pre_step(optimizer, args, kwargs):
            trace.steps += 1
            tensors = trace._tensors(optimizer)
            if any(p.grad is not None for p in tensors):
                trace.steps_with_grad += 1
            if trace.steps > trace.MAX_STEPS:
                return
            trace.before.append(trace._flat(tensors))
            trace.grads.append(trace._grads(tensors))
            trace.loss_index.append(len(trace.losses))
            trace.which.append(trace._optimizer(optimizer))
            trace.hyper.append(trace._settings(optimizer)[1])

        def post_step(optimizer, args, kwargs):
            if len(trace.after) < len(trace.before):
                trace.after.append(trace._flat(trace._tensors(optimizer)))

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
        """before[k], after[k], grads[k]: the parameters around step k and its gradients (same
        length, same size)."""
        n = min(len(self.before), len(self.after))
        sizes = {a.size for a in self.before[:n] + self.after[:n] + self.grads[:n]}
        if n == 0 or len(sizes) != 1 or 0 in sizes:
            return np.zeros((0, 0)), np.zeros((0, 0)), np.zeros((0, 0))
        return np.stack(self.before[:n]), np.stack(self.after[:n]), np.stack(self.grads[:n])

    def replay(self):
        """What the grader needs to replay the steps: per step the optimizer and its numbers."""
        n = min(len(self.before), len(self.after))
        width = max((len(h) for h in self.hyper[:n]), default=0)  # optimizers differ: padded
        hyper = np.full((n, width), np.nan)
        for k, h in enumerate(self.hyper[:n]):
            hyper[k, :len(h)] = h
        return {"optimizers": self.optimizers, "which": np.asarray(self.which[:n], np.int64),
                "loss_index": np.asarray(self.loss_index[:n], np.int64), "hyper": hyper,
                "truncated": self.steps > self.MAX_STEPS}


def fit(sub, function, x, y):
    """Call fit_numpy (float64 arrays) or fit_torch (float32 tensors on `device`) on (x, y)."""
    if function == "fit_numpy":
        xs, ys = np.array(x, dtype=np.float64), np.array(y, dtype=np.float64)
    else:
        xs, ys = _tensor(x), _tensor(y)
    with _Trace() as trace:
        value = getattr(sub, function)(xs, ys)
    out = _returned(value)
    before, after, grads = trace.trajectory()
    out.update(optimizer_steps=trace.steps, steps_with_grad=trace.steps_with_grad,
               losses=np.asarray(trace.losses, dtype=np.float64),
               params_before=before, params_after=after, grads=grads, replay=trace.replay())
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
