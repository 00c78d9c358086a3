# Two bugs at once: the gradients are never reset, and the loop takes one step too few
# (range(1, loop_max)). The one that costs more (the gradients: 7 points) leads, then the other.
# expect-fail: test_reaches_minimum_of_notes_loss, test_loss_falls, test_trajectory_is_gradient_descent, test_runs_loop_max_steps
# expect-next-step: You never reset the gradients
# expect-next-step: Then: Take exactly loop_max steps
import torch


def GD(params, loss_fn, loop_max=10000, learning_rate=1e-3):
    for i in range(1, loop_max):
        loss = loss_fn(params)
        loss.backward()
        with torch.no_grad():
            for x in params:
                x -= learning_rate * x.grad
