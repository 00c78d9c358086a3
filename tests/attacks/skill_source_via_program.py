# ATTACK (ex10): the submission's own interpreter may not read torch's adam.py, so another
# program reads it: `cat` through subprocess, else os.system copying it into the scratch
# folder under another name, else a fork that execs /bin/cat. The text is then compiled under
# a harmless name and run as a module of torch.optim.
# VERDICT: graded, 0 points on every optimizer check: no other program may be started in
# ex10's sandbox ("may not be started").
import os
import subprocess

import torch


def _text(name):
    path = os.path.join(os.path.dirname(torch.optim.__file__), f"{name}.py")
    try:
        return subprocess.run(["cat", path], capture_output=True, check=True).stdout
    except (OSError, subprocess.SubprocessError):
        pass
    copy = f"/work/copy_of_{name}.txt"
    if os.system(f"cat {path} > {copy}") == 0:
        with open(copy, "rb") as f:
            return f.read()
    read, write = os.pipe()
    if os.fork() == 0:
        os.dup2(write, 1)
        os.execv("/bin/cat", ["cat", path])
    os.close(write)
    with os.fdopen(read, "rb") as f:
        return f.read()


def _fresh(name):
    namespace = {"__name__": f"torch.optim._prog_{name}", "__package__": "torch.optim"}
    exec(compile(_text(name), "<my optimizer>", "exec"), namespace)
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
