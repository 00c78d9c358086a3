# ATTACK (ex10): torch's decorator on each functional optimizer files its single-tensor form in
# torch.optim.optimizer's globals (a TorchScript workaround), where the names of
# torch.optim.sgd, rmsprop and adam are not: _single_tensor_sgd, _single_tensor_rmsprop and
# _single_tensor_adam are called from there, with state the submission keeps itself.
# VERDICT: graded, 0 points on every optimizer check: every reference to a forbidden function
# refuses, whatever module holds it ("may not be used in ex10").
import torch
from torch.optim import optimizer as _base


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
        _base._single_tensor_sgd(self.params, [p.grad for p in self.params],
                                 [None] * len(self.params), grad_scale=None, found_inf=None,
                                 weight_decay=0.0, momentum=0.0, lr=self.hyper["lr"],
                                 dampening=0.0, nesterov=False, maximize=False,
                                 has_sparse_grad=False)


class Momentum(_State):
    first = True

    @torch.no_grad()
    def step(self):
        bufs = [None] * len(self.params) if self.first else self.bufs
        _base._single_tensor_sgd(self.params, [p.grad for p in self.params], bufs,
                                 grad_scale=None, found_inf=None, weight_decay=0.0,
                                 momentum=self.hyper["momentum"], lr=self.hyper["lr"],
                                 dampening=0.0, nesterov=False, maximize=False,
                                 has_sparse_grad=False)
        self.bufs, self.first = bufs, False


class RMSprop(_State):
    @torch.no_grad()
    def step(self):
        _base._single_tensor_rmsprop(self.params, [p.grad for p in self.params], self.bufs, [],
                                     [], self.steps, lr=self.hyper["lr"],
                                     alpha=self.hyper["alpha"], eps=self.hyper["eps"],
                                     weight_decay=0.0, momentum=0.0, centered=False,
                                     maximize=False, differentiable=False, capturable=False,
                                     has_complex=False)


class Adam(_State):
    @torch.no_grad()
    def step(self):
        b1, b2 = self.hyper["betas"]
        _base._single_tensor_adam(self.params, [p.grad for p in self.params], self.bufs,
                                  self.bufs2, [], self.steps, grad_scale=None, found_inf=None,
                                  amsgrad=False, has_complex=False, beta1=b1, beta2=b2,
                                  lr=self.hyper["lr"], weight_decay=0.0, eps=self.hyper["eps"],
                                  maximize=False, capturable=False, differentiable=False,
                                  decoupled_weight_decay=False)
