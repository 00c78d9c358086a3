"""Probes for ex08: they run inside the sandbox, train the student's model, and report plain data.

No expected values live here, and nothing saved is ever unpickled here for the grader: the
saved file goes back as raw bytes, and the grader itself opens it with safe loading. Each stage
(train and save, read the file, load and predict) is tried on its own, so that a failure in one
is reported without hiding what the others did.
"""
import os
import tempfile

import numpy as np
import torch

MAX_FILE_BYTES = 1 << 20     # a state_dict of a few numbers takes about 1.5 KB


def _tensor(values):
    return torch.as_tensor(np.asarray(values, dtype=np.float32))


def _raised(e):
    """`RuntimeError: Error(s) in loading state_dict ... size mismatch for linear.weight ...`:
    the first lines, since load_state_dict says what went wrong on its second line."""
    text = " ".join(line.strip() for line in str(e).strip().splitlines()[:3])
    return f"{type(e).__name__}: {text[:400]}" if text else type(e).__name__


def _student_line(e, sub):
    """The source of the last line of the traceback in the submission's own file, or None:
    the check explains the error with it (grader.grading.explain)."""
    import traceback
    own = getattr(sub, "__file__", None)
    frames = [f for f in traceback.extract_tb(e.__traceback__) if own and f.filename == own]
    return (frames[-1].line or "")[:300] if frames else None


def _parameters(model):
    """{name: value} of a module's parameters; None when it is not a module."""
    if not isinstance(model, torch.nn.Module):
        return None
    return {name: p.detach().cpu().to(torch.float64).numpy()
            for name, p in model.named_parameters()}


def _numbers(value):
    if isinstance(value, torch.Tensor):
        return value.detach().cpu().to(torch.float64).numpy()
    if isinstance(value, np.ndarray) and value.dtype.kind in "biuf":
        return value.astype(np.float64)
    return None


class _Backward:
    """Records the scalar loss of each backward(), for the report's loss curve."""

    def __enter__(self):
        self.losses, self._backward = [], torch.autograd.backward
        trace = self

        def backward(tensors, *args, **kwargs):
            if isinstance(tensors, torch.Tensor) and tensors.numel() == 1:
                trace.losses.append(float(tensors.detach()))
            return trace._backward(tensors, *args, **kwargs)

        torch.autograd.backward = backward
        return self

    def __exit__(self, *exc):
        torch.autograd.backward = self._backward
        return False


def new_model(sub, in_features, x):
    """A fresh LinearRegression(in_features): its parameters, and what it predicts for x."""
    model = sub.LinearRegression(in_features)
    with torch.no_grad():
        y = model(_tensor(x))
    return {"parameters": _parameters(model), "y": _numbers(y), "y_type": type(y).__name__}


def train_losses(sub, x, y, epochs, learning_rate):
    """train() a fresh LinearRegression: the parameters before and after, and what it returned."""
    model = sub.LinearRegression(np.shape(x)[1])
    before = _parameters(model)
    returned = sub.train(model, _tensor(x), _tensor(y), epochs=epochs,
                         learning_rate=learning_rate)
    numbers = None
    if isinstance(returned, (list, tuple)):
        items = [_numbers(v) if isinstance(v, torch.Tensor) else v for v in returned]
        if all(isinstance(v, (int, float)) or (isinstance(v, np.ndarray) and v.size == 1)
               for v in items):
            numbers = np.asarray([float(np.asarray(v).reshape(())) for v in items])
    return {"before": before, "after": _parameters(model), "losses": numbers,
            "returned": type(returned).__name__}


def save_and_reload(sub, x, y, x_new, epochs, learning_rate):
    """train_and_save(x, y, path), the bytes of the file it wrote, and load_and_predict(path,
    x_new); with the returned model's parameters and its own predictions for x_new."""
    path = os.path.join(tempfile.mkdtemp(), "model.pt")
    out = {"train_error": None, "model": None, "model_predicts": None, "losses": [],
           "file": None, "file_bytes": 0, "predict_error": None, "predicted": None,
           "train_line": None, "predict_line": None}
    try:
        with _Backward() as trace:
            model = sub.train_and_save(_tensor(x), _tensor(y), path, epochs=epochs,
                                       learning_rate=learning_rate)
        out["losses"] = np.asarray(trace.losses, dtype=np.float64)
        out["model"] = _parameters(model)
        if out["model"] is not None:
            with torch.no_grad():
                out["model_predicts"] = _numbers(model(_tensor(x_new)))
    except Exception as e:
        out["train_error"], out["train_line"] = _raised(e), _student_line(e, sub)
    if os.path.isfile(path):
        out["file_bytes"] = os.path.getsize(path)
        if out["file_bytes"] <= MAX_FILE_BYTES:
            with open(path, "rb") as f:
                out["file"] = np.frombuffer(f.read(), dtype=np.uint8)
    try:
        out["predicted"] = _numbers(sub.load_and_predict(path, _tensor(x_new)))
    except Exception as e:
        out["predict_error"], out["predict_line"] = _raised(e), _student_line(e, sub)
    return out
