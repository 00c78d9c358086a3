"""Hidden checks for ex06: random functions, points, vectors and shapes a student has not seen.
Expected gradients come from torch.autograd in float64, here in the grader."""
import numpy as np
import torch

from grader.grading.checks import fail, fmt, sibling

# Shared with the public checks.
public = sibling(__file__, "test_public")


def function(kind, p):
    """The probe's families of functions, written again here, in float64."""
    c = lambda name: torch.as_tensor(np.asarray(p[name]), dtype=torch.float64)
    if kind == "quadratic":
        return lambda v: v @ (c("A") @ v) + c("b") @ v
    if kind == "waves":
        return lambda v: (c("w") * torch.sin(v)).sum() + (c("u") * v ** 3).sum()
    return lambda v: torch.exp(-((v - c("m")) ** 2).sum() / c("s")) + torch.log(1 + v * v).sum()


def value_and_gradient(f, point):
    x = torch.tensor(np.asarray(point, dtype=np.float64), requires_grad=True)
    y = f(x)
    y.backward()
    return float(y), x.grad.numpy()


def random_params(kind, n, rng):
    if kind == "quadratic":
        return {"A": rng.uniform(-2, 2, (n, n)).tolist(), "b": rng.uniform(-2, 2, n).tolist()}
    if kind == "waves":
        return {"w": rng.uniform(-3, 3, n).tolist(), "u": rng.uniform(-0.5, 0.5, n).tolist()}
    return {"m": rng.uniform(-1, 1, n).tolist(), "s": float(rng.uniform(1, 4))}


def test_gradient_of_random_functions(student, rng, exercise):
    """gradient(f, point) matches torch.autograd for random functions at random points"""
    for kind, integers in (("quadratic", False), ("waves", False), ("bump", True)):
        n = int(rng.integers(2, 7))
        params = random_params(kind, n, rng)
        point = rng.integers(-3, 4, n) if integers else rng.uniform(-2, 2, n)
        value, grad = value_and_gradient(function(kind, params), point)
        run = student.probe("random_function_gradient", kind, params, point.tolist(),
                            integers=integers)
        shown = [int(v) for v in point] if integers else [round(float(v), 3) for v in point]
        public.judge_pair(run, f"gradient(f, {shown}) for a {kind} f of {n} variables",
                          value, grad, exercise)


def test_gradient_at_random_points(student, rng, exercise):
    """gradient(f, point) for f = x*x + y*y at random points gives (x^2 + y^2, [2x, 2y])"""
    for _ in range(3):
        x, y = (float(v) for v in rng.uniform(-5, 5, 2).round(3))
        run = student.probe("sum_of_squares_gradient", [x, y])
        public.judge_pair(run, f"gradient(x*x + y*y, [{fmt(x)}, {fmt(y)}])", x * x + y * y,
                          [2 * x, 2 * y], exercise)


def test_norms_of_random_vectors(student, rng, exercise):
    """grad_norm and grad_norm_squared are right for random vectors, integer ones included"""
    for integers in (False, True):
        n = int(rng.integers(2, 8))
        v = rng.integers(1, 6, n) * rng.choice([-1, 1], n) if integers else rng.uniform(-4, 4, n)
        r = float(np.linalg.norm(v))
        shown = [int(x) for x in v] if integers else [round(float(x), 3) for x in v]
        for function, value, grad in (("grad_norm", r, v / r),
                                      ("grad_norm_squared", r * r, 2.0 * v)):
            run = student.probe("norm_gradient", function, v.tolist(), integers=integers)
            public.judge_pair(run, f"{function}({shown})", value, grad, exercise)


def test_products_of_random_shapes(student, rng):
    """matmul_numpy, matmul_torch and flat_dot are right for random non-square matrices"""
    n, k, m = (int(v) for v in rng.permutation(np.arange(2, 7))[:3])
    a, b, c = rng.uniform(-3, 3, (n, k)), rng.uniform(-3, 3, (k, m)), rng.uniform(-3, 3, (n, k))
    run = student.probe("products", a.tolist(), b.tolist(), c.tolist())
    public.judge_products(run, a, b, c)


def test_gradient_does_not_accumulate(student, rng):
    """gradient(f, p) twice on one tensor p gives the same answer and leaves p.grad alone"""
    x, y = (float(v) for v in rng.uniform(-5, 5, 2).round(3))
    run = student.probe("gradient_twice", [x, y])
    want = np.array([2 * x, 2 * y])
    for which in ("first", "second"):
        got = run[which]["grad"]
        if got is None or got.shape != (2,) or not np.allclose(got, want, rtol=1e-4, atol=1e-4):
            seen = "no list of 2 numbers" if got is None or got.shape != (2,) else \
                f"[{fmt(got[0])}, {fmt(got[1])}]"
            fail(f"the {which} call of gradient(x*x + y*y, p) with the same tensor p = "
                 f"[{fmt(x)}, {fmt(y)}] gave {seen}; expected [{fmt(want[0])}, {fmt(want[1])}]"
                 + (" again: .grad adds up across backward() calls, so work on a fresh copy"
                    if which == "second" else ""))
    if run["caller_grad"] is not None:
        fail(f"after gradient(f, p), the caller's tensor p has p.grad = "
             f"{np.round(run['caller_grad'], 4).tolist()}; expected None: work on a copy "
             f"(leaf(p)), do not call backward() through the caller's tensor")
