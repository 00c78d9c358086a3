# Keeps a, b, c, d as plain tensors with requires_grad instead of torch.nn.Parameter: they train
# (fit_torch hands them to the optimizer itself) but are not parameters, so state_dict() is empty.
# expect-fail: test_polynomial3_has_parameters_a_b_c_d, test_polynomial3_state_dict_round_trip
# expect-pass: test_polynomial3_forward_is_the_cubic, test_torch_fits_notes_cubic, test_fit_torch_trains_with_autograd
# expect-text: torch.nn.Parameter
# expect-next-step: torch.nn.Parameter
import numpy as np
import torch


def fit_numpy(x, y, steps=10000, lr=0.2):
    s = float(np.abs(x).max())
    t = x / s
    powers = np.stack([np.ones_like(t), t, t ** 2, t ** 3])
    w = np.zeros(4)
    for _ in range(steps):
        w -= lr * 2 * (powers @ (w @ powers - y)) / len(y)
    return tuple(float(v) for v in w / s ** np.arange(4))


class Polynomial3(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.a = torch.randn((), requires_grad=True)
        self.b = torch.randn((), requires_grad=True)
        self.c = torch.randn((), requires_grad=True)
        self.d = torch.randn((), requires_grad=True)

    def forward(self, x):
        return self.a + self.b * x + self.c * x ** 2 + self.d * x ** 3


def fit_torch(x, y, steps=3000):
    model = Polynomial3()
    optimizer = torch.optim.Adam([model.a, model.b, model.c, model.d], lr=0.05)
    for _ in range(steps):
        loss = torch.mean((model(x) - y) ** 2)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return tuple(p.item() for p in (model.a, model.b, model.c, model.d))
