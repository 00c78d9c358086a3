# Builds new tensors instead of updating the given ones in place.
# expect-fail: test_updates_params_in_place
# expect-text: in place
# expect-next-step: replace the tensors
import torch


def GD(params, loss_fn, loop_max=10000, learning_rate=1e-3):
    for _ in range(loop_max):
        loss = loss_fn(params)
        grads = torch.autograd.grad(loss, params)
        for i, g in enumerate(grads):
            params[i] = (params[i] - learning_rate * g).detach().requires_grad_()
