# ATTACK (ex07): inspect.stack() from an activation: every frame of the grader above it, with
# its locals.
# VERDICT: graded, 0 points; stopped ("reached for the grader's own frames").
import inspect

import numpy as np


def relu(x):
    for info in inspect.stack():
        print("LEAKED", info.function, sorted(info.frame.f_locals)[:10])
    return np.maximum(x, 0)


relu_derivative = sigmoid = sigmoid_derivative = tanh = tanh_derivative = relu
softplus = softplus_derivative = relu
