import torch


def GD(params, loss_fn, loop_max=10000, learning_rate=1e-3):
    """Gradient descent on loss_fn."""
    for k in range(loop_max):
        loss = loss_fn(params)
        loss.backward()
        with torch.no_grad():
            for v in params:
                v.sub_(learning_rate * v.grad)
                v.grad = None
