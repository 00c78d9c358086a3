import torch


def gradient_step(p, lr):
    g = p.grad
    p.data = p.data - lr * g
    p.grad = None
    return g.abs().max().item()


def GD(params, loss_fn, loop_max=10000, learning_rate=1e-3):
    tol = 1e-12
    for epoch in range(loop_max):
        loss_fn(params).backward()
        biggest = max(gradient_step(p, learning_rate) for p in params)
        if biggest < tol:
            break
