# ATTACK (ex10): torch.optim.Adam is refused by name in ex10's sandbox, so this finds the
# classes another way (torch.optim.Optimizer.__subclasses__()) and delegates to them.
# VERDICT: graded, 0 points on every optimizer check: the classes' own step raises too.
import torch

_found = {c.__name__: c for c in torch.optim.Optimizer.__subclasses__()}


def _make(name):
    class Opt:
        def __init__(self, params, **hyper):
            self.params = list(params)
            hyper.pop("momentum", None) if name != "SGD" else None
            self.inner = _found[name](self.params, **hyper)

        def zero_grad(self):
            for p in self.params:
                p.grad = None

        def step(self):
            self.inner.step()
    return Opt


SGD, Momentum, RMSprop, Adam = _make("SGD"), _make("SGD"), _make("RMSprop"), _make("Adam")
