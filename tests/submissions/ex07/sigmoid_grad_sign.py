# sigmoid_grad has its sign flipped: s (s - 1) instead of s (1 - s), negative everywhere.
# expect-fail: test_derivatives_on_notes_grid, test_derivatives_on_random_inputs
# expect-pass: test_activations_on_notes_grid, test_activations_on_random_inputs, test_activations_for_large_inputs, test_shape_kept_and_input_untouched
# expect-text: sigmoid_grad at, Mind the signs
# expect-next-step: Mind the signs
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
    return s * (s - 1.0)


def tanh(x):
    return np.tanh(x)


def tanh_grad(x):
    return 1.0 - np.tanh(x) ** 2


def softplus(x):
    # log(1 + e^x) = max(x, 0) + log(1 + e^-|x|)
    return np.maximum(x, 0.0) + np.log1p(np.exp(-np.abs(x)))


def softplus_grad(x):
    return sigmoid(x)
