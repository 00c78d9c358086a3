# gradient() prints its answer instead of returning it, as a notebook cell shows a value: the
# function returns None, and the student must read that gradient() returned None and why.
# expect-fail: test_gradient_of_x2_plus_y2_at_1_3, test_norm_of_1_3, test_norm_squared_of_1_3
# expect-pass: test_products_of_notes_matrix
# expect-next-step: returned None
# expect-next-step: without a `return`
import numpy as np
import torch


def leaf(values):
    t = torch.as_tensor(values).detach().clone()
    if not t.is_floating_point():
        t = t.to(torch.get_default_dtype())
    return t.requires_grad_(True)


def gradient(f, point):
    x = leaf(point)
    value = f(x)
    value.backward()
    print(value.item(), x.grad.tolist())


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
