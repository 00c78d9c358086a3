import math

import torch


def GD(params, loss_fn, loop_max=10000, learning_rate=1e-3):
    last = math.inf
    for i in range(loop_max):
        loss = loss_fn(params)
        if torch.isnan(loss):
            raise ValueError(f"loss became nan at step {i}")
        loss.backward()
        with torch.no_grad():
            for k in range(len(params)):
                params[k].sub_(params[k].grad * learning_rate)
                params[k].grad.zero_()
        last = loss.item()
    return last
