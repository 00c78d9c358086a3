# ATTACK (ex10): torch.optim.SGD, RMSprop and Adam are refused by name in ex10's sandbox, so this
# loads torch's own sgd.py, rmsprop.py and adam.py a second time from their source files
# (importlib.util.spec_from_file_location, as a new module inside torch.optim so that its
# relative imports resolve) and delegates to the fresh classes.
# torch's decorator files each algorithm's single-tensor form in torch.optim.optimizer's
# globals as a module runs; they are put back after, so nothing watched looks changed.
# VERDICT: graded, 0 points on every optimizer check: the files of torch.optim's algorithms
# cannot be read in ex10's sandbox ("may not be read in ex10").
import importlib.util
import os

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
    spec = importlib.util.spec_from_file_location(f"torch.optim._again_{name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _make(loader, cls_name, **fixed):
    class Opt:
        def __init__(self, params, **hyper):
            self.params = list(params)
            if "betas" in hyper:
                hyper["betas"] = tuple(hyper["betas"])
            self.inner = getattr(loader(), cls_name)(self.params, **hyper, **fixed)

        def zero_grad(self):
            for p in self.params:
                p.grad = None

        def step(self):
            self.inner.step()
    return Opt


SGD = _make(lambda: _fresh("sgd"), "SGD")
Momentum = _make(lambda: _fresh("sgd"), "SGD")
RMSprop = _make(lambda: _fresh("rmsprop"), "RMSprop")
Adam = _make(lambda: _fresh("adam"), "Adam")
