# Imports torch to borrow torch.sigmoid and F.softplus: this exercise is about writing them.
# expect-fail: test_activations_on_notes_grid, test_derivatives_on_notes_grid, test_shape_kept_and_input_untouched
# expect-text: torch
# expect-next-step: imports torch, which ex07 forbids
import numpy as np
import torch


def relu(x):
    return torch.relu(torch.from_numpy(x)).numpy()


def relu_grad(x):
    return (x > 0).astype(float)


def sigmoid(x):
    return torch.sigmoid(torch.from_numpy(x)).numpy()


def sigmoid_grad(x):
    s = sigmoid(x)
    return s * (1 - s)


def tanh(x):
    return np.tanh(x)


def tanh_grad(x):
    return 1 - np.tanh(x) ** 2


def softplus(x):
    return torch.nn.functional.softplus(torch.from_numpy(x)).numpy()


def softplus_grad(x):
    return sigmoid(x)
