# Momentum starts a fresh velocity at every step instead of carrying it over, so
# v = momentum * 0 + g = g and it is plain SGD.
# expect-fail: test_momentum_on_the_bowl, test_momentum_random_gradients, test_optimizers_train_the_notes_net_like_torch
# expect-pass: test_sgd_on_the_bowl, test_rmsprop_on_the_bowl, test_adam_on_the_bowl, test_sgd_random_gradients
# expect-text: carry each tensor's own velocity over
# expect-next-step: fresh velocity
import torch


class Optimizer:
    def __init__(self, params, lr):
        self.params = list(params)
        self.lr = lr

    def zero_grad(self):
        for p in self.params:
            p.grad = None

    @torch.no_grad()
    def step(self):
        for i, p in enumerate(self.params):
            if p.grad is not None:
                self.update(i, p, p.grad)


class SGD(Optimizer):
    def __init__(self, params, lr=0.01):
        super().__init__(params, lr)

    def update(self, i, p, g):
        p -= self.lr * g


class Momentum(Optimizer):
    def __init__(self, params, lr=0.01, momentum=0.8):
        super().__init__(params, lr)
        self.momentum = momentum
        self.velocity = [torch.zeros_like(p) for p in self.params]

    def update(self, i, p, g):
        v = torch.zeros_like(p)
        v = self.momentum * v + g
        p -= self.lr * v


class RMSprop(Optimizer):
    def __init__(self, params, lr=0.01, alpha=0.9, eps=1e-8):
        super().__init__(params, lr)
        self.alpha, self.eps = alpha, eps
        self.square_avg = [torch.zeros_like(p) for p in self.params]

    def update(self, i, p, g):
        s = self.square_avg[i]
        s.mul_(self.alpha).add_((1 - self.alpha) * g * g)     # s <- alpha s + (1 - alpha) g^2
        p -= self.lr * g / (s.sqrt() + self.eps)


class Adam(Optimizer):
    def __init__(self, params, lr=0.01, betas=(0.9, 0.99), eps=1e-8):
        super().__init__(params, lr)
        self.beta1, self.beta2 = betas
        self.eps = eps
        self.m = [torch.zeros_like(p) for p in self.params]
        self.v = [torch.zeros_like(p) for p in self.params]
        self.t = [0 for _ in self.params]

    def update(self, i, p, g):
        self.t[i] += 1
        t, m, v = self.t[i], self.m[i], self.v[i]
        m.mul_(self.beta1).add_((1 - self.beta1) * g)
        v.mul_(self.beta2).add_((1 - self.beta2) * g * g)
        m_hat = m / (1 - self.beta1 ** t)
        v_hat = v / (1 - self.beta2 ** t)
        p -= self.lr * m_hat / (v_hat.sqrt() + self.eps)
