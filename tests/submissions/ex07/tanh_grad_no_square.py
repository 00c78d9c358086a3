# tanh_grad forgets the square: 1 - tanh(x) instead of 1 - tanh(x)^2.
# expect-fail: test_derivatives_on_notes_grid, test_derivatives_on_random_inputs, test_derivatives_for_large_inputs
# expect-pass: test_activations_on_notes_grid, test_activations_on_random_inputs, test_activations_for_large_inputs
# expect-text: tanh_grad at
# expect-next-step: 1 - tanh^2
import numpy as np


def relu(x):
    return np.maximum(x, 0.0)


def relu_grad(x):
    return np.where(x > 0, 1.0, 0.0)


def sigmoid(x):
    z = np.exp(-np.abs(x))              # in (0, 1]: cannot overflow
    return np.where(x >= 0, 1.0 / (1.0 + z), z / (1.0 + z))


def sigmoid_grad(x):
    s = sigmoid(x)
    return s * (1.0 - s)


def tanh(x):
    return np.tanh(x)


def tanh_grad(x):
    return 1.0 - np.tanh(x)


def softplus(x):
    # log(1 + e^x) = max(x, 0) + log(1 + e^-|x|)
    return np.maximum(x, 0.0) + np.log1p(np.exp(-np.abs(x)))


def softplus_grad(x):
    return sigmoid(x)
