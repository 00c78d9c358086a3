# Forgets to reset the gradients, so each step uses the sum of all gradients so far.
# expect-fail: test_trajectory_is_gradient_descent
# expect-text: reset the gradients
# expect-next-step: never reset the gradients
import torch


def GD(params, loss_fn, loop_max=10000, learning_rate=1e-3):
    for _ in range(loop_max):
        loss = loss_fn(params)
        loss.backward()
        with torch.no_grad():
            for x in params:
                x -= learning_rate * x.grad
