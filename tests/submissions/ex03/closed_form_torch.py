# fit_torch solves the least-squares problem in closed form with torch.linalg.lstsq: the right
# numbers, but no autograd and no optimizer, which is what the exercise is about.
# expect-fail: test_fit_torch_trains_with_autograd
# expect-pass: test_torch_fits_notes_cubic, test_torch_fits_random_cubic, test_fits_return_four_floats
# expect-text: backward()
# expect-next-step: never steps a torch.optim optimizer
import numpy as np
import torch


def fit_numpy(x, y, steps=10000, lr=0.2):
    s = float(np.abs(x).max())
    t = x / s
    powers = np.stack([np.ones_like(t), t, t ** 2, t ** 3])
    w = np.zeros(4)
    for _ in range(steps):
        w -= lr * 2 * (powers @ (w @ powers - y)) / len(y)
    return tuple(float(v) for v in w / s ** np.arange(4))


class Polynomial3(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.a = torch.nn.Parameter(torch.randn(()))
        self.b = torch.nn.Parameter(torch.randn(()))
        self.c = torch.nn.Parameter(torch.randn(()))
        self.d = torch.nn.Parameter(torch.randn(()))

    def forward(self, x):
        return self.a + self.b * x + self.c * x ** 2 + self.d * x ** 3


def fit_torch(x, y):
    powers = torch.stack([torch.ones_like(x), x, x ** 2, x ** 3], dim=1).double()
    w = torch.linalg.lstsq(powers, y.double().unsqueeze(1)).solution.squeeze(1)
    return tuple(float(v) for v in w)
