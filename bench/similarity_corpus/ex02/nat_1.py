import torch


def GD(params, loss_fn, loop_max=10000, learning_rate=1e-3):
    for _ in range(loop_max):
        loss = loss_fn(params)
        loss.backward()
        with torch.no_grad():
            for x in params:
                x -= learning_rate * x.grad
                x.grad = None
