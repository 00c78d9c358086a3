# A correct GD whose file, at import, sets sys.modules["torch"] = None, so that any later
# `import torch` in the same process fails: the exercise's probes, loaded into the sandbox
# right after the submission, can no longer import torch. However the grader reacts, it must
# produce a result (the checks cannot run: 0 points), never an exception.
import sys

import torch


def GD(params, loss_fn, loop_max=10000, learning_rate=1e-3):
    for _ in range(loop_max):
        loss = loss_fn(params)
        loss.backward()
        with torch.no_grad():
            for x in params:
                x -= learning_rate * x.grad
                x.grad = None


sys.modules["torch"] = None
