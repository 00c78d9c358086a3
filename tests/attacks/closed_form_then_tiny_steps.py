# ATTACK (ex03): closed form first, then 200 real but tiny optimizer steps from the answer:
# steps that move the parameters, and a loss that never had anything to fall from.
# VERDICT: test_fit_torch_trains_with_autograd fails ("bring it down").
import numpy as np
import torch


def fit_numpy(x, y, steps=10000, learning_rate=0.2):
    # On t = x / s, every power of t lies in [-1, 1]: the descent is stable for rates up to
    # 0.25 on any range, and far better conditioned than on x itself.
    s = float(np.abs(x).max()) or 1.0
    t = x / s
    powers = np.stack([np.ones_like(t), t, t ** 2, t ** 3])   # (4, n)
    w = np.zeros(4)
    for _ in range(steps):
        residual = w @ powers - y                               # p - y
        w -= learning_rate * 2 * (powers @ residual) / len(y)   # mean(2 (p - y) t^k)
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


def fit_torch(x, y, steps=200):
    """Closed form, then small real steps from there."""
    powers = torch.stack([torch.ones_like(x), x, x ** 2, x ** 3], dim=1).double()
    w = torch.linalg.lstsq(powers, y.double().unsqueeze(1)).solution.squeeze(1)
    model = Polynomial3().to(x.device)
    with torch.no_grad():
        for p, v in zip((model.a, model.b, model.c, model.d), w):
            p.copy_(v + 0.01)  # a hair off, so the steps have something to move
    optimizer = torch.optim.SGD(model.parameters(), lr=1e-3)
    for _ in range(steps):
        optimizer.zero_grad()
        loss = ((model(x) - y) ** 2).mean()
        loss.backward()
        optimizer.step()
    return tuple(float(p) for p in (model.a, model.b, model.c, model.d))
