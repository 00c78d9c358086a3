# Knows the public answer (x = 2) and writes it without descending.
# expect-fail: test_random_bowl_minimum, test_trajectory_is_gradient_descent, test_updates_params_in_place, test_loss_falls
# expect-pass: test_reaches_minimum_of_notes_loss
# expect-next-step: without descending
import torch


def GD(params, loss_fn, loop_max=10000, learning_rate=1e-3):
    with torch.no_grad():
        for x in params:
            x.fill_(2.0)
    for _ in range(loop_max):
        loss_fn(params)
