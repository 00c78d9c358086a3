import torch


def GD(params, loss_fn, loop_max=10000, learning_rate=1e-3):
    # torch.autograd.grad gives the gradients without touching .grad at all
    n = 0
    while n < loop_max:
        value = loss_fn(params)
        grads = torch.autograd.grad(value, params)
        with torch.no_grad():
            for p, g in zip(params, grads):
                p.sub_(learning_rate * g)
        n += 1
    return params
