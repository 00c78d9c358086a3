import torch

def GD(params, loss_fn, loop_max = 10000, learning_rate = 1e-3):
    for i in range(loop_max):
        l = loss_fn(params)
        l.backward()
        with torch.no_grad():
            for p in params:
                p -= learning_rate*p.grad
                p.grad = None
