"""Exercise ex07: the activation functions relu, sigmoid, tanh, softplus and their derivatives.

Morvan's notebook plots torch's F.relu, F.sigmoid, F.tanh and F.softplus on [-5, 5]. Here you
write them yourself, with numpy alone (torch may not be imported), together with the
derivative of each: the number backward() multiplies by when it passes through the function.
Every function takes a numpy float array of any shape and returns an array of the same shape;
none may change the array it is given. Run `grade ex07` in this folder to check your work.

They must hold for any float, x = -1000 and x = 1000 included, without inf, nan or a numpy
warning such as "overflow encountered in exp": np.exp(1000) is inf. Arrange the formulas so
that exp only ever sees numbers <= 0, e.g. z = np.exp(-np.abs(x)), which lies in (0, 1].
np.where(c, a, b) computes BOTH a and b for every element before it chooses, so it does not
keep an overflowing branch from running.
"""
import numpy as np


def relu(x):
    """relu(x) = max(x, 0), element by element (np.maximum)."""
    raise NotImplementedError("write relu: see the docstring")


def relu_grad(x):
    """The derivative of relu: 1 where x > 0, 0 where x < 0 (at x = 0 either is accepted;
    torch uses 0)."""
    raise NotImplementedError("write relu_grad: see the docstring")


def sigmoid(x):
    """sigmoid(x) = 1 / (1 + e^-x), in (0, 1). For x < 0, e^-x overflows: there write the same
    number as e^x / (1 + e^x)."""
    raise NotImplementedError("write sigmoid: see the docstring")


def sigmoid_grad(x):
    """The derivative of sigmoid: sigmoid(x) * (1 - sigmoid(x)), at most 1/4 (at x = 0)."""
    raise NotImplementedError("write sigmoid_grad: see the docstring")


def tanh(x):
    """tanh(x) = (e^x - e^-x) / (e^x + e^-x), in (-1, 1). np.tanh computes it safely; the
    formula as written gives inf / inf = nan for x = 1000."""
    raise NotImplementedError("write tanh: see the docstring")


def tanh_grad(x):
    """The derivative of tanh: 1 - tanh(x)^2, 1 at x = 0 and near 0 far from it."""
    raise NotImplementedError("write tanh_grad: see the docstring")


def softplus(x):
    """softplus(x) = log(1 + e^x), a smooth relu: about x for large x, about 0 for very
    negative x. log(1 + e^x) = max(x, 0) + log(1 + e^-|x|) never overflows; np.log1p(z)
    computes log(1 + z) accurately for small z."""
    raise NotImplementedError("write softplus: see the docstring")


def softplus_grad(x):
    """The derivative of softplus: e^x / (1 + e^x), which is sigmoid(x)."""
    raise NotImplementedError("write softplus_grad: see the docstring")


if __name__ == "__main__":
    x = np.linspace(-5, 5, 200)
    for f in (relu, sigmoid, tanh, softplus):
        print(f"{f.__name__}(-5, 0, 5) =", f(np.array([-5.0, 0.0, 5.0])))
    print("sigmoid(-1000, 1000) =", sigmoid(np.array([-1000.0, 1000.0])))    # [0, 1]
    print("softplus(-1000, 1000) =", softplus(np.array([-1000.0, 1000.0])))  # [0, 1000]
    try:  # the notes' 2 x 2 figure, where matplotlib is installed
        import matplotlib.pyplot as plt
    except ImportError:
        plt = None
    if plt is not None:
        plt.figure(1, figsize=(8, 6))
        for i, (f, df) in enumerate(((relu, relu_grad), (sigmoid, sigmoid_grad),
                                     (tanh, tanh_grad), (softplus, softplus_grad))):
            plt.subplot(221 + i)
            plt.plot(x, f(x), c="red", label=f.__name__)
            plt.plot(x, df(x), c="blue", ls="--", label=df.__name__)
            plt.legend(loc="best")
        plt.show()
