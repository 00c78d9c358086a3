import torch


class Descent:
    """Gradient descent as an object: remembers the rate and the tensors."""

    def __init__(self, tensors, rate):
        self.tensors = list(tensors)
        self.rate = rate
        self.steps = 0

    def step(self):
        with torch.no_grad():
            for w in self.tensors:
                w -= self.rate * w.grad
                w.grad = None
        self.steps += 1


def GD(params, loss_fn, loop_max=10000, learning_rate=1e-3):
    d = Descent(params, learning_rate)
    while d.steps < loop_max:
        loss_fn(params).backward()
        d.step()
