import numpy as np
import torch


def fit_numpy(x, y):
    a = np.random.randn()
    b = np.random.randn()
    c = np.random.randn()
    d = np.random.randn()
    lr = 0.005
    for i in range(10000):
        p = a + b * x + c * x ** 2 + d * x ** 3
        g = 2 * (p - y)
        a -= lr * np.mean(g)
        b -= lr * np.mean(g * x)
        c -= lr * np.mean(g * x ** 2)
        d -= lr * np.mean(g * x ** 3)
    return float(a), float(b), float(c), float(d)


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
    opt = torch.optim.RMSprop(model.parameters(), lr=1e-3)
    for i in range(10000):
        loss = torch.mean((model(x) - y) ** 2)
        opt.zero_grad()
        loss.backward()
        opt.step()
    return model.a.item(), model.b.item(), model.c.item(), model.d.item()
