import torch


def GD(params, loss_fn, loop_max=10000, learning_rate=1e-3):
    for _ in range(loop_max):
        f = loss_fn(params)
        f.backward()
        with torch.no_grad():
            for t in params:
                t -= learning_rate * t.grad
                t.grad = None
    return params
