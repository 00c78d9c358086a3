import torch


def GD(params, loss_fn, loop_max=10000, learning_rate=1e-3):
    losses = [None] * loop_max
    for it in range(loop_max):
        loss = loss_fn(params)
        losses[it] = loss.detach().clone()
        loss.backward()
        with torch.no_grad():
            new_values = [p - learning_rate * p.grad for p in params]
            for p, v in zip(params, new_values):
                p.copy_(v)
                p.grad = None
    return torch.stack(losses) if losses else torch.tensor([])
