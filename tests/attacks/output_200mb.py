# ATTACK: writes 200 MB at import (100 MB to stdout, 100 MB to stderr), hoping to fill the
# grader's memory or disk, then defines a correct GD.
# VERDICT: graded, full marks (the output is not the verdict); the kept output is capped at
# 64 KB and marked truncated; the grader's own memory does not grow by the 200 MB.
import sys

import torch

CHUNK = "flood " * 174762 + "\n"   # about 1 MB
for _ in range(100):
    sys.stdout.write(CHUNK)
    sys.stderr.write(CHUNK)
sys.stdout.flush()
sys.stderr.flush()


def GD(params, loss_fn, loop_max=10000, learning_rate=1e-3):
    for _ in range(loop_max):
        loss = loss_fn(params)
        loss.backward()
        with torch.no_grad():
            for x in params:
                x -= learning_rate * x.grad
                x.grad = None
