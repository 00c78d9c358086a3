# Trains correctly but returns the parameters themselves (tensors), not Python floats.
# expect-fail: test_fits_return_four_floats
# expect-pass: test_torch_fits_notes_cubic, test_torch_fits_random_cubic, test_numpy_fits_notes_cubic
# expect-text: Parameter
# expect-next-step: 4 Python floats
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


def fit_torch(x, y, steps=3000):
    model = Polynomial3().to(x.device)
    optimizer = torch.optim.Adam(model.parameters(), lr=0.05)
    for _ in range(steps):
        loss = torch.mean((model(x) - y) ** 2)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return (model.a, model.b, model.c, model.d)
