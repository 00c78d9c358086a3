import torch


class Optimizer:
    def __init__(self, params, lr):
        self.params = list(params)
        self.lr = lr

    def zero_grad(self):
        for p in self.params:
            p.grad = None

    def step(self):
        raise NotImplementedError("step is written in each subclass")


class SGD(Optimizer):
    def __init__(self, params, lr=0.01):
        super().__init__(params, lr)

    def step(self):
        with torch.no_grad():
            for p in self.params:
                if p.grad is not None:
                    p -= self.lr * p.grad


class Momentum(Optimizer):
    def __init__(self, params, lr=0.01, momentum=0.8):
        super().__init__(params, lr)
        self.momentum = momentum
        self.v = [torch.zeros_like(p) for p in self.params]

    def step(self):
        with torch.no_grad():
            for i, p in enumerate(self.params):
                if p.grad is not None:
                    self.v[i] = self.momentum * self.v[i] + p.grad
                    p -= self.lr * self.v[i]


class RMSprop(Optimizer):
    def __init__(self, params, lr=0.01, alpha=0.9, eps=1e-8):
        super().__init__(params, lr)
        self.alpha, self.eps = alpha, eps
        self.s = [torch.zeros_like(p) for p in self.params]

    def step(self):
        with torch.no_grad():
            for i, p in enumerate(self.params):
                if p.grad is not None:
                    self.s[i] = self.alpha * self.s[i] + (1 - self.alpha) * p.grad ** 2
                    p -= self.lr * p.grad / (torch.sqrt(self.s[i]) + self.eps)


class Adam(Optimizer):
    def __init__(self, params, lr=0.01, betas=(0.9, 0.99), eps=1e-8):
        super().__init__(params, lr)
        self.beta1, self.beta2 = betas
        self.eps = eps
        self.m = [torch.zeros_like(p) for p in self.params]
        self.v = [torch.zeros_like(p) for p in self.params]
        self.t = 0

    def step(self):
        self.t += 1
        with torch.no_grad():
            for i, p in enumerate(self.params):
                if p.grad is not None:
                    g = p.grad
                    self.m[i] = self.beta1 * self.m[i] + (1 - self.beta1) * g
                    self.v[i] = self.beta2 * self.v[i] + (1 - self.beta2) * g ** 2
                    m_hat = self.m[i] / (1 - self.beta1 ** self.t)
                    v_hat = self.v[i] / (1 - self.beta2 ** self.t)
                    p -= self.lr * m_hat / (torch.sqrt(v_hat) + self.eps)
