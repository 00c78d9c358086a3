import math

import numpy as np
import torch


def fit_numpy(x, y):
    a = b = c = d = 0.0
    s = float(abs(x).max())
    t = x / s
    lr = 0.2
    n = len(t)
    for i in range(12000):
        p = a + b * t + c * t ** 2 + d * t ** 3
        r = p - y
        ga = 2 * r.sum() / n
        gb = 2 * (r * t).sum() / n
        gc = 2 * (r * t ** 2).sum() / n
        gd = 2 * (r * t ** 3).sum() / n
        a, b, c, d = a - lr * ga, b - lr * gb, c - lr * gc, d - lr * gd
    return a, b / s, c / s ** 2, d / s ** 3


class Polynomial3(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.a = torch.nn.Parameter(torch.randn(()))
        self.b = torch.nn.Parameter(torch.randn(()))
        self.c = torch.nn.Parameter(torch.randn(()))
        self.d = torch.nn.Parameter(torch.randn(()))

    def forward(self, x):
        return self.a + self.b * x + self.c * x.pow(2) + self.d * x.pow(3)


def fit_torch(x, y):
    net = Polynomial3().to(x.device)
    optimizer = torch.optim.Adam(net.parameters(), lr=0.05)
    best = math.inf
    for step in range(4000):
        loss = torch.nn.functional.mse_loss(net(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        best = min(best, loss.item())
    return tuple(float(p) for p in (net.a, net.b, net.c, net.d))
