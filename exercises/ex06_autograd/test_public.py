"""Public checks for ex06: the notes' examples at (1, 3) and with the matrix [[1, 2], [3, 4]].

`judge_pair` and `judge_products` are shared with test_hidden.py.
"""
import math

import numpy as np

from grader.grading.checks import expect_array_close, expect_close, fail, returned_none

NOTES_POINT = (1.0, 3.0)
NOTES_MATRIX = [[1.0, 2.0], [3.0, 4.0]]


def judge_pair(run, call, value, grad, exercise):
    """`call` returned (value, gradient) equal to the expected ones, within the tolerances."""
    if run["returned"] == "NoneType":
        fail(f"{call} returned None; expected (value, gradient): a number and a list of "
             f"{len(grad)} numbers", returned_none(call))
    if run["value"] is None or run["grad"] is None:
        fail(f"{call} returned {run['returned']}; expected (value, gradient): a number and "
             f"a list of {len(grad)} numbers")
    rtol, atol = exercise.thresholds["grad_rtol"], exercise.thresholds["grad_atol"]
    expect_close(f"the value from {call}", run["value"], value, tol=atol + rtol * abs(value))
    expect_array_close(f"the gradient from {call}: grad", run["grad"], grad, atol=atol,
                       rtol=rtol)


def matmul_of(a, b):
    return np.asarray(a, dtype=np.float64) @ np.asarray(b, dtype=np.float64)


def judge_products(run, a, b, c):
    """matmul_numpy gave an array a @ b, matmul_torch a tensor a @ b, flat_dot a number."""
    want = matmul_of(a, b)
    if run["numpy_type"] != "ndarray":
        fail(f"matmul_numpy returned {run['numpy_type']}; expected a numpy array (np.matmul)")
    expect_array_close("matmul_numpy(a, b)", run["numpy"], want, atol=1e-6)
    if not run["torch_type"].startswith("a tensor"):
        fail(f"matmul_torch returned {run['torch_type']}; expected a tensor (torch.mm)")
    expect_array_close("matmul_torch(a, b)", run["torch"], want, atol=1e-4, rtol=1e-5)
    dot = float(np.sum(np.asarray(a) * np.asarray(c)))
    if run["dot"] is None:
        fail(f"flat_dot returned {run['dot_type']}; expected one number, sum of a[i, j] * b[i, j]")
    expect_close("flat_dot(a, b)", run["dot"], dot, tol=1e-4 + 1e-5 * abs(dot),
                 after="(the dot product of the flattened matrices, not a matrix product)")


def test_gradient_of_x2_plus_y2_at_1_3(student, exercise):
    """gradient(f, [1.0, 3.0]) for f = x*x + y*y is (10, [2, 6]), as autograd0.py prints"""
    run = student.probe("sum_of_squares_gradient", list(NOTES_POINT))
    judge_pair(run, "gradient(x*x + y*y, [1.0, 3.0])", 10.0, [2.0, 6.0], exercise)


def test_norm_of_1_3(student, exercise):
    """grad_norm([1.0, 3.0]) is (sqrt(10), [1, 3] / sqrt(10)), as autograd2a.py prints"""
    run = student.probe("norm_gradient", "grad_norm", list(NOTES_POINT))
    r = math.sqrt(10.0)
    judge_pair(run, "grad_norm([1.0, 3.0])", r, [1.0 / r, 3.0 / r], exercise)


def test_norm_squared_of_1_3(student, exercise):
    """grad_norm_squared([1.0, 3.0]) gives (10, [2, 6]), as autograd2.py prints"""
    run = student.probe("norm_gradient", "grad_norm_squared", list(NOTES_POINT))
    judge_pair(run, "grad_norm_squared([1.0, 3.0])", 10.0, [2.0, 6.0], exercise)


def test_products_of_notes_matrix(student):
    """[[1, 2], [3, 4]] squared is [[7, 10], [15, 22]] (np.matmul, torch.mm); flat_dot is 30"""
    run = student.probe("products", NOTES_MATRIX, NOTES_MATRIX, NOTES_MATRIX)
    judge_products(run, NOTES_MATRIX, NOTES_MATRIX, NOTES_MATRIX)


def describe(outcome):
    """What leaf() did with integers, in words."""
    if outcome["raised"]:
        return f"raised {outcome['raised']}"
    if outcome["type"] != "Tensor":
        return f"returned {outcome['type']}, not a tensor"
    return f"returned a tensor of dtype {outcome['dtype']} with requires_grad=" \
           f"{outcome['requires_grad']}"


def test_integer_inputs_become_float(student, exercise):
    """Integers are converted, not refused: leaf([1, 3]) is a float tensor that requires grad"""
    run = student.probe("integer_inputs", [1, 3])
    for how in ("leaf of a list", "leaf of a numpy array", "leaf of a tensor"):
        out = run[how]
        if out["raised"] or out["type"] != "Tensor" or not out["floating"] \
                or not out["requires_grad"]:
            fail(f"{how.replace('leaf of', 'leaf() of')} of integers [1, 3] {describe(out)}; "
                 f"expected it to convert them: a float32 tensor [1., 3.] with "
                 f"requires_grad=True (torch cannot take the gradient of an integer tensor)")
        expect_array_close(f"leaf([1, 3]) from {how[8:]}", out["values"], [1.0, 3.0], atol=0)
    grad = run["gradient"]
    if grad["raised"]:
        fail(f"gradient(x*x + y*y, [1, 3]) with integers raised {grad['raised']}; expected it "
             f"to convert them to float and return (10.0, [2.0, 6.0])")
    judge_pair(grad, "gradient(x*x + y*y, [1, 3]) with integers", 10.0, [2.0, 6.0], exercise)
