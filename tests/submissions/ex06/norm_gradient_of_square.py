# grad_norm returns the gradient of |v|^2 (2 v, autograd2.py's) instead of that of |v| (v / |v|).
# expect-fail: test_norm_of_1_3, test_norms_of_random_vectors
# expect-pass: test_norm_squared_of_1_3, test_gradient_of_x2_plus_y2_at_1_3, test_gradient_of_random_functions
# expect-text: x.norm() itself
# expect-next-step: x.norm() itself
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
    value, _ = gradient(lambda x: x.norm(), v)
    return value, gradient(lambda x: x.norm() * x.norm(), v)[1]


def grad_norm_squared(v):
    return gradient(lambda x: x.norm() * x.norm(), v)


def matmul_numpy(a, b):
    return np.matmul(a, b)


def matmul_torch(a, b):
    return torch.mm(a, b)


def flat_dot(a, b):
    return torch.dot(a.flatten(), b.flatten()).item()
