# leaf() passes the values straight to torch.tensor(..., requires_grad=True): fine for floats,
# but integers [1, 3] make an int64 tensor, and torch refuses to track its gradient.
# expect-fail: test_integer_inputs_become_float, test_gradient_of_random_functions, test_norms_of_random_vectors
# expect-pass: test_gradient_of_x2_plus_y2_at_1_3, test_norm_of_1_3, test_products_of_notes_matrix, test_gradient_at_random_points, test_gradient_does_not_accumulate
# expect-text: raised RuntimeError, convert
# expect-next-step: Only Tensors of floating point
import warnings

import numpy as np
import torch


def leaf(values):
    with warnings.catch_warnings():  # torch.tensor(a_tensor) warns; it still copies
        warnings.simplefilter("ignore")
        return torch.tensor(values, requires_grad=True)


def gradient(f, point):
    x = leaf(point)
    value = f(x)
    value.backward()
    return value.item(), x.grad.tolist()


def grad_norm(v):
    return gradient(lambda x: x.norm(), v)


def grad_norm_squared(v):
    return gradient(lambda x: x.norm() * x.norm(), v)


def matmul_numpy(a, b):
    return np.matmul(a, b)


def matmul_torch(a, b):
    return torch.mm(a, b)


def flat_dot(a, b):
    return torch.dot(a.flatten(), b.flatten()).item()
