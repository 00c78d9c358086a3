# ATTACK: rewrites what the sandboxed child says about itself: infinite CPU time, 10**400 MB of
# memory, NaN seconds and a 40 MB "python version" (it would replace child.py's helpers in
# __main__, which is now its own module), then runs a correct GD. Once, such numbers crashed
# `grade batch` in the report.
# VERDICT: graded, full marks (its GD is right); the run's figures are finite and plausible,
# the versions are the grader's own, the report renders and stays small.
import __main__

import torch

__main__._usage = lambda *a: [float("inf"), 10 ** 400]
__main__._versions = lambda *a: {"python": "9" * (40 << 20), "torch": "x" * 1000}
try:
    __main__.time.perf_counter = lambda: float("nan")
except AttributeError:
    print("__main__ is this file: nothing of the grader's in it")


def GD(params, loss_fn, loop_max=10000, learning_rate=1e-3):
    for _ in range(loop_max):
        loss = loss_fn(params)
        loss.backward()
        with torch.no_grad():
            for x in params:
                x -= learning_rate * x.grad
                x.grad = None
