# Prints 50 MB at import, then defines a correct GD. The grader keeps only the first 64 KB of
# output (output_truncated), does not buffer the rest in memory, and still grades it fully.
import sys

import torch

LINE = "spam " * 204 + "\n"  # 1,021 bytes
for _ in range(50 * 1024):
    sys.stdout.write(LINE)
sys.stdout.flush()


def GD(params, loss_fn, loop_max=10000, learning_rate=1e-3):
    for _ in range(loop_max):
        loss = loss_fn(params)
        loss.backward()
        with torch.no_grad():
            for x in params:
                x -= learning_rate * x.grad
                x.grad = None
