# NOT AN ATTACK: the baseline of the gradescope_* attacks, their GD alone: it only calls
# loss_fn loop_max times, never steps.
# VERDICT: 1/10 (it runs loop_max steps); the attacks must score exactly this.


def GD(params, loss_fn, loop_max=10000, learning_rate=1e-3):
    for _ in range(loop_max):
        loss_fn(params)
