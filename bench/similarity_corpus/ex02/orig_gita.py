import torch


def GD(params, loss_fn, loop_max=10000, learning_rate=1e-3):
    opt_params = params
    count = loop_max
    while count > 0:
        count -= 1
        for q in opt_params:
            q.grad = None
        total = loss_fn(opt_params) * 1.0
        total.backward()
        with torch.no_grad():
            for q in opt_params:
                step = q.grad.mul(learning_rate)
                q.sub_(step)
