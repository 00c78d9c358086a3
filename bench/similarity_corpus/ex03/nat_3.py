import numpy as np
import torch


def fit_numpy(x, y):
    s = np.abs(x).max()
    t = x / s
    a = b = c = d = 0.0
    lr = 0.2
    for _ in range(10000):
        p = a + b * t + c * t ** 2 + d * t ** 3
        e = 2 * (p - y)
        a -= lr * np.mean(e)
        b -= lr * np.mean(e * t)
        c -= lr * np.mean(e * t ** 2)
        d -= lr * np.mean(e * t ** 3)
    return float(a), float(b / s), float(c / s ** 2), float(d / s ** 3)


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
    model = Polynomial3().to(x.device)
    optimizer = torch.optim.RMSprop(model.parameters(), lr=1e-3)
    for _ in range(10000):
        loss = ((model(x) - y) ** 2).mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return model.a.item(), model.b.item(), model.c.item(), model.d.item()
