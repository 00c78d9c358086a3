# The course notes' own recipe, adapted only in names: regression1train.py's GD (RMSprop,
# lr=1e-3, 10000 steps, loss = mean((output - target)**2)) trains torchRegression6custom.py's
# Polynomial3. It must pass at every grading seed (`grade check-bank ex03 --seeds 20`).
# fit_numpy has no counterpart in the notes: it is the reference's.
import numpy as np
import torch


def fit_numpy(x, y, steps=10000, learning_rate=0.2):
    s = float(np.abs(x).max()) or 1.0
    t = x / s
    powers = np.stack([np.ones_like(t), t, t ** 2, t ** 3])
    w = np.zeros(4)
    for _ in range(steps):
        residual = w @ powers - y
        w -= learning_rate * 2 * (powers @ residual) / len(y)
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


def loss_fn(output, target):
    loss = torch.mean((output - target)**2)
    return loss


def GD(inputs, outputs, model, loss_fn, loop_max = 10000, learning_rate = 1e-3):
    optimizer = torch.optim.RMSprop(model.parameters(), lr=learning_rate)
    for t in range(loop_max):
        predicats = model(inputs)
        loss = loss_fn(predicats, outputs)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()


def fit_torch(x, y):
    model = Polynomial3().to(x.device)
    GD(inputs=x, outputs=y, model=model, loss_fn=loss_fn)
    return (model.a.item(), model.b.item(), model.c.item(), model.d.item())
