# Each optimizer hands the work to torch.optim's own: the right steps, but the update rules
# are what the exercise asks to write. torch.optim's algorithms raise in ex10's sandbox
# (disabled_in_sandbox), so every check that steps an optimizer fails, the by-hand one first.
# expect-fail: test_updates_are_written_by_hand, test_sgd_on_the_bowl, test_momentum_on_the_bowl, test_rmsprop_on_the_bowl, test_adam_on_the_bowl, test_optimizers_train_the_notes_net_like_torch
# expect-text: may not be used in ex10
# expect-next-step: may not be used in ex10
import torch


class Wrapped:
    def zero_grad(self):
        self.inner.zero_grad()

    def step(self):
        self.inner.step()


class SGD(Wrapped):
    def __init__(self, params, lr=0.01):
        self.inner = torch.optim.SGD(params, lr=lr)


class Momentum(Wrapped):
    def __init__(self, params, lr=0.01, momentum=0.8):
        self.inner = torch.optim.SGD(params, lr=lr, momentum=momentum)


class RMSprop(Wrapped):
    def __init__(self, params, lr=0.01, alpha=0.9, eps=1e-8):
        self.inner = torch.optim.RMSprop(params, lr=lr, alpha=alpha, eps=eps)


class Adam(Wrapped):
    def __init__(self, params, lr=0.01, betas=(0.9, 0.99), eps=1e-8):
        self.inner = torch.optim.Adam(params, lr=lr, betas=tuple(betas), eps=eps)
