# leaf() hands back the caller's tensor when it already is a float tensor that requires grad,
# and nobody resets .grad: the second gradient(f, p) returns the sum of both gradients.
# expect-fail: test_gradient_does_not_accumulate
# expect-pass: test_gradient_of_x2_plus_y2_at_1_3, test_integer_inputs_become_float, test_gradient_of_random_functions, test_gradient_at_random_points, test_norms_of_random_vectors
# expect-text: adds up
# expect-next-step: must return a new tensor
import numpy as np
import torch


def leaf(values):
    t = torch.as_tensor(values)
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
    return torch.dot(a.flatten(), b.flatten()).item()
