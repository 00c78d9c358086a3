# A step up the gradient instead of down.
# expect-fail: test_reaches_minimum_of_notes_loss, test_loss_falls, test_random_bowl_minimum, test_trajectory_is_gradient_descent
# expect-text: did not fall
# expect-next-step: step up the gradient
import torch


def GD(params, loss_fn, loop_max=10000, learning_rate=1e-3):
    for _ in range(loop_max):
        loss = loss_fn(params)
        loss.backward()
        with torch.no_grad():
            for x in params:
                x += learning_rate * x.grad
                x.grad = None
