# ATTACK (ex10): each optimizer hands its step to torch.optim's own, after emptying torch's
# global registry of step hooks (through which the grader once counted torch.optim steps) and
# putting it back after, so the count reads 0.
# VERDICT: graded, 0 points on every optimizer check: torch.optim's algorithms raise in ex10's
# sandbox ("may not be used in ex10"), whatever is done to the hooks.
import torch
from torch.optim import optimizer as _opt


class _Wrapped:
    def zero_grad(self):
        for p in self.params:
            p.grad = None

    def step(self):
        saved = dict(_opt._global_optimizer_pre_hooks)
        _opt._global_optimizer_pre_hooks.clear()
        try:
            self.inner.step()
        finally:
            _opt._global_optimizer_pre_hooks.update(saved)


def _make(cls_name, **rename):
    class Opt(_Wrapped):
        def __init__(self, params, **hyper):
            self.params = list(params)
            self.inner = getattr(torch.optim, cls_name)(
                self.params, **{rename.get(k, k): v for k, v in hyper.items()})
    return Opt


SGD = _make("SGD")
Momentum = _make("SGD")
RMSprop = _make("RMSprop")
Adam = _make("Adam")
