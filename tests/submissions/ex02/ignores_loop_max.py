# Runs a fixed number of steps whatever loop_max says.
# expect-fail: test_runs_loop_max_steps
# expect-next-step: exactly loop_max steps
import torch


def GD(params, loss_fn, loop_max=10000, learning_rate=1e-3):
    for _ in range(5000):
        loss = loss_fn(params)
        loss.backward()
        with torch.no_grad():
            for x in params:
                x -= learning_rate * x.grad
                x.grad = None
