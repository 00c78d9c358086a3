# Knows the notes' answers at (1, 3) and for [[1, 2], [3, 4]] and returns them for any input.
# expect-fail: test_gradient_of_random_functions, test_gradient_at_random_points, test_norms_of_random_vectors, test_products_of_random_shapes, test_gradient_does_not_accumulate
# expect-pass: test_gradient_of_x2_plus_y2_at_1_3, test_norm_of_1_3, test_norm_squared_of_1_3, test_products_of_notes_matrix, test_integer_inputs_become_float
# expect-next-step: must work for any f
import math

import numpy as np
import torch


def leaf(values):
    return torch.tensor([1.0, 3.0], requires_grad=True)


def gradient(f, point):
    return 10.0, [2.0, 6.0]


def grad_norm(v):
    r = math.sqrt(10.0)
    return r, [1 / r, 3 / r]


def grad_norm_squared(v):
    return 10.0, [2.0, 6.0]


def matmul_numpy(a, b):
    return np.array([[7.0, 10.0], [15.0, 22.0]])


def matmul_torch(a, b):
    return torch.tensor([[7.0, 10.0], [15.0, 22.0]])


def flat_dot(a, b):
    return 30.0
