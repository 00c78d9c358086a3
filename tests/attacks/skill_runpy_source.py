# ATTACK (ex10): runs torch's own sgd.py, rmsprop.py and adam.py again with runpy.run_path,
# under a name inside torch.optim (so their relative imports resolve), and delegates to the
# classes that run defines.
# torch's decorator files each algorithm's single-tensor form in torch.optim.optimizer's
# globals as a module runs; they are put back after, so nothing watched looks changed.
# VERDICT: graded, 0 points on every optimizer check ("may not be read in ex10").
import os
import runpy

import torch
from torch.optim import optimizer as _base


def _fresh(name):
    saved = dict(vars(_base))
    try:
        return _load(name)
    finally:
        vars(_base).clear()
        vars(_base).update(saved)


def _load(name):
    path = os.path.join(os.path.dirname(torch.optim.__file__), f"{name}.py")
    return runpy.run_path(path, run_name=f"torch.optim._run_{name}")


def _make(name, cls_name):
    class Opt:
        def __init__(self, params, **hyper):
            self.params = list(params)
            if "betas" in hyper:
                hyper["betas"] = tuple(hyper["betas"])
            self.inner = _fresh(name)[cls_name](self.params, **hyper)

        def zero_grad(self):
            for p in self.params:
                p.grad = None

        def step(self):
            self.inner.step()
    return Opt


SGD, Momentum = _make("sgd", "SGD"), _make("sgd", "SGD")
RMSprop, Adam = _make("rmsprop", "RMSprop"), _make("adam", "Adam")
