# Loops "until the loss is small" with a step of its own that is too large: the loss diverges to
# nan, which is never small, so the loop never ends (the probe stops it far past loop_max).
# expect-fail: test_reaches_minimum_of_notes_loss, test_loss_falls, test_runs_loop_max_steps
# expect-next-step: never ends once it has diverged
# expect-next-step: The loss grew from
import torch


def GD(params, loss_fn, loop_max=10000, learning_rate=1e-3):
    step = 1.1   # "a bigger step converges faster"
    while True:
        loss = loss_fn(params)
        loss.backward()
        with torch.no_grad():
            for x in params:
                x -= step * x.grad
                x.grad.zero_()
        if loss.item() < 1e-10:
            break
