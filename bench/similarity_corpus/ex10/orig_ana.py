import torch


class Optimizer:
    def __init__(self, params, lr):
        self.params = list(params)
        self.lr = lr
        self.state = {i: {} for i in range(len(self.params))}

    def zero_grad(self):
        for p in self.params:
            p.grad = None

    def step(self):
        with torch.no_grad():
            for i, p in enumerate(self.params):
                if p.grad is None:
                    continue
                self._update(p, p.grad, self.state[i])

    def _update(self, p, g, state):
        raise NotImplementedError


class SGD(Optimizer):
    def __init__(self, params, lr=0.01):
        super().__init__(params, lr)

    def _update(self, p, g, state):
        p.add_(g, alpha=-self.lr)


class Momentum(Optimizer):
    def __init__(self, params, lr=0.01, momentum=0.8):
        super().__init__(params, lr)
        self.momentum = momentum

    def _update(self, p, g, state):
        buf = state.setdefault("buf", torch.zeros_like(p))
        buf.mul_(self.momentum).add_(g)
        p.add_(buf, alpha=-self.lr)


class RMSprop(Optimizer):
    def __init__(self, params, lr=0.01, alpha=0.9, eps=1e-8):
        super().__init__(params, lr)
        self.alpha, self.eps = alpha, eps

    def _update(self, p, g, state):
        sq = state.setdefault("sq", torch.zeros_like(p))
        sq.mul_(self.alpha).addcmul_(g, g, value=1 - self.alpha)
        p.addcdiv_(g, sq.sqrt().add_(self.eps), value=-self.lr)


class Adam(Optimizer):
    def __init__(self, params, lr=0.01, betas=(0.9, 0.99), eps=1e-8):
        super().__init__(params, lr)
        self.beta1, self.beta2 = betas
        self.eps = eps

    def _update(self, p, g, state):
        state["t"] = state.get("t", 0) + 1
        m = state.setdefault("m", torch.zeros_like(p))
        v = state.setdefault("v", torch.zeros_like(p))
        m.mul_(self.beta1).add_(g, alpha=1 - self.beta1)
        v.mul_(self.beta2).addcmul_(g, g, value=1 - self.beta2)
        bc1 = 1 - self.beta1 ** state["t"]
        bc2 = 1 - self.beta2 ** state["t"]
        denom = (v / bc2).sqrt().add_(self.eps)
        p.addcdiv_(m / bc1, denom, value=-self.lr)
