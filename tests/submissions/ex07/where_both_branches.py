# A "stable" sigmoid with np.where(x >= 0, 1 / (1 + exp(-x)), exp(x) / (1 + exp(x))): the values
# are right, but np.where computes both branches, so exp overflows (and warns) for |x| > 709.
# expect-fail: test_activations_for_large_inputs, test_derivatives_for_large_inputs
# expect-pass: test_activations_on_notes_grid, test_derivatives_on_notes_grid, test_activations_on_random_inputs, test_derivatives_on_random_inputs
# expect-text: made numpy warn, both branches
# expect-next-step: np.where computes both branches
import numpy as np


def relu(x):
    return np.maximum(x, 0.0)


def relu_grad(x):
    return np.where(x > 0, 1.0, 0.0)


def sigmoid(x):
    return np.where(x >= 0, 1.0 / (1.0 + np.exp(-x)), np.exp(x) / (1.0 + np.exp(x)))


def sigmoid_grad(x):
    s = sigmoid(x)
    return s * (1.0 - s)


def tanh(x):
    return np.tanh(x)


def tanh_grad(x):
    return 1.0 - np.tanh(x) ** 2


def softplus(x):
    # log(1 + e^x) = max(x, 0) + log(1 + e^-|x|)
    return np.maximum(x, 0.0) + np.log1p(np.exp(-np.abs(x)))


def softplus_grad(x):
    return sigmoid(x)
