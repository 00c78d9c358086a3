import numpy as np
import torch


def fit_numpy(x, y):
    a, b, c, d = np.random.randn(4)
    learning_rate = 0.005
    for t in range(10000):
        y_pred = a + b * x + c * x ** 2 + d * x ** 3
        grad_y_pred = 2.0 * (y_pred - y)
        grad_a = grad_y_pred.mean()
        grad_b = (grad_y_pred * x).mean()
        grad_c = (grad_y_pred * x ** 2).mean()
        grad_d = (grad_y_pred * x ** 3).mean()
        a -= learning_rate * grad_a
        b -= learning_rate * grad_b
        c -= learning_rate * grad_c
        d -= learning_rate * grad_d
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
    optimizer = torch.optim.RMSprop(model.parameters(), lr=1e-3)
    for t in range(10000):
        y_pred = model(x)
        loss = torch.mean((y_pred - y) ** 2)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return model.a.item(), model.b.item(), model.c.item(), model.d.item()
