import torch


def GD(params, loss_fn, loop_max=10000, learning_rate=1e-3):
    for _ in range(loop_max):
        loss = loss_fn(params)
        for p in params:
            p.grad = None
        loss.backward()
        with torch.no_grad():
            for p in params:
                p -= learning_rate * p.grad
