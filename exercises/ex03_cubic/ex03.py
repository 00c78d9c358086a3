"""Exercise ex03: fit the cubic y = a + b x + c x^2 + d x^3, by hand with numpy and with torch.

The course's regression1train.py and torchRegression6custom.py fit y = 0 + 1x + 2x^2 + 3x^3 on
2000 points in [-pi, pi]. Write the three pieces below, then run `grade ex03` in this folder.
"""
import math

import numpy as np
import torch


def fit_numpy(x, y):
    """Fit y ~ a + b x + c x^2 + d x^3 with numpy alone and return (a, b, c, d), 4 floats.

    x, y: 1-d numpy float64 arrays of the same length (any range, any number of points).
    Minimise the mean squared error L = mean((p - y)^2), p = a + b x + c x^2 + d x^3, by
    gradient descent with gradients you work out by hand:
        dL/da = mean(2 (p - y)),     dL/db = mean(2 (p - y) x),
        dL/dc = mean(2 (p - y) x^2), dL/dd = mean(2 (p - y) x^3),
    and step against them (a -= lr * dL/da, ...). No torch here.
    Tip: with x up to pi, x^3 is up to 31, so the learning rate must be small (about 0.005)
    and you need many steps (about 10000). Dividing x by s = max|x| first lets you use a much
    larger rate; the coefficients for the original x are then a, b / s, c / s^2, d / s^3.
    """
    raise NotImplementedError("write fit_numpy: see the docstring")


class Polynomial3(torch.nn.Module):
    """The cubic a + b x + c x^2 + d x^3 as a torch module, as in torchRegression6custom.py."""

    def __init__(self):
        """Register four scalar parameters named a, b, c, d, randomly initialised:
        self.a = torch.nn.Parameter(torch.randn(())), and so on. Only torch.nn.Parameter
        attributes show up in model.parameters() and model.state_dict()."""
        super().__init__()
        raise NotImplementedError("write Polynomial3.__init__: see the docstring")

    def forward(self, x):
        """Return a + b x + c x^2 + d x^3 for every element of the tensor x (same shape as x)."""
        raise NotImplementedError("write Polynomial3.forward: see the docstring")


def fit_torch(x, y):
    """Fit the cubic with torch.autograd and a torch.optim optimizer; return (a, b, c, d).

    x, y: 1-d float32 tensors of the same length. They may live on a GPU when the grader has
    one: build the model on the same device (Polynomial3().to(x.device)).
    Each step: loss = mean((model(x) - y)^2), optimizer.zero_grad(), loss.backward(),
    optimizer.step(). torch.optim.RMSprop(model.parameters(), lr=1e-3) for 10000 steps, as in
    regression1train.py, works; torchRegression6custom.py's SGD(lr=1e-6) on the summed loss
    for 2000 steps does not always get a within 0.05 (it depends on the random start). Return 4 Python floats: float(t) or t.item() turns a
    one-element tensor into one.
    """
    raise NotImplementedError("write fit_torch: see the docstring")


if __name__ == "__main__":
    xs = np.linspace(-math.pi, math.pi, 2000)
    ys = 0 + 1 * xs + 2 * xs ** 2 + 3 * xs ** 3
    print("numpy:", fit_numpy(xs, ys))
    print("torch:", fit_torch(torch.tensor(xs, dtype=torch.float32),
                             torch.tensor(ys, dtype=torch.float32)))
    model = Polynomial3()
    print("parameters:", [name for name, _ in model.named_parameters()])
