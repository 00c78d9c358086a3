# ATTACK (ex07): numpy.asarray replaced at import by one that returns what the probes expect to
# compare (an array of the right shape, all zeros), with activations that are all wrong.
# VERDICT: load_error, 0 points: "your code replaced numpy.asarray".
import numpy as np

_real = np.asarray
np.asarray = lambda a, *args, **kwargs: np.zeros(_real(a).shape)


def relu(x):
    return x


def relu_derivative(x):
    return x


sigmoid = sigmoid_derivative = tanh = tanh_derivative = softplus = softplus_derivative = relu
