# Hard-codes the public example's hyperparameters, the notes' momentum=0.8, alpha=0.9 and
# betas=(0.9, 0.99), whatever it is given: right on the public checks, wrong on any other.
# expect-fail: test_momentum_random_gradients, test_rmsprop_random_gradients, test_adam_random_gradients, test_optimizers_descend_a_random_bowl
# expect-pass: test_sgd_on_the_bowl, test_momentum_on_the_bowl, test_rmsprop_on_the_bowl, test_adam_on_the_bowl, test_optimizers_train_the_notes_net_like_torch, test_sgd_random_gradients
# expect-text: you are given
# expect-next-step: notes' hyperparameters
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
        self.momentum = 0.8
        self.velocity = [torch.zeros_like(p) for p in self.params]

    def update(self, i, p, g):
        v = self.velocity[i]
        v.mul_(self.momentum).add_(g)          # v <- momentum v + g
        p -= self.lr * v


class RMSprop(Optimizer):
    def __init__(self, params, lr=0.01, alpha=0.9, eps=1e-8):
        super().__init__(params, lr)
        self.alpha, self.eps = 0.9, 1e-8
        self.square_avg = [torch.zeros_like(p) for p in self.params]

    def update(self, i, p, g):
        s = self.square_avg[i]
        s.mul_(self.alpha).add_((1 - self.alpha) * g * g)     # s <- alpha s + (1 - alpha) g^2
        p -= self.lr * g / (s.sqrt() + self.eps)


class Adam(Optimizer):
    def __init__(self, params, lr=0.01, betas=(0.9, 0.99), eps=1e-8):
        super().__init__(params, lr)
        self.beta1, self.beta2 = 0.9, 0.99
        self.eps = 1e-8
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
