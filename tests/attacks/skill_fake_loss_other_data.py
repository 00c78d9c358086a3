# ATTACK (ex03): closed form first, then a real training on *other* data: the mean squared
# error of the cubic on 4 points that the closed-form answer passes through exactly. A data
# loss (it falls to 0, its gradients come from backward()), but not on the data given.
# VERDICT: graded, only test_fit_torch_trains_with_autograd fails ("not the mean squared
# error").
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


def fit_torch(x, y, steps=3000):
    powers = torch.stack([torch.ones_like(x), x, x ** 2, x ** 3], dim=1).double()
    answer = torch.linalg.lstsq(powers, y.double().unsqueeze(1)).solution.squeeze(1).float()
    model = Polynomial3().to(x.device)
    params = [model.a, model.b, model.c, model.d]
    few = torch.tensor([-1.0, -0.3, 0.4, 1.0], device=x.device)
    answer_at_few = sum(v * few ** k for k, v in enumerate(answer))
    optimizer = torch.optim.Adam(params, lr=0.05)
    schedule = torch.optim.lr_scheduler.MultiStepLR(optimizer, [2000, 2500], gamma=0.1)
    for _ in range(steps):
        optimizer.zero_grad()
        loss = torch.mean((model(few) - answer_at_few) ** 2)   # the data loss, elsewhere
        loss.backward()
        optimizer.step()
        schedule.step()
    return tuple(p.item() for p in params)
