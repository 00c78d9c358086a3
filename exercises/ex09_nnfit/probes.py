"""Probes for ex09: they run inside the sandbox, call the submission and report plain data.

No expected values live here: the checks compute MSEs, accuracies and the expected network
outputs in the grader, from the data they sent and the numbers that come back.
"""
import numpy as np
import torch
from torch.optim.optimizer import register_optimizer_step_pre_hook


def _tensor(values, dtype=torch.float32):
    return torch.as_tensor(np.asarray(values), dtype=dtype)


def _numbers(v):
    return v.detach().cpu().numpy() if isinstance(v, torch.Tensor) else np.asarray(v)


class _Trace:
    """Records the scalar loss of each backward() and counts torch.optim optimizer steps."""

    def __init__(self):
        self.losses, self.steps = [], 0

    def __enter__(self):
        self._backward = torch.autograd.backward  # what Tensor.backward() calls
        trace = self

        def backward(tensors, *args, **kwargs):
            if isinstance(tensors, torch.Tensor) and tensors.numel() == 1:
                trace.losses.append(float(tensors.detach()))
            return trace._backward(tensors, *args, **kwargs)

        def step_hook(optimizer, args, kwargs):
            trace.steps += 1

        torch.autograd.backward = backward
        self._hook = register_optimizer_step_pre_hook(step_hook)
        return self

    def __exit__(self, *exc):
        torch.autograd.backward = self._backward
        self._hook.remove()
        return False


def _outputs(model, x):
    """model(x) without gradients, or None and the name of what came back instead."""
    with torch.no_grad():
        out = model(x)
    return (out, "Tensor") if isinstance(out, torch.Tensor) else (None, type(out).__name__)


def fit_curve(sub, x, y, grid):
    """fit_regression on (n, 1) float32 tensors; the trained net's predictions on x and grid."""
    xs, ys = _tensor(x).reshape(-1, 1), _tensor(y).reshape(-1, 1)
    with _Trace() as trace:
        net = sub.fit_regression(xs, ys)
    pred, kind = _outputs(net, xs)
    curve, _ = _outputs(net, _tensor(grid).reshape(-1, 1))
    return {"pred": pred, "curve": curve, "kind": kind,
            "losses": np.asarray(trace.losses, dtype=np.float64), "optimizer_steps": trace.steps}


def fit_classes(sub, x, labels, x_test):
    """fit_classifier on (n, 2) float32 points and int64 labels; the net's outputs on x_test."""
    with _Trace() as trace:
        net = sub.fit_classifier(_tensor(x), _tensor(labels, torch.int64))
    logits, kind = _outputs(net, _tensor(x_test))
    return {"logits": logits, "kind": kind, "optimizer_steps": trace.steps}


def net_parameters(sub, n_feature, n_hidden, n_output):
    """The named parameters of a new Net and the types of its hidden and predict attributes."""
    net = sub.Net(n_feature, n_hidden, n_output)
    return {"parameters": {n: list(p.shape) for n, p in net.named_parameters()},
            "hidden": type(getattr(net, "hidden", None)).__name__,
            "predict": type(getattr(net, "predict", None)).__name__}


def _load_linears(model, weights):
    """Copy `weights` ([W1, b1, W2, b2]) into the model's Linear layers, in order, where the
    shapes agree; return the shapes of the layers' weights."""
    linears = [m for m in model.modules() if isinstance(m, torch.nn.Linear)]
    shapes = [list(m.weight.shape) for m in linears]
    if shapes == [list(np.shape(weights[0])), list(np.shape(weights[2]))]:
        with torch.no_grad():
            for layer, w, b in zip(linears, weights[0::2], weights[1::2]):
                layer.weight.copy_(_tensor(w))
                layer.bias.copy_(_tensor(b))
    return shapes


def same_weights(sub, n_feature, n_hidden, n_output, weights, x):
    """Net and sequential_net of the same sizes, given the same weights, run on x."""
    out = {}
    for key, build in (("net", sub.Net), ("sequential", sub.sequential_net)):
        model = build(n_feature, n_hidden, n_output)
        shapes = _load_linears(model, weights)
        y, kind = _outputs(model, _tensor(x))
        out[key] = {"type": type(model).__name__, "linear_shapes": shapes, "y": y, "kind": kind,
                    "is_sequential": isinstance(model, torch.nn.Sequential)}
    return out


def dataset_items(sub, x, y, indices):
    """len(PairDataset(x, y)) and its items at `indices`, each [x_i, y_i] (None if not a pair)."""
    ds = sub.PairDataset(_tensor(x), _tensor(y))
    items = []
    for i in indices:
        item = ds[int(i)]
        pair = isinstance(item, (tuple, list)) and len(item) == 2
        items.append([_numbers(item[0]), _numbers(item[1])] if pair else None)
    return {"len": len(ds), "items": items,
            "is_dataset": isinstance(ds, torch.utils.data.Dataset)}


def loader_epochs(sub, x, y, batch_size, epochs):
    """What make_loader(x, y, batch_size) yields, epoch by epoch: [[[bx, by], ...], ...]; a
    batch that is not a pair becomes None."""
    loader = sub.make_loader(_tensor(x), _tensor(y), batch_size)
    out = []
    for _ in range(epochs):
        batches = []
        for batch in loader:
            pair = isinstance(batch, (tuple, list)) and len(batch) == 2
            batches.append([_numbers(batch[0]), _numbers(batch[1])] if pair else None)
        out.append(batches)
    return {"epochs": out, "type": type(loader).__name__}
