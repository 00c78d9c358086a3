import torch


class Optimizer:
    def __init__(self, params, lr):
        self.params = list(params)
        self.lr = lr

    def zero_grad(self):
        for p in self.params:
            p.grad = None

    def step(self):
        raise NotImplementedError


def _each(params):
    """The tensors that have a gradient, with their index."""
    for i, p in enumerate(params):
        if p.grad is not None:
            yield i, p, p.grad


class SGD(Optimizer):
    def __init__(self, params, lr=0.01):
        super().__init__(params, lr)

    def step(self):
        with torch.no_grad():
            for _, p, g in _each(self.params):
                p.copy_(p - self.lr * g)


class Momentum(Optimizer):
    def __init__(self, params, lr=0.01, momentum=0.8):
        super().__init__(params, lr)
        self.momentum = momentum
        self.buffers = {}

    def step(self):
        with torch.no_grad():
            for i, p, g in _each(self.params):
                b = self.buffers.get(i)
                b = g.clone() if b is None else b * self.momentum + g
                self.buffers[i] = b
                p.copy_(p - self.lr * b)


class RMSprop(Optimizer):
    def __init__(self, params, lr=0.01, alpha=0.9, eps=1e-8):
        super().__init__(params, lr)
        self.alpha, self.eps = alpha, eps
        self.sq = {}

    def step(self):
        with torch.no_grad():
            for i, p, g in _each(self.params):
                s = self.sq.get(i, torch.zeros_like(p))
                s = s * self.alpha + g * g * (1 - self.alpha)
                self.sq[i] = s
                p.copy_(p - self.lr * g / (s.sqrt() + self.eps))


class Adam(Optimizer):
    def __init__(self, params, lr=0.01, betas=(0.9, 0.99), eps=1e-8):
        super().__init__(params, lr)
        self.betas, self.eps = betas, eps
        self.st = {}

    def step(self):
        b1, b2 = self.betas
        with torch.no_grad():
            for i, p, g in _each(self.params):
                t, m, v = self.st.get(i, (0, torch.zeros_like(p), torch.zeros_like(p)))
                t = t + 1
                m = b1 * m + (1 - b1) * g
                v = b2 * v + (1 - b2) * g * g
                self.st[i] = (t, m, v)
                p.copy_(p - self.lr * (m / (1 - b1 ** t)) / ((v / (1 - b2 ** t)).sqrt() + self.eps))
