import numpy as np
import torch

STEPS = 15000


def predict(coefs, t):
    a, b, c, d = coefs
    return a + b * t + c * t ** 2 + d * t ** 3


def fit_numpy(x, y):
    k = np.abs(x).max()
    t = x / k
    coefs = np.random.default_rng(0).normal(size=4)
    for _ in range(STEPS):
        diff = predict(coefs, t) - y
        grads = np.array([np.mean(2 * diff * t ** j) for j in range(4)])
        coefs = coefs - 0.22 * grads
    return tuple(float(coefs[j] / k ** j) for j in range(4))


class Polynomial3(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.a = torch.nn.Parameter(torch.randn(()))
        self.b = torch.nn.Parameter(torch.randn(()))
        self.c = torch.nn.Parameter(torch.randn(()))
        self.d = torch.nn.Parameter(torch.randn(()))

    def forward(self, x):
        return predict((self.a, self.b, self.c, self.d), x)


def fit_torch(x, y):
    m = Polynomial3().to(x.device)
    o = torch.optim.Adam(m.parameters(), lr=0.02)
    sched = torch.optim.lr_scheduler.StepLR(o, step_size=2000, gamma=0.5)
    for _ in range(STEPS // 3):
        o.zero_grad()
        l = (m(x) - y).pow(2).mean()
        l.backward()
        o.step()
        sched.step()
    return tuple(t.item() for t in m.parameters())
