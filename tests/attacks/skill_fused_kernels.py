# ATTACK (ex10): torch's compiled optimizer kernels do the steps: aten's _fused_sgd_ for SGD and
# Momentum and _fused_adam_ for Adam, reached through torch.ops, torch._C._VariableFunctions
# and torch._VF rather than the torch._fused_* names. RMSprop has no kernel: Adam with
# beta1 = 0 and no bias correction on m is not RMSprop, so that one is left unwritten.
# VERDICT: graded, 0 points on the optimizer checks: the kernels refuse in ex10's sandbox ("may
# not be used in ex10").
import torch


def _kernel(name):
    for get in (lambda: getattr(torch.ops.aten, name).default,
                lambda: getattr(torch._C._VariableFunctions, name),
                lambda: getattr(torch._VF, name)):
        try:
            return get()
        except Exception:  # noqa: BLE001
            continue
    raise RuntimeError(f"no {name}")


class _State:
    def __init__(self, params, **hyper):
        self.params, self.hyper = list(params), hyper
        self.m = [torch.zeros_like(p) for p in self.params]
        self.v = [torch.zeros_like(p) for p in self.params]
        self.t = [torch.tensor(0.0, dtype=torch.float32) for _ in self.params]
        self.first = True

    def zero_grad(self):
        for p in self.params:
            p.grad = None


class SGD(_State):
    @torch.no_grad()
    def step(self):
        _kernel("_fused_sgd_")(self.params, [p.grad for p in self.params], [],
                               weight_decay=0.0, momentum=0.0, lr=self.hyper["lr"],
                               dampening=0.0, nesterov=False, maximize=False,
                               is_first_step=False)


class Momentum(_State):
    @torch.no_grad()
    def step(self):
        _kernel("_fused_sgd_")(self.params, [p.grad for p in self.params], self.m,
                               weight_decay=0.0, momentum=self.hyper["momentum"],
                               lr=self.hyper["lr"], dampening=0.0, nesterov=False,
                               maximize=False, is_first_step=self.first)
        self.first = False


class RMSprop(_State):
    def step(self):
        raise NotImplementedError


class Adam(_State):
    @torch.no_grad()
    def step(self):
        for t in self.t:
            t += 1
        b1, b2 = self.hyper["betas"]
        _kernel("_fused_adam_")(self.params, [p.grad for p in self.params], self.m, self.v, [],
                                self.t, lr=self.hyper["lr"], beta1=b1, beta2=b2,
                                weight_decay=0.0, eps=self.hyper["eps"], amsgrad=False,
                                maximize=False)
