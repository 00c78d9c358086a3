# ATTACK (ex10): reads the text of torch's sgd.py, rmsprop.py and adam.py (plain open(), and
# the pyc through the module's own loader when open is refused), compiles it under a harmless
# name and executes it into a namespace that looks like a module of torch.optim.
# torch's decorator files each algorithm's single-tensor form in torch.optim.optimizer's
# globals as a module runs; they are put back after, so nothing watched looks changed.
# VERDICT: graded, 0 points on every optimizer check ("may not be read in ex10").
import os

import torch
from torch.optim import optimizer as _base


def _text(name):
    path = os.path.join(os.path.dirname(torch.optim.__file__), f"{name}.py")
    try:
        with open(path, encoding="utf-8") as f:
            return compile(f.read(), "<my optimizer>", "exec")
    except OSError:
        module = __import__(f"torch.optim.{name}", fromlist=["_"])
        return module.__spec__.loader.get_code(module.__name__)


def _fresh(name):
    saved = dict(vars(_base))
    try:
        return _load(name)
    finally:
        vars(_base).clear()
        vars(_base).update(saved)


def _load(name):
    namespace = {"__name__": f"torch.optim._text_{name}", "__package__": "torch.optim"}
    exec(_text(name), namespace)
    return namespace


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
