import numpy as np
import torch


class CubicNumpy:
    def __init__(self, lr=0.25, steps=9000):
        self.lr = lr
        self.steps = steps
        self.coef = np.zeros(4)

    def features(self, t):
        return np.column_stack((np.ones_like(t), t, t * t, t * t * t))

    def fit(self, x, y):
        m = np.abs(x).max()
        F = self.features(x / m)
        for _ in range(self.steps):
            self.coef -= self.lr * (2 / len(y)) * F.T.dot(F.dot(self.coef) - y)
        return self.coef / np.array([1, m, m ** 2, m ** 3])


def fit_numpy(x, y):
    return tuple(float(c) for c in CubicNumpy().fit(x, y))


class Polynomial3(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.a, self.b = torch.nn.Parameter(torch.randn(())), torch.nn.Parameter(torch.randn(()))
        self.c, self.d = torch.nn.Parameter(torch.randn(())), torch.nn.Parameter(torch.randn(()))

    def forward(self, x):
        powers = torch.stack([torch.ones_like(x), x, x ** 2, x ** 3])
        coefs = torch.stack([self.a, self.b, self.c, self.d])
        return (coefs[:, None] * powers.reshape(4, -1)).sum(0).reshape(x.shape)


def fit_torch(x, y):
    model = Polynomial3().to(x.device)
    optim = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    xs = x / x.abs().max()
    scale = x.abs().max()
    for _ in range(6000):
        optim.zero_grad()
        pred = model.a + model.b * xs + model.c * xs ** 2 + model.d * xs ** 3
        ((pred - y) ** 2).mean().backward()
        optim.step()
    with torch.no_grad():
        return (model.a.item(), (model.b / scale).item(), (model.c / scale ** 2).item(),
                (model.d / scale ** 3).item())
