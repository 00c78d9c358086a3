# Moves each parameter by the loss instead of by its gradient (x -= lr * loss): every panel
# must say that, not its own generic hint ("reset the gradients", "update every tensor").
# expect-fail: test_reaches_minimum_of_notes_loss, test_random_bowl_minimum, test_trajectory_is_gradient_descent
# expect-text: not by its gradient
# expect-next-step: moves by the loss, not by its gradient
import torch


def GD(params, loss_fn, loop_max=10000, learning_rate=1e-3):
    for _ in range(loop_max):
        loss = loss_fn(params)
        loss.backward()
        with torch.no_grad():
            for x in params:
                x -= learning_rate * loss
                x.grad = None
