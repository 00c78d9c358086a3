"""GD by hand: a helper does one step, the loop calls it."""
import torch


def _descend(tensors, rate):
    # one step against the gradient, then forget the gradient
    with torch.no_grad():
        for t in tensors:
            if t.grad is None:
                continue
            t.data.add_(t.grad, alpha=-rate)
            t.grad.zero_()


def GD(params, loss_fn, loop_max=10000, learning_rate=1e-3):
    history = []
    for step in range(loop_max):
        loss = loss_fn(params)
        loss.backward()
        _descend(params, learning_rate)
        if step % 500 == 0:
            history.append(float(loss))
    return history
