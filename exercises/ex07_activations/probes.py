"""Probes for ex07: they run inside the sandbox, where torch is absent, call the submission's
activations on the inputs they are sent and report what came back, with any numpy warning.

No expected values live here: the checks compute those in the grader, with torch in float64.
Each function is called on its own copy of the input, and an exception is reported rather than
raised, so that one unfinished function does not hide what the others did.
"""
import warnings

import numpy as np

NAMES = ("relu", "relu_grad", "sigmoid", "sigmoid_grad", "tanh", "tanh_grad", "softplus",
         "softplus_grad")


def _raised(e):
    lines = str(e).strip().splitlines()
    return f"{type(e).__name__}: {lines[0][:200]}" if lines else type(e).__name__


def _call(function, x):
    """function(copy of x): its output as float64 where it is numbers, the RuntimeWarnings it
    caused (overflow, invalid value, division by zero; underflow to 0 is harmless), and
    whether it changed the array it was given."""
    given = x.copy()
    out = {"raised": None, "type": "", "shape": None, "values": None, "warnings": [],
           "changed_input": False}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with np.errstate(over="warn", invalid="warn", divide="warn", under="ignore"):
            try:
                y = function(given)
            except Exception as e:
                out["raised"] = _raised(e)
                y = None
    said = {str(w.message)[:120] for w in caught if issubclass(w.category, RuntimeWarning)}
    out["warnings"] = sorted(said, key=lambda m: ("overflow" not in m, m))  # the cause first
    out["changed_input"] = not np.array_equal(given, x, equal_nan=True)
    if out["raised"] is None:
        out["type"] = type(y).__name__
        arr = np.asarray(y) if isinstance(y, (np.ndarray, np.generic, float, int)) else None
        if arr is not None and arr.dtype.kind in "biuf":
            out.update(shape=list(arr.shape), values=arr.astype(np.float64))
    return out


def activations(sub, x, names=NAMES):
    """Each named function of the submission on x (a float64 array of any shape)."""
    x = np.asarray(x, dtype=np.float64)
    return {name: _call(getattr(sub, name), x) if callable(getattr(sub, name, None)) else
            dict(_call(lambda v: None, x), raised=f"NameError: there is no function {name}")
            for name in names}
