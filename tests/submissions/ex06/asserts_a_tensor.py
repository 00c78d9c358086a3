# gradient() asserts that its point is already a tensor, as a student's own sanity check: the
# checks pass a list of numbers, as the task allows, and the student's assert rejects it. They
# must read that their assert rejected a list, not only "AssertionError (line N)".
# expect-fail: test_gradient_of_x2_plus_y2_at_1_3, test_norm_of_1_3, test_norm_squared_of_1_3, test_integer_inputs_become_float
# expect-pass: test_products_of_notes_matrix
# expect-next-step: Your own assert
# expect-next-step: a list of 2 floats
import numpy as np
import torch


def leaf(values):
    t = torch.as_tensor(values).detach().clone()
    if not t.is_floating_point():
        t = t.to(torch.get_default_dtype())
    return t.requires_grad_(True)


def gradient(f, point):
    assert isinstance(point, torch.Tensor), "point must be a tensor"
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
