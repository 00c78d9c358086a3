# The textbook formulas as written: sigmoid = 1 / (1 + e^-x), softplus = log(1 + e^x). Right on
# [-5, 5], but e^1000 overflows: softplus(1000) is inf and sigmoid(-1000) warns.
# expect-fail: test_activations_for_large_inputs, test_derivatives_for_large_inputs
# expect-pass: test_activations_on_notes_grid, test_derivatives_on_notes_grid, test_activations_on_random_inputs, test_derivatives_on_random_inputs, test_shape_kept_and_input_untouched
# expect-text: overflow
# expect-next-step: overflows
import numpy as np


def relu(x):
    return np.maximum(x, 0.0)


def relu_grad(x):
    return (x > 0).astype(float)


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def sigmoid_grad(x):
    return np.exp(-x) / (1.0 + np.exp(-x)) ** 2


def tanh(x):
    return np.tanh(x)


def tanh_grad(x):
    return 1.0 - np.tanh(x) ** 2


def softplus(x):
    return np.log(1.0 + np.exp(x))


def softplus_grad(x):
    return np.exp(x) / (1.0 + np.exp(x))
