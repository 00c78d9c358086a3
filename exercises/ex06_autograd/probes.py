"""Probes for ex06: they run inside the sandbox, call the submission and report plain data.

No expected values live here: the checks compute those in the grader, with torch in float64.
A probe turns whatever came back into numbers where it can, and says what it was where it
cannot, so that a check can tell a student what their function returned.
"""
import numpy as np
import torch


def _number(v):
    """A float from a Python number or a one-element tensor or array; None otherwise."""
    try:
        if isinstance(v, torch.Tensor):
            return float(v.detach()) if v.numel() == 1 else None
        if isinstance(v, (bool, str)):
            return None
        return float(np.asarray(v).reshape(())) if np.size(v) == 1 else None
    except (TypeError, ValueError, RuntimeError):
        return None


def _numbers(v):
    """A float64 array from a tensor, an array or a list of numbers; None otherwise."""
    if isinstance(v, torch.Tensor):
        return v.detach().cpu().to(torch.float64).numpy()
    if isinstance(v, (list, tuple)):
        items = [_number(item) for item in v]
        return None if None in items else np.asarray(items, dtype=np.float64)
    if isinstance(v, np.ndarray) and v.dtype.kind in "biuf":
        return v.astype(np.float64)
    return None


def _kind(v):
    if isinstance(v, torch.Tensor):
        return f"a tensor of shape {tuple(v.shape)}"
    if isinstance(v, (list, tuple)):
        return f"a {type(v).__name__} of {len(v)} items"
    return type(v).__name__


def _pair(result):
    """What a (value, gradient) function returned: the two parts as numbers where readable."""
    out = {"returned": _kind(result), "value": None, "grad": None}
    if isinstance(result, (tuple, list)) and len(result) == 2:
        out.update(value=_number(result[0]), grad=_numbers(result[1]))
    return out


def _point(values, integers):
    return [int(v) for v in values] if integers else [float(v) for v in values]


def sum_of_squares_gradient(sub, point, integers=False):
    """gradient(f, point) for the notes' f = x*x + y*y (autograd0.py, autograd1.py)."""
    f = lambda v: v[0] * v[0] + v[1] * v[1]
    return _pair(sub.gradient(f, _point(point, integers)))


def norm_gradient(sub, function, v, integers=False):
    """grad_norm(v) or grad_norm_squared(v) (autograd2a.py, autograd2.py)."""
    return _pair(getattr(sub, function)(_point(v, integers)))


def _raised(e):
    """`RuntimeError: Only Tensors of floating point ...`: the type and the first line."""
    lines = str(e).strip().splitlines()
    return f"{type(e).__name__}: {lines[0][:200]}" if lines else type(e).__name__


def _outcome(call):
    """Call `call()` and describe the tensor it returns, or the exception it raises."""
    try:
        t = call()
    except Exception as e:  # the check says what was raised, and that converting was expected
        return {"raised": _raised(e)}
    if not isinstance(t, torch.Tensor):
        return {"raised": None, "type": type(t).__name__}
    return {"raised": None, "type": "Tensor", "dtype": str(t.dtype).replace("torch.", ""),
            "floating": bool(t.is_floating_point()), "requires_grad": bool(t.requires_grad),
            "values": t.detach().cpu().to(torch.float64).numpy()}


def integer_inputs(sub, values):
    """leaf() of integers given as a list, a numpy array and a tensor, and gradient() at an
    integer point."""
    f = lambda v: v[0] * v[0] + v[1] * v[1]
    ints = [int(v) for v in values]
    out = {"leaf of a list": _outcome(lambda: sub.leaf(list(ints))),
           "leaf of a numpy array": _outcome(lambda: sub.leaf(np.array(ints, dtype=np.int64))),
           "leaf of a tensor": _outcome(lambda: sub.leaf(torch.tensor(ints)))}
    try:
        out["gradient"] = dict(_pair(sub.gradient(f, list(ints))), raised=None)
    except Exception as e:
        out["gradient"] = {"raised": _raised(e)}
    return out


def _function(kind, p):
    """One of the hidden checks' families of functions of a vector, from its coefficients."""
    c = lambda name, v: torch.as_tensor(np.asarray(p[name]), dtype=v.dtype, device=v.device)
    if kind == "quadratic":
        return lambda v: v @ (c("A", v) @ v) + c("b", v) @ v
    if kind == "waves":
        return lambda v: (c("w", v) * torch.sin(v)).sum() + (c("u", v) * v ** 3).sum()
    if kind == "bump":
        return lambda v: torch.exp(-((v - c("m", v)) ** 2).sum() / c("s", v)) \
            + torch.log(1 + v * v).sum()
    raise ValueError(kind)


def random_function_gradient(sub, kind, params, point, integers=False):
    """gradient(f, point) for a function of the family `kind` with coefficients `params`."""
    return _pair(sub.gradient(_function(kind, params), _point(point, integers)))


def gradient_twice(sub, point):
    """gradient(f, p) twice with the same float tensor p that requires grad; p's .grad after."""
    f = lambda v: v[0] * v[0] + v[1] * v[1]
    p = torch.tensor([float(v) for v in point], requires_grad=True)
    first, second = _pair(sub.gradient(f, p)), _pair(sub.gradient(f, p))
    return {"first": first, "second": second,
            "caller_grad": None if p.grad is None else p.grad.detach().to(torch.float64).numpy()}


def products(sub, a, b, c):
    """matmul_numpy(a, b), matmul_torch(a, b) on float32 tensors, and flat_dot(a, c)."""
    a, b, c = (np.asarray(m, dtype=np.float64) for m in (a, b, c))
    t = lambda m: torch.tensor(m, dtype=torch.float32)
    described = lambda v: _numbers(v) if isinstance(v, (torch.Tensor, np.ndarray)) else None
    np_product, torch_product = sub.matmul_numpy(a, b), sub.matmul_torch(t(a), t(b))
    dot = sub.flat_dot(t(a), t(c))
    return {"numpy": described(np_product), "numpy_type": _kind(np_product),
            "torch": described(torch_product), "torch_type": _kind(torch_product),
            "dot": _number(dot), "dot_type": _kind(dot)}
