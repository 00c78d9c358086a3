# flat_dot copies the notes' tensor.dot(tensor) as it is; today's torch refuses dot on 2-d tensors.
# expect-fail: test_products_of_notes_matrix, test_products_of_random_shapes
# expect-pass: test_gradient_of_x2_plus_y2_at_1_3, test_norm_of_1_3, test_integer_inputs_become_float
# expect-text: 1D tensors expected, flatten
# expect-next-step: 1D tensors expected
import numpy as np
import torch


def leaf(values):
    t = torch.as_tensor(values).detach().clone()
    if not t.is_floating_point():
        t = t.float()
    return t.requires_grad_(True)


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
    return a.dot(b).item()
