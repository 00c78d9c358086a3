"""Public checks for ex07: the notes' picture, the four activations on 200 points in [-5, 5].

The true values come from torch in float64, here in the grader (the submission may not import
torch). `truth`, `judge` and `plot` are shared with test_hidden.py.
"""
import numpy as np
import torch
import torch.nn.functional as F

from grader.grading.checks import fail, fmt

ACTIVATIONS = ("relu", "sigmoid", "tanh", "softplus")
DERIVATIVES = tuple(f"{name}_grad" for name in ACTIVATIONS)
TORCH = {"relu": F.relu, "sigmoid": torch.sigmoid, "tanh": torch.tanh, "softplus": F.softplus}


def truth(name, x):
    """torch's value of `name` at x, or for `name_grad` the derivative from autograd."""
    function = TORCH[name.removesuffix("_grad")]
    t = torch.tensor(np.asarray(x, dtype=np.float64), requires_grad=True)
    y = function(t)
    if not name.endswith("_grad"):
        return y.detach().numpy()
    y.sum().backward()   # each y_i depends on x_i alone: x.grad is the derivative elementwise
    return t.grad.numpy()


def where(x, i):
    return f"x = {fmt(float(x.flat[i]))}"


def judge(run, names, x, exercise, warnings_too=False):
    """Every function in `names` returned an array shaped like x, equal to torch's within
    value_atol + value_rtol * |expected|; with warnings_too, also without a numpy warning."""
    atol, rtol = exercise.thresholds["value_atol"], exercise.thresholds["value_rtol"]
    for name in names:
        out = run[name]
        if out["raised"]:
            fail(f"{name} raised {out['raised']}")
        if out["values"] is None:
            fail(f"{name} returned {out['type']}; expected a numpy array of numbers")
        got = np.asarray(out["values"], dtype=np.float64)
        if got.shape != x.shape:
            fail(f"{name}(x) has shape {got.shape} for x of shape {x.shape}; expected the same "
                 f"shape as x")
        want = truth(name, x)
        off = ~np.isfinite(got) | (np.abs(got - want) > atol + rtol * np.abs(want))
        if off.any():
            i = int(np.argmax(np.where(np.isfinite(got), np.abs(got - want), np.inf).ravel()))
            fail(f"{name} at {where(x, i)} is {fmt(float(got.flat[i]))}; expected "
                 f"{fmt(float(want.flat[i]))} ({int(off.sum())} of {x.size} values off)")
        if warnings_too and out["warnings"]:
            fail(f"{name} on x from {fmt(float(x.min()))} to {fmt(float(x.max()))} made numpy "
                 f"warn '{out['warnings'][0]}'; expected no overflow: let exp see only "
                 f"numbers <= 0, e.g. np.exp(-np.abs(x))")


def plot(report, run, names, x, what):
    """One figure per function: the student's curve drawn over torch's."""
    order = np.argsort(x.ravel())
    xs = x.ravel()[order].tolist()
    for name in names:
        series = {"torch": {"x": xs, "y": truth(name, x).ravel()[order].tolist()}}
        if run[name]["values"] is not None and np.size(run[name]["values"]) == x.size:
            series["yours"] = {"x": xs, "y": np.ravel(run[name]["values"])[order].tolist()}
        report.plot(f"{name} {what}", series, xlabel="x", ylabel=name)


def notes_grid():
    return np.linspace(-5, 5, 200)


def test_activations_on_notes_grid(student, exercise, report):
    """relu, sigmoid, tanh and softplus equal torch's on the notes' 200 points in [-5, 5]"""
    x = notes_grid()
    run = student.probe("activations", x, ACTIVATIONS)
    plot(report, run, ACTIVATIONS, x, "on [-5, 5]")
    judge(run, ACTIVATIONS, x, exercise)


def test_derivatives_on_notes_grid(student, exercise, report):
    """relu_grad, sigmoid_grad, tanh_grad and softplus_grad equal torch.autograd's on [-5, 5]"""
    x = notes_grid()
    run = student.probe("activations", x, DERIVATIVES)
    plot(report, run, DERIVATIVES, x, "on [-5, 5]")
    judge(run, DERIVATIVES, x, exercise)


def test_shape_kept_and_input_untouched(student):
    """All eight take a 3 x 4 array, return a 3 x 4 array and leave the input unchanged"""
    x = np.linspace(-3, 3, 12).reshape(3, 4)
    run = student.probe("activations", x)
    for name in ACTIVATIONS + DERIVATIVES:
        out = run[name]
        if out["raised"]:
            fail(f"{name} of a 3 x 4 array raised {out['raised']}")
        if out["shape"] != [3, 4]:
            seen = f"shape {tuple(out['shape'])}" if out["shape"] is not None else out["type"]
            fail(f"{name} of a 3 x 4 array returned {seen}; expected an array of shape (3, 4)")
        if out["changed_input"]:
            fail(f"{name}(x) changed the array x it was given; expected x untouched: build a "
                 f"new array (np.maximum(x, 0)) rather than writing into x (x[x < 0] = 0)")
