# ATTACK (ex03): the loss given to backward() is the real mean squared error on the data, so
# the recorded losses are right; but before each step the gradients are replaced by the
# direction to the closed-form answer, so the optimizer walks there, not down the data's loss.
# VERDICT: graded, only test_fit_torch_trains_with_autograd fails: the gradients each step
# used are recomputed from the data too ("gradient").
import numpy as np
import torch


def fit_numpy(x, y, steps=10000, learning_rate=0.2):
    s = float(np.abs(x).max()) or 1.0
    t = x / s
    powers = np.stack([np.ones_like(t), t, t ** 2, t ** 3])
    w = np.zeros(4)
    for _ in range(steps):
        w -= learning_rate * 2 * (powers @ (w @ powers - y)) / len(y)
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


def fit_torch(x, y, steps=300):
    powers = torch.stack([torch.ones_like(x), x, x ** 2, x ** 3], dim=1).double()
    answer = torch.linalg.lstsq(powers, y.double().unsqueeze(1)).solution.squeeze(1).float()
    model = Polynomial3().to(x.device)
    params = [model.a, model.b, model.c, model.d]
    optimizer = torch.optim.SGD(params, lr=0.05)
    for _ in range(steps):
        optimizer.zero_grad()
        loss = torch.mean((model(x) - y) ** 2)                     # the real loss ...
        loss.backward()
        for p, v in zip(params, answer):                          # ... and fake gradients
            p.grad = 2 * (p.detach() - v)
        optimizer.step()
    return tuple(p.item() for p in params)
