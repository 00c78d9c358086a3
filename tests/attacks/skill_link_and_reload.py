# ATTACK (ex10): reaches torch's files under other names: a symbolic link to torch/optim in the
# scratch folder, imported from there as a package of its own; else a link to adam.py itself;
# else importlib.reload of torch.optim.adam, which runs the file again over the refused names
# (the module's globals are put back after, so nothing watched looks changed).
# VERDICT: graded, 0 points on every optimizer check ("may not be").
import importlib
import importlib.util
import os
import sys

import torch
from torch.optim import optimizer as _base

OPTIM = os.path.dirname(torch.optim.__file__)


def _via_link(name):
    os.makedirs("/work/links", exist_ok=True)
    link = f"/work/links/o_{name}"
    if not os.path.lexists(link):
        os.symlink(OPTIM, link)
    spec = importlib.util.spec_from_file_location(f"torch.optim._l_{name}", f"{link}/{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return vars(module)


def _via_file_link(name):
    link = f"/work/mine_{name}.py"
    if not os.path.lexists(link):
        os.symlink(os.path.join(OPTIM, f"{name}.py"), link)
    spec = importlib.util.spec_from_file_location(f"torch.optim._f_{name}", link)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return vars(module)


def _via_reload(name):
    module = sys.modules[f"torch.optim.{name}"]
    saved = dict(vars(module))
    try:
        return dict(vars(importlib.reload(module)))
    finally:
        vars(module).update(saved)


def _fresh(name):
    saved = dict(vars(_base))
    try:
        last = None
        for way in (_via_link, _via_file_link, _via_reload):
            try:
                return way(name)
            except Exception as e:  # noqa: BLE001
                last = e
        raise last
    finally:
        vars(_base).clear()
        vars(_base).update(saved)


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
