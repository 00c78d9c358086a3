"""Public checks for ex03: the notes' cubic y = 0 + 1x + 2x^2 + 3x^3 on 2000 points in [-pi, pi].

`judge_fit`, `cubic` and the causes (grader.grading.checks.cause: ex03's usual mistakes, recognised
in what a fit returned) are shared with test_hidden.py.
"""
import math

import numpy as np

from grader.grading.checks import as_array, as_floats, cause, diagnosed, expect_close, fail, fmt

NAMES = ("a", "b", "c", "d")
NOTES_COEFS = (0.0, 1.0, 2.0, 3.0)
PLOT_POINTS = 200


def cubic(coefs, x):
    a, b, c, d = coefs
    return a + b * x + c * x ** 2 + d * x ** 3


def notes_data(n=2000):
    x = np.linspace(-math.pi, math.pi, n)
    return x, cubic(NOTES_COEFS, x)


def returned(run):
    """What a fit returned, in words: `a tuple of 4 items (Tensor, Tensor, Tensor, Tensor)`."""
    if not run["types"]:
        return f"a {run['container']}"
    return f"a {run['container']} of {len(run['types'])} items ({', '.join(run['types'])})"


@cause("Return (a, b, c, d) in that order, lowest power first, for a + b x + c x^2 + d x^3: "
       "yours come highest power first (d, c, b, a), as np.polyfit gives them.")
def highest_power_first(fit):
    return np.allclose(np.asarray(fit["coefs"], float)[::-1], fit["expected"], atol=fit["tol"])


@cause("Your fits return the notes' answer (0, 1, 2, 3) whatever the data: learn a, b, c, d "
       "from the x and y you are given.")
def returns_notes_answer(fit):
    return np.allclose(fit["coefs"], NOTES_COEFS) and not np.allclose(fit["expected"],
                                                                      NOTES_COEFS, atol=0.1)


@cause("Your gradient steps climb the loss: with p = a + b x + c x^2 + d x^3, the residual is "
       "p - y (not y - p), the gradient with respect to a is mean(2 (p - y)), and each step goes "
       "against it (a -= lr * grad_a).")
def descent_climbs(fit):
    coefs = np.asarray(fit["coefs"], dtype=float)
    if not np.isfinite(coefs).all():
        return True
    with np.errstate(all="ignore"):
        mse = float(np.mean((cubic(coefs, fit["x"]) - fit["y"]) ** 2))
    return not mse < float(np.mean(fit["y"] ** 2))  # worse than a = b = c = d = 0


FIT_CAUSES = (highest_power_first, returns_notes_answer, descent_climbs)


@cause("Polynomial3.forward(x) is not the cubic: return self.a + self.b * x + self.c * x ** 2 "
       "+ self.d * x ** 3 (every term, with the model's own parameters).")
def forward_not_cubic(_):
    return True


@cause("fit_torch and fit_numpy must return 4 Python floats: a tensor (or a Parameter) is not "
       "one; float(t) or t.item() turns it into one.")
def returns_tensors(run):
    return any(t in ("Tensor", "Parameter") for t in run["types"])


def judge_fit(run, function, x, y, expected, exercise, report, title):
    """Each coefficient within coef_tol of `expected`, then a mean squared error on (x, y) at
    most loss_tol above the least-squares cubic's. The fit is drawn over the data first."""
    if run["values"] is None:
        fail(f"{function} returned {returned(run)}; expected 4 numbers (a, b, c, d)")
    seen = {"coefs": run["values"], "expected": np.asarray(expected, float),
            "x": x, "y": y, "tol": exercise.thresholds["coef_tol"]}
    with diagnosed(seen, *FIT_CAUSES):
        coefs = as_floats(run["values"], f"what {function} returned", 4)
        _judge_coefs(coefs, function, x, y, expected, exercise, report, title)


def _judge_coefs(coefs, function, x, y, expected, exercise, report, title):
    keep = np.linspace(0, len(x) - 1, min(len(x), PLOT_POINTS)).astype(int)
    grid = np.linspace(float(x.min()), float(x.max()), PLOT_POINTS)
    with np.errstate(all="ignore"):  # a diverged fit overflows; the plot drops what is not finite
        curve = cubic(coefs, grid)
    report.plot(title, {"data": {"x": x[keep].tolist(), "y": y[keep].tolist()},
                        "fit": {"x": grid.tolist(), "y": curve.tolist()}},
                kind="scatter+line", xlabel="x", ylabel="y")
    for name, got, want in zip(NAMES, coefs, expected):
        expect_close(name, got, float(want), tol=exercise.thresholds["coef_tol"],
                     after=f"from {function}")
    powers = np.vander(x, 4, increasing=True)
    best = np.linalg.lstsq(powers, y, rcond=None)[0]
    mse = float(np.mean((powers @ np.asarray(coefs) - y) ** 2))
    best_mse = float(np.mean((powers @ best - y) ** 2))
    limit = best_mse + exercise.thresholds["loss_tol"]
    if not mse <= limit:
        fail(f"the mean squared error of {function}'s cubic on the data is {fmt(mse)}; the "
             f"best cubic gets {fmt(best_mse)}, so expected at most {fmt(limit)} (train longer?)")


def test_numpy_fits_notes_cubic(student, exercise, report):
    """fit_numpy finds a, b, c, d = 0, 1, 2, 3 from the notes' 2000 points"""
    x, y = notes_data()
    run = student.probe("fit", "fit_numpy", x, y)
    judge_fit(run, "fit_numpy", x, y, NOTES_COEFS, exercise, report,
              "fit_numpy on y = 0 + 1x + 2x^2 + 3x^3")


def test_torch_fits_notes_cubic(student, exercise, report):
    """fit_torch finds a, b, c, d = 0, 1, 2, 3 from the notes' 2000 points (float32 tensors)"""
    x, y = notes_data()
    run = student.probe("fit", "fit_torch", x, y)
    judge_fit(run, "fit_torch", x, y, NOTES_COEFS, exercise, report,
              "fit_torch on y = 0 + 1x + 2x^2 + 3x^3")


def test_fits_return_four_floats(student):
    """fit_numpy and fit_torch each return a tuple (or list) of 4 Python floats"""
    x, y = notes_data(200)
    for function in ("fit_numpy", "fit_torch"):
        run = student.probe("fit", function, x, y)
        if run["container"] not in ("tuple", "list") or len(run["types"]) != 4 \
                or not all(run["python_floats"]):
            fail(f"{function} returned {returned(run)}; expected 4 Python floats (a, b, c, d)",
                 returns_tensors if returns_tensors(run) else None)


def test_polynomial3_has_parameters_a_b_c_d(student):
    """Polynomial3 registers exactly four scalar parameters named a, b, c, d"""
    run = student.probe("new_polynomial3", [0.0, 1.0])
    names = sorted(p["name"] for p in run["parameters"])
    if names != list(NAMES):
        fail(f"Polynomial3().named_parameters() gives {', '.join(names) or 'no parameters'}; "
             f"expected exactly a, b, c, d")
    for p in run["parameters"]:
        if p["shape"] != []:
            fail(f"parameter {p['name']} has shape {tuple(p['shape'])}; expected a scalar, "
                 f"shape ()")
        if not p["requires_grad"]:
            fail(f"parameter {p['name']} has requires_grad=False; expected True")


def test_polynomial3_forward_is_the_cubic(student):
    """Polynomial3()(x) equals a + b x + c x^2 + d x^3 for the model's own a, b, c, d"""
    x = np.linspace(-math.pi, math.pi, 101).astype(np.float32).astype(np.float64)
    run = student.probe("new_polynomial3", x)
    missing = [n for n, v in zip(NAMES, run["values"]) if v is None]
    if missing:
        fail(f"a new Polynomial3 has no number called {', '.join(missing)}: name the "
             f"coefficients a, b, c, d")
    if run["y"] is None:
        fail(f"Polynomial3()(x) returned {run['y_type']}; expected a tensor")
    got = as_array(run["y"], "Polynomial3()(x)", x.shape)
    want = cubic(run["values"], x)
    off = ~np.isfinite(got) | (np.abs(got - want) > 1e-4 + 1e-4 * np.abs(want))
    if off.any():
        i = int(np.argmax(np.where(np.isfinite(got), np.abs(got - want), np.inf)))
        coefs = ", ".join(f"{n} = {fmt(v)}" for n, v in zip(NAMES, run["values"]))
        fail(f"Polynomial3()(x) at x = {fmt(x[i])} is {fmt(got[i])}; with its own {coefs} the "
             f"cubic is {fmt(want[i])} ({int(off.sum())} of {x.size} values off)",
             forward_not_cubic)
