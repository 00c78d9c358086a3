import torch


def _zeros(params):
    return [torch.zeros_like(q) for q in params]


class Optimizer:
    def __init__(self, params, lr):
        self.params = list(params)
        self.lr = lr

    def zero_grad(self):
        for q in self.params:
            q.grad = None

    def step(self):
        with torch.no_grad():
            deltas = self.deltas([q.grad for q in self.params])
            for q, delta in zip(self.params, deltas):
                if delta is not None:
                    q.sub_(delta)


class SGD(Optimizer):
    def __init__(self, params, lr=0.01):
        super().__init__(params, lr)

    def deltas(self, grads):
        return [None if g is None else self.lr * g for g in grads]


class Momentum(Optimizer):
    def __init__(self, params, lr=0.01, momentum=0.8):
        super().__init__(params, lr)
        self.momentum = momentum
        self.v = _zeros(self.params)

    def deltas(self, grads):
        out = []
        for j, g in enumerate(grads):
            if g is None:
                out.append(None)
                continue
            self.v[j] = self.momentum * self.v[j] + g
            out.append(self.lr * self.v[j])
        return out


class RMSprop(Optimizer):
    def __init__(self, params, lr=0.01, alpha=0.9, eps=1e-8):
        super().__init__(params, lr)
        self.alpha, self.eps = alpha, eps
        self.s = _zeros(self.params)

    def deltas(self, grads):
        out = []
        for j, g in enumerate(grads):
            if g is None:
                out.append(None)
                continue
            self.s[j] = self.alpha * self.s[j] + (1 - self.alpha) * g.square()
            out.append(self.lr * g / (self.s[j].sqrt() + self.eps))
        return out


class Adam(Optimizer):
    def __init__(self, params, lr=0.01, betas=(0.9, 0.99), eps=1e-8):
        super().__init__(params, lr)
        self.beta1, self.beta2 = betas
        self.eps = eps
        self.m, self.v = _zeros(self.params), _zeros(self.params)
        self.t = 0

    def deltas(self, grads):
        self.t += 1
        out = []
        for j, g in enumerate(grads):
            if g is None:
                out.append(None)
                continue
            self.m[j] = self.beta1 * self.m[j] + (1 - self.beta1) * g
            self.v[j] = self.beta2 * self.v[j] + (1 - self.beta2) * g.square()
            mh = self.m[j] / (1 - self.beta1 ** self.t)
            vh = self.v[j] / (1 - self.beta2 ** self.t)
            out.append(self.lr * mh / (vh.sqrt() + self.eps))
        return out
