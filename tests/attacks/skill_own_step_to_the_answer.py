# ATTACK (ex03): real loss, real backward(), real gradients, and a torch.optim optimizer in
# name: a subclass of torch.optim.SGD whose step() ignores the gradients and moves the
# parameters halfway to the closed-form answer. The base class's hooks fire as for any step.
# VERDICT: graded, only test_fit_torch_trains_with_autograd fails: each step is replayed in the
# grader with torch.optim's own SGD on the recorded gradients ("replayed").
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


class _Halfway(torch.optim.SGD):
    def __init__(self, params, lr, answer):
        super().__init__(params, lr=lr)
        self.answer = answer

    @torch.no_grad()
    def step(self, closure=None):
        for p, v in zip(self.param_groups[0]["params"], self.answer):
            p.add_(0.5 * (v - p))


def fit_torch(x, y, steps=300):
    powers = torch.stack([torch.ones_like(x), x, x ** 2, x ** 3], dim=1).double()
    answer = torch.linalg.lstsq(powers, y.double().unsqueeze(1)).solution.squeeze(1).float()
    model = Polynomial3().to(x.device)
    params = [model.a, model.b, model.c, model.d]
    optimizer = _Halfway(params, lr=0.05, answer=answer)
    for _ in range(steps):
        optimizer.zero_grad()
        loss = torch.mean((model(x) - y) ** 2)
        loss.backward()
        optimizer.step()
    return tuple(p.item() for p in params)
