# Takes the residual the wrong way round (y - p), so every step climbs the loss and diverges.
# expect-fail: test_numpy_fits_notes_cubic, test_numpy_fits_random_cubic
# expect-pass: test_torch_fits_notes_cubic, test_torch_fits_random_cubic, test_fits_return_four_floats
# expect-text: with respect to a is mean(2 (p - y))
# expect-next-step: p - y (not y - p)
import numpy as np
import torch


def fit_numpy(x, y, steps=10000, lr=0.005):
    a = b = c = d = 0.0
    with np.errstate(all="ignore"):
        for _ in range(steps):
            p = a + b * x + c * x ** 2 + d * x ** 3
            e = 2 * (y - p)
            a -= lr * e.mean()
            b -= lr * (e * x).mean()
            c -= lr * (e * x ** 2).mean()
            d -= lr * (e * x ** 3).mean()
    return (float(a), float(b), float(c), float(d))


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
    return tuple(p.item() for p in (model.a, model.b, model.c, model.d))
