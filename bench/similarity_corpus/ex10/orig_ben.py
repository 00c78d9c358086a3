import math

import torch


class Optimizer:
    def __init__(self, params, lr):
        self.params = list(params)
        self.lr = lr

    def zero_grad(self):
        for p in self.params:
            if p.grad is not None:
                p.grad.detach_()
                p.grad.zero_()

    def live(self):
        return [(k, p) for k, p in enumerate(self.params) if p.grad is not None]


class SGD(Optimizer):
    def __init__(self, params, lr=0.01):
        super().__init__(params, lr)

    @torch.no_grad()
    def step(self):
        for _, p in self.live():
            p -= self.lr * p.grad


class Momentum(Optimizer):
    def __init__(self, params, lr=0.01, momentum=0.8):
        super().__init__(params, lr)
        self.momentum = momentum
        self.vel = [None] * len(self.params)

    @torch.no_grad()
    def step(self):
        for k, p in self.live():
            if self.vel[k] is None:
                self.vel[k] = p.grad.clone()
            else:
                self.vel[k] = self.momentum * self.vel[k] + p.grad
            p -= self.lr * self.vel[k]


class RMSprop(Optimizer):
    def __init__(self, params, lr=0.01, alpha=0.9, eps=1e-8):
        super().__init__(params, lr)
        self.alpha = alpha
        self.eps = eps
        self.avg = [torch.zeros_like(p) for p in self.params]

    @torch.no_grad()
    def step(self):
        for k, p in self.live():
            self.avg[k] = self.alpha * self.avg[k] + (1 - self.alpha) * p.grad ** 2
            p -= self.lr * p.grad / (torch.sqrt(self.avg[k]) + self.eps)


class Adam(Optimizer):
    def __init__(self, params, lr=0.01, betas=(0.9, 0.99), eps=1e-8):
        super().__init__(params, lr)
        self.b1, self.b2 = betas
        self.eps = eps
        self.moments = [(torch.zeros_like(p), torch.zeros_like(p)) for p in self.params]
        self.count = 0

    @torch.no_grad()
    def step(self):
        self.count += 1
        c1 = 1 - math.pow(self.b1, self.count)
        c2 = 1 - math.pow(self.b2, self.count)
        for k, p in self.live():
            m, v = self.moments[k]
            m = self.b1 * m + (1 - self.b1) * p.grad
            v = self.b2 * v + (1 - self.b2) * p.grad * p.grad
            self.moments[k] = (m, v)
            p -= self.lr * (m / c1) / (torch.sqrt(v / c2) + self.eps)
