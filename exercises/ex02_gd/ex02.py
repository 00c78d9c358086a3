"""Exercise ex02: gradient descent with torch.autograd.

Write GD, which minimises loss_fn by gradient descent, as in the course's torchGd2.py.
Run `grade ex02` in this folder to check your work.
"""
import torch


def GD(params, loss_fn, loop_max=10000, learning_rate=1e-3):
    """Minimise loss_fn(params) by gradient descent, updating the tensors in `params` in place.

    params: a list of tensors with requires_grad=True.
    loss_fn: a function of the list `params` that returns a scalar tensor.
    Do loop_max steps. Each step: compute the loss, call backward() on it, then, inside
    torch.no_grad(), move every tensor against its gradient (x -= learning_rate * x.grad)
    and reset its gradient (x.grad = None), because torch adds new gradients to old ones.
    Nothing needs to be returned.
    """
    raise NotImplementedError("write GD: see the docstring")


if __name__ == "__main__":
    x = torch.randn((), requires_grad=True)
    GD([x], lambda p: p[0] * p[0] - 4 * p[0] + 4, loop_max=5000)
    print("x =", x.item())
