"""Exercise ex10: the update rules of SGD, Momentum, RMSprop and Adam, written by hand.

Morvan's notebook (course notes, "batch train") trains one net four times, with torch.optim's
SGD, SGD(momentum=0.8), RMSprop(alpha=0.9) and Adam(betas=(0.9, 0.99)), and compares the loss
curves. Here you write those four optimizers yourself. They are used exactly like torch.optim's:

    optimizer = Adam([w1, b1, w2, b2], lr=0.01)
    for ...:
        optimizer.zero_grad()
        loss = ...
        loss.backward()
        optimizer.step()

and must take exactly the steps torch.optim's take. Run `grade ex10` in this folder.
"""
import torch


class Optimizer:
    """What all four share: the tensors to train and the learning rate."""

    def __init__(self, params, lr):
        self.params = list(params)   # tensors with requires_grad=True; after backward() each
        self.lr = lr                 # has its gradient in p.grad

    def zero_grad(self):
        """Clear every tensor's gradient: set p.grad to None. backward() adds new gradients to
        what is in p.grad, so without this each step would use the sum of all gradients so far."""
        raise NotImplementedError("write Optimizer.zero_grad: see the docstring")

    def step(self):
        """Update every tensor in self.params from its p.grad (skip a tensor whose grad is None).
        Subclasses write this. Change the tensors in place (p -= ..., p.copy_(...)), inside
        `with torch.no_grad():`, so autograd does not record the update and the caller's
        tensors are the ones that move."""
        raise NotImplementedError("step is written in each subclass")


class SGD(Optimizer):
    """Plain gradient descent: p <- p - lr * g, with g = p.grad."""

    def __init__(self, params, lr=0.01):
        super().__init__(params, lr)

    def step(self):
        raise NotImplementedError("write SGD.step: see the class docstring")


class Momentum(Optimizer):
    """SGD with momentum, as torch.optim.SGD(params, lr, momentum=...):
        v <- momentum * v + g        (one velocity v per tensor, zeros at first)
        p <- p - lr * v
    The velocity is carried from step to step: it is a running sum of past gradients, so a
    direction the gradients keep pointing in gathers speed."""

    def __init__(self, params, lr=0.01, momentum=0.8):
        super().__init__(params, lr)
        self.momentum = momentum
        # create the velocities here: one tensor of zeros per parameter, torch.zeros_like(p)

    def step(self):
        raise NotImplementedError("write Momentum.step: see the class docstring")


class RMSprop(Optimizer):
    """RMSprop, as torch.optim.RMSprop(params, lr, alpha=..., eps=...):
        s <- alpha * s + (1 - alpha) * g^2    (a running mean of squared gradients, per
                                               tensor and per element, zeros at first)
        p <- p - lr * g / (sqrt(s) + eps)
    Each element's step is scaled by the size of its recent gradients."""

    def __init__(self, params, lr=0.01, alpha=0.9, eps=1e-8):
        super().__init__(params, lr)
        self.alpha, self.eps = alpha, eps
        # create the running means here: torch.zeros_like(p) for each parameter

    def step(self):
        raise NotImplementedError("write RMSprop.step: see the class docstring")


class Adam(Optimizer):
    """Adam, as torch.optim.Adam(params, lr, betas=(b1, b2), eps=...): momentum and RMSprop
    together, with bias correction. Per tensor, with t its number of steps so far (1 at the
    first step):
        m <- b1 * m + (1 - b1) * g              (zeros at first)
        v <- b2 * v + (1 - b2) * g^2            (zeros at first)
        m_hat = m / (1 - b1^t),  v_hat = v / (1 - b2^t)
        p <- p - lr * m_hat / (sqrt(v_hat) + eps)
    m and v start at zero, so early on they are too small; dividing by 1 - b^t undoes that
    (at t = 1, m_hat is exactly g)."""

    def __init__(self, params, lr=0.01, betas=(0.9, 0.99), eps=1e-8):
        super().__init__(params, lr)
        self.beta1, self.beta2 = betas
        self.eps = eps
        # create m, v (zeros) and the step count here

    def step(self):
        raise NotImplementedError("write Adam.step: see the class docstring")


if __name__ == "__main__":
    for make in (lambda p: SGD(p, lr=0.05), lambda p: Momentum(p, lr=0.05, momentum=0.8),
                 lambda p: RMSprop(p, lr=0.05, alpha=0.9), lambda p: Adam(p, lr=0.05)):
        w = torch.zeros(2, dtype=torch.float64, requires_grad=True)
        optimizer = make([w])
        for _ in range(40):
            optimizer.zero_grad()
            loss = 0.5 * (w[0] - 3) ** 2 + 5 * (w[1] + 1) ** 2
            loss.backward()
            optimizer.step()
        print(type(optimizer).__name__, w.detach().numpy(), loss.item())
