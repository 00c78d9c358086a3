# ATTACK (ex03): 200 optimizer steps with a learning rate of 0, and between them the parameters
# are moved by hand towards the closed-form answer: the loss falls, the answer is right, but
# the optimizer did none of it.
# VERDICT: test_fit_torch_trains_with_autograd fails ("changed between optimizer steps").
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
    """Steps with a learning rate of 1e-4; between them, the parameters are pulled towards the
    closed-form answer by hand."""
    powers = torch.stack([torch.ones_like(x), x, x ** 2, x ** 3], dim=1).double()
    w = torch.linalg.lstsq(powers, y.double().unsqueeze(1)).solution.squeeze(1)
    model = Polynomial3().to(x.device)
    optimizer = torch.optim.SGD(model.parameters(), lr=1e-4)
    for k in range(steps):
        optimizer.zero_grad()
        loss = ((model(x) - y) ** 2).mean()
        loss.backward()
        optimizer.step()
        with torch.no_grad():
            for p, v in zip((model.a, model.b, model.c, model.d), w):
                p.copy_(p + (v - p) * (k + 1) / steps)
    return tuple(float(p) for p in (model.a, model.b, model.c, model.d))
