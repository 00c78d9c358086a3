# ATTACK (ex10): never builds a torch.optim optimizer: keeps the state itself and calls torch's
# functional forms of the algorithms, found under every name torch gives them
# (torch.optim._functional.sgd/rmsprop/adam, the modules' own sgd()/adam(), their
# _single_tensor_* forms, and the distributed functional optimizers' F).
# VERDICT: graded, 0 points on every optimizer check: each form refuses ("may not be used in
# ex10").
import torch


def _first(*getters):
    for get in getters:
        try:
            return get()
        except Exception:  # noqa: BLE001
            continue
    raise RuntimeError("no functional form left")


def _functional(name):
    import torch.optim._functional as F
    return _first(lambda: getattr(F, name),
                  lambda: getattr(__import__(f"torch.optim.{name}", fromlist=["_"]), name),
                  lambda: getattr(__import__(f"torch.optim.{name}", fromlist=["_"]),
                                  f"_single_tensor_{name}"),
                  lambda: getattr(__import__("torch.distributed.optim.functional_adam",
                                             fromlist=["_"]).F, name))


class _State:
    def __init__(self, params, **hyper):
        self.params, self.hyper = list(params), hyper
        self.bufs = [torch.zeros_like(p) for p in self.params]
        self.bufs2 = [torch.zeros_like(p) for p in self.params]
        self.steps = [torch.tensor(0.0) for _ in self.params]

    def zero_grad(self):
        for p in self.params:
            p.grad = None


class SGD(_State):
    @torch.no_grad()
    def step(self):
        _functional("sgd")(self.params, [p.grad for p in self.params], [None] * len(self.params),
                           weight_decay=0.0, momentum=0.0, lr=self.hyper["lr"], dampening=0.0,
                           nesterov=False, maximize=False)


class Momentum(_State):
    @torch.no_grad()
    def step(self):
        _functional("sgd")(self.params, [p.grad for p in self.params], self.bufs,
                           weight_decay=0.0, momentum=self.hyper["momentum"],
                           lr=self.hyper["lr"], dampening=0.0, nesterov=False, maximize=False)


class RMSprop(_State):
    @torch.no_grad()
    def step(self):
        _functional("rmsprop")(self.params, [p.grad for p in self.params], self.bufs, [], [],
                               self.steps, lr=self.hyper["lr"], alpha=self.hyper["alpha"],
                               eps=self.hyper["eps"], weight_decay=0.0, momentum=0.0,
                               centered=False)


class Adam(_State):
    @torch.no_grad()
    def step(self):
        b1, b2 = self.hyper["betas"]
        _functional("adam")(self.params, [p.grad for p in self.params], self.bufs, self.bufs2,
                            [], self.steps, amsgrad=False, beta1=b1, beta2=b2,
                            lr=self.hyper["lr"], weight_decay=0.0, eps=self.hyper["eps"],
                            maximize=False)
