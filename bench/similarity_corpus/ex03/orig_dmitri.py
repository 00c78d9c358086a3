import numpy as np
import torch


def fit_numpy(x, y):
    # normal equations would be exact; the task wants gradient descent, so descend on
    # standardised powers and map back
    V = np.stack([x ** k for k in range(4)], axis=1)
    mu, sd = V[:, 1:].mean(0), V[:, 1:].std(0)
    Z = np.hstack([np.ones((len(x), 1)), (V[:, 1:] - mu) / sd])
    beta = np.zeros(4)
    for it in range(20000):
        beta -= 0.1 * Z.T @ (Z @ beta - y) * 2 / len(y)
    w = beta[1:] / sd
    a = beta[0] - (w * mu).sum()
    return float(a), float(w[0]), float(w[1]), float(w[2])


class Polynomial3(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.a = torch.nn.Parameter(torch.randn(()))
        self.b = torch.nn.Parameter(torch.randn(()))
        self.c = torch.nn.Parameter(torch.randn(()))
        self.d = torch.nn.Parameter(torch.randn(()))

    def forward(self, x):
        out = self.d
        for coef in (self.c, self.b, self.a):
            out = out * x + coef
        return out


def fit_torch(x, y):
    model = Polynomial3().to(x.device)
    opt = torch.optim.LBFGS(model.parameters(), lr=0.5, max_iter=50)

    def closure():
        opt.zero_grad()
        loss = torch.mean(torch.square(model(x) - y))
        loss.backward()
        return loss

    for _ in range(30):
        opt.step(closure)
    return [float(v) for v in (model.a, model.b, model.c, model.d)]
